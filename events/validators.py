import re

from django.conf import settings
from django.core.exceptions import ValidationError

ORG_NUMBER = re.compile(r"^(\d{6})-(\d{4})$")


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
    """Swedish organisationsnummer: NNNNNN-NNNN whose last digit is a Luhn check digit."""
    match = ORG_NUMBER.match(value)
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


def validate_case_number(value: str):
    if not re.fullmatch(settings.CASE_NUMBER_REGEX, value):
        raise ValidationError(
            "Diarienumret ska ha formen %(example)s.",
            code="format",
            params={"example": settings.CASE_NUMBER_EXAMPLE},
        )
