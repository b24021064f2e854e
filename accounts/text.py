"""Text as it is stored: one form for whatever people type, paste or import.

- Unicode NFC. macOS, PDFs and some mail programs hand over decomposed letters ("å" as
  "a" + combining ring); stored as typed, such a name is not found by a search typed on a
  Windows keyboard, and two identical-looking names can coexist.
- No control characters. An Excel cell cannot hold them (openpyxl refuses the C0 controls
  but tab, line feed and carriage return), so a text holding one would not come back
  unchanged from an export; a PDF draws them as missing-glyph boxes. Those that separate
  lines (vertical tab, form feed, U+2028, U+2029, CR) become a line break in multi-line
  text; every other one, and every line break in a one-line text, becomes a space.

Python's own `unicodedata`; the control characters are Unicode category Cc (C0, DEL, C1)
plus the two separators of category Zl/Zp.
"""

import re
import unicodedata

# Line separators: CR LF and CR (as pasted from Windows and old Mac files), VT and FF (as
# Word writes a manual line or page break), NEL, and Unicode's line/paragraph separators.
_LINE_BREAK = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Every other control character, tab included (a form field cannot show it as typed).
_CONTROL = re.compile("[\x00-\x09\x0e-\x1f\x7f-\x84\x86-\x9f]")


def clean(value: str, *, multiline: bool) -> str:
    """`value` as stored: NFC, line separators made "\\n" (or a space when not
    `multiline`), every other control character a space. Not stripped: a form field strips,
    and a model field must give back what it was given apart from these characters.

    >>> clean("Norsjo\u0308\x0bgruvan", multiline=True)
    'Norsjö\\ngruvan'
    >>> clean("Ta fram\x0bsiffror", multiline=False)
    'Ta fram siffror'
    """
    value = _LINE_BREAK.sub("\n" if multiline else " ", value)
    if not multiline:
        value = value.replace("\n", " ")
    return unicodedata.normalize("NFC", _CONTROL.sub(" ", value))
