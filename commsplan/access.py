"""Who may do what to a press text, beside events.access: the rules a text's pages ask to
offer a step (or say why not) and commsplan.services asks before taking it.

Four eyes: a text is fact-checked by somebody other than its author and whoever last
changed its words, and approved by one of the startgrupp (who decide what is communicated)
who is none of them nor its fact-checker, once every person quoted in it has approved
their quote. Each `why_not_*` answers in Swedish why `user` may not take the step now, or
"" if they may; `fact_checkers` and `approvers` list whom to ask.

A quote is approved by the person quoted, and nobody else. They need not be a member of the
case (anyone in the municipality may be quoted), so this is a rule of its own: the quoted
person sees the text they are quoted in and approves their quote; for anyone else the page
does not exist (404, as for an outsider). Approving is a change: not on a closed case (403).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from commsplan.models import PressText, Quote
from events.models import Event, Membership

Status = PressText.Status


def get_quote_for_user(request, event_id, text_id, *, write=False) -> Quote:
    """The quote of request.user in the text `text_id` of the event `event_id`, with
    `.text` (its quotes prefetched) and `.text.row.plan.event` loaded; else raise."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    try:
        quote = (
            Quote.objects.select_related("text__row__plan__event", "text__contact__function")
            .prefetch_related("text__quotes__person")
            .get(text_id=text_id, text__row__plan__event_id=event_id, person=user)
        )
    except (Quote.DoesNotExist, ValidationError):
        raise Http404 from None
    if write and quote.text.row.plan.event.is_closed:
        raise PermissionDenied
    return quote


def _writers(event: Event, *, groups=None) -> list:
    """The active members of `event` who may write in it (not the läsbehöriga), in
    `groups` if given. One query."""
    memberships = (
        Membership.objects.filter(event=event, user__is_active=True)
        .exclude(group=Membership.Group.LASARE)
        .select_related("user")
    )
    if groups:
        memberships = memberships.filter(group__in=groups)
    return [m.user for m in memberships]


def why_not_fact_check(text: PressText, user) -> str:
    """Why `user` may not mark `text` fact-checked: its author and whoever last changed its
    words may not (four eyes), and only a draft is fact-checked."""
    if user.pk == text.author_id:
        return "Du skrev texten själv. Någon annan måste faktagranska den."
    if user.pk == text.edited_by_id:
        return "Du ändrade texten senast. Någon annan måste faktagranska den."
    if text.status != Status.UTKAST:
        return "Bara ett utkast kan faktagranskas."
    return ""


def fact_checkers(text: PressText) -> list:
    """Who may fact-check `text` (as why_not_fact_check rules): the writers on the case
    other than its author and whoever last changed its words."""
    return [
        user
        for user in _writers(text.row.plan.event)
        if user.pk not in (text.author_id, text.edited_by_id)
    ]


def approvers(text: PressText) -> list:
    """Who may approve `text` once it is fact-checked and its quotes approved (as
    why_not_approve rules): the startgrupp's members other than its author, its last editor
    and its fact-checker (a third pair of eyes)."""
    startgrupp = _writers(text.row.plan.event, groups=[Membership.Group.STARTGRUPP])
    others = (text.author_id, text.edited_by_id, text.fact_checked_by_id)
    return [user for user in startgrupp if user.pk not in others]


def pending_quotes(text: PressText) -> list:
    """The people quoted in `text` who have not approved their quote as it now reads."""
    pending = Quote.objects.filter(text=text, approved_at__isnull=True).select_related("person")
    return [quote.person for quote in pending.order_by("added_at", "pk")]


def why_not_approve(text: PressText, user) -> str:
    """Why `user` may not approve `text`, or "" if they may. Four eyes: never its author or
    whoever last changed its words; nor its fact-checker (a third pair); one of the
    startgrupp, who decides what is communicated; and only once it is fact-checked and
    every person quoted in it has approved their quote."""
    if user.pk == text.author_id:
        return "Du skrev texten själv. Någon annan i startgruppen måste godkänna den."
    if user.pk == text.edited_by_id:
        return "Du ändrade texten senast. Någon annan i startgruppen måste godkänna den."
    if user.pk == text.fact_checked_by_id:
        return "Du faktagranskade texten. Någon annan i startgruppen måste godkänna den."
    if user not in approvers(text):
        return "Pressmeddelanden godkänns av startgruppen."
    if text.status != Status.FAKTAGRANSKAD:
        return "Texten måste vara faktagranskad innan den kan godkännas."
    if pending := pending_quotes(text):
        names = " och ".join(str(person) for person in pending)
        return (
            f"Texten citerar {names}, som inte har godkänt sitt citat än. Den kan godkännas "
            "när alla citerade har gjort det."
        )
    return ""


def why_not_approve_quote(text: PressText, user) -> str:
    """Why `user` may not approve their quote in `text` now, or "" if they may."""
    if not any(quote.person_id == user.pk for quote in text.quotes.all()):
        return "Du är inte citerad i texten."
    if text.status not in (Status.UTKAST, Status.FAKTAGRANSKAD):
        return "Texten är redan godkänd; citaten godkändes före den."
    if any(q.person_id == user.pk and q.approved_at for q in text.quotes.all()):
        return "Du har redan godkänt ditt citat i den här versionen av texten."
    return ""


def why_not_send_back(text: PressText, user) -> str:
    """Why `user` may not send `text` back to its author, or "" if they may: a reviewer
    may, while the text waits for a fact-check or has passed one and is not yet published."""
    if user.pk in (text.author_id, text.edited_by_id):
        return "Du har själv skrivit texten. Ändra den i stället för att skicka tillbaka den."
    if text.status == Status.PUBLICERAD:
        return "En publicerad text skickas inte tillbaka. Skriv en rättelse i stället."
    if text.status == Status.UTKAST and text.fact_check_requested_at is None:
        return "Texten väntar inte på granskning: den ligger redan hos författaren."
    return ""
