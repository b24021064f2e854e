"""The press texts that wait for a user, for the start page's "Väntar på dig"
(events.waiting, through the events.signals.waiting_for signal)."""

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from commsplan.models import PressText, Quote
from events.models import Phase
from events.waiting import Item, startgrupp_events

SHOWN_EVENT = ["row__plan__event__case_number", "row__plan__event__title"]

Status = PressText.Status


def press_texts_waiting(sender, *, user, events, now, **kwargs) -> list[Item]:
    """Items for the press texts that wait for the user, by the rules of
    commsplan.access as filters. On `events` (the open events the user works on): a
    draft sent to fact-checking, for its fact_checkers (whoever works on the case, other
    than its author and its last editor); a fact-checked text whose quotes are all
    approved, for its approvers (why_not_approve: the startgrupp, other than its author,
    last editor and fact-checker). On any open event, member or not: a text not yet
    approved that quotes the user, until they approve their quote. Due on the tidplan
    row's planned day. Two queries."""
    return _to_check_or_approve(user, events, now) + _quotes(user, now)


def _item(text: PressText, what: str, url: str, now) -> Item:
    event = text.row.plan.event
    day = text.row.planned_on
    return Item.on(event, what, url, day, now) if day else Item.at(event, what, url, None, now)


def _to_check_or_approve(user, events, now) -> list[Item]:
    to_check = Q(status=Status.UTKAST, fact_check_requested_at__isnull=False)
    pending_quote = Quote.objects.filter(text=OuterRef("pk"), approved_at__isnull=True)
    to_approve = Q(
        ~Exists(pending_quote),
        status=Status.FAKTAGRANSKAD,
        row__plan__event__in=startgrupp_events(user, events),
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
        verb = "Faktagranska" if text.status == Status.UTKAST else "Godkänn"
        what = f"{verb} pressmeddelandet ”{text.title}”"
        url = reverse("press_text_detail", args=[text.row.plan.event.pk, text.pk])
        items.append(_item(text, what, url, now))
    return items


def _quotes(user, now) -> list[Item]:
    # A quoted person need not work on the case (commsplan.access): any open event.
    quotes = (
        Quote.objects.filter(
            person=user,
            approved_at__isnull=True,
            text__status__in=[Status.UTKAST, Status.FAKTAGRANSKAD],
        )
        .exclude(text__row__plan__event__phase=Phase.AVSLUTAD)
        .select_related("text__row__plan__event")
        .only(
            "text__title",
            "text__row__planned_on",
            *(f"text__{field}" for field in SHOWN_EVENT),
        )
    )
    items = []
    for quote in quotes:
        text = quote.text
        what = f"Godkänn ditt citat i pressmeddelandet ”{text.title}”"
        url = reverse("press_text_quote", args=[text.row.plan.event.pk, text.pk])
        items.append(_item(text, what, url, now))
    return items
