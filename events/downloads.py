"""Files the user downloads, named one way: the Content-Disposition every export and
document answers with."""

import unicodedata

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """`content` as a download named after `filename` ("lägesrapport-KS 2026/0001-v2.pdf").

    The name keeps letters and digits of any script, ".", "-" and "_"; anything else (the
    case number's "/" and spaces) becomes "-", after NFKC (full-width digits are ASCII
    ones). RFC 6266 section 4.3: an ASCII `filename` for every client
    ("lagesrapport-KS-2026-0001-v2.pdf") and, when the name has other letters, a
    `filename*` (RFC 8187, UTF-8) that current browsers prefer. Both are written by
    Django's content_disposition_header.
    """
    name = "".join(
        char if char.isalnum() or char in "._-" else "-"
        for char in unicodedata.normalize("NFKC", filename)
    )
    # Å is A and a ring above: without the ring it is ASCII. A letter that does not
    # decompose (ø, ß) becomes "-" like any other.
    ascii_name = "".join(
        char if char.isascii() else "-"
        for char in unicodedata.normalize("NFKD", name)
        if not unicodedata.combining(char)
    )
    header = content_disposition_header(as_attachment=True, filename=ascii_name)
    if name != ascii_name:
        extended = content_disposition_header(as_attachment=True, filename=name)
        header += "; " + extended.removeprefix("attachment; ")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = header
    return response
