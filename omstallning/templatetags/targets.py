from decimal import Decimal
from fractions import Fraction

from django import template

register = template.Library()


@register.filter
def number(value) -> str:
    """A measured or planned value in Swedish: decimal comma, no trailing zeros, at most
    three decimals (the precision values are stored with), a minus sign for negatives:
    Decimal("62.500") → "62,5", Fraction(1, 3) → "0,333"."""
    if value is None or value == "":
        return ""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    value = Decimal(value).quantize(Decimal("0.001"))
    text = format(value.normalize(), "f") if value else "0"
    return text.replace(".", ",").replace("-", "\u2212")
