"""The overdue scan for requests: a request unanswered at its due time reminds the member
who sent it, once per due time (the notice's natural key holds it), as events.reminders
does for tasks: an indexed range plus an anti-join on the outbox, in keyset-paged batches."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

import notices
from accounts.moments import moment_text
from events.models import Phase
from events.notify import message
from guests import ratelimit
from guests.models import GuestRequest
from guests.services import to_tell, whose
from notices.models import Notice

BATCH = 500


def scan(now=None) -> int:
    """Write a reminder for every request past its due time, unanswered, not revoked, on
    an open case, not yet reminded; return how many were written. Also drops the rate
    limits' windows that are over."""
    now = now or timezone.now()
    ratelimit.purge(now)
    written = Notice.objects.filter(
        target_type=ContentType.objects.get_for_model(GuestRequest),
        target_id=OuterRef("pk"),
        kind="guest_overdue",
        occasion=OuterRef("due_at"),
    )
    requests = (
        GuestRequest.objects.filter(
            ~Exists(written),
            due_at__lte=now,
            answered_at__isnull=True,
            revoked_at__isnull=True,
        )
        .exclude(party__event__phase=Phase.AVSLUTAD)
        .select_related("party__event", "created_by")
        .order_by("due_at", "pk")
    )
    count, after = 0, Q()
    while batch := list(requests.filter(after)[:BATCH]):
        reminders = []
        for request in batch:
            told = to_tell(request)
            reminders += [_reminder(request, to, whose(request, told).capitalize()) for to in told]
        count += notices.post(reminders)
        last = batch[-1]
        after = Q(due_at__gt=last.due_at) | Q(due_at=last.due_at, pk__gt=last.pk)
    return count


def _reminder(request: GuestRequest, to, whose: str) -> notices.Message:
    event = request.party.event
    return message(
        event,
        "guest_overdue",
        to=to,
        sentence=(
            f"{whose} till en extern part i ärendet {event.case_number} skulle ha "
            f"besvarats senast {moment_text(request.due_at)} och är obesvarad."
        ),
        path=reverse("guest_requests", args=[event.pk, request.party_id]),
        target=request,
        occasion=request.due_at,
        topic=request.party.organisation,
        details=f"Frågan: {request.question}",
        due_at=request.due_at,
    )
