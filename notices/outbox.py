"""The outbox's senders: every notice is a row before it is sent (notices.posting), and
the database, not the broker, decides what goes out. A sender claims a row with a
conditional UPDATE and mails only if it won, so a redelivered Celery task or a second
worker never sends twice; the sweeper (notices.tasks.sweep_outbox) hands rows that nobody
finished (a lost broker message, a killed worker) to a sender again.
"""

import email.policy
import logging
from datetime import timedelta
from email.header import Header
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import F, Q
from django.utils import timezone

from accounts.moments import moment_text
from notices import kinds
from notices.models import Notice

logger = logging.getLogger(__name__)

# A message sent this long after it was due says that it is late.
LATE_AFTER = timedelta(minutes=15)
SWEEP_BATCH = 1000


def send_all(pks) -> int:
    """Send each row (see send); returns how many this call mailed. A mail-server error on
    one row does not hold back the rest; it is raised at the end, for the caller's retry."""
    mailed, failure = 0, None
    for pk in pks:
        try:
            mailed += send(pk)
        except OSError as error:
            failure = error
    if failure:
        raise failure
    return mailed


def send(pk) -> bool:
    """Mail one outbox row if nobody else has or is doing so. True if this call mailed it."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_S)
    won = Notice.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale),
        pk=pk,
        sent_at__isnull=True,
        cancelled_at__isnull=True,
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    if not won:
        return False
    notice = Notice.objects.select_related("recipient").get(pk=pk)
    kind = kinds.get(notice.kind)
    unwanted = kind.still_wanted is not None and not kind.still_wanted(notice.target)
    if unwanted or _superseded(notice, kind):
        # Finished, struck or closed before it went out, or a newer version of it is
        # written: nothing left to tell.
        Notice.objects.filter(pk=pk).update(cancelled_at=now)
        return False
    address = _address_of(notice, kind)
    if not address:
        # Nothing to mail: the in-app notice is all this person gets.
        Notice.objects.filter(pk=pk).update(sent_at=now)
        return False
    message = NoticeMail(
        subject=notice.subject,
        body=_body_of(notice, now),
        to=[address],
        reply_to=[notice.reply_to] if notice.reply_to else None,
        # The same id on every attempt: if a worker dies between the mail server's "OK"
        # and marking the row sent, the resend is recognisably the same message.
        headers={"Message-ID": f"<{notice.pk}@{urlsplit(settings.SITE_URL).hostname}>"},
    )
    if notice.ics:
        # RFC 6047 2.4: the part's method is the calendar's. Inside multipart/alternative,
        # where calendar clients look for an invitation, and as a file to open by hand.
        content_type = "text/calendar"
        if method := _calendar_method(notice.ics):
            content_type += f"; method={method}"
        message.attach_alternative(notice.ics, content_type)
        message.attach("kallelse.ics", notice.ics, content_type)
    if notice.attachment:
        message.attach(notice.attachment_name, bytes(notice.attachment), "application/pdf")
    try:
        mailers.default.send_messages([message])
    except Exception:
        # Let the next attempt (a Celery retry, or the sweeper) claim it again.
        Notice.objects.filter(pk=pk, claimed_at=now).update(claimed_at=None)
        if notice.attempts + 1 >= settings.OUTBOX_MAX_ATTEMPTS:
            logger.error(
                "Outbox row %s to %s: giving up after %s attempts",
                pk,
                address,
                notice.attempts + 1,
            )
        raise
    Notice.objects.filter(pk=pk).update(sent_at=timezone.now())
    return True


class NoticeMail(EmailMultiAlternatives):
    """A mail whose subject reads back as written in every mail program. The email
    package's own folder (Python 3.12's, for one) loses or doubles the space where it folds
    a line next to an encoded word: "skatteintäkter från" arrived as "skatteintäkterfrån" or
    with two spaces. Not folding at all made encoded words of 300 characters, where RFC 2047
    allows 75. A subject with letters outside ASCII is written as encoded words throughout
    instead, each of whole characters and at most 75 long, on lines of at most 76 (RFC 2047
    2 and 5; RFC 5322 2.1.1): the spaces are inside the words, and the whitespace between
    two words is no part of the text (RFC 2047 6.2)."""

    def message(self, *, policy=email.policy.default):
        message = super().message(policy=policy)
        subject = str(self.subject)
        if not subject.isascii():
            message.replace_header("Subject", _EncodedWords("Subject", subject))
        return message


class _EncodedWords(str):
    """A header value the email package writes as it stands (its `name` marks it as a
    header object, EmailPolicy.header_store_parse), folded by email.header.Header, which
    encodes every word, spaces included, rather than only the words outside ASCII."""

    def __new__(cls, name: str, value: str):
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy) -> str:
        words = Header(str(self), "utf-8", maxlinelen=76, header_name=self.name)
        return f"{self.name}: {words.encode(linesep=policy.linesep)}{policy.linesep}"


def _superseded(notice: Notice, kind: kinds.Kind) -> bool:
    """Whether a newer notice of the kind's series about the same target went to the same
    reader (kinds.Kind.series)."""
    if not kind.series:
        return False
    return Notice.objects.filter(
        kind__in=kinds.in_series(kind.series),
        # Index notice_target_occasion: the target's few notices.
        target_id=notice.target_id,
        target_type_id=notice.target_type_id,
        recipient_id=notice.recipient_id,
        email=notice.email,
        created_at__gt=notice.created_at,
    ).exists()


def _calendar_method(ics: str) -> str:
    """The METHOD of an iCalendar text (REQUEST, CANCEL…), "" if it has none. Only the
    VCALENDAR has that property, and a folded line's continuation starts with a space."""
    for line in ics.splitlines():
        name, _, value = line.partition(":")
        if name.upper() == "METHOD":
            return value.strip().upper()
    return ""


def _address_of(notice: Notice, kind: kinds.Kind) -> str:
    if notice.recipient_id is None:
        return notice.email
    if not notice.recipient.email_notifications and not kind.always_mail:
        return ""
    return notice.recipient.email


def _body_of(notice: Notice, now) -> str:
    if now - notice.due_at < LATE_AFTER:
        return notice.body
    due = moment_text(notice.due_at)
    return (
        f"Försenat utskick: det här meddelandet skulle ha skickats {due} men kunde inte "
        f"skickas förrän nu.\n\n{notice.body}"
    )


def unfinished() -> list:
    """Ids of rows no sender finished (the broker lost the task, or a worker died), for
    the sweeper to hand out again; at most SWEEP_BATCH a time."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_S)
    return list(
        Notice.objects.filter(
            Q(claimed_at__isnull=True, created_at__lt=now - timedelta(seconds=60))
            | Q(claimed_at__lt=stale),
            sent_at__isnull=True,
            cancelled_at__isnull=True,
            attempts__lt=settings.OUTBOX_MAX_ATTEMPTS,
        ).values_list("pk", flat=True)[:SWEEP_BATCH]
    )
