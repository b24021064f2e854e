"""The workflows of a request to an external party: sending, answering, revoking, and the
record of every use of a link."""

import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.moments import add_days, moment_text
from assessment.models import Contact, ExternalParty
from assessment.services import log_contact
from events.notify import tell
from events.services import add_log_entry
from guests import mail
from guests.models import GuestRequest, GuestVisit, token_hash


class _Taken(Exception):
    """Another answer, or a revocation, committed while this answer was being written."""


def new_request(party: ExternalParty, data: dict, *, by) -> GuestRequest:
    """An unsaved request as `send_request` would make it now: what the preview shows."""
    now = timezone.now()
    return GuestRequest(
        party=party,
        kind=data["kind"],
        question=data["question"],
        due_at=data["due_at"],
        email=party.email,
        created_at=now,
        created_by=by,
        expires_at=add_days(now, settings.GUEST_LINK_DAYS),
    )


def send_request(party: ExternalParty, data: dict, *, by) -> GuestRequest:
    """Make a request (data: kind, question, due_at) to `party.email`, log it on the case
    and mail its link. The token (secrets.token_urlsafe(32): 256 random bits) lives only in
    this call and the mail; the database gets its sha256.

    The mail is sent inside the transaction, last: if the mail server refuses (OSError,
    raised), nothing is made, and the member may send again. The price is that the
    database's write lock is held while the mail server answers (SMTP_TIMEOUT_S at most);
    sending after commit instead would leave a request whose link nobody received."""
    token = secrets.token_urlsafe(32)
    request = new_request(party, data, by=by)
    request.token_hash = token_hash(token)
    with transaction.atomic():
        request.save()
        add_log_entry(
            party.event,
            by=by,
            text=(
                f"Förfrågan till {party.organisation} ({request.email}), svar senast "
                f"{moment_text(request.due_at)}: {request.question}"
            ),
        )
        mail.send_invitation(request, token)
    return request


def find(token: str) -> GuestRequest | None:
    """The request whose link holds `token`, or None."""
    return (
        GuestRequest.objects.select_related("party__event", "created_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def record_open(request: GuestRequest, *, address: str) -> None:
    GuestVisit.objects.create(request=request, kind=GuestVisit.Kind.OPEN, address=address)


def answer(request: GuestRequest, text: str, *, address: str) -> bool:
    """Take the guest's answer: a line "Vi fick" in the party's contact log (and the case's
    log), the answer kept on the request, the use recorded, and the requester told
    (notices). False, and nothing written, if the request may no longer be answered
    (answered, revoked, expired, its case closed), also when another answer won a race.

    The contact log's line is in the requester's name: the guest has no account, and the
    line says it came through the link."""
    now = timezone.now()
    party = request.party
    event = party.event
    if not request.may_answer(now):
        return False
    if request.kind == GuestRequest.Kind.CONFIRM:
        logged = f"Bekräftat via länk: {request.question}"
        if text:
            logged += f"\n\nKommentar: {text}"
    else:
        logged = f"Svar via länk på frågan: {request.question}\n\nSvar: {text}"
    try:
        with transaction.atomic():
            contact = log_contact(
                party,
                {"direction": Contact.Direction.RECEIVED, "text": logged, "happened_at": now},
                by=request.created_by,
            )
            # Conditional: of two answers at once, or an answer and a revocation, one wins.
            won = GuestRequest.objects.filter(
                pk=request.pk, answered_at__isnull=True, revoked_at__isnull=True
            ).update(answer=text, answered_at=now, contact=contact)
            if not won:
                raise _Taken
            GuestVisit.objects.create(
                request=request, kind=GuestVisit.Kind.ANSWER, at=now, address=address
            )
            tell(
                event,
                "guest_answered",
                [request.created_by],
                f"Den externa parten har svarat på din förfrågan i ärendet {event.case_number}.",
                path=reverse("guest_requests", args=[event.pk, party.pk]),
                # The guest is nobody's account: the requester is always told.
                by=None,
                target=request,
                occasion=now,
                details=logged,
            )
    except _Taken:
        return False
    request.refresh_from_db()
    return True


def revoke(request: GuestRequest, *, by) -> bool:
    """Make the link open nothing from now on; logged on the case. False if it was already
    revoked."""
    now = timezone.now()
    with transaction.atomic():
        done = GuestRequest.objects.filter(pk=request.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=by
        )
        if done:
            add_log_entry(
                request.party.event,
                by=by,
                text=f"Länken i förfrågan till {request.party.organisation} är återkallad.",
            )
    return bool(done)
