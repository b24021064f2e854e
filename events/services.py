"""Workflows on events that span models or have side effects. Each takes the acting user
as `by` and writes the händelselogg in the same transaction."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

import notices
from accounts.moments import day_text, moment_text
from accounts.people import fold, normalise_email, person_key
from events.access import events_for_user
from events.conflicts import Conflict, update_if_current
from events.ics import convening_ics
from events.models import (
    CaseNumberSequence,
    Convening,
    Event,
    LogEntry,
    Membership,
    Phase,
    SituationPicture,
    Task,
)
from events.notify import message, tell
from events.signals import finalised, task_changed
from events.validators import format_case_number, parse_case_number
from notices.models import Notice

# What reminds the holder or the delegator of open work: cancelled when the task is
# finished, restored when it is reopened.
TASK_REMINDERS = ["task_assigned", "task_due", "task_overdue", "task_overdue_lead", "follow_up"]


class Refused(Exception):
    """A step a workflow's rules do not allow (in any app); the message says why, in
    Swedish, and is shown to the user as it is."""


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
    """Hand out the next diarienummer of this year: one above the highest serial of the
    year, compared as integers, whether handed out here or typed by hand, and above every
    serial handed out before (a diarienummer is never reused, even if its case is gone).

    Must run inside a transaction: the sequence row stays locked until commit, so two new
    events never get the same serial."""
    year = timezone.localdate().year
    CaseNumberSequence.objects.get_or_create(year=year)
    # The UPDATE takes the row's lock before anything is read (SQLite: the transaction's
    # write lock).
    CaseNumberSequence.objects.filter(year=year).update(last=F("last"))
    sequence = CaseNumberSequence.objects.get(year=year)
    numbers = Event.objects.order_by().values_list("case_number", flat=True)
    if "{year" in settings.CASE_NUMBER_FORMAT:
        numbers = numbers.filter(case_number__contains=str(year))
    # Read and compared here: a serial's width varies ("KS 2026/9999", "KS 2026/10000"), so
    # the text's order is not the serials'. A year holds tens of cases.
    serials = [sequence.last]
    for number in numbers:
        parsed = parse_case_number(number)
        if parsed and parsed[0] in (year, None):
            serials.append(parsed[1])
    sequence.last = max(serials) + 1
    sequence.save(update_fields=["last"])
    return format_case_number(year, sequence.last)


def site_url(path: str) -> str:
    return settings.SITE_URL + path


class DuplicateCaseNumber(Exception):
    pass


# Save, the browser's Back, Save again posts the same event from a freshly rendered form,
# with a new one-time key (events.submissions cannot tell), and so does a second startgrupp
# member who heard the same news: each would hand out a diarienummer and convene the
# startgrupp again. A case registered this recently with the same title, or on the same
# company for the same kind of change, is most likely the same event.
SAME_EVENT_WITHIN = timedelta(minutes=30)


class PossiblySameEvent(Exception):
    """A case registered within SAME_EVENT_WITHIN looks like the one being logged."""

    def __init__(self, event: Event):
        super().__init__(event.case_number)
        self.event = event


def recently_registered_like(event: Event, *, by) -> Event | None:
    """The latest case that `by` may open, registered by anyone within SAME_EVENT_WITHIN,
    whose title, or whose company and kind, are those of `event` (compared folded: NFKC,
    case, whitespace); None if there is none. Cases `by` may not open are not considered:
    naming one would reveal it (events.access)."""
    title, company = fold(event.title), fold(event.company_name)
    recent = (
        events_for_user(by)
        .filter(created_at__gte=timezone.now() - SAME_EVENT_WITHIN)
        .select_related("created_by")
        .order_by("-created_at")
    )
    # Compared here, not in SQL, which cannot NFKC normalise; half an hour holds a few rows.
    for other in recent:
        if fold(other.title) == title or (
            other.kind == event.kind and fold(other.company_name) == company
        ):
            return other
    return None


def create_event(
    event: Event, *, startgroup, meeting_at, location="", same_event_confirmed=False, by
) -> Event:
    """Save a new event and convene its startgrupp at once (handlingsplanen, "Prioritet":
    "den interna startgruppen ska skyndsamt sammankallas"). Raises PossiblySameEvent
    unless the user confirmed that a look-alike recent case is another event."""
    if not same_event_confirmed and (other := recently_registered_like(event, by=by)):
        raise PossiblySameEvent(other)
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
    send_meeting(
        convening, "convening", members, to=members, sentence=_invitation(convening, by), by=by
    )
    add_log_entry(
        event,
        by=by,
        kind=LogEntry.Kind.CONVENING,
        text=f"Startgruppen sammankallades till {meeting_time(convening)}: "
        + ", ".join(str(user) for user in members)
        + ".",
    )
    return convening


def meeting_time(convening: Convening) -> str:
    return moment_text(convening.meeting_at, weekday=True)


def meeting_place(convening: Convening) -> str:
    """The place for a notice's sentence, " (KS-salen)"; nothing in a confidential case's,
    where no text anybody typed may go."""
    if convening.location and not convening.event.confidential:
        return f" ({convening.location})"
    return ""


def _invitation(convening: Convening, by) -> str:
    return (
        f"{by} sammankallar startgruppen i ärendet {convening.event.case_number} "
        f"{meeting_time(convening)}{meeting_place(convening)}: startgruppen besvarar "
        "handlingsplanens sex frågor och beslutar om en arbetsgrupp."
    )


def coming_meeting(event: Event) -> Convening | None:
    """The startgrupp's meeting still to come, neither held nor cancelled; the latest booked
    if there are several."""
    return event.convenings.filter(held_at__isnull=True, cancelled_at__isnull=True).first()


def _names(users) -> str:
    """`users` by name in Swedish order (person_key), joined: "Anna Lindqvist, Åsa Öberg"."""
    return ", ".join(map(str, sorted(users, key=person_key)))


def startgroup_of(event: Event) -> list:
    """The startgrupp's members, by name: the attendees of its meeting."""
    members = event.memberships.filter(group=Membership.Group.STARTGRUPP).select_related("user")
    return sorted((m.user for m in members), key=person_key)


def send_meeting(
    convening: Convening, kind: str, attendees, *, to, sentence, by, details="", withdrawn=False
):
    """Post the meeting as it stands now to each of `to`, never to `by`: a notice of `kind`
    (of the series "convening", events.apps) with the .ics naming `attendees` and `by` as
    the organiser (events.ics; `withdrawn`: a cancellation for `to` alone). Its occasion is
    the change's moment (Convening.changed_at): each version is a notice of its own, and
    one not yet mailed when a newer one is written is not sent (notices.kinds.Kind.series).
    `details` is user-written text, left out of a confidential case's mail."""
    event = convening.event
    path = reverse("event_detail", args=[event.pk])
    ics = convening_ics(convening, attendees, site_url(path), organizer=by, withdrawn=withdrawn)
    tell(
        event,
        kind,
        to,
        sentence,
        path=path,
        target=convening,
        occasion=convening.changed_at,
        topic=meeting_time(convening),
        details=details,
        ics=ics,
        by=by,
    )


def _startgroup_changed(event: Event, *, added, removed, by):
    """Keep the coming meeting's invitations in step with who is in the startgrupp: a new
    version (SEQUENCE + 1) for everyone in it, an invitation for the newcomers and the new
    attendee list for the others, and a cancellation for their calendar to those who left.
    Nothing if no meeting is coming."""
    if not (added or removed):
        return
    convening = coming_meeting(event)
    if convening is None:
        return
    now = timezone.now()
    # Atomic in SQL: a move at the same time finds its version stale and asks again.
    Convening.objects.filter(pk=convening.pk).update(sequence=F("sequence") + 1, changed_at=now)
    convening.refresh_from_db(fields=["sequence", "changed_at"])
    attendees = startgroup_of(event)
    time, number = meeting_time(convening), event.case_number
    send_meeting(
        convening,
        "convening",
        attendees,
        to=[user for user in attendees if user in added],
        sentence=_invitation(convening, by),
        by=by,
    )
    send_meeting(
        convening,
        "convening_updated",
        attendees,
        to=[user for user in attendees if user not in added],
        sentence=f"{by} har ändrat vilka som är med i startgruppen i ärendet {number}: "
        f"kallelsen till mötet {time} har den nya deltagarlistan.",
        by=by,
    )
    send_meeting(
        convening,
        "convening_withdrawn",
        removed,
        to=removed,
        sentence=f"Du är inte längre med i startgruppen i ärendet {number}: mötet {time} "
        "tas bort ur din kalender.",
        by=by,
        withdrawn=True,
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
        lines.append("Med i startgruppen: " + _names(added) + ".")
    if removed:
        lines.append("Inte längre i startgruppen: " + _names(removed) + ".")
    add_log_entry(event, by=by, kind=LogEntry.Kind.MEMBERSHIP, text=" ".join(lines))
    number = event.case_number
    _tell_people(
        event,
        "member_added",
        added,
        f"{by} har tagit med dig i startgruppen i ärendet {number}.",
        by=by,
    )
    _tell_people(
        event,
        "member_removed",
        removed,
        f"{by} har tagit bort dig ur startgruppen i ärendet {number}.",
        by=by,
    )
    _startgroup_changed(event, added=added, removed=removed, by=by)


# How the log words joining and leaving a group, as change_startgroup and record_decisions do.
JOINS = {
    Membership.Group.STARTGRUPP: "Med i startgruppen",
    Membership.Group.ARBETSGRUPP: "Med i arbetsgruppen",
    Membership.Group.LASARE: "Läsbehörig",
}
LEAVES = {
    Membership.Group.STARTGRUPP: "Inte längre i startgruppen",
    Membership.Group.ARBETSGRUPP: "Inte längre i arbetsgruppen",
    Membership.Group.LASARE: "Inte längre läsbehörig",
}


@transaction.atomic
def set_membership(event: Event, user, group: str, *, by) -> Membership:
    """Put one person in `group` (a Membership.Group) on the event: a newcomer, or a move
    between groups; logged. A newcomer to the startgrupp is invited to its meeting if it has
    not been held yet, as change_startgroup does. The admin's membership rows come here."""
    membership, created = Membership.objects.get_or_create(
        event=event, user=user, defaults={"group": group}
    )
    before = None if created else membership.group
    if before == group:
        return membership
    if before:
        membership.group = group
        membership.save(update_fields=["group"])
    lines = [f"{LEAVES[before]}: {user}."] if before else []
    lines.append(f"{JOINS[group]}: {user}.")
    add_log_entry(event, by=by, kind=LogEntry.Kind.MEMBERSHIP, text=" ".join(lines))
    _tell_people(
        event,
        "member_added",
        [user],
        f"{by} har lagt till dig i ärendet {event.case_number}: "
        f"{Membership.Group(group).label.lower()}.",
        by=by,
    )
    startgrupp = Membership.Group.STARTGRUPP
    _startgroup_changed(
        event,
        added=[user] if group == startgrupp else [],
        removed=[user] if before == startgrupp else [],
        by=by,
    )
    return membership


@transaction.atomic
def remove_membership(event: Event, user, *, by) -> None:
    """Take one person off the event, logged; nothing happens if they are not on it. The
    admin's deleted membership rows come here."""
    membership = event.memberships.filter(user=user).first()
    if membership is None:
        return
    membership.delete()
    text = f"{LEAVES[membership.group]}: {user}."
    add_log_entry(event, by=by, kind=LogEntry.Kind.MEMBERSHIP, text=text)
    _tell_people(
        event,
        "member_removed",
        [user],
        f"{by} har tagit bort dig ur ärendet {event.case_number}.",
        by=by,
    )
    if membership.group == Membership.Group.STARTGRUPP:
        _startgroup_changed(event, added=[], removed=[user], by=by)


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
    """Tell the task's holder it is theirs: with a link if they have an account, else by
    mail alone with Reply-To the delegator, so that they can answer a person."""
    if not task.assignee_address:
        return
    event = task.event
    due = f", klart senast {moment_text(task.due_at)}" if task.due_at else ""
    notices.post(
        [
            message(
                event,
                "task_assigned",
                to=task.assignee or task.assignee_email,
                sentence=f"{by} har gett dig en uppgift i ärendet {event.case_number}{due}."
                + (
                    ""
                    if task.assignee_id
                    # Without an account there is no page to report on: the mail is it.
                    else f" Svara på det här mejlet när den är klar, så når svaret {by}."
                ),
                path=reverse("task_detail", args=[event.pk, task.pk]),
                target=task,
                occasion=task.rescheduled_at or task.created_at,
                topic=task.what,
                details=task.what,
                reply_to=by.email,
            )
        ],
        by=by,
    )


def _tell_about_task(
    task: Task, kind: str, to, sentence: str, *, occasion, by, details="", path=None
):
    """One hand-off notice about `task` to each of `to` (users or addresses), never to
    `by`, linking to the task unless `path` says otherwise. `occasion` is the moment of the
    transition, so a repeated one tells again."""
    tell(
        task.event,
        kind,
        to,
        sentence,
        path=path or reverse("task_detail", args=[task.event_id, task.pk]),
        target=task,
        occasion=occasion,
        topic=task.what,
        details=task.what + (f"\n\n{details}" if details else ""),
        by=by,
    )


def _save_task(task: Task, version: int, **changes):
    """Save `changes` if the task is still at `version`; else Conflict (events.conflicts)."""
    now = timezone.now()
    if "status" in changes and changes["status"] != task.status:
        changes["status_changed_at"] = now
        if changes["status"] in Task.OPEN and not task.is_open:
            changes["rescheduled_at"] = now
    schedule = ("assignee", "assignee_email", "due_at", "follow_up_at")
    if any(f in changes and changes[f] != getattr(task, f) for f in schedule):
        changes["rescheduled_at"] = now
    new_version = update_if_current(Task.objects, task.pk, "version", version, **changes)
    was_open = task.is_open
    for field, value in changes.items():
        setattr(task, field, value)
    task.version = new_version
    task_changed.send(sender=Task, task=task)
    reminders = Notice.objects.about(task).filter(kind__in=TASK_REMINDERS, sent_at__isnull=True)
    if task.is_open and not was_open:
        # Reopened: what was cancelled at closing is due again; the sweeper sends it. Not
        # a "klart senast" for a time already gone: the overdue reminder says that.
        cancelled = reminders.filter(cancelled_at__isnull=False)
        if task.due_at and task.due_at <= now:
            cancelled = cancelled.exclude(kind="task_due")
        cancelled.update(cancelled_at=None)
    if not task.is_open:
        # Nothing left to remind about: unsent reminders stay out of the inbox and the mail.
        reminders.filter(claimed_at__isnull=True).update(cancelled_at=now)


@transaction.atomic
def report_task_progress(task: Task, *, status: str, feedback: str, version: int, by) -> Task:
    """The holder (or a writer) moves the task on and writes the återkoppling. Done or
    struck tells the one who delegated it (and a struck task's holder); reopened tells the
    holder (handlingsplanen, Arbetsgrupp: "hur återkoppling ska ske")."""
    was_open, old_status = task.is_open, task.get_status_display()
    _save_task(task, version, status=status, feedback=feedback)
    _tell_transition(task, was_open=was_open, by=by)
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
    """A writer changes vad/vem/när/uppföljning; a new holder is told it is theirs, the
    previous one that it is not any more."""
    previous_assignee = (task.assignee_id, task.assignee_email)
    previous_holder = task.assignee or task.assignee_email
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
        Notice.objects.about(task).pending().filter(
            kind__in=["task_assigned", "task_due", "task_overdue"]
        ).exclude(
            recipient_id=task.assignee_id, email="" if task.assignee_id else task.assignee_email
        ).update(cancelled_at=timezone.now())
        _tell_assignee(task, by=by)
        _tell_about_task(
            task,
            "task_unassigned",
            [previous_holder],
            f"{by} har flyttat din uppgift i ärendet {task.event.case_number} till "
            f"{task.assignee_label}: du behöver inte göra den.",
            occasion=task.rescheduled_at,
            # The task is no longer theirs to open; their own list is.
            path=reverse("my_tasks"),
            by=by,
        )
    return task


def _tell_transition(task: Task, *, was_open: bool, by):
    event = task.event
    if was_open and task.status == Task.Status.KLAR:
        _tell_about_task(
            task,
            "task_done",
            [task.delegated_by],
            f"{by} har gjort klart uppgiften som du delegerade i ärendet {event.case_number}.",
            details=f"Återkoppling: {task.feedback}" if task.feedback else "",
            occasion=task.status_changed_at,
            by=by,
        )
    elif was_open and task.status == Task.Status.STRUKEN:
        _tell_about_task(
            task,
            "task_struck",
            [task.delegated_by, task.assignee or task.assignee_email],
            f"{by} har strukit en uppgift i ärendet {event.case_number}: den ska inte göras.",
            details=f"Återkoppling: {task.feedback}" if task.feedback else "",
            occasion=task.status_changed_at,
            by=by,
        )
    elif task.is_open and not was_open:
        _tell_about_task(
            task,
            "task_reopened",
            [task.assignee or task.assignee_email],
            f"{by} har öppnat din uppgift i ärendet {event.case_number} igen.",
            occasion=task.status_changed_at,
            by=by,
        )


def revise_picture(event: Event, answers: dict, *, based_on, attendees=(), by) -> SituationPicture:
    """Save the six answers as the next revision: the event's new nulägesbild. The answers
    come from the startgrupp's meeting: the latest convening is marked held, with who
    attended. Conflict (events.conflicts), with the latest revision, if it is not
    `based_on` (0: none yet)."""
    try:
        with transaction.atomic():
            # A cancelled meeting was not held: the answers come from the latest one that
            # was not cancelled.
            convening = event.convenings.filter(cancelled_at__isnull=True).first()
            # Answers mean the startgrupp has met, whether or not attendance was ticked.
            if convening and convening.held_at is None:
                convening.held_at = timezone.now()
                convening.save(update_fields=["held_at"])
            if convening and attendees:
                convening.attendees.set(attendees)
            latest = event.pictures.first()
            current = latest.revision if latest else 0
            if (based_on or 0) != current:
                raise Conflict(latest)
            picture = SituationPicture.objects.create(
                event=event, revision=current + 1, author=by, **answers
            )
            add_log_entry(
                event,
                by=by,
                kind=LogEntry.Kind.EDIT,
                text=f"Nulägesbilden reviderades (version {picture.revision}).",
            )
            undecided = not (
                event.workgroup_lead_id
                or event.reporter_id
                or event.memberships.filter(group=Membership.Group.ARBETSGRUPP).exists()
            )
            # The same "decided" as the status colour's (events.status.facts_of).
            if picture.revision == 1 and undecided:
                # Handlingsplanen, Startgrupp: having answered, the startgrupp decides on
                # an arbetsgrupp and on informing the politicians.
                _tell_people(
                    event,
                    "decision_pending",
                    [
                        m.user
                        for m in event.memberships.filter(
                            group=Membership.Group.STARTGRUPP
                        ).select_related("user")
                    ],
                    f"Startgruppen har besvarat de sex frågorna i ärendet {event.case_number}: "
                    "besluta om arbetsgrupp och om politiken ska informeras löpande.",
                    path=reverse("decisions", args=[event.pk]),
                    by=by,
                )
    except IntegrityError:
        # Another member's revision won the race for the same number.
        raise Conflict(event.pictures.first()) from None
    return picture


def _tell_people(event: Event, kind: str, users, sentence: str, *, path=None, by):
    """One notice to each of `users` about a change on the case as a whole (who is in which
    group, who leads, who reports), never to `by`. The occasion is now: being added again
    after a removal tells again."""
    tell(
        event,
        kind,
        users,
        sentence,
        path=path or reverse("event_detail", args=[event.pk]),
        target=event,
        occasion=timezone.now(),
        by=by,
    )


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
            lines.append("Med i arbetsgruppen: " + _names(added) + ".")
        if removed:
            lines.append("Inte längre i arbetsgruppen: " + _names(m.user for m in removed) + ".")
        number = event.case_number
        _tell_people(
            event,
            "member_added",
            added,
            f"{by} har tagit med dig i arbetsgruppen i ärendet {number}.",
            by=by,
        )
        _tell_people(
            event,
            "member_removed",
            [m.user for m in removed],
            f"{by} har tagit bort dig ur arbetsgruppen i ärendet {number}.",
            by=by,
        )
        _tell_roles(event, data, by=by)
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
            finalised.send(
                Event,
                event=event,
                title="Startgruppens beslut",
                description="Startgruppens beslut om arbetsgrupp och information",
                path=reverse("event_log", args=[event.pk]),
                by=by,
            )


def _tell_roles(event: Event, data: dict, *, by):
    """Tell whoever was made, or is no longer, arbetsgruppens ledare or rapportör."""
    number = event.case_number
    roles = [
        ("workgroup_lead", "arbetsgruppens ledare"),
        ("reporter", "den som regelbundet informerar startgruppen"),
    ]
    for field, role in roles:
        old, new = getattr(event, field), data[field]
        if old == new:
            continue
        _tell_people(
            event,
            "role_given",
            [new],
            f"{by} har utsett dig till {role} i ärendet {number}.",
            by=by,
        )
        _tell_people(
            event, "role_taken", [old], f"Du är inte längre {role} i ärendet {number}.", by=by
        )


def change_phase(event: Event, phase: str, *, by):
    """Move an open event between the working phases; closing is close_event's, with a
    reason."""
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


def _working_groups(event: Event) -> list:
    """The startgrupp and the arbetsgrupp: who works on the case, not the läsbehöriga."""
    working = [Membership.Group.STARTGRUPP, Membership.Group.ARBETSGRUPP]
    return [m.user for m in event.memberships.filter(group__in=working).select_related("user")]


@transaction.atomic
def close_event(event: Event, *, reason: str, by) -> bool:
    """Close the case (phase Avslutad): read-only for everyone until its startgrupp reopens
    it. Logged with `reason`; the startgrupp and the arbetsgrupp are told. False, with
    nothing changed, if another request changed the phase meanwhile."""
    now, old = timezone.now(), event.get_phase_display()
    # Conditional on the phase read: of two members closing at once, one closes.
    closed = Event.objects.filter(pk=event.pk, phase=event.phase).update(
        closed_from_phase=event.phase, phase=Phase.AVSLUTAD, phase_changed_at=now, closed_at=now
    )
    if not closed:
        return False
    event.closed_from_phase, event.phase = event.phase, Phase.AVSLUTAD
    event.phase_changed_at = event.closed_at = now
    add_log_entry(
        event,
        by=by,
        kind=LogEntry.Kind.PHASE,
        text=f"Fas ändrad från {old} till Avslutad: ärendet är avslutat. Skäl: {reason}",
    )
    tell(
        event,
        "case_closed",
        _working_groups(event),
        f"{by} har avslutat ärendet {event.case_number}. Det går att läsa men inte ändra; "
        "startgruppen kan öppna det igen.",
        path=reverse("event_detail", args=[event.pk]),
        target=event,
        occasion=now,
        details=f"Skäl: {reason}",
        by=by,
    )
    return True


def tasks_to_redate(event: Event, now) -> list[Task]:
    """The open tasks whose time (när) has passed, soonest first: after a reopening none of
    them is reminded again unless it gets a new time (events.reminders), so the reopening
    offers to re-date each."""
    return list(
        event.tasks.filter(status__in=Task.OPEN, due_at__lt=now)
        .select_related("assignee")
        .order_by("due_at", "created_at")
    )


@transaction.atomic
def reopen_event(event: Event, *, reason: str, new_times: dict, by) -> bool:
    """Take a closed case up again, in Event.phase_on_reopening. Logged with `reason`; the
    startgrupp and the arbetsgrupp are told.

    The time it was closed does not count as late: the reporting interval restarts now
    (`reporting_since`), and from `reopened_at` the reminder scan writes no reminder for a
    time before the reopening, nor does the status count lateness from before it
    (events.reminders, events.status). `new_times`: {task: new när} for the tasks of
    tasks_to_redate() the user gave a new time; each change is logged as a task change.
    False, with nothing changed, if the case was already open again."""
    now = timezone.now()
    phase = event.phase_on_reopening
    # Conditional: of two members reopening at once, one reopens (and is logged).
    reopened = Event.objects.filter(pk=event.pk, phase=Phase.AVSLUTAD).update(
        phase=phase, phase_changed_at=now, reopened_at=now, reporting_since=now
    )
    if not reopened:
        return False
    event.phase, event.phase_changed_at = phase, now
    event.reopened_at = event.reporting_since = now
    add_log_entry(
        event,
        by=by,
        kind=LogEntry.Kind.PHASE,
        text=f"Ärendet öppnades igen, i fasen {event.get_phase_display()}. Skäl: {reason}",
    )
    for task, due_at in new_times.items():
        task.event = event
        change_task(task, {"due_at": due_at}, version=task.version, by=by)
    tell(
        event,
        "case_reopened",
        _working_groups(event),
        f"{by} har öppnat ärendet {event.case_number} igen. Rapporteringen till "
        "startgruppen räknas från nu.",
        path=reverse("event_detail", args=[event.pk]),
        target=event,
        occasion=now,
        details=f"Skäl: {reason}",
        by=by,
    )
    return True


def update_event(event: Event, data: dict, *, version: int, by) -> list[str]:
    """Save edited fields only if nobody saved in between (conditional UPDATE on the
    version; else Conflict, events.conflicts). Returns the names of the fields that
    changed."""
    with transaction.atomic():
        # Compared with the row, not `event`: a bound ModelForm has already copied the
        # user's input onto its instance.
        before = Event.objects.get(pk=event.pk)
        changed = [name for name, value in data.items() if getattr(before, name) != value]
        update_if_current(Event.objects, event.pk, "version", version, **data)
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
            return day_text(value) if value else "beräknat"

        add_log_entry(
            event,
            by=by,
            kind=LogEntry.Kind.EDIT,
            text=f"Varselklockan rättad: varslat {day(notice_on)}, tidigast genomförd "
            f"{day(earliest_on)}. Skäl: {reason}",
        )


def _delegated_texts(event: Event) -> set[str]:
    # A milestone is on the event as a task when a task says the same, open or done; a
    # struck one may be delegated again.
    return set(event.tasks.exclude(status=Task.Status.STRUKEN).values_list("what", flat=True))


def undelegated_milestones(event: Event, clock) -> list[tuple[int, str, date]]:
    """(index in the clock's milestones, what, computed day) of each milestone of the
    varsel clock (events.varsel) that is not yet a task on the event."""
    existing = _delegated_texts(event)
    return [
        (index, what, day)
        for index, (what, day) in enumerate(clock.milestones)
        if what not in existing
    ]


def delegate_varsel_milestones(event: Event, milestones, *, by) -> list[Task]:
    """The varsel clock's milestones as tasks, in one step. `milestones`: (what, assignee,
    due day) for each one the user kept, with the person and the day chosen for it; due at
    noon that day. A milestone already on the event as a task (open or done; not struck),
    say from a second click, is not added again."""
    with transaction.atomic():
        existing = _delegated_texts(event)
        tasks = []
        for what, assignee, day in milestones:
            if what in existing:
                continue
            due_at = timezone.make_aware(datetime.combine(day, time(12)))
            tasks.append(delegate_task(event, by=by, what=what, assignee=assignee, due_at=due_at))
        return tasks


@transaction.atomic
def attach_tasks_to_account(user) -> list[Task]:
    """Hand `user` the open tasks (Ny, Pågår) given by name and address to someone without
    an account, where the address is the user's, compared after NFKC normalisation and
    case folding: they are then in the user's Mina uppgifter and their pages open for them.
    Logged on each task's event, by the user (nobody else acted: an account was made).
    Called when a user is saved (events.apps); returns the tasks handed over."""
    if not user.is_active or not user.email:
        return []
    address = normalise_email(user.email)
    # Compared here, not in SQL, which cannot NFKC normalise; open tasks without an account
    # are few.
    waiting = (
        Task.objects.filter(assignee__isnull=True, status__in=Task.OPEN)
        .exclude(assignee_email="")
        .select_related("event")
    )
    now, attached = timezone.now(), []
    for task in waiting:
        if normalise_email(task.assignee_email) != address:
            continue
        # Conditional, with a new version: a writer who reassigned the task meanwhile keeps
        # their change, and a form opened before this one is refused as stale.
        updated = Task.objects.filter(
            pk=task.pk, assignee__isnull=True, assignee_email=task.assignee_email
        ).update(
            assignee=user,
            assignee_name="",
            assignee_email="",
            rescheduled_at=now,
            version=F("version") + 1,
        )
        if not updated:
            continue
        address_given = task.assignee_email
        given_to = f"{task.assignee_name} ({address_given})"
        task.assignee, task.assignee_name, task.assignee_email = user, "", ""
        task.rescheduled_at, task.version = now, task.version + 1
        task_changed.send(sender=Task, task=task)
        # The reminder scan now writes the user's; one still waiting for the bare address
        # would come twice.
        Notice.objects.about(task).pending().filter(
            kind__in=["task_due", "task_overdue"], email=address_given
        ).update(cancelled_at=now)
        add_log_entry(
            task.event,
            by=user,
            kind=LogEntry.Kind.TASK,
            text=f"Uppgiften ”{task.what}”, given till {given_to}, är nu kopplad till kontot "
            f"som {user} har fått.",
        )
        attached.append(task)
    return attached
