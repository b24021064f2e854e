"""The traffic-light status of an event, as the municipality already reports progress
(verksamhetsplanen: "färgsättning (röd, gul, grön)"). The rule lives here and only here.

- röd: a task more than RED_AFTER_DAYS overdue, RED_AT_OVERDUE or more overdue tasks, or a
  missed report to the startgrupp (none sent for the decided interval plus REPORT_GRACE since
  the last one, or since the reporter was appointed);
- gul: at least one overdue task;
- grön: nothing overdue.
A closed event has no colour.
"""

from datetime import timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from events.models import Task

RED_AFTER_DAYS = 7
RED_AT_OVERDUE = 3
REPORT_GRACE = timedelta(days=1)

LABELS = {"gron": "Grön", "gul": "Gul", "rod": "Röd"}


def colour(*, overdue_tasks: int, oldest_overdue_since, missed_reports: int, now=None) -> str:
    now = now or timezone.now()
    long_overdue = oldest_overdue_since is not None and (
        now - oldest_overdue_since > timedelta(days=RED_AFTER_DAYS)
    )
    if missed_reports or overdue_tasks >= RED_AT_OVERDUE or long_overdue:
        return "rod"
    if overdue_tasks:
        return "gul"
    return "gron"


def with_overdue(events, now=None):
    """Annotate a queryset of events with what colour() needs, in the same query."""
    now = now or timezone.now()
    overdue = Q(tasks__status__in=Task.OPEN, tasks__due_at__lt=now)
    return events.annotate(
        overdue_tasks=Count("tasks", filter=overdue),
        oldest_overdue_since=Min("tasks__due_at", filter=overdue),
    )


def missed_reports(event, now=None) -> int:
    """Reports to the startgrupp that are overdue: sending one restarts `reporting_since`."""
    if not (event.reporter_id and event.report_interval_days and event.reporting_since):
        return 0
    interval = timedelta(days=event.report_interval_days)
    late = (now or timezone.now()) - event.reporting_since - REPORT_GRACE
    return max(0, late // interval)


def colour_of(event, now=None) -> str | None:
    if event.is_closed:
        return None
    return colour(
        overdue_tasks=event.overdue_tasks,
        oldest_overdue_since=event.oldest_overdue_since,
        missed_reports=missed_reports(event, now),
        now=now,
    )
