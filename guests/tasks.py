from celery import shared_task

from guests import reminders


@shared_task
def scan_overdue():
    return reminders.scan()
