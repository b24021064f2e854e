"""The status of an event, as the municipality already reports progress (verksamhetsplanen:
"färgsättning (röd, gul, grön)"). The rule lives here and only here: `rules()` is the table
that decides, and the pages show the same rows ("Så räknas statusen"), so what the page
says and what the rule does cannot drift apart.

The rows are tried from the top; the first that applies decides the status, and every row of
that status that applies is a reason for it. A closed event has no status. Before the
startgrupp has answered the six questions an event is new (NY: "startgruppen har inte
träffats"), without a colour: nothing is late yet, and nothing has been judged either.

The two clocks, from handlingsplanen:
- "Prioritet": the startgrupp "ska skyndsamt sammankallas". Skyndsamt is about the time from
  the change being known to the startgrupp meeting, so the clock runs from when the event was
  registered, not from the meeting time somebody booked: a meeting booked for next week must
  not keep the case quietly "Ny" all week. It is gul after CONVENE_WITHIN_MINUTES without
  answers, as the reminder "Startgruppen har inte träffats" (events.reminders) counts, and
  röd after twice that.
- "Arbetsgrupp": "Startgruppen beslutar om en arbetsgrupp", which "ska skyndsamt arbeta". The
  meeting counts as held when the first answers were saved (services.revise_picture marks the
  convening held then); the decision is due STATUS_DECISION_HOURS later, röd at twice that.
  The decision is read from what services.record_decisions (or the admin, through
  services.set_membership) leaves on the event: an arbetsgrupp member, its lead, or the
  person who reports to the startgrupp. Not from the log: registering an event, the
  kommunikationsplan and the lägesrapporter write entries of kind "Beslut" too.
Overdue tasks and missed reports to the startgrupp count as before. The time a case was
closed does not count: after a reopening a task due before it is late from the reopening on,
and the reporting interval restarts there (services.reopen_event).

A page shows a Verdict as it is: its label as the headline and its reasons under it, and no
count or flag of its own beside them, or the headline and the reasons can disagree.
"Väntar på dig" (events.waiting) lists what the two clocks wait for, due when the rows below
first count it late (answers_due_at, decision_due_at).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from accounts.moments import add_days, periods_passed
from events.models import Event, Membership, SituationPicture, Task

RED_AFTER_DAYS = 7
RED_AT_OVERDUE = 3
# A report is missed a day after it was due (on the clock, as the interval is counted).
REPORT_GRACE_DAYS = 1


@dataclass(frozen=True)
class Status:
    key: str  # the CSS class is status-<key>
    label: str
    coloured: bool


ROD = Status("rod", "Röd", coloured=True)
GUL = Status("gul", "Gul", coloured=True)
NY = Status("ny", "Ny – startgruppen har inte träffats", coloured=False)
GRON = Status("gron", "Grön", coloured=True)


@dataclass(frozen=True)
class Facts:
    """What the rule looks at for one event, at one moment."""

    closed: bool
    since_registered: timedelta
    since_met: timedelta | None  # None: the startgrupp has not answered the six questions
    workgroup_decided: bool
    overdue_tasks: int
    oldest_overdue: timedelta | None  # how late the longest overdue open task is
    missed_reports: int


@dataclass(frozen=True)
class Rule:
    status: Status | None  # None: no status at all
    when: str  # Swedish; the table's text and the reason shown for a status
    applies: Callable[[Facts], bool]


@dataclass(frozen=True)
class Verdict:
    status: Status
    reasons: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.status.key

    @property
    def label(self) -> str:
        return self.status.label

    @property
    def coloured(self) -> bool:
        return self.status.coloured


def rules() -> list[Rule]:
    """The status table, in the order the rows are tried, with the limits from settings."""
    convene = timedelta(minutes=settings.CONVENE_WITHIN_MINUTES)
    decide = timedelta(hours=settings.STATUS_DECISION_HOURS)

    def not_met_for(limit):
        return lambda f: f.since_met is None and f.since_registered > limit

    def undecided_for(limit):
        return lambda f: (
            f.since_met is not None and not f.workgroup_decided and f.since_met > limit
        )

    not_met = "Startgruppen har inte besvarat de sex frågorna mer än {} efter att ärendet "
    not_met += "registrerades."
    undecided = "Ingen arbetsgrupp är beslutad mer än {} efter startgruppens möte."
    return [
        Rule(None, "Ärendet är avslutat.", lambda f: f.closed),
        Rule(ROD, not_met.format(duration(2 * convene)), not_met_for(2 * convene)),
        Rule(ROD, undecided.format(duration(2 * decide)), undecided_for(2 * decide)),
        Rule(
            ROD,
            f"En uppgift är mer än {RED_AFTER_DAYS} dagar försenad.",
            lambda f: (
                f.oldest_overdue is not None and f.oldest_overdue > timedelta(days=RED_AFTER_DAYS)
            ),
        ),
        Rule(
            ROD,
            f"{RED_AT_OVERDUE} eller fler uppgifter är försenade.",
            lambda f: f.overdue_tasks >= RED_AT_OVERDUE,
        ),
        Rule(
            ROD,
            "En rapport till startgruppen har uteblivit: ingen är skickad inom det beslutade "
            f"intervallet plus {duration(timedelta(days=REPORT_GRACE_DAYS))}.",
            lambda f: f.missed_reports > 0,
        ),
        Rule(GUL, not_met.format(duration(convene)), not_met_for(convene)),
        Rule(GUL, undecided.format(duration(decide)), undecided_for(decide)),
        Rule(GUL, "Minst en uppgift är försenad.", lambda f: f.overdue_tasks > 0),
        Rule(
            NY, "Startgruppen har inte besvarat de sex frågorna än.", lambda f: f.since_met is None
        ),
        Rule(GRON, "Startgruppen har träffats och inget är försenat.", lambda f: True),
    ]


def answers_due_at(registered_at: datetime) -> datetime:
    """When the six answers are due: from then the case is gul without them."""
    return registered_at + timedelta(minutes=settings.CONVENE_WITHIN_MINUTES)


def decision_due_at(first_answered_at: datetime) -> datetime:
    """When the decision on an arbetsgrupp is due: from then the case is gul without it."""
    return first_answered_at + timedelta(hours=settings.STATUS_DECISION_HOURS)


def duration(span: timedelta) -> str:
    """A limit in Swedish, in the largest whole unit: "2 timmar", "1 dygn", "90 minuter"."""
    minutes = int(span.total_seconds()) // 60
    if minutes and minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} dygn"
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} timm{'e' if hours == 1 else 'ar'}"
    return f"{minutes} minut{'' if minutes == 1 else 'er'}"


def decide(facts: Facts, table: list[Rule]) -> Verdict | None:
    """The status the first applying row gives, with every applying row of that status."""
    first = next(rule for rule in table if rule.applies(facts))
    if first.status is None:
        return None
    reasons = tuple(r.when for r in table if r.status == first.status and r.applies(facts))
    return Verdict(first.status, reasons)


def with_status_facts(events: QuerySet, now: datetime) -> QuerySet:
    """Annotate a queryset of events with what facts_of() needs, in the same query: no
    query per event, however many there are."""
    overdue = Q(tasks__status__in=Task.OPEN, tasks__due_at__lt=now)
    # Subqueries, not joins: a second join would multiply the rows the task count counts.
    # Both use an index on (event, …): the revision constraint and the membership one.
    first_answers = SituationPicture.objects.filter(event=OuterRef("pk")).order_by("revision")
    workgroup = Membership.objects.filter(event=OuterRef("pk"), group=Membership.Group.ARBETSGRUPP)
    # Late since its time, or since the case was reopened if that is later.
    late_since = Greatest("tasks__due_at", Coalesce("reopened_at", "tasks__due_at"))
    return events.annotate(
        overdue_tasks=Count("tasks", filter=overdue),
        oldest_overdue_since=Min(late_since, filter=overdue),
        first_answered_at=Subquery(first_answers.values("created_at")[:1]),
        has_workgroup=Exists(workgroup),
    )


def missed_reports(event: Event, now: datetime) -> int:
    """Reports to the startgrupp missed by more than REPORT_GRACE_DAYS: one is due every
    `report_interval_days` days from `reporting_since` at the same time of day (sending one
    restarts `reporting_since`)."""
    if not (event.reporter_id and event.report_interval_days and event.reporting_since):
        return 0
    return periods_passed(
        event.reporting_since, add_days(now, -REPORT_GRACE_DAYS), event.report_interval_days
    )


def facts_of(event: Event, now: datetime) -> Facts:
    """The facts of an event annotated by with_status_facts()."""
    return Facts(
        closed=event.is_closed,
        since_registered=now - event.created_at,
        since_met=None if event.first_answered_at is None else now - event.first_answered_at,
        workgroup_decided=bool(
            event.has_workgroup or event.workgroup_lead_id or event.reporter_id
        ),
        overdue_tasks=event.overdue_tasks,
        oldest_overdue=(
            None if event.oldest_overdue_since is None else now - event.oldest_overdue_since
        ),
        missed_reports=missed_reports(event, now),
    )


def status_of(event: Event, table: list[Rule], now: datetime) -> Verdict | None:
    """The status of an event annotated by with_status_facts(); None for a closed one."""
    return decide(facts_of(event, now), table)


def status_for(event: Event, table: list[Rule], now: datetime) -> Verdict | None:
    """The status of one event that is not annotated: one query."""
    annotated = with_status_facts(Event.objects.filter(pk=event.pk), now).get()
    return status_of(annotated, table, now)
