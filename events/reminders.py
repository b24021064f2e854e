"""The reminder scan: Celery beat ticks it; it writes the reminders that have fallen due as
outbox rows (events.outbox), which the senders then mail exactly once.

Each kind reads only what is due and not yet written (an indexed range plus an anti-join on
the outbox), in keyset-paged batches: never all tasks in memory, never a query per task.
A reminder's natural key holds its occasion (the time it is about), so a second scan, a
second beat or two scans racing write nothing new, and a task whose due time is moved gets a
reminder for the new time.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Function, User
from events import outbox
from events.models import Convening, Event, Membership, Notification, Phase, Task
from events.services import site_url
from events.texts import moment_text

BATCH = 500
Kind = Notification.Kind


def scan(now=None) -> int:
    """Write every reminder due at `now`; return how many new ones were written."""
    now = now or timezone.now()
    soon = now + timedelta(hours=settings.TASK_DUE_SOON_HOURS)
    escalate = now - timedelta(days=settings.TASK_ESCALATE_AFTER_DAYS)
    has_address = Q(assignee__isnull=False) | ~Q(assignee_email="")
    # Who a reminder of each kind goes to, as seen from the task: a reminder written for
    # someone else (before a reassignment, or a new lead) does not count as written.
    to_assignee = Q(recipient=OuterRef("assignee")) | Q(
        recipient__isnull=True, email=OuterRef("assignee_email")
    )
    return (
        _scan_tasks(
            Kind.TASK_DUE,
            "due_at",
            Q(due_at__gt=now, due_at__lte=soon) & has_address,
            to_assignee,
        )
        + _scan_tasks(Kind.TASK_OVERDUE, "due_at", Q(due_at__lte=now) & has_address, to_assignee)
        + _scan_tasks(
            Kind.TASK_OVERDUE_LEAD,
            "due_at",
            Q(due_at__lte=escalate, event__workgroup_lead__isnull=False),
            Q(recipient=OuterRef("event__workgroup_lead")),
            exclude=Q(event__workgroup_lead=F("assignee")),
        )
        + _scan_tasks(
            Kind.FOLLOW_UP,
            "follow_up_at",
            Q(follow_up_at__lte=now, delegated_by__isnull=False),
            Q(recipient=OuterRef("delegated_by")),
        )
        + _scan_reports_due(now)
        + _scan_not_met(now)
    )


def _scan_tasks(kind, moment, due: Q, to: Q, exclude=None) -> int:
    written = Notification.objects.filter(
        to, task=OuterRef("pk"), kind=kind, occasion=OuterRef(moment)
    )
    tasks = (
        Task.objects.filter(due, ~Exists(written), status__in=Task.OPEN)
        .exclude(event__phase=Phase.AVSLUTAD)
        .select_related("event", "assignee", "delegated_by", "event__workgroup_lead")
        .order_by(moment, "pk")
    )
    if exclude is not None:
        tasks = tasks.exclude(exclude)
    count, after = 0, Q()
    while batch := list(tasks.filter(after)[:BATCH]):
        count += outbox.post([_task_reminder(kind, task, getattr(task, moment)) for task in batch])
        last = batch[-1]
        at = getattr(last, moment)
        after = Q(**{f"{moment}__gt": at}) | Q(**{moment: at, "pk__gt": last.pk})
    return count


def _task_reminder(kind, task: Task, occasion) -> Notification:
    event = task.event
    path = reverse("task_detail", args=[event.pk, task.pk])
    about = f"i ärendet {event.case_number} ({event.title})"
    link = f"\n\nÖppna uppgiften: {site_url(path)}\n"
    recipient, email = task.assignee, task.assignee_email
    if kind == Kind.TASK_DUE:
        subject = f"Klart senast {moment_text(occasion)}: {task.what}"
        body = f"Påminnelse: din uppgift {about} ska vara klar senast {moment_text(occasion)}:"
        due_at = occasion - timedelta(hours=settings.TASK_DUE_SOON_HOURS)
    elif kind == Kind.TASK_OVERDUE:
        subject = f"Försenad uppgift: {task.what}"
        body = f"Din uppgift {about} skulle ha varit klar {moment_text(occasion)}:"
        due_at = occasion
    elif kind == Kind.TASK_OVERDUE_LEAD:
        recipient, email = event.workgroup_lead, ""
        days = settings.TASK_ESCALATE_AFTER_DAYS
        subject = f"Försenad mer än {days} dagar: {task.what}"
        body = (
            f"Som arbetsgruppens ledare: uppgiften som {task.assignee_label} har {about} "
            f"skulle ha varit klar {moment_text(occasion)} och är inte klar:"
        )
        due_at = occasion + timedelta(days=days)
    else:  # FOLLOW_UP
        recipient, email = task.delegated_by, ""
        subject = f"Dags att följa upp: {task.what}"
        body = (
            f"Du delegerade en uppgift {about} till {task.assignee_label} "
            f"och ville följa upp den {moment_text(occasion)}:"
        )
        due_at = occasion
    return Notification(
        key=f"{kind}:{task.pk}:{occasion.isoformat()}:{recipient.pk if recipient else email}",
        kind=kind,
        event=event,
        task=task,
        recipient=recipient,
        email="" if recipient else email,
        subject=subject[:200],
        body=f"{body}\n\n{task.what}{link}",
        url=path,
        occasion=occasion,
        # A task typed in, moved or reopened after its time is reminded at once, not
        # called late.
        due_at=max(due_at, task.rescheduled_at or task.created_at),
    )


def _scan_reports_due(now) -> int:
    """The appointed reporter's periodic report to the startgrupp: once per interval since
    the startgrupp decided it. Events are few (one per notice), so one query reads them."""
    events = Event.objects.filter(
        reporter__isnull=False, report_interval_days__gt=0, reporting_since__isnull=False
    ).exclude(phase=Phase.AVSLUTAD)
    reminders = []
    for event in events.select_related("reporter"):
        interval = timedelta(days=event.report_interval_days)
        periods = (now - event.reporting_since) // interval
        if periods < 1:
            continue
        occasion = event.reporting_since + periods * interval
        # Straight to a new draft of the lägesrapport (the reports app; named, not imported).
        path = reverse("report_create", args=[event.pk])
        reminders.append(
            Notification(
                key=f"{Kind.REPORT_DUE}:{event.pk}:{occasion.isoformat()}:{event.reporter_id}",
                kind=Kind.REPORT_DUE,
                event=event,
                recipient=event.reporter,
                subject=f"Dags att rapportera till startgruppen: {event.case_number}",
                body=(
                    f"Startgruppen beslutade att du informerar den var "
                    f"{event.report_interval_days}:e dag om ärendet {event.case_number} "
                    f"({event.title}). Nästa rapport är från och med {moment_text(occasion)}.\n\n"
                    f"Skriv lägesrapporten: {site_url(path)}\n"
                ),
                url=path,
                occasion=occasion,
                due_at=occasion,
            )
        )
    return outbox.post(reminders)


def _scan_not_met(now) -> int:
    """The startgrupp has not met within CONVENE_WITHIN_MINUTES of the event being logged:
    tell the one who logged it and the Kommunchef, once."""
    deadline = now - timedelta(minutes=settings.CONVENE_WITHIN_MINUTES)
    met = Convening.objects.filter(event=OuterRef("pk"), held_at__isnull=False)
    told = Notification.objects.filter(event=OuterRef("pk"), kind=Kind.NOT_MET)
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
                Notification(
                    key=f"{Kind.NOT_MET}:{event.pk}:{user.pk}",
                    kind=Kind.NOT_MET,
                    event=event,
                    recipient=user,
                    subject=f"Startgruppen har inte träffats: {event.case_number}",
                    body=(
                        f"Ärendet {event.case_number} ({event.title}) registrerades "
                        f"{moment_text(event.created_at)}, och startgruppen har ännu inte "
                        "besvarat de sex frågorna. Handlingsplanen säger att startgruppen "
                        "sammankallas omgående."
                        f"\n\nÖppna ärendet: {site_url(path)}\n"
                    ),
                    url=path,
                    due_at=event.created_at + timedelta(minutes=settings.CONVENE_WITHIN_MINUTES),
                )
            )
    return outbox.post(reminders)
