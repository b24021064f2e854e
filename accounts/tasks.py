from celery import shared_task

from accounts import services


@shared_task
def purge_expired():
    return services.purge_expired()
