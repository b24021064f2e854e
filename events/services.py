"""Workflows on events that span models or have side effects. Each takes the acting user
as `by` and writes the händelselogg in the same transaction."""

from datetime import datetime, time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone

from events import outbox
from events.ics import convening_ics, meeting_title
from events.models import (
    CaseNumberSequence,
    Convening,
    Event,
    LogEntry,
    Membership,
    Notification,
    SituationPicture,
    Task,
)
from events.texts import moment_text


def add_log_entry(event: Event, *, by, text: str, happened_at=None, kind=LogEntry.Kind.NOTE):
    now = timezone.now()
    return LogEntry.objects.create(
        event=event,
        author=by,
        kind=kind,
        text=text,
        created_at=now,
        happened_at=happened_at or now,
    )


def next_case_number() -> str:
    """Hand out the next diarienummer of this year. Must run inside a transaction: the
    sequence row stays locked until commit, so two new events never get the same serial."""
    year = timezone.localdate().year
    CaseNumberSequence.objects.get_or_create(year=year)
    while True:
        CaseNumberSequence.objects.filter(year=year).update(last=F("last") + 1)
        serial = CaseNumberSequence.objects.get(year=year).last
        number = settings.CASE_NUMBER_FORMAT.format(year=year, seq=serial)
        # A number typed by hand may already have taken this serial: skip it.
        if not Event.objects.filter(case_number=number).exists():
            return number


def site_url(path: str) -> str:
    return settings.SITE_URL + path


class DuplicateCaseNumber(Exception):
    pass


def create_event(event: Event, *, startgroup, meeting_at, location="", by) -> Event:
    """Save a new event and convene its startgrupp at once (handlingsplanen, "Prioritet":
    "den interna startgruppen ska skyndsamt sammankallas")."""
    event.created_by = by
    try:
        with transaction.atomic():
            if not event.case_number:
                event.case_number = next_case_number()
            event.save()
            members = {user.pk: user for user in startgroup}
            members.setdefault(by.pk, by)
            Membership.objects.bulk_create(
                [
                    Membership(event=event, user=user, group=Membership.Group.STARTGRUPP)
                    for user in members.values()
                ]
            )
            add_log_entry(
                event,
                by=by,
                kind=LogEntry.Kind.DECISION,
                text=f"Händelsen registrerades och handlingsplanen aktiverades "
                f"({event.get_kind_display().lower()}, {event.company_name}).",
            )
            convene_startgroup(
                event,
                members=list(members.values()),
                meeting_at=meeting_at,
                location=location,
                by=by,
            )
    except IntegrityError as e:
        if "case_number" in str(e):
            raise DuplicateCaseNumber from e
        raise
    return event


def convene_startgroup(event: Event, *, members, meeting_at, location="", by) -> Convening:
    convening = Convening.objects.create(
        event=event, meeting_at=meeting_at, location=location, convened_by=by
    )
    _invite(convening, members, invitees=members, by=by)
    add_log_entry(
        event,
        by=by,
        kind=LogEntry.Kind.CONVENING,
        text=f"Startgruppen sammankallades till {_meeting_time(convening)}: "
        + ", ".join(str(user) for user in members)
        + ".",
    )
    return convening


def _meeting_time(convening: Convening) -> str:
    return formats.date_format(timezone.localtime(convening.meeting_at), "l j F Y \\k\\l. H:i")


def _invite(convening: Convening, members, *, invitees, by):
    """Send `invitees` the invitation (with an .ics naming all `members`), once each."""
    event = convening.event
    path = reverse("event_detail", args=[event.pk])
    url = site_url(path)
    when = _meeting_time(convening)
    location = convening.location
    body = (
        f"{by} har registrerat ärendet {event.case_number} och sammankallar startgruppen "
        f"{when}{f' ({location})' if location else ''}.\n\n"
        f"Startgruppen besvarar handlingsplanens sex frågor och beslutar om en arbetsgrupp.\n\n"
        f"Öppna ärendet: {url}\n"
    )
    ics = convening_ics(convening, members, url)
    outbox.post(
        [
            Notification(
                key=f"convening:{convening.pk}:{user.pk}",
                kind=Notification.Kind.CONVENING,
                event=event,
                recipient=user,
                subject=f"{meeting_title(convening)}, {when}"[:200],
                body=body,
                url=path,
                ics=ics,
            )
            for user in invitees
        ]
    )


@transaction.atomic
def change_startgroup(event: Event, members, *, by) -> None:
    """Who sits in the startgrupp of this event (someone away, a deputy). Newcomers are
    invited to the startgrupp's meeting if it has not been held yet."""
    wanted = set(members)
    current = {m.user: m for m in event.memberships.select_related("user")}
    in_group = {u for u, m in current.items() if m.group == Membership.Group.STARTGRUPP}
    added, removed = wanted - in_group, in_group - wanted
    if not added and not removed:
        return
    for user in added:
        Membership.objects.update_or_create(
            event=event, user=user, defaults={"group": Membership.Group.STARTGRUPP}
        )
    Membership.objects.filter(event=event, user__in=removed).delete()
    lines = []
    if added:
        lines.append("Med i startgruppen: " + ", ".join(sorted(map(str, added))) + ".")
    if removed:
        lines.append("Inte längre i startgruppen: " + ", ".join(sorted(map(str, removed))) + ".")
    add_log_entry(event, by=by, kind=LogEntry.Kind.MEMBERSHIP, text=" ".join(lines))
    pending = event.convenings.filter(held_at__isnull=True).order_by("-meeting_at").first()
    if pending and added:
        _invite(pending, sorted(wanted, key=str), invitees=added, by=by)


@transaction.atomic
def delegate_task(event: Event, *, by, **fields) -> Task:
    """The arbetsgrupp hands a task to someone (a user, or a named person with an e-mail
    address); it is logged and the assignee is told at once. `fields`: what, assignee or
    assignee_name + assignee_email, due_at, follow_up_at."""
    task = Task.objects.create(event=event, delegated_by=by, **fields)
    due = f" senast {moment_text(task.due_at)}" if task.due_at else ""
    add_log_entry(
        event,
        by=by,
        kind=LogEntry.Kind.TASK,
        text=f"Uppgift delegerad till {task.assignee_label}{due}: {task.what}",
    )
    _tell_assignee(task, by=by)
    return task


def _tell_assignee(task: Task, *, by):
    if task.assignee_id == by.pk or not task.assignee_address:
        return
    event = task.event
    path = reverse("task_detail", args=[event.pk, task.pk])
    due = f", klart senast {moment_text(task.due_at)}" if task.due_at else ""
    outbox.post(
        [
            Notification(
                key=f"task_assigned:{task.pk}:{task.assignee_id or task.assignee_email}",
                kind=Notification.Kind.TASK_ASSIGNED,
                event=event,
                task=task,
                recipient=task.assignee,
                email="" if task.assignee_id else task.assignee_email,
                subject=f"Ny uppgift i {event.case_number}: {task.what}"[:200],
                body=(
                    f"{by} har gett dig en uppgift i ärendet {event.case_number} "
                    f"({event.title}){due}:\n\n{task.what}\n\n"
                    f"Öppna uppgiften: {site_url(path)}\n"
                ),
                url=path,
            )
        ]
    )


class StaleTask(Exception):
    """Someone else changed the task since the form was loaded."""


def _save_task(task: Task, version: int, **changes):
    now = timezone.now()
    if "status" in changes and changes["status"] != task.status:
        changes["status_changed_at"] = now
        if changes["status"] in Task.OPEN and not task.is_open:
            changes["rescheduled_at"] = now
    schedule = ("assignee", "assignee_email", "due_at", "follow_up_at")
    if any(f in changes and changes[f] != getattr(task, f) for f in schedule):
        changes["rescheduled_at"] = now
    updated = Task.objects.filter(pk=task.pk, version=version).update(
        version=F("version") + 1, **changes
    )
    if not updated:
        raise StaleTask
    was_open = task.is_open
    for field, value in changes.items():
        setattr(task, field, value)
    task.version = version + 1
    if task.is_open and not was_open:
        # Reopened: what was cancelled at closing is due again; the sweeper sends it. Not
        # a "klart senast" for a time already gone: the overdue reminder says that.
        cancelled = Notification.objects.filter(
            task=task, sent_at__isnull=True, cancelled_at__isnull=False
        )
        if task.due_at and task.due_at <= now:
            cancelled = cancelled.exclude(kind=Notification.Kind.TASK_DUE)
        cancelled.update(cancelled_at=None)
    if not task.is_open:
        # Nothing left to remind about: unsent reminders stay out of the inbox and the mail.
        Notification.objects.filter(
            task=task, sent_at__isnull=True, claimed_at__isnull=True
        ).update(cancelled_at=now)


@transaction.atomic
def report_task_progress(task: Task, *, status: str, feedback: str, version: int, by) -> Task:
    old_status = task.get_status_display()
    _save_task(task, version, status=status, feedback=feedback)
    if task.get_status_display() != old_status:
        text = f"Uppgiften ”{task.what}” ({task.assignee_label}): {old_status} → "
        text += task.get_status_display()
    else:
        text = f"Uppgiften ”{task.what}” ({task.assignee_label}): återkoppling uppdaterad"
    add_log_entry(
        task.event,
        by=by,
        kind=LogEntry.Kind.TASK,
        text=f"{text}." + (f" Återkoppling: {feedback}" if feedback else ""),
    )
    return task


@transaction.atomic
def change_task(task: Task, data: dict, *, version: int, by) -> Task:
    """A writer changes vad/vem/när/uppföljning; a new assignee is told."""
    previous_assignee = (task.assignee_id, task.assignee_email)
    _save_task(task, version, **data)
    add_log_entry(
        task.event,
        by=by,
        kind=LogEntry.Kind.TASK,
        text=f"Uppgiften ändrad: {task.what} – {task.assignee_label}"
        + (f", klart senast {moment_text(task.due_at)}" if task.due_at else "")
        + ".",
    )
    if (task.assignee_id, task.assignee_email) != previous_assignee:
        # The one who no longer has the task is not reminded of it; the scan writes the
        # new assignee's reminders.
        Notification.objects.filter(
            task=task,
            kind__in=[Notification.Kind.TASK_DUE, Notification.Kind.TASK_OVERDUE],
            sent_at__isnull=True,
            claimed_at__isnull=True,
        ).exclude(
            recipient_id=task.assignee_id, email="" if task.assignee_id else task.assignee_email
        ).update(cancelled_at=timezone.now())
        _tell_assignee(task, by=by)
    return task


class StalePicture(Exception):
    """Somebody saved newer answers since the user opened the form."""

    def __init__(self, latest):
        self.latest = latest


def revise_picture(event: Event, answers: dict, *, based_on, attendees=(), by) -> SituationPicture:
    """Save the six answers as the next revision: the event's new nulägesbild. The answers
    come from the startgrupp's meeting: the latest convening is marked held, with who
    attended."""
    try:
        with transaction.atomic():
            convening = event.convenings.first()
            # Answers mean the startgrupp has met, whether or not attendance was ticked.
            if convening and convening.held_at is None:
                convening.held_at = timezone.now()
                convening.save(update_fields=["held_at"])
            if convening and attendees:
                convening.attendees.set(attendees)
            latest = event.pictures.first()
            current = latest.revision if latest else 0
            if (based_on or 0) != current:
                raise StalePicture(latest)
            picture = SituationPicture.objects.create(
                event=event, revision=current + 1, author=by, **answers
            )
            add_log_entry(
                event,
                by=by,
                kind=LogEntry.Kind.EDIT,
                text=f"Nulägesbilden reviderades (version {picture.revision}).",
            )
    except IntegrityError:
        # Another member's revision won the race for the same number.
        raise StalePicture(event.pictures.first()) from None
    return picture


DECISION_FIELDS = [
    "inform_politicians",
    "politicians_interval_days",
    "workgroup_lead",
    "reporter",
    "report_interval_days",
]


def record_decisions(event: Event, data: dict, *, by):
    """The startgrupp's decisions: inform politicians, form the arbetsgrupp."""
    with transaction.atomic():
        lines = []
        if data["inform_politicians"] != event.inform_politicians or (
            data["politicians_interval_days"] != event.politicians_interval_days
        ):
            if data["inform_politicians"]:
                lines.append(
                    f"Politiken informeras löpande, var {data['politicians_interval_days']}:e dag."
                )
            elif data["inform_politicians"] is False:
                lines.append("Politiken informeras inte löpande.")
        wanted = set(data["workgroup"])
        current = {
            m.user: m
            for m in event.memberships.filter(group=Membership.Group.ARBETSGRUPP).select_related(
                "user"
            )
        }
        added = [u for u in wanted if u not in current]
        removed = [m for u, m in current.items() if u not in wanted]
        # A startgrupp member who also joins the arbetsgrupp keeps their startgrupp seat.
        already = set(event.memberships.values_list("user", flat=True))
        Membership.objects.bulk_create(
            [
                Membership(event=event, user=u, group=Membership.Group.ARBETSGRUPP)
                for u in added
                if u.pk not in already
            ]
        )
        # A läsbehörig who joins the arbetsgrupp now writes too.
        Membership.objects.filter(
            event=event, user__in=added, group=Membership.Group.LASARE
        ).update(group=Membership.Group.ARBETSGRUPP)
        Membership.objects.filter(pk__in=[m.pk for m in removed]).delete()
        if added:
            lines.append("Med i arbetsgruppen: " + ", ".join(sorted(map(str, added))) + ".")
        if removed:
            lines.append(
                "Inte längre i arbetsgruppen: "
                + ", ".join(sorted(str(m.user) for m in removed))
                + "."
            )
        if data["workgroup_lead"] != event.workgroup_lead:
            lead = data["workgroup_lead"]
            lines.append(
                f"Arbetsgruppens ledare: {lead}." if lead else "Arbetsgruppen har ingen ledare."
            )
        if (data["reporter"], data["report_interval_days"]) != (
            event.reporter,
            event.report_interval_days,
        ):
            lines.append(
                f"{data['reporter']} informerar startgruppen var "
                f"{data['report_interval_days']}:e dag."
                if data["reporter"]
                else "Ingen är utsedd att informera startgruppen."
            )
        reporting_changed = (data["reporter"], data["report_interval_days"]) != (
            event.reporter,
            event.report_interval_days,
        )
        emails = data.get("politician_emails", event.politician_emails)
        if emails != event.politician_emails:
            lines.append(
                "Politiker som informeras: " + ", ".join(emails.split()) + "."
                if emails
                else "Inga politiker är namngivna för information."
            )
            event.politician_emails = emails
        for field in DECISION_FIELDS:
            setattr(event, field, data[field])
        if reporting_changed:
            event.reporting_since = timezone.now()
        event.save(update_fields=[*DECISION_FIELDS, "politician_emails", "reporting_since"])
        if lines:
            add_log_entry(event, by=by, kind=LogEntry.Kind.DECISION, text=" ".join(lines))


def change_phase(event: Event, phase: str, *, by):
    with transaction.atomic():
        old = event.get_phase_display()
        event.phase = phase
        event.phase_changed_at = timezone.now()
        event.save(update_fields=["phase", "phase_changed_at"])
        add_log_entry(
            event,
            by=by,
            kind=LogEntry.Kind.PHASE,
            text=f"Fas ändrad från {old} till {event.get_phase_display()}.",
        )


class StaleEvent(Exception):
    """The event was saved by somebody else since the user's page was loaded."""

    def __init__(self, current: Event):
        self.current = current


def update_event(event: Event, data: dict, *, version: int, by) -> list[str]:
    """Save edited fields only if nobody saved in between (conditional UPDATE on the
    version). Returns the labels of the fields that changed."""
    with transaction.atomic():
        # Compared with the row, not `event`: a bound ModelForm has already copied the
        # user's input onto its instance.
        before = Event.objects.get(pk=event.pk)
        changed = [name for name, value in data.items() if getattr(before, name) != value]
        updated = Event.objects.filter(pk=event.pk, version=version).update(
            **data, version=F("version") + 1
        )
        if not updated:
            raise StaleEvent(Event.objects.get(pk=event.pk))
        if changed:
            labels = ", ".join(str(Event._meta.get_field(name).verbose_name) for name in changed)
            add_log_entry(
                event, by=by, kind=LogEntry.Kind.EDIT, text=f"Uppgifter ändrade: {labels}."
            )
    return changed


def correct_varsel_dates(event: Event, *, notice_on, earliest_on, reason: str, by):
    """Record the dates of the actual notice where they differ from the computed ones."""
    with transaction.atomic():
        event.varsel_notice_on, event.varsel_earliest_on = notice_on, earliest_on
        event.save(update_fields=["varsel_notice_on", "varsel_earliest_on"])

        def day(value):
            return formats.date_format(value, "j F Y") if value else "beräknat"

        add_log_entry(
            event,
            by=by,
            kind=LogEntry.Kind.EDIT,
            text=f"Varselklockan rättad: varslat {day(notice_on)}, tidigast genomförd "
            f"{day(earliest_on)}. Skäl: {reason}",
        )


def delegate_varsel_milestones(event: Event, clock, *, assignee, by) -> list[Task]:
    """The clock's suggested milestones as tasks, in one step. A milestone already on the
    event as a task (open or done; not struck) is not added again."""
    with transaction.atomic():
        existing = set(
            event.tasks.exclude(status=Task.Status.STRUKEN).values_list("what", flat=True)
        )
        tasks = []
        for what, day in clock.milestones:
            if what in existing:
                continue
            due_at = timezone.make_aware(datetime.combine(day, time(12)))
            tasks.append(delegate_task(event, by=by, what=what, assignee=assignee, due_at=due_at))
        return tasks
