"""The invitation mail: the one message that carries a link's token.

Sent directly through Django's mailer (notices.outbox.NoticeMail for a subject every mail
program reads back), not through the notices outbox: an outbox row keeps its body in the
database for the sweeper to send again, and the body would hold the token in clear. The
token exists only in memory while the request is made; if the mail server refuses, the
request is not made at all (guests.services.send_request)."""

from django.conf import settings
from django.core.mail import mailers
from django.urls import reverse

from accounts.moments import day_text, moment_text
from guests.models import GuestRequest
from notices.outbox import NoticeMail

LINK_PLACEHOLDER = "[länken till förfrågan]"


def link(token: str) -> str:
    return settings.SITE_URL + reverse("guest_page", args=[token])


def subject(request: GuestRequest) -> str:
    return f"Förfrågan från Norsjö kommun – {request.party.event.case_number}"


def body(request: GuestRequest, url: str) -> str:
    """The mail's text: the case number, who asks, the question written for the guest, the
    due time and the link; no other text of the case (a confidential case's title and
    company stay out, as on the page)."""
    asked = "ber dig bekräfta" if request.kind == GuestRequest.Kind.CONFIRM else "har en fråga"
    return (
        f"{request.asker}, Norsjö kommun, {asked} i ärendet "
        f"{request.party.event.case_number}:\n\n"
        f"{request.question}\n\n"
        f"Svara senast {moment_text(request.due_at)} här (ingen inloggning behövs):\n"
        f"{url}\n\n"
        f"Länken gäller till {day_text(request.expires_at)} och bara för den här "
        f"förfrågan. Den som har länken kan svara: skicka den inte vidare.\n"
    )


def send_invitation(request: GuestRequest, token: str) -> None:
    """Mail the invitation to `request.email`; OSError (smtplib's errors among them) if the
    mail server does not take it."""
    reply_to = [request.created_by.email] if request.created_by.email else None
    message = NoticeMail(
        subject=subject(request),
        body=body(request, link(token)),
        to=[request.email],
        reply_to=reply_to,
    )
    mailers.default.send_messages([message])
