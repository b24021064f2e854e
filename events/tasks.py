from celery import shared_task

from events import outbox, reminders


@shared_task(autoretry_for=(OSError,), retry_backoff=5, retry_backoff_max=300, max_retries=10)
def send_notifications(pks):
    """Mail each row that nobody has; returns how many this call mailed. A retry after a
    mail-server error skips the rows already sent."""
    return outbox.send_all(pks)


@shared_task
def sweep_outbox():
    return outbox.sweep()


@shared_task
def scan_reminders():
    return reminders.scan()
