"""The reminder scan: Celery beat ticks it; it writes the reminders that have fallen due as
notices (notices.post), which the outbox's senders then mail exactly once.

Each kind reads only what is due and not yet written (an indexed range plus an anti-join on
the outbox), in keyset-paged batches: never all tasks in memory, never a query per task.
A reminder's natural key holds its occasion (the time it is about), so a second scan, a
second beat or two scans racing write nothing new, and a task whose due time is moved gets a
reminder for the new time.

A closed case is reminded of nothing. After it is reopened (Event.reopened_at), no task
reminder is written for a time (när, uppföljning) before the reopening, whether it passed
while the case was closed or before: otherwise every date that went by while it was closed
would arrive at once as "Försenad". The reopening page offers those tasks a new time
(services.tasks_to_redate), and a new time, being after the reopening, is reminded as usual.
The reporting interval restarts at the reopening (services.reopen_event).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

import notices
from accounts.models import Function, User
from accounts.moments import add_days, moment_text, periods_passed
from events.models import Convening, Event, Membership, Phase, Task
from events.notify import message
from notices.models import Notice

BATCH = 500

# What a reminder is written from (_task_reminder, events.notify.message): the task's own
# fields, its case's number, title and marking, and the names of the people it goes to or
# names. Every column of the task, its case and three accounts made each row ten times
# wider to read and to build into objects. A field left out here and read in
# _task_reminder costs a query per task (tests/test_reminders.py counts them).
_PERSON = ("first_name", "last_name", "username")
_READ = (
    "due_at",
    "follow_up_at",
    "what",
    "assignee_name",
    "assignee_email",
    "created_at",
    "rescheduled_at",
    "event__case_number",
    "event__title",
    "event__confidential",
    *(f"{who}__{field}" for who in ("assignee", "delegated_by") for field in _PERSON),
    *(f"event__workgroup_lead__{field}" for field in _PERSON),
)


def scan(now=None) -> int:
    """Write every reminder due at `now`; return how many new ones were written."""
    now = now or timezone.now()
    soon = now + timedelta(hours=settings.TASK_DUE_SOON_HOURS)
    escalate = add_days(now, -settings.TASK_ESCALATE_AFTER_DAYS)
    has_address = Q(assignee__isnull=False) | ~Q(assignee_email="")
    # Who a reminder of each kind goes to, as seen from the task: a reminder written for
    # someone else (before a reassignment, or a new lead) does not count as written.
    to_assignee = Q(recipient=OuterRef("assignee")) | Q(
        recipient__isnull=True, email=OuterRef("assignee_email")
    )
    return (
        _scan_tasks(
            "task_due",
            "due_at",
            Q(due_at__gt=now, due_at__lte=soon) & has_address,
            to_assignee,
        )
        + _scan_tasks("task_overdue", "due_at", Q(due_at__lte=now) & has_address, to_assignee)
        + _scan_tasks(
            "task_overdue_lead",
            "due_at",
            Q(due_at__lte=escalate, event__workgroup_lead__isnull=False),
            Q(recipient=OuterRef("event__workgroup_lead")),
            exclude=Q(event__workgroup_lead=F("assignee")),
        )
        + _scan_tasks(
            "follow_up",
            "follow_up_at",
            Q(follow_up_at__lte=now, delegated_by__isnull=False),
            Q(recipient=OuterRef("delegated_by")),
        )
        + _scan_reports_due(now)
        + _scan_not_met(now)
    )


def _scan_tasks(kind, moment, due: Q, to: Q, exclude=None) -> int:
    written = Notice.objects.filter(
        to,
        target_type=ContentType.objects.get_for_model(Task),
        target_id=OuterRef("pk"),
        kind=kind,
        occasion=OuterRef(moment),
    )
    # Not a time from before the case was last reopened (see the module's docstring).
    since_reopened = Q(event__reopened_at__isnull=True) | Q(
        **{f"{moment}__gte": F("event__reopened_at")}
    )
    tasks = (
        Task.objects.filter(due, since_reopened, ~Exists(written), status__in=Task.OPEN)
        .exclude(event__phase=Phase.AVSLUTAD)
        .select_related("event", "assignee", "delegated_by", "event__workgroup_lead")
        .only(*_READ)
        .order_by(moment, "pk")
    )
    if exclude is not None:
        tasks = tasks.exclude(exclude)
    count, after = 0, Q()
    while batch := list(tasks.filter(after)[:BATCH]):
        count += notices.post(
            [_task_reminder(kind, task, getattr(task, moment)) for task in batch]
        )
        last = batch[-1]
        at = getattr(last, moment)
        after = Q(**{f"{moment}__gt": at}) | Q(**{moment: at, "pk__gt": last.pk})
    return count


def _task_reminder(kind, task: Task, occasion) -> notices.Message:
    event = task.event
    to = task.assignee or task.assignee_email
    when = moment_text(occasion)
    if kind == "task_due":
        sentence = f"Din uppgift i ärendet {event.case_number} ska vara klar senast {when}."
        due_at = occasion - timedelta(hours=settings.TASK_DUE_SOON_HOURS)
    elif kind == "task_overdue":
        sentence = f"Din uppgift i ärendet {event.case_number} skulle ha varit klar {when}."
        due_at = occasion
    elif kind == "task_overdue_lead":
        to = event.workgroup_lead
        sentence = (
            f"Som arbetsgruppens ledare: uppgiften som {task.assignee_label} har i ärendet "
            f"{event.case_number} skulle ha varit klar {when} och är inte klar."
        )
        due_at = add_days(occasion, settings.TASK_ESCALATE_AFTER_DAYS)
    else:  # follow_up
        to = task.delegated_by
        sentence = (
            f"Du delegerade en uppgift i ärendet {event.case_number} till "
            f"{task.assignee_label} och ville följa upp den {when}."
        )
        due_at = occasion
    return message(
        event,
        kind,
        to=to,
        sentence=sentence,
        path=reverse("task_detail", args=[event.pk, task.pk]),
        target=task,
        occasion=occasion,
        topic=task.what,
        details=task.what,
        # A task typed in, moved or reopened after its time is reminded at once, not
        # called late.
        due_at=max(due_at, task.rescheduled_at or task.created_at),
    )


def _scan_reports_due(now) -> int:
    """The appointed reporter's periodic report to the startgrupp: once per interval since
    the startgrupp decided it, at the same time of day (accounts.moments.add_days). Events
    are few (one per notice), so one query reads them."""
    events = Event.objects.filter(
        reporter__isnull=False, report_interval_days__gt=0, reporting_since__isnull=False
    ).exclude(phase=Phase.AVSLUTAD)
    reminders = []
    for event in events.select_related("reporter"):
        days = event.report_interval_days
        periods = periods_passed(event.reporting_since, now, days)
        if periods < 1:
            continue
        occasion = add_days(event.reporting_since, periods * days)
        reminders.append(
            message(
                event,
                "report_due",
                to=event.reporter,
                sentence=(
                    f"Startgruppen beslutade att du informerar den var "
                    f"{event.report_interval_days}:e dag om ärendet {event.case_number}: "
                    f"skriv nästa lägesrapport, från och med {moment_text(occasion)}."
                ),
                # Straight to a new draft of the lägesrapport (the reports app; named,
                # not imported).
                path=reverse("report_create", args=[event.pk]),
                target=event,
                occasion=occasion,
                due_at=occasion,
            )
        )
    return notices.post(reminders)


def _scan_not_met(now) -> int:
    """The startgrupp has not met within CONVENE_WITHIN_MINUTES of the event being logged:
    tell the one who logged it and the Kommunchef, once."""
    deadline = now - timedelta(minutes=settings.CONVENE_WITHIN_MINUTES)
    met = Convening.objects.filter(event=OuterRef("pk"), held_at__isnull=False)
    told = Notice.objects.filter(
        target_type=ContentType.objects.get_for_model(Event),
        target_id=OuterRef("pk"),
        kind="not_met",
    )
    events = list(
        Event.objects.filter(created_at__lte=deadline)
        .exclude(phase=Phase.AVSLUTAD)
        .filter(~Exists(met), ~Exists(told))
        .select_related("created_by")
    )
    if not events:
        return 0
    # The Kommunchef on the event's startgrupp; else whoever holds the function.
    chiefs = User.objects.filter(function__role=Function.Role.KOMMUNCHEF, is_active=True)
    on_event = {
        m.event_id: m.user
        for m in Membership.objects.filter(
            event__in=events, user__in=chiefs, group=Membership.Group.STARTGRUPP
        ).select_related("user")
    }
    any_chief = chiefs.first()
    reminders = []
    for event in events:
        path = reverse("event_detail", args=[event.pk])
        chief = on_event.get(event.pk, any_chief)
        for user in {event.created_by, chief} - {None}:
            reminders.append(
                message(
                    event,
                    "not_met",
                    to=user,
                    sentence=(
                        f"Ärendet {event.case_number} registrerades "
                        f"{moment_text(event.created_at)}, och startgruppen har ännu inte "
                        "besvarat de sex frågorna. Handlingsplanen säger att startgruppen "
                        "sammankallas omgående."
                    ),
                    path=path,
                    target=event,
                    due_at=event.created_at + timedelta(minutes=settings.CONVENE_WITHIN_MINUTES),
                )
            )
    return notices.post(reminders)
