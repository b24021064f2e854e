from celery import shared_task

from events import reminders


@shared_task
def scan_reminders():
    return reminders.scan()
