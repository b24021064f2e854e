from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.db.backends.signals import connection_created
from django.db.models.signals import post_save

from events.pdf import subsetter_check
from notices import register


def unicode_lower_for_sqlite(sender, connection, **kwargs):
    # SQLite's own lower() folds only ASCII, so a search for "åkeri" would miss "Åkeri AB".
    # PostgreSQL's lower() already folds å, ä and ö.
    if connection.vendor == "sqlite":
        connection.connection.create_function("lower", 1, str.lower, deterministic=True)


def attach_tasks_on_account_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    # A login saves last_login alone, and loaddata (raw) restores rows as they were: neither
    # gives anyone an address or an account.
    if raw or (update_fields is not None and not {"email", "is_active"} & set(update_fields)):
        return
    # Imported here: events.services needs the models, which are not loaded with this module.
    from events.services import attach_tasks_to_account

    attach_tasks_to_account(instance)


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Händelser"

    def ready(self):
        connection_created.connect(unicode_lower_for_sqlite)
        # Somebody given a task by address gets an account with it (accounts never imports
        # events: events listens).
        post_save.connect(
            attach_tasks_on_account_saved,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="events.attach_tasks_on_account_saved",
        )
        register_notice_kinds()
        checks.register(subsetter_check)


def _task_open(task) -> bool:
    # A reminder of a task finished, struck or deleted, or on a closed case, is not sent.
    return task is not None and task.is_open and not task.event.is_closed


def _case_open(event) -> bool:
    return event is not None and not event.is_closed


def register_notice_kinds():
    """The notices events owns (notices.register); what each says is in events.services,
    events.meetings and events.reminders."""
    # One series: each carries the meeting as it then stood (events.ics), so a version not
    # yet mailed when a newer one is written is not sent (notices.kinds.Kind.series).
    register("convening", "Kallelse till startgruppen", series="convening")
    register("convening_moved", "Startgruppens möte är flyttat", series="convening")
    register("convening_updated", "Kallelsen till startgruppen är ändrad", series="convening")
    register("convening_cancelled", "Startgruppens möte är inställt", series="convening")
    register(
        "convening_withdrawn", "Kallelsen till startgruppen är återkallad", series="convening"
    )
    register("decision_pending", "Startgruppens beslut väntar", still_wanted=_case_open)
    register("member_added", "Tillagd i ärendet")
    register("member_removed", "Borttagen ur ärendet")
    register("role_given", "Nytt uppdrag i ärendet")
    register("role_taken", "Uppdrag i ärendet avslutat")
    register("task_assigned", "Ny uppgift", still_wanted=_task_open)
    register("task_unassigned", "Uppgiften har flyttats")
    register("task_done", "Uppgift klar")
    register("task_struck", "Uppgift struken")
    register("task_reopened", "Uppgift öppnad igen", still_wanted=_task_open)
    register("task_due", "Uppgift ska vara klar snart", still_wanted=_task_open)
    register("task_overdue", "Försenad uppgift", still_wanted=_task_open)
    register("task_overdue_lead", "Försenad uppgift i arbetsgruppen", still_wanted=_task_open)
    register("follow_up", "Dags att följa upp", still_wanted=_task_open)
    register("report_due", "Dags att rapportera till startgruppen", still_wanted=_case_open)
    register("not_met", "Startgruppen har inte träffats", still_wanted=_case_open)
    register("case_closed", "Ärendet är avslutat")
    register("case_reopened", "Ärendet är öppnat igen")
