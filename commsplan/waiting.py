"""The press texts that wait for a user, for the start page's "Väntar på dig"
(events.waiting, through the events.signals.waiting_for signal)."""

from django.db.models import Q
from django.urls import reverse

from commsplan.models import PressText
from events.waiting import Item, startgrupp_events

SHOWN_EVENT = ["row__plan__event__case_number", "row__plan__event__title"]

Status = PressText.Status


def press_texts_waiting(sender, *, user, events, now, **kwargs) -> list[Item]:
    """Items for the press texts on `events` (the open events the user works on) that wait
    for the user, by the rules of commsplan.services as one filter: a draft sent to
    fact-checking, for its fact_checkers (whoever works on the case, other than its author
    and its last editor); a fact-checked text, for its approvers (the startgrupp, other than
    its author, last editor and fact-checker). Due on the tidplan row's planned day. One
    query."""
    to_check = Q(status=Status.UTKAST, fact_check_requested_at__isnull=False)
    to_approve = Q(
        status=Status.FAKTAGRANSKAD, row__plan__event__in=startgrupp_events(user, events)
    )
    texts = (
        PressText.objects.filter(to_check | to_approve, row__plan__event__in=events)
        .exclude(author=user)
        .exclude(edited_by=user)
        .exclude(fact_checked_by=user)
        .select_related("row__plan__event")
        # Only what the item shows: not the body, nor the plan's or the event's columns.
        .only("title", "status", "row__planned_on", *SHOWN_EVENT)
    )
    items = []
    for text in texts:
        event = text.row.plan.event
        verb = "Faktagranska" if text.status == Status.UTKAST else "Godkänn"
        what = f"{verb} pressmeddelandet ”{text.title}”"
        url = reverse("press_text_detail", args=[event.pk, text.pk])
        day = text.row.planned_on
        item = Item.on(event, what, url, day, now) if day else Item.at(event, what, url, None, now)
        items.append(item)
    return items
