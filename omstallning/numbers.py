"""Numbers as Swedish readers write them (Språkrådet, Svenska skrivregler 12.3): a decimal
comma, thousands grouped by a no-break space, a real minus sign. `text` writes them for
every page, log line and chart axis of the app; `SwedishDecimalField` reads them back."""

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django import forms
from django.core.exceptions import ValidationError

NBSP = "\u00a0"
MINUS = "\u2212"
# What people type between thousands: a space, a no-break space or a narrow one.
_GROUPING = re.compile(r"[ \u00a0\u202f]")
# Digits, optionally a sign and one decimal separator; no exponent ("1e3" is a typo).
_PLAIN = re.compile(r"[-\u2212]?\d+(?:[.,]\d+)?")


def text(value, decimals: int = 3) -> str:
    """`value` (int, float, Decimal or Fraction) in Swedish with at most `decimals`
    decimals and no trailing zeros: 1200.5 → "1 200,5", Fraction(1, 3) → "0,333",
    -1000 → "\u22121 000" (no-break space, minus sign). None → ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    value = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    value = value.quantize(Decimal(1).scaleb(-decimals))
    if not value:
        return "0"
    whole, _, fraction = format(abs(value), "f").partition(".")
    fraction = fraction.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", NBSP)
    return (MINUS if value < 0 else "") + grouped + ("," + fraction if fraction else "")


class SwedishDecimalField(forms.DecimalField):
    """A decimal as Swedish people type it: "1 200", "1 200,5", "1,5" or "1.5"; refused
    with a Swedish message (the input kept) for an exponent ("1e3") or other text."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid": "Skriv ett tal, till exempel 1 200 eller 12,5.",
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        typed = _GROUPING.sub("", str(value).strip())
        if not _PLAIN.fullmatch(typed):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return Decimal(typed.replace(",", ".").replace(MINUS, "-"))
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def widget_attrs(self, widget):
        # A text box: type="number" would refuse "1 200" and "12,5" in the browser.
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.setdefault("inputmode", "decimal")
        return attrs
