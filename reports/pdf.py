"""The lägesrapport as an A4 PDF, through the press texts' renderer: the same letterhead,
stylesheet and static-only fetcher (events.pdf)."""

from datetime import datetime

from django.template.loader import render_to_string

from events.pdf import html_to_pdf, letterhead
from reports.compile import content_for


def report_context(report, *, politicians: bool) -> dict:
    content = content_for(report, politicians=politicians)
    header = content["header"]
    return {
        "report": report,
        "content": content,
        "header": header,
        "as_of": datetime.fromisoformat(header["as_of"]),
        "next_due": datetime.fromisoformat(header["next_due"]) if header["next_due"] else None,
        "politicians": politicians,
    }


# Each line of the PDF starts with this, as text (static/css/pdf.css says why).
LINE_MARK = "– "


def report_html(report, *, politicians=False) -> str:
    context = {
        **letterhead(report.event),
        **report_context(report, politicians=politicians),
        "mark": LINE_MARK,
    }
    return render_to_string("reports/pdf/report.html", context)


def report_pdf(report, *, politicians=False, archival=False) -> bytes:
    return html_to_pdf(report_html(report, politicians=politicians), archival=archival)
