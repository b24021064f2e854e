"""Väntar på dig (issue 12, item 3): what waits for one user across all their cases, listed
first on the start page.

Events gathers its own items — the tasks the user holds, the follow-ups they asked for, the
startgrupp's meetings and the six questions they are for, the varsel clock's milestones and
the startgrupp's decision on an arbetsgrupp — and asks the apps built on it for theirs
through the `waiting_for` signal (events.signals; events never imports them): the press texts
to fact-check or approve (commsplan.waiting), the lägesrapporter to approve and the one due
from the user (reports.waiting).

No source drops an item because its time has passed: a late item is listed, marked late,
until it is done. (A startgrupp meeting is an appointment, not a duty: once its hour has come
it gives way to what the meeting is for, the answers to the six questions.)

What falls to a user is what they do as a member who works on a case (startgrupp or
arbetsgrupp), plus every task they hold: a läsbehörig does nothing in the case, and a
superuser's power to open every case is not a duty on every case. A closed case waits for
nobody. Each source reads with a constant number of queries, however many cases and items.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Self

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.moments import day_text, moment_text
from events import signals, status, varsel
from events.models import Convening, Event, Kind, Membership, Phase, Task

# Follow-ups, milestones and the next report this close, or passed, are listed; further
# ones are not yet.
HORIZON = timedelta(days=14)

WORKING = [Membership.Group.STARTGRUPP, Membership.Group.ARBETSGRUPP]

# Only what an item shows is read (`.only()`): hundreds of items would otherwise load
# every column of their rows and of the rows they join.
SHOWN_EVENT = ["event__case_number", "event__title"]
SHOWN_ASSIGNEE = ["assignee__first_name", "assignee__last_name", "assignee__username"]


@dataclass(frozen=True)
class Item:
    """One thing waiting for the user: what (one line, Swedish), on which case, by when (None:
    no deadline), and the page where it is done."""

    what: str
    case_number: str
    title: str
    due_at: datetime | None
    url: str
    overdue: bool
    # The deadline is a day (a planned date, a milestone), not a moment: shown without a time.
    all_day: bool = False
    # Listed before the other late items when late: what the status rule turns the case red
    # for first, and what the rest of the handlingsplan waits for (the six answers).
    first: bool = False
    # `due_at` is when the item began to wait, not a deadline: it is due at once, so it sorts
    # before every deadline still ahead, and is shown as "väntar sedan …".
    since: bool = False

    @classmethod
    def at(
        cls,
        event: Event,
        what: str,
        url: str,
        due_at: datetime | None,
        now: datetime,
        *,
        first: bool = False,
    ) -> Self:
        """An item due at a moment, late once it has passed."""
        late = due_at is not None and due_at < now
        return cls(what, event.case_number, event.title, due_at, url, late, first=first)

    @classmethod
    def waiting_since(
        cls, event: Event, what: str, url: str, since: datetime, *, late: bool
    ) -> Self:
        """An item due at once that has waited since `since`: late as its caller decides."""
        return cls(what, event.case_number, event.title, since, url, late, since=True)

    @classmethod
    def on(cls, event: Event, what: str, url: str, day: date, now: datetime) -> Self:
        """An item due on a day (in Stockholm), late from the day after."""
        start = timezone.make_aware(datetime.combine(day, time.min))
        late = day < timezone.localdate(now)
        return cls(what, event.case_number, event.title, start, url, late, all_day=True)

    @property
    def when(self) -> str:
        """The deadline in Swedish, Stockholm time: '3 december 2026 kl. 14:00'."""
        if self.due_at is None:
            return ""
        if self.all_day:
            return day_text(self.due_at)
        return moment_text(self.due_at)

    def order(self) -> tuple:
        """The sort key: late first, the `first` ones before the others, then the longest
        late first; then by deadline (an item waiting since a moment is due at once); no
        deadline last."""
        return (
            not self.overdue,
            not (self.overdue and self.first),
            self.due_at is None,
            self.due_at,
            self.case_number,
            self.what,
        )


def waiting_for(user, events: QuerySet, now: datetime) -> list[Item]:
    """What waits for `user`, in order: late items first (the six answers first, then the
    longest late first), then by deadline, items without one last.

    `events`: the events the user may open (events.access.events_for_user); the open ones
    among them that the user works on are asked about, by this module and by every receiver
    of events.signals.waiting_for.
    """
    working = events.filter(
        Exists(Membership.objects.filter(event=OuterRef("pk"), user=user, group__in=WORKING))
    ).exclude(phase=Phase.AVSLUTAD)
    items = _tasks(user, working, now) + _meetings(user, working, now)
    items += _case_clocks(user, working, now)
    for _, theirs in signals.waiting_for.send(Event, user=user, events=working, now=now):
        items += theirs
    return sorted(items, key=Item.order)


def startgrupp_events(user, events: QuerySet) -> QuerySet:
    """Those of `events` whose startgrupp `user` is in."""
    return events.filter(
        Exists(
            Membership.objects.filter(
                event=OuterRef("pk"), user=user, group=Membership.Group.STARTGRUPP
            )
        )
    )


def _tasks(user, working: QuerySet, now: datetime) -> list[Item]:
    # Open tasks the user holds on any open case (a task holder need not be a member), due
    # when the task is; and open tasks the user delegated on a case they work on, whose
    # uppföljning has come or comes within HORIZON. One query.
    mine = Q(assignee=user)
    follow_ups = Q(delegated_by=user, follow_up_at__lte=now + HORIZON, event__in=working) & ~mine
    tasks = (
        Task.objects.filter(mine | follow_ups, status__in=Task.OPEN)
        .exclude(event__phase=Phase.AVSLUTAD)
        .select_related("event", "assignee")
        .only(*SHOWN_EVENT, *SHOWN_ASSIGNEE, "what", "due_at", "follow_up_at", "assignee_name")
    )
    items = []
    for task in tasks:
        url = reverse("task_detail", args=[task.event_id, task.pk])
        if task.assignee_id == user.pk:
            items.append(Item.at(task.event, f"Uppgift: {task.what}", url, task.due_at, now))
        else:
            what = f"Följ upp: {task.what} ({task.assignee_label})"
            items.append(Item.at(task.event, what, url, task.follow_up_at, now))
    return items


def _meetings(user, working: QuerySet, now: datetime) -> list[Item]:
    # The startgrupp's meetings neither held nor cancelled and still ahead, for its members;
    # one query.
    # Once a meeting's hour has come the meeting is not what is late: the answers it is for
    # are, and _case_clocks lists them, late from when the status rule counts them late,
    # until they are saved. (A rebooked meeting's earlier call is never marked held:
    # services.revise_picture marks the latest; listing past calls would keep it forever.)
    convenings = (
        Convening.objects.filter(
            event__in=startgrupp_events(user, working),
            held_at__isnull=True,
            cancelled_at__isnull=True,
            meeting_at__gt=now,
        )
        .select_related("event")
        .only(*SHOWN_EVENT, "meeting_at", "location")
    )
    items = []
    for convening in convenings:
        event = convening.event
        what = "Startgruppens möte" + (f", {convening.location}" if convening.location else "")
        url = reverse("event_detail", args=[event.pk])
        items.append(Item(what, event.case_number, event.title, convening.meeting_at, url, False))
    return items


def _case_clocks(user, working: QuerySet, now: datetime) -> list[Item]:
    # One query over the user's cases for three clocks:
    # - the six questions, for the startgrupp, until the first answers are saved (the fact
    #   events.status reads: since_met is None). Due when the status rule starts counting
    #   them late, CONVENE_WITHIN_MINUTES after the event was registered, not at the meeting
    #   time somebody booked: the rule, like the reminder "Startgruppen har inte träffats"
    #   (events.reminders), runs from registration ("skyndsamt"), so the item is late exactly
    #   when the case turns gul for it and stays listed while the case is gul or röd for it.
    #   A meeting ahead that comes before then stands for it (_meetings); one booked later
    #   than the answers are due does not hide them. Listed first among late items: röd for
    #   it outranks every other row, and the rest of the handlingsplan waits for the answers;
    # - the varsel clock's milestones (events.varsel) not yet delegated as tasks, due within
    #   HORIZON or passed, for whoever works on the case: a milestone is delegated when a
    #   task, not struck, says the same (events.services.undelegated_milestones);
    # - the startgrupp's decision on an arbetsgrupp, for the startgrupp, once the six
    #   questions are answered and until the decision exists, due STATUS_DECISION_HOURS
    #   after the answers (events.status decides both).
    delegated = {
        f"milestone_{index}_delegated": Exists(
            Task.objects.filter(event=OuterRef("pk"), what=what).exclude(
                status=Task.Status.STRUKEN
            )
        )
        for index, (_, what) in enumerate(varsel.MILESTONES)
    }
    my_group = Membership.objects.filter(event=OuterRef("pk"), user=user).values("group")[:1]
    ahead = Convening.objects.filter(
        event=OuterRef("pk"), held_at__isnull=True, cancelled_at__isnull=True, meeting_at__gt=now
    ).order_by("meeting_at")
    events = (
        status.with_status_facts(working, now)
        .annotate(
            my_group=Subquery(my_group),
            next_meeting_at=Subquery(ahead.values("meeting_at")[:1]),
            **delegated,
        )
        .filter(Q(kind=Kind.VARSEL) | Q(my_group=Membership.Group.STARTGRUPP))
    )
    last_day = timezone.localdate(now) + HORIZON
    items = []
    for event in events:
        clock = varsel.clock_for(event)
        for index, (what, day) in enumerate(clock.milestones if clock else []):
            if day <= last_day and not getattr(event, f"milestone_{index}_delegated"):
                url = reverse("varsel_clock", args=[event.pk])
                items.append(Item.on(event, f"Delmål att delegera: {what}", url, day, now))
        if event.my_group != Membership.Group.STARTGRUPP:
            continue
        facts = status.facts_of(event, now)
        if facts.since_met is None:
            due_at = status.answers_due_at(event.created_at)
            if event.next_meeting_at is None or due_at < event.next_meeting_at:
                url = reverse("picture_edit", args=[event.pk])
                what = "Besvara de sex frågorna"
                items.append(Item.at(event, what, url, due_at, now, first=True))
        elif not facts.workgroup_decided:
            what = "Besluta om arbetsgrupp och rapportering till startgruppen"
            url = reverse("decisions", args=[event.pk])
            due_at = status.decision_due_at(event.first_answered_at)
            items.append(Item.at(event, what, url, due_at, now))
    return items
