"""Moments and days in templates, written as the product writes them everywhere else
(accounts.moments): "3 december 2026 kl. 14:00", "3 december 2026", Stockholm time.

    {% load moments %}
    {{ task.due_at|moment }}   {{ revision.at|moment:"sekunder" }}   {{ clock.notice_on|day }}

Nothing (None, "") is written as nothing, so a `default` filter after it still works.
"""

from datetime import date, datetime

from django import template

from accounts.moments import day_text, moment_text

register = template.Library()


@register.filter
def moment(value, precision: str = ""):
    """A time of day on a day; "sekunder" adds the seconds, where two saves a moment apart
    must be told apart (a row changed while the user typed)."""
    if not isinstance(value, datetime):
        return day(value)
    return moment_text(value, seconds=precision == "sekunder")


@register.filter
def day(value):
    """The day alone: a date, or the local day of a moment."""
    if not isinstance(value, date):
        return ""
    return day_text(value)
