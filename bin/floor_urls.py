"""The product's URLs and the benches' floor views: what a page cannot beat, measured
behind the same middleware in the same run (bin/bench_assessment.py). Never in the
product's URLconf."""

import functools

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from weasyprint import HTML

from assessment.models import Row
from events import pdf
from norsjo.urls import urlpatterns as product_urls
from reports.models import Report
from reports.pdf import report_html

# One loop, five cells a row, no includes, no filters.
SHEET_FLOOR = engines["django"].from_string(
    "<table>{% for what, who, when, follow_up, status in rows %}<tr><td>{{ what }}</td>"
    "<td>{{ who }}</td><td>{{ when }}</td><td>{{ follow_up }}</td><td>{{ status }}</td></tr>"
    "{% endfor %}</table>"
)


def sheet_floor(request, event_id):
    """The sheet's rows in one values_list() and one template loop."""
    rows = Row.objects.filter(sheet__event_id=event_id).values_list(
        "what", "who", "when", "follow_up", "status"
    )
    return HttpResponse(SHEET_FLOOR.render({"rows": rows}, request))


@functools.cache
def final_html(report_id) -> str:
    """The lägesrapport's HTML as events.pdf.html_to_pdf hands it to WeasyPrint."""
    return pdf.drawable(report_html(Report.objects.get(pk=report_id)))


def render_floor(html) -> bytes:
    """WeasyPrint alone, with the stylesheet, fonts and caches of events.pdf."""
    with pdf._LOCK:
        return HTML(string=html, url_fetcher=pdf.StaticOnlyFetcher()).write_pdf(
            stylesheets=[pdf._stylesheet()], font_config=pdf._FONTS, cache=pdf._IMAGES
        )


def report_floor(request, report_id):
    """The report's final HTML (made on the first request) drawn by WeasyPrint alone."""
    return HttpResponse(render_floor(final_html(report_id)), content_type="application/pdf")


urlpatterns = [
    path("golv/bedomning/<uuid:event_id>/", sheet_floor),
    path("golv/rapport/<uuid:report_id>/", report_floor),
    *product_urls,
]
