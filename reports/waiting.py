"""The lägesrapporter that wait for a user, for the start page's "Väntar på dig"
(events.waiting, through the events.signals.waiting_for signal)."""

from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.urls import reverse

from accounts.moments import add_days
from events.models import Event
from events.waiting import HORIZON, Item, startgrupp_events
from reports.models import Report

# What an item shows of its event, and what the reporting clock reads.
SHOWN_EVENT = ["case_number", "title", "reporter", "report_interval_days", "reporting_since"]


def reports_waiting(sender, *, user, events, now, **kwargs) -> list[Item]:
    """Items for `events` (the open events the user works on): the drafts the user may
    approve, and the next report due from the user as the event's reporter. Two queries."""
    return _to_approve(user, events, now) + _due_from(user, events, now)


def _next_due(event: Event) -> datetime | None:
    """When the next report to the startgrupp is due: one interval after the reporter or the
    interval was decided, or the last report was sent (as events.reminders counts it)."""
    if not (event.reporter_id and event.report_interval_days and event.reporting_since):
        return None
    return add_days(event.reporting_since, event.report_interval_days)


def _to_approve(user, events, now) -> list[Item]:
    # A draft sent for approval (services.request_approval), for its approvers
    # (reports.access.approvers, as may_approve decides) as one filter: the startgrupp,
    # other than its author and whoever last saved its text. Due at once: the reporter has
    # done their part and waits for a yes, so the item waits since approval was asked and
    # sorts before every deadline ahead (the next report's due date, one interval on, is not
    # when this one is to be approved). Late once the report itself is late: the reporter's
    # own item (_due_from) is late then too, and the case turns röd a day later
    # (events.status).
    drafts = (
        Report.objects.filter(
            status=Report.Status.UTKAST,
            approval_requested_at__isnull=False,
            event__in=startgrupp_events(user, events),
        )
        .exclude(author=user)
        .exclude(edited_by=user)
        .select_related("event")
        # Only what the item shows and the clock needs: not the compiled content.
        .only("version", "approval_requested_at", *(f"event__{field}" for field in SHOWN_EVENT))
    )
    items = []
    for draft in drafts:
        report_due = _next_due(draft.event)
        items.append(
            Item.waiting_since(
                draft.event,
                f"Godkänn lägesrapport {draft.version}",
                reverse("report_detail", args=[draft.event_id, draft.pk]),
                draft.approval_requested_at,
                late=report_due is not None and report_due < now,
            )
        )
    return items


def _due_from(user, events, now) -> list[Item]:
    # The reporter's next report once it is due within HORIZON: to the report not yet sent,
    # if one is started, else to a new draft.
    unsent = (
        Report.objects.filter(event=OuterRef("pk"))
        .exclude(status=Report.Status.SKICKAD)
        .order_by("-version")
    )
    reporting = (
        events.filter(reporter=user)
        .only(*SHOWN_EVENT)
        .annotate(
            unsent_id=Subquery(unsent.values("pk")[:1]),
            unsent_version=Subquery(unsent.values("version")[:1]),
        )
    )
    items = []
    for event in reporting:
        due_at = _next_due(event)
        if due_at is None or due_at > now + HORIZON:
            continue
        if event.unsent_id:
            what = f"Skicka lägesrapport {event.unsent_version} till startgruppen"
            url = reverse("report_detail", args=[event.pk, event.unsent_id])
        else:
            what = "Skriv nästa lägesrapport till startgruppen"
            url = reverse("report_create", args=[event.pk])
        items.append(Item.at(event, what, url, due_at, now))
    return items
