"""The status rule of a target (issue 15, item 3): one function, `target_status`, and the
table the programme page shows (`RULES`). Norsjö follows its goals the same way (seed 001:
indicator, styrgräns, röd/gul/grön, and the summary "av 8 identifierade KS-mål är 5 GRÖNA
(62,5%), 0 GUL, 3 RÖDA (37,5%)").

- The path is the straight line from (baseline date, baseline value) to (target date,
  target value); before the baseline date it is the baseline, after the target date the
  target.
- Higher is better: grön if the latest value is at or above the path on its date, gul if at
  or above the styrgräns but below the path, röd below the styrgräns. Lower is better
  mirrors it. A value exactly on a boundary gets the better colour.
- No measurement, or the latest older than 1.5 times the target's frequency: "Ej mätt",
  counted apart from the colours.
- A member may set the colour by hand with a reason; that colour is shown (and marked).

Arithmetic is exact (fractions of the stored decimals); the path on a measurement's date is
then rounded to the thousandth a measurement is stored with (`planned`), and it is that
rounded value the page shows and the rule compares, so a value that reads as on the path
is on it.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import OuterRef, Subquery

from omstallning.models import Colour, Measurement, Target

EJ_MATT = "ej_matt"
LABELS = {Colour.GRON: "Grön", Colour.GUL: "Gul", Colour.ROD: "Röd", EJ_MATT: "Ej mätt"}
# The latest measurement older than this many times the frequency is no longer a status.
STALE_AFTER = Fraction(3, 2)

RULES = [
    ("Grön", "Senaste värdet ligger på eller bättre än linjen från utgångsvärdet till målet."),
    ("Gul", "Senaste värdet är sämre än linjen men ligger på styrgränsen eller bättre."),
    ("Röd", "Senaste värdet är sämre än styrgränsen."),
    (
        "Ej mätt",
        "Inget mätt värde, eller det senaste är äldre än 1,5 gånger målets mätintervall. "
        "Räknas för sig, inte bland färgerna.",
    ),
    ("Satt för hand", "En medlem har satt färgen med ett skäl; skälet visas vid målet."),
]


@dataclass(frozen=True)
class Status:
    """`colour`: "gron", "gul", "rod" or "ej_matt"; `computed`: what the rule says without
    the hand-set colour; `overridden`: the colour was set by hand; `path`: the planned value
    on the latest measurement's date (None without one)."""

    colour: str
    computed: str
    overridden: bool
    path: Decimal | None

    @property
    def label(self) -> str:
        return LABELS[self.colour]

    @property
    def computed_label(self) -> str:
        return LABELS[self.computed]


def path_value(target: Target, day: date) -> Fraction:
    """The planned value on `day`, in the target's unit: the straight line from (baseline
    date, baseline value) to (target date, target value), flat outside it."""
    start, end = Fraction(target.baseline_value), Fraction(target.target_value)
    if day <= target.baseline_on:
        return start
    if day >= target.target_on:
        return end
    elapsed = (day - target.baseline_on).days
    total = (target.target_on - target.baseline_on).days
    return start + (end - start) * Fraction(elapsed, total)


# Measurement.value's decimal_places: the precision a value is entered, stored and shown in.
STORED = Decimal("0.001")


def planned(target: Target, day: date) -> Decimal:
    """path_value at the precision values are stored and shown with, halves rounded up:
    the path as compared with a measurement and as printed beside it."""
    exact = path_value(target, day)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        STORED, rounding=ROUND_HALF_UP
    )


def target_status(target: Target, latest: Measurement | None, today: date) -> Status:
    """The target's status on `today`, given its latest measurement (None: never measured)."""
    path = None
    if latest is None or Fraction((today - latest.measured_on).days) > (
        STALE_AFTER * target.frequency_days
    ):
        computed = EJ_MATT
        if latest is not None:
            path = planned(target, latest.measured_on)
    else:
        path = planned(target, latest.measured_on)
        # Lower is better is the same rule with every value negated.
        sign = 1 if target.direction == Target.Direction.HIGHER else -1
        value = sign * Fraction(latest.value)
        if value >= sign * Fraction(path):
            computed = Colour.GRON
        elif value >= sign * Fraction(target.threshold):
            computed = Colour.GUL
        else:
            computed = Colour.ROD
    colour = target.override or computed
    return Status(
        colour=str(colour), computed=str(computed), overridden=bool(target.override), path=path
    )


def percent(part: int, whole: int) -> str:
    """`part` of `whole` (> 0) as "62,5 %": one decimal with a decimal comma, none when
    it is whole."""
    # Tenths of a percent, half rounded up as a reader rounds (not Python's half to even).
    tenths = (2000 * part + whole) // (2 * whole)
    whole_part, decimal = divmod(tenths, 10)
    return f"{whole_part},{decimal} %" if decimal else f"{whole_part} %"


def summary(colours: list[str]) -> str:
    """The programme's line in the municipality's own form (seed 001): "Av 8 mål är 5 gröna
    (62,5 %), 0 gula, 3 röda (37,5 %); 1 ej mätt". Percentages are of the coloured targets
    and shown for the colours that have any; unmeasured targets are counted apart."""
    counts = {c: colours.count(c) for c in (Colour.GRON, Colour.GUL, Colour.ROD, EJ_MATT)}
    coloured = len(colours) - counts[EJ_MATT]
    unmeasured = counts[EJ_MATT]
    tail = f"; {unmeasured} ej {'mätt' if unmeasured == 1 else 'mätta'}" if unmeasured else ""
    if not coloured:
        return f"Inget mål har någon färg än{tail}" if colours else "Inga mål än"
    # Neuter agreement with "mål": 1 grönt, 2 gröna.
    words = {
        Colour.GRON: ("grönt", "gröna"),
        Colour.GUL: ("gult", "gula"),
        Colour.ROD: ("rött", "röda"),
    }
    parts = []
    for colour, (one, many) in words.items():
        n = counts[colour]
        part = f"{n} {one if n == 1 else many}"
        parts.append(f"{part} ({percent(n, coloured)})" if n else part)
    return f"Av {coloured} mål är {parts[0]}, {parts[1]}, {parts[2]}{tail}"


def with_status(targets, today: date) -> list[Target]:
    """`targets` (a queryset) read in one query with their latest measurement, each carrying
    `.latest` (an unsaved Measurement with value and date, or None) and `.status`. A struck
    measurement counts for nothing."""
    latest = Measurement.objects.filter(target=OuterRef("pk"), voided_at__isnull=True).order_by(
        "-measured_on", "-entered_at"
    )
    rows = list(
        targets.annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_on=Subquery(latest.values("measured_on")[:1]),
        )
    )
    for target in rows:
        target.latest = (
            Measurement(value=target.latest_value, measured_on=target.latest_on)
            if target.latest_on is not None
            else None
        )
        target.status = target_status(target, target.latest, today)
    return rows
