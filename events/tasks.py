from celery import shared_task

from events import services


@shared_task(autoretry_for=(OSError,), retry_backoff=5, retry_backoff_max=300, max_retries=10)
def send_notification(pk):
    return services.send_notification(pk)


@shared_task
def sweep_outbox():
    return services.sweep_outbox()
