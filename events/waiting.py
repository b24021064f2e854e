"""Väntar på dig (issue 12, item 3): what waits for one user across all their cases, listed
first on the start page.

Events gathers its own items — the tasks the user holds, the follow-ups they asked for, the
startgrupp's meetings, the varsel clock's milestones and the startgrupp's decision on an
arbetsgrupp — and asks the apps built on it for theirs through the `waiting_for` signal
(events.signals; events never imports them): the press texts to fact-check or approve
(commsplan.waiting), the lägesrapporter to approve and the one due from the user
(reports.waiting).

What falls to a user is what they do as a member who works on a case (startgrupp or
arbetsgrupp), plus every task they hold: a läsbehörig does nothing in the case, and a
superuser's power to open every case is not a duty on every case. A closed case waits for
nobody. Each source reads with a constant number of queries, however many cases and items.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Self

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import formats, timezone

from events import signals, status, varsel
from events.models import Convening, Event, Kind, Membership, Phase, Task
from events.texts import moment_text

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

    @classmethod
    def at(cls, event: Event, what: str, url: str, due_at: datetime | None, now: datetime) -> Self:
        """An item due at a moment, late once it has passed."""
        late = due_at is not None and due_at < now
        return cls(what, event.case_number, event.title, due_at, url, late)

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
            return formats.date_format(timezone.localdate(self.due_at), "j F Y")
        return moment_text(self.due_at)

    def order(self) -> tuple:
        """The sort key: late first, the longest late first; then by deadline; no deadline
        last."""
        return (not self.overdue, self.due_at is None, self.due_at, self.case_number, self.what)


def waiting_for(user, events: QuerySet, now: datetime) -> list[Item]:
    """What waits for `user`, in order: late items first (the longest late first), then by
    deadline, items without one last.

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
    # The startgrupp's meetings not yet held, from today on, for its members. One query. A
    # meeting that began earlier today is not late: it is held when the answers are saved.
    today = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    convenings = (
        Convening.objects.filter(
            event__in=startgrupp_events(user, working), held_at__isnull=True, meeting_at__gte=today
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
    # One query over the user's cases for two clocks:
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
    events = (
        status.with_status_facts(working, now)
        .annotate(my_group=Subquery(my_group), **delegated)
        .filter(
            Q(kind=Kind.VARSEL)
            | Q(my_group=Membership.Group.STARTGRUPP, first_answered_at__isnull=False)
        )
    )
    decide_within = timedelta(hours=settings.STATUS_DECISION_HOURS)
    last_day = timezone.localdate(now) + HORIZON
    items = []
    for event in events:
        clock = varsel.clock_for(event)
        for index, (what, day) in enumerate(clock.milestones if clock else []):
            if day <= last_day and not getattr(event, f"milestone_{index}_delegated"):
                url = reverse("varsel_clock", args=[event.pk])
                items.append(Item.on(event, f"Delmål att delegera: {what}", url, day, now))
        facts = status.facts_of(event, now)
        if (
            event.my_group == Membership.Group.STARTGRUPP
            and facts.since_met is not None
            and not facts.workgroup_decided
        ):
            what = "Besluta om arbetsgrupp och rapportering till startgruppen"
            url = reverse("decisions", args=[event.pk])
            items.append(Item.at(event, what, url, event.first_answered_at + decide_within, now))
    return items
