"""The identifiers an event carries: the company's organisationsnummer and the case's
diarienummer. Each is stored in one ASCII form (accounts.text.identifier), whatever was
typed or pasted, so that the same number never exists twice in two spellings."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.text import CleanCharField, identifier

# ASCII digits only: `\d` takes any script's digits (full-width, Arabic-Indic).
ORG_NUMBER = re.compile(r"([0-9]{6})-([0-9]{4})")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def validate_org_number(value: str):
    """Swedish organisationsnummer: NNNNNN-NNNN whose last digit is a Luhn check digit
    (Skatteverket, SKV 709)."""
    match = ORG_NUMBER.fullmatch(value)
    if not match:
        raise ValidationError(
            "Skriv organisationsnumret som NNNNNN-NNNN, till exempel 556036-0793.",
            code="format",
        )
    if not luhn_ok(match.group(1) + match.group(2)):
        raise ValidationError(
            "Organisationsnumret stämmer inte (kontrollsiffran är fel). Kontrollera siffrorna.",
            code="checksum",
        )


class OrgNumberField(CleanCharField):
    """An organisationsnummer, stored as NNNNNN-NNNN in ASCII digits: typed full-width, with
    an en dash, with spaces or without the hyphen, it is the same number."""

    default_validators = [validate_org_number]

    def normalise(self, value: str) -> str:
        value = identifier(value).replace(" ", "")
        if re.fullmatch("[0-9]{10}", value):
            value = f"{value[:6]}-{value[6:]}"
        return value


def parse_case_number(value: str) -> tuple[int | None, int] | None:
    """(year, serial) of a diarienummer in CASE_NUMBER_FORMAT, as integers: "KS 2026/01",
    "ks 2026/0001" and the same in full-width digits are all (2026, 1). The year is None
    when the format has none; None when `value` is no diarienummer."""
    match = re.fullmatch(settings.CASE_NUMBER_REGEX, identifier(value), re.IGNORECASE)
    if match is None:
        return None
    year = match.groupdict().get("year")
    return (int(year) if year else None, int(match["seq"]))


def format_case_number(year: int, serial: int) -> str:
    """The one way a diarienummer is written (CASE_NUMBER_FORMAT, e.g. "KS 2026/0007")."""
    return settings.CASE_NUMBER_FORMAT.format(year=year, seq=serial)


def validate_case_number(value: str):
    if parse_case_number(value) is None:
        raise ValidationError(
            "Diarienumret ska ha formen %(example)s.",
            code="format",
            params={"example": settings.CASE_NUMBER_EXAMPLE},
        )


class CaseNumberField(CleanCharField):
    """A diarienummer, stored as format_case_number writes it, so that its unique constraint
    compares year and serial as integers: "KS 2026/01" is "KS 2026/0001", already taken.
    Text that is no diarienummer (typed before the format was enforced) is kept as it is."""

    default_validators = [validate_case_number]

    def normalise(self, value: str) -> str:
        parsed = parse_case_number(value)
        return format_case_number(*parsed) if parsed else identifier(value)
