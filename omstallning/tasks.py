from celery import shared_task
from django.utils import timezone

from omstallning import services


@shared_task
def remind_due_measurements():
    """Beat's scan for measurements due (omstallning.services.scan_due_measurements)."""
    return services.scan_due_measurements(timezone.now())
