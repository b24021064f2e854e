"""Who may approve a quote in a press text: the person quoted, and nobody else.

A quoted person need not be a member of the case (anyone in the municipality may be
quoted), so this is a rule of its own beside events.access: the quoted person sees the
text they are quoted in and approves their quote; for anyone else the page does not exist
(404, as for an outsider). Approving is a change: not on a closed case (403).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from commsplan.models import Quote


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
