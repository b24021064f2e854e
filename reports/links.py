"""A lägesrapport as something a document can be linked from (issue 18). Registered with
documents in ReportsConfig.ready()."""

from django.urls import reverse

from documents.models import Link
from documents.targets import Kind, register
from reports.models import Report


def register_links() -> None:
    register(
        Link.Target.REPORT,
        Kind(
            model=Report,
            case="event",
            heading="Lägesrapporter",
            name=lambda report: f"Lägesrapport {report.version}",
            url=lambda report: reverse("report_detail", args=[report.event_id, report.pk]),
            offered={},
        ),
    )
