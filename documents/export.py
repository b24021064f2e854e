"""The case register (diarieblad) as CSV: the public entry of every document, never its title.

Semicolon-separated with a byte order mark, as Excel with Swedish settings opens it. A cell
that Excel or LibreOffice would take for a formula ("=", "+", "-", "@") is written with a
leading apostrophe (OWASP CSV injection), as events.workbook guards its cells.
"""

import csv
import io

from django.utils import timezone

from accounts.text import clean
from events.workbook import FORMULA_STARTS

COLUMNS = [
    "Nummer",
    "Registrerad",
    "Handlingens datum",
    "Inkommande/upprättad",
    "Avsändare/upprättad av",
    "Ärendemening",
    "Anmärkning",
]


def _cell(value: str) -> str:
    # Cleaned first, tested after: "\x01=HYPERLINK(…)" is a formula once the \x01 is gone.
    value = clean(value, multiline=False)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def register_csv(documents) -> bytes:
    """`documents` (with their event loaded, in register order) as CSV bytes, UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for document in documents:
        writer.writerow(
            _cell(value)
            for value in [
                document.number,
                # ISO dates on the Stockholm clock: a spreadsheet sorts and filters them.
                timezone.localtime(document.registered_at).strftime("%Y-%m-%d %H:%M"),
                document.document_date.isoformat(),
                document.get_direction_display(),
                document.public_counterpart,
                document.public_entry,
                "Registrerad av misstag" if document.is_voided else "",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
