"""The outbox: every message that must reach a person, written as a row before it is sent.

The database, not the broker, decides what goes out. A row's `key` is its natural key
(kind, object, recipient, occasion) under a unique constraint, so writing the same reminder
twice — a second scan, a second beat — is a no-op. A sender claims a row with a conditional
UPDATE and mails only if it won, so a redelivered Celery task or a second worker never sends
twice; the sweeper hands rows that nobody finished (a lost broker message, a killed worker)
to a sender again.
"""

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from events.models import Notification
from events.texts import moment_text

logger = logging.getLogger(__name__)
Kind = Notification.Kind
# Reminders keep work going; on a closed event there is none left to keep going.
REMINDERS = {
    Kind.TASK_DUE,
    Kind.TASK_OVERDUE,
    Kind.TASK_OVERDUE_LEAD,
    Kind.FOLLOW_UP,
    Kind.REPORT_DUE,
    Kind.NOT_MET,
    Kind.INFO_GAP,
}

# A message sent this long after it was due says that it is late.
LATE_AFTER = timedelta(minutes=15)
SWEEP_BATCH = 1000
SEND_CHUNK = 20


def post(notifications: list[Notification]) -> int:
    """Write outbox rows, skipping any whose key is already there, and hand the new ones to a
    sender once the caller's transaction commits. Returns how many were new."""
    if not notifications:
        return 0
    keys = [n.key for n in notifications]
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    # The ids we generated are the new rows' ids only where our insert won.
    written = list(
        Notification.objects.filter(
            key__in=keys, pk__in=[n.pk for n in notifications]
        ).values_list("pk", flat=True)
    )
    enqueue(written)
    return len(written)


def enqueue(pks):
    from events.tasks import send_notifications

    pks = [str(pk) for pk in pks]
    # Rows go to the broker in chunks: one message per row would make a scan that writes
    # 2,000 reminders spend most of its time publishing. Each row is still claimed on its
    # own, so a worker killed mid-chunk leaves the rest to the sweeper, sent once.
    chunks = [pks[i : i + SEND_CHUNK] for i in range(0, len(pks), SEND_CHUNK)]
    # After commit: a worker that picks the task up must find the rows. Robust: with the
    # broker down the user's save still stands (no error page inviting a second submit),
    # and the sweeper hands the rows to a sender once the broker is back.
    transaction.on_commit(
        lambda: [send_notifications.delay(chunk) for chunk in chunks], robust=True
    )


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
    won = Notification.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale),
        pk=pk,
        sent_at__isnull=True,
        cancelled_at__isnull=True,
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    if not won:
        return False
    notification = Notification.objects.select_related("recipient", "task", "event").get(pk=pk)
    finished = notification.task_id and not notification.task.is_open
    if finished or (notification.kind in REMINDERS and notification.event.is_closed):
        # Finished, struck or closed before the reminder went out: nothing to remind about.
        Notification.objects.filter(pk=pk).update(cancelled_at=now)
        return False
    address = _address_of(notification)
    if not address:
        # Nothing to mail: the in-app notification is all this person gets.
        Notification.objects.filter(pk=pk).update(sent_at=now)
        return False
    message = EmailMessage(
        subject=notification.subject,
        body=_body_of(notification, now),
        to=[address],
        # The same id on every attempt: if a worker dies between the mail server's "OK"
        # and marking the row sent, the resend is recognisably the same message.
        headers={"Message-ID": f"<{notification.pk}@{urlsplit(settings.SITE_URL).hostname}>"},
    )
    if notification.ics:
        message.attach("kallelse.ics", notification.ics, "text/calendar; method=REQUEST")
    if notification.attachment:
        message.attach(
            notification.attachment_name, bytes(notification.attachment), "application/pdf"
        )
    try:
        mailers.default.send_messages([message])
    except Exception:
        # Let the next attempt (a Celery retry, or the sweeper) claim it again.
        Notification.objects.filter(pk=pk, claimed_at=now).update(claimed_at=None)
        if notification.attempts + 1 >= settings.OUTBOX_MAX_ATTEMPTS:
            logger.error(
                "Outbox row %s to %s: giving up after %s attempts",
                pk,
                address,
                notification.attempts + 1,
            )
        raise
    Notification.objects.filter(pk=pk).update(sent_at=timezone.now())
    return True


def _address_of(notification: Notification) -> str:
    if notification.recipient_id is None:
        return notification.email
    # Turning e-mail off stops reminders; a lägesrapport sent to someone is still sent.
    if not notification.recipient.email_notifications and notification.kind != Kind.REPORT:
        return ""
    return notification.recipient.email


def _body_of(notification: Notification, now) -> str:
    late = now - notification.due_at
    if late < LATE_AFTER:
        return notification.body
    due = moment_text(notification.due_at)
    return (
        f"Försenat utskick: det här meddelandet skulle ha skickats {due} men kunde inte "
        f"skickas förrän nu.\n\n{notification.body}"
    )


def sweep() -> int:
    """Re-enqueue rows no sender finished: the broker lost the task, or a worker died."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_S)
    pks = list(
        Notification.objects.filter(
            Q(claimed_at__isnull=True, created_at__lt=now - timedelta(seconds=60))
            | Q(claimed_at__lt=stale),
            sent_at__isnull=True,
            cancelled_at__isnull=True,
            attempts__lt=settings.OUTBOX_MAX_ATTEMPTS,
        ).values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    enqueue(pks)
    return len(pks)
