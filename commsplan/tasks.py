from celery import shared_task

from commsplan import services


@shared_task
def remind_info_gaps():
    return services.scan_info_gaps()


@shared_task
def remind_company_announcements():
    return services.scan_company_announcements()
