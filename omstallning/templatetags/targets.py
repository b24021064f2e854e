from django import template

from omstallning import numbers

register = template.Library()


@register.filter
def number(value) -> str:
    """A measured or planned value in Swedish (omstallning.numbers.text): decimal comma,
    thousands grouped, at most three decimals: Decimal("1200.500") → "1 200,5"."""
    return numbers.text(value)
