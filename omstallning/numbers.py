"""Numbers as Swedish readers write them (Språkrådet, Svenska skrivregler 12.3): a decimal
comma, thousands grouped by a no-break space, a real minus sign. `text` writes them for
every page, log line and chart axis of the app; `SwedishDecimalField` reads them back."""

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django import forms
from django.core.exceptions import ValidationError

NBSP = "\u00a0"
MINUS = "\u2212"
# What people type (or paste from a word processor) between thousands: a space, a no-break
# space, a narrow no-break space, a thin space or a figure space.
_GROUPING = re.compile(r"[ \u00a0\u202f\u2009\u2007]")
# The currency written after an amount: "kr", "kr.", "SEK" or ":-".
_CURRENCY = re.compile(r"\s*(?:kr\.?|kronor|sek|:-)$", re.IGNORECASE)
# Digits, optionally a sign and one decimal separator; no exponent ("1e3" is a typo). The
# digits are ASCII [0-9] after NFKC (a full-width three, U+FF13, is 3), never `\d`: Python
# would read an Arabic-Indic three (U+0663) as 3, which nobody in a Swedish budget meant
# (as accounts.text's identifier).
_PLAIN = re.compile(r"[-\u2212]?[0-9]+(?:[.,][0-9]+)?")


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


def money(value) -> str:
    """An amount in kronor as a Swedish budget writes it: thousands grouped, öre only when
    there are any, and "kr": Decimal("1200000.00") → "1 200 000 kr", Decimal("1200000.5")
    → "1 200 000,50 kr". None → ""."""
    if value is None or value == "":
        return ""
    value = Decimal(value).quantize(Decimal("0.01"))
    written = text(value, 2)
    if value != value.to_integral_value() and len(written.rpartition(",")[2]) == 1:
        written += "0"
    return f"{written}{NBSP}kr"


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
        typed = _GROUPING.sub("", unicodedata.normalize("NFKC", str(value)).strip())
        if not _PLAIN.fullmatch(typed):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return Decimal(typed.replace(",", ".").replace(MINUS, "-"))
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        # A stored value shown back for editing as it was typed: "1 200,5", not "1200.500".
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return text(value, self.decimal_places or 3)
        return value

    def widget_attrs(self, widget):
        # A text box: type="number" would refuse "1 200" and "12,5" in the browser.
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.setdefault("inputmode", "decimal")
        return attrs


class YearField(forms.IntegerField):
    """A year typed in ASCII digits (after NFKC, as SwedishDecimalField): int() would take
    "٢٠٢٦" for 2026. Refused with a Swedish message, the input kept."""

    widget = forms.TextInput
    default_error_messages = {"invalid": "Skriv året med siffror, till exempel 2026."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        typed = unicodedata.normalize("NFKC", str(value)).strip()
        if not re.fullmatch(r"[0-9]{1,4}", typed):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(typed)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("inputmode", "numeric")
        return attrs


class SwedishAmountField(SwedishDecimalField):
    """An amount in kronor as people type it: "1 200 000", "1 200 000 kr", "1200000,50",
    "1 200 000:-", grouped by any kind of space; at most two decimals (öre), never below
    zero. Refused with a Swedish message, the input kept."""

    default_error_messages = {
        "invalid": "Skriv ett belopp i kronor, till exempel 1 200 000 eller 1 200 000,50 kr.",
        "max_decimal_places": "Skriv beloppet i kronor med högst två decimaler (öre).",
        "min_value": "Beloppet kan inte vara mindre än noll.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = _CURRENCY.sub("", value.strip())
        return super().to_python(value)

    def prepare_value(self, value):
        # Shown back (in its box, and beside it when somebody saved first) as a budget
        # writes money: "1 234 567,50 kr", which to_python reads again.
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return money(value)
        return value

    def widget_attrs(self, widget):
        # A text box takes no min: the bound is checked here, with a Swedish message.
        attrs = super().widget_attrs(widget)
        attrs.pop("min", None)
        return attrs
