"""The varsel clock: how long before a reduction of staff the employer must have given
notice to Arbetsförmedlingen, and the dates that follow.

Source: lag (1974:13) om vissa anställningsfrämjande åtgärder, 15 §. An employer who is to
reduce staff by at least five employees gives notice to Arbetsförmedlingen at least
- two months before the reduction is carried out when 5-25 employees are affected,
- four months when 26-100 are affected,
- six months when more than 100 are affected.
Fewer than five affected: no statutory notice to Arbetsförmedlingen.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

SOURCE = "Lag (1974:13) om vissa anställningsfrämjande åtgärder, 15 §"
RULE = (
    "Arbetsgivaren ska varsla Arbetsförmedlingen minst 2 månader innan en driftsinskränkning "
    "genomförs om 5–25 anställda berörs, minst 4 månader om 26–100 berörs och minst 6 månader "
    "om fler än 100 berörs. Färre än 5: inget lagstadgat varsel."
)

# Suggested milestones, in days after the notice: what the municipality does once it
# knows (handlingsplanen, "Arbetsgrupp och externa parter").
MILESTONES = [
    (2, "Kontakta Arbetsförmedlingen om varslet"),
    (5, "Kontakta omställningsfonden om stöd till de berörda"),
    (14, "Rapportera varslet och kommunens insatser till kommunstyrelsen"),
]


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day: 31 January + 1 month
    is 28 (or 29) February, never 3 March."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def notice_months(employees: int | None) -> int:
    """The statutory minimum notice in months for this many affected employees (0: none)."""
    if employees is None or employees < 5:
        return 0
    if employees <= 25:
        return 2
    if employees <= 100:
        return 4
    return 6


@dataclass(frozen=True)
class Clock:
    notice_on: date | None
    employees: int | None
    months: int
    # The earliest day the reduction may be carried out: by the rule, or as corrected.
    earliest_on: date | None
    computed_earliest_on: date | None
    corrected: bool
    # Shown with the dates, so nobody has to take them on trust.
    source: str = SOURCE
    rule: str = RULE

    @property
    def milestones(self) -> list[tuple[str, date]]:
        if self.notice_on is None:
            return []
        return [(what, self.notice_on + timedelta(days=days)) for days, what in MILESTONES]

    @property
    def days_left(self) -> int | None:
        if self.earliest_on is None:
            return None
        return (self.earliest_on - timezone.localdate()).days


def clock_for(event) -> Clock | None:
    """The clock of a varsel event, None for other kinds. The notice date is the corrected
    one if a user entered it from the actual notice, else the day the event was announced."""
    if event.kind != "varsel":
        return None
    notice_on = event.varsel_notice_on or event.announced_on
    months = notice_months(event.affected_employees)
    computed = add_months(notice_on, months) if notice_on and months else None
    return Clock(
        notice_on=notice_on,
        employees=event.affected_employees,
        months=months,
        earliest_on=event.varsel_earliest_on or computed,
        computed_earliest_on=computed,
        corrected=bool(event.varsel_notice_on or event.varsel_earliest_on),
    )
