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
from events.models import Membership
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


def to_tell(request: GuestRequest) -> list:
    """Who hears of the request's answer or its being overdue: the requester while they may
    still read the case (a member of any group, or a superuser; events.access), else the
    arbetsgrupp's lead while the lead still works on it (startgrupp or arbetsgrupp), else
    the arbetsgrupp's members. Never someone taken off the case: the notice carries the
    question and the answer. The answer goes to someone rather than nobody because the
    case's work waits on it; the lead hands work on in the arbetsgrupp (handlingsplanen,
    "Arbetsgrupp"). Empty if the case has nobody left to tell."""
    event = request.party.event
    members = Membership.objects.filter(event=event, user__is_active=True)
    requester = request.created_by
    if requester.is_active and (requester.is_superuser or members.filter(user=requester).exists()):
        return [requester]
    writers = members.exclude(group=Membership.Group.LASARE)
    lead = event.workgroup_lead_id
    if lead is not None and writers.filter(user_id=lead).exists():
        return [event.workgroup_lead]
    return [
        m.user for m in writers.filter(group=Membership.Group.ARBETSGRUPP).select_related("user")
    ]


def whose(request: GuestRequest, told: list) -> str:
    """ "din förfrågan" to the requester; to others, whose it was."""
    if told == [request.created_by]:
        return "din förfrågan"
    return f"förfrågan från {request.asker}"


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
    told = to_tell(request)
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
                told,
                f"Den externa parten har svarat på {whose(request, told)} i ärendet "
                f"{event.case_number}.",
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
