"""Moments as people in Norsjö read and type them: Stockholm time, in Swedish, on the clock.

Text. Every date a page, mail, log entry or document shows is written here, in Django's
Swedish month and weekday names: "måndag 7 december 2026 kl. 14:00", "7 december 2026".
Swedish whatever language is active, since the text is also stored (log entries, notices,
lägesrapporter) and written outside requests (the reminder scan, the outbox). Never Django's
abbreviating formats: "M" title-cases the Swedish abbreviation, so December is "Dec" and a
lägesrapport read "4 Dec 2026".

The clock. "Every 7 days" is the same time of day a week later, also across the changes to
and from summer time (the last Sundays of March and October, EU directive 2000/84/EC): a
report due at 10:00 is due at 10:00, not at 09:00 after the October change as 168 hours
would make it. add_days counts days on the Stockholm clock; elapsed spans in hours and
minutes (a meeting within 120 minutes) stay real time.

Typed clock times. A datetime-local field sends a clock time without an offset. On the night
summer time ends, 02:00 to 02:59 happens twice; on the night it starts, not at all. Such a
time is read as RFC 5545 3.3.5 reads a local DATE-TIME, and so as every calendar reads the
meeting's .ics (events.ics): a doubled time is its first occurrence, a skipped one is read
with the offset before the gap (02:30 is 03:30 summer time). Django's own DateTimeField
refuses both; ClockField reads them so.
"""

from datetime import UTC, date, datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import BaseTemporalField
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime

SWEDISH = "sv"
DAY_FORMAT = "j F Y"
MOMENT_FORMAT = "j F Y \\k\\l. H:i"


def moment_text(moment: datetime, *, weekday: bool = False, seconds: bool = False) -> str:
    """An aware moment as Stockholm time in Swedish: '7 december 2026 kl. 14:00';
    `weekday` puts the day's name first ('måndag 7 december 2026 kl. 14:00'), `seconds`
    adds them ('… kl. 14:00:05', where two saves a moment apart must be told apart)."""
    fmt = ("l " if weekday else "") + MOMENT_FORMAT + (":s" if seconds else "")
    return _swedish(timezone.localtime(moment), fmt)


def day_text(value: date | datetime) -> str:
    """A date, or the Stockholm day of an aware moment, in Swedish: '7 december 2026'."""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return _swedish(value, DAY_FORMAT)


def _swedish(value: date, fmt: str) -> str:
    with translation.override(SWEDISH):
        return formats.date_format(value, fmt)


def clock(moment: datetime) -> datetime:
    """The naive Stockholm clock time of an aware moment."""
    return timezone.localtime(moment, timezone.get_default_timezone()).replace(tzinfo=None)


def from_clock(value: datetime) -> datetime:
    """The moment a naive Stockholm clock time stands for, as RFC 5545 3.3.5 reads a local
    time: of a time that happens twice, the first; a time skipped in spring as the same
    time after the gap (02:30 → 03:30 summer time). Every value is accepted.

    Aware in UTC, as the database holds it: an aware Stockholm time in the doubled hour is
    never == to a moment in another zone (PEP 495), so a comparison with a stored moment
    would go wrong that night."""
    # fold=0 gives a doubled time its first offset and a skipped one the offset before the
    # gap (PEP 495).
    return value.replace(tzinfo=timezone.get_default_timezone(), fold=0).astimezone(UTC)


def reads_back(moment: datetime) -> bool:
    """Whether `moment`'s clock time, typed or in a calendar, is read as `moment` again: not
    in the second 02:00 to 02:59 of the night summer time ends."""
    return from_clock(clock(moment)) == moment.astimezone(UTC)


def add_days(moment: datetime, days: int) -> datetime:
    """`days` days (negative: back) from an aware moment on the Stockholm clock: the same
    time of day whatever change to or from summer time lies between; aware, in UTC
    (from_clock). The one place days are added to a moment."""
    return from_clock(clock(moment) + timedelta(days=days))


def periods_passed(since: datetime, now: datetime, days: int) -> int:
    """How many whole periods of `days` days (days ≥ 1, counted by add_days) lie between
    `since` and `now`: the largest n ≥ 0 with add_days(since, n * days) <= now."""
    # The clock and real time differ by an hour at most, less than a period: the count of
    # real periods is at most one off.
    n = max(0, (now - since) // timedelta(days=days))
    if n and add_days(since, n * days) > now:
        return n - 1
    if add_days(since, (n + 1) * days) <= now:
        return n + 1
    return n


# The years a typed time may fall in. Python's datetime ends at years 1 and 9999, and a
# clock time there cannot be moved to UTC or a day on (OverflowError); no case's time lies
# near either end.
FIRST_YEAR = 1900
LAST_YEAR = 2999


class ClockField(forms.DateTimeField):
    """A datetime-local field: a Stockholm clock time, read by from_clock, so that every time
    the field shows or a person types is taken, also on the nights of the changes. A value
    with its own offset (ISO 8601) is taken as it says. A time outside FIRST_YEAR to
    LAST_YEAR is refused with a message that repeats what was typed."""

    default_error_messages = {
        "out_of_range": (
            f"”%(value)s” går inte att använda: skriv en tid mellan år {FIRST_YEAR} och "
            f"{LAST_YEAR}."
        ),
    }

    def to_python(self, value):
        typed = value
        if isinstance(value, str) and value.strip():
            value = value.strip()
            try:
                parsed = parse_datetime(value)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            # Else the input formats, as Django's field tries them.
            value = parsed or BaseTemporalField.to_python(self, value)
        if isinstance(value, datetime) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"value": typed.strip() if isinstance(typed, str) else value},
            )
        if isinstance(value, datetime) and timezone.is_naive(value):
            value = from_clock(value)
        return super().to_python(value)


# The days a typed date may fall on, as a ClockField's times.
DAYS = (date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))


class DayField(forms.DateField):
    """A date typed in a date input (ISO 8601, "2026-01-14", or DATE_INPUT_FORMATS): a day
    from `days[0]` to `days[1]` (default DAYS, the years a ClockField takes; an app whose
    pages draw a narrower span passes its own). A year such as 0001 or 9999 is a slip of the
    keyboard: it is refused, the input kept, with the span in the message. The date input
    offers the same span (min, max)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, *, days: tuple[date, date] = DAYS, **kwargs):
        self.days = days
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.DateInput):
            attrs |= {"min": self.days[0].isoformat(), "max": self.days[1].isoformat()}
        return attrs

    def validate(self, value):
        super().validate(value)
        if value and not self.days[0] <= value <= self.days[1]:
            raise ValidationError(
                f"Skriv ett datum mellan {self.days[0].year} och {self.days[1].year}.",
                code="out_of_range",
            )
