from django import template

from omstallning import numbers
from omstallning.access import mask

register = template.Library()


@register.filter
def number(value) -> str:
    """A measured or planned value in Swedish (omstallning.numbers.text): decimal comma,
    thousands grouped, at most three decimals: Decimal("1200.500") → "1 200,5"."""
    return numbers.text(value)


@register.filter
def money(value) -> str:
    """An amount in kronor in Swedish (omstallning.numbers.money): "1 200 000 kr"."""
    return numbers.money(value)


@register.filter
def masked(text, hidden) -> str:
    """Free text of the programme (a name, a log line, a source) with the names of every
    confidential linked event the reader is outside replaced by its case number; `hidden`
    is the programme's `.hidden` (omstallning.access.shown)."""
    return mask(str(text), hidden or [])
