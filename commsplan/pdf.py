"""Press texts and KSO talking-points sheets as A4 PDFs, drawn by the one renderer every
app shares (events.pdf: fetcher, fonts, letterhead)."""

from django.template.loader import render_to_string
from django.utils import timezone

from commsplan.models import PressText, TimetableRow
from events.pdf import html_to_pdf, letterhead


def press_text_html(text: PressText) -> str:
    event = text.row.plan.event
    context = {
        **letterhead(event),
        "text": text,
        "date": timezone.localdate(text.published_at) if text.published_at else None,
    }
    return render_to_string("commsplan/pdf/press_text.html", context)


def press_text_pdf(text: PressText, *, archival=False) -> bytes:
    return html_to_pdf(press_text_html(text), archival=archival)


def talking_points_html(row: TimetableRow) -> str:
    event = row.plan.event
    return render_to_string("commsplan/pdf/talking_points.html", {**letterhead(event), "row": row})


def talking_points_pdf(row: TimetableRow, *, archival=False) -> bytes:
    return html_to_pdf(talking_points_html(row), archival=archival)
