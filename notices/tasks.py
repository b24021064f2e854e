from celery import shared_task
from django.db import transaction

from notices import outbox

SEND_CHUNK = 20


@shared_task(autoretry_for=(OSError,), retry_backoff=5, retry_backoff_max=300, max_retries=10)
def send_notices(pks):
    """Mail each row that nobody has; returns how many this call mailed. A retry after a
    mail-server error skips the rows already sent."""
    return outbox.send_all(pks)


@shared_task
def sweep_outbox() -> int:
    """Hand the rows no sender finished to a sender again; returns how many."""
    pks = outbox.unfinished()
    enqueue(pks)
    return len(pks)


def enqueue(pks):
    pks = [str(pk) for pk in pks]
    # Rows go to the broker in chunks: one message per row would make a scan that writes
    # 2,000 reminders spend most of its time publishing. Each row is still claimed on its
    # own, so a worker killed mid-chunk leaves the rest to the sweeper, sent once.
    chunks = [pks[i : i + SEND_CHUNK] for i in range(0, len(pks), SEND_CHUNK)]
    # After commit: a worker that picks the task up must find the rows. Robust: with the
    # broker down the user's save still stands (no error page inviting a second submit),
    # and the sweeper hands the rows to a sender once the broker is back.
    transaction.on_commit(lambda: [send_notices.delay(chunk) for chunk in chunks], robust=True)
