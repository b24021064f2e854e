"""Workbooks that people edit in Excel or LibreOffice and hand back: the rules every export
and import in the project keeps, in one place. An app lays out its own sheets and says what
its rows mean; how a file is opened, how its text is compared and how its edits meet the
app's are decided here.

- Limits. A cell holds at most CELL_LIMIT characters ("Excel specifications and limits":
  32,767, counted in UTF-16 code units, as a browser counts a field's length too). Every
  text that is exported must be refused longer at input (`fits_in_cell`), and an import
  never cuts a cell to fit its field: `over_limit` names what is too long.
- Opening a file (`read_sheet`). It is checked before it is parsed (size, zip entries and
  their uncompressed sizes), parsed with defusedxml active (openpyxl uses it when it is
  installed), and streamed (openpyxl's read-only mode) without trusting the sheet's own
  `<dimension>`: a file that understates it would hide the rows below it, and an import
  would take them for removed. At most MAX_LINES lines are read; a small file can claim a
  million.
- Values (`read_sheet`, `cell_text`). A formula is read as the value the spreadsheet
  program last computed and saved for it, as the user saw it; a formula saved without one
  (openpyxl writes none, nor do some converters) is `Uncomputed`, an error at its cell
  (`cell_problem`), never its formula text. A number, date, time or TRUE/FALSE in a text
  field reads as Swedish Excel shows it: "3,5", "12 december 2026", "SANT".
- Text (`text_of`, `cell_text`). A file's text and the stored text are compared in one
  form, the one `accounts.text.clean` stores (NFC, no control characters), stripped: an
  untouched export then reads back as no change, whatever the text held. A control
  character that Excel saved as the file format's escape (ECMA-376 part 1, 22.9.2.19
  ST_Xstring: "_x000B_") is that character before it is cleaned; a text that itself reads
  like such an escape is written escaped ("_x005F_x000B_") and reads back as written.
- Writing (`put`, `text_cell`). Text is cleaned the same way and stored as text and only
  text: a cell that starts like a formula is never evaluated. `row_height` fits a row to its
  wrapped text, which neither Excel nor LibreOffice does on opening a file.
- Edits meeting edits (`merge`, `first_time`). A row edited both in the file and in the app
  since the export is merged field by field against what the export wrote: only a field
  both changed, differently, is a conflict. New rows carry no id, so an import remembers
  which it added from which export, and the same file read again adds nothing.
"""

import functools
import io
import json
import re
import zipfile
from collections import Counter
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import openpyxl
from defusedxml import DefusedXmlException
from django.core.exceptions import ValidationError
from openpyxl.cell.cell import Cell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.escape import unescape

from accounts.moments import day_text
from accounts.text import clean

CELL_LIMIT = 32_767
MAX_ENTRIES = 200
MAX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_RATIO = 150
# Lines of a sheet read at most: ten times the largest sheet we plan for.
MAX_LINES = 20_000
# Excel and LibreOffice evaluate (or offer to evaluate) cells starting with these. (Tab and
# carriage return, which they do too, are a space and a line break once text is cleaned.)
FORMULA_STARTS = ("=", "+", "-", "@")
# Points per line of wrapped text in the default font (Calibri 11 in Excel, Carlito in
# LibreOffice): the default row height.
LINE_POINTS = 15


class WorkbookError(Exception):
    """A file the import refuses; the message is shown to the user as it is."""


def number(n: int) -> str:
    """n the Swedish way, thousands apart: 32 767."""
    return f"{n:,}".replace(",", " ")


# Limits ------------------------------------------------------------------------------------


def cell_length(text: str) -> int:
    """Characters as a cell counts them: UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def fits_in_cell(value: str) -> None:
    """Django validator for a text that is exported: at most CELL_LIMIT characters in the
    form it is stored (line breaks as one character each, as a browser counts them; a
    form posts them as two). ValidationError saying the count and the limit."""
    length = cell_length(clean(value, multiline=True))
    if length > CELL_LIMIT:
        raise ValidationError(
            f"Texten är {number(length)} tecken lång. En cell i Excel rymmer högst "
            f"{number(CELL_LIMIT)}, så högst så mycket kan sparas här: korta den med "
            f"{number(length - CELL_LIMIT)} tecken.",
            code="max_length",
        )


def fit_cell(text: str) -> str:
    """`text` as a cell holds it: cut after CELL_LIMIT code units, never inside a character.
    Only a text stored before the limit was kept at input can be longer; the export cuts it
    here rather than leave it to openpyxl (which cuts at as many code points, silently) or
    to Excel, and the import knows the cut text for the stored one (`same`)."""
    if cell_length(text) <= CELL_LIMIT:
        return text
    return text.encode("utf-16-le")[: CELL_LIMIT * 2].decode("utf-16-le", errors="ignore")


def over_limit(text: str, max_length: int | None) -> str | None:
    """Why `text` does not fit a field of `max_length` characters (None: a text field, as
    long as a cell), or None when it fits. Said to the user as it is, after the field."""
    if max_length is None:
        length, limit = cell_length(text), CELL_LIMIT
    else:
        length, limit = len(text), min(max_length, CELL_LIMIT)
    if length <= limit:
        return None
    return f"texten är {number(length)} tecken lång, högst {number(limit)} får plats"


# Opening a file -----------------------------------------------------------------------------


def check_archive(data: bytes) -> None:
    """Refuse what is not an .xlsx, or what would expand suspiciously, before parsing."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise WorkbookError(
            "Filen är inte en Excel-arbetsbok (.xlsx). Spara den som Excel-arbetsbok och "
            "försök igen."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        raise WorkbookError("Filen är skadad och kan inte läsas som en Excel-arbetsbok.") from None
    if len(entries) > MAX_ENTRIES:
        raise WorkbookError(
            f"Filen innehåller {len(entries)} delar; en arbetsbok härifrån har ett tiotal. "
            "Den har inte lästs."
        )
    total = sum(entry.file_size for entry in entries)
    ratio = max((e.file_size / max(e.compress_size, 1) for e in entries), default=0)
    if total > MAX_UNCOMPRESSED or (ratio > MAX_RATIO and total > 1024 * 1024):
        raise WorkbookError(
            "Filen packas upp till misstänkt mycket data (uppackad storlek "
            f"{total // (1024 * 1024)} MB). Den har inte lästs."
        )
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        raise WorkbookError("Filen är inte en Excel-arbetsbok (.xlsx): arbetsboken saknas i den.")


@dataclass(frozen=True)
class Uncomputed:
    """A formula cell saved without a computed value: its `formula` ("=TODAY()+7")."""

    formula: str


# A cell's formula element (<f>, or <x:f> with a namespace prefix) in a worksheet's XML.
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _open(data: bytes, *, data_only: bool):
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise _unreadable(error) from None


def _rows(wb, title: str, columns: int):
    ws = wb[title]
    # The file's own claim of its used range: understated, it would hide rows (openpyxl
    # stops at it); overstated, the line limit below still holds.
    ws.reset_dimensions()
    # Only the columns asked for: a cell far out to the right would otherwise make openpyxl
    # pad every line out to it.
    for values in ws.iter_rows(max_col=columns, values_only=True):
        yield tuple(values) + (None,) * (columns - len(values))


def read_sheet(
    data: bytes, title: str, *, columns: int, max_lines: int = MAX_LINES
) -> list[tuple] | None:
    """The values of the worksheet `title`, line by line from line 1, each line a tuple of
    `columns` values (None for an empty cell); None if the file has no such worksheet. A
    formula cell holds the value last computed and saved for it, or is `Uncomputed`.

    Every line the file holds is read, whatever its `<dimension>` says; more than
    `max_lines` lines (counting the empty ones between) is a WorkbookError, as is anything
    check_archive refuses or openpyxl cannot parse."""
    check_archive(data)
    wb = _open(data, data_only=True)
    # With data_only, a formula saved without its value reads as an empty cell: its formula
    # is read too (a second parse, only for a file with formulas) to tell the two apart.
    formulas = None
    try:
        if title not in wb.sheetnames:
            return None
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if any(
                _FORMULA.search(archive.read(name))
                for name in archive.namelist()
                if name.startswith("xl/worksheets/")
            ):
                formulas = _open(data, data_only=False)
        lines = []
        try:
            computed = _rows(wb, title, columns)
            written = _rows(formulas, title, columns) if formulas is not None else None
            for values in computed:
                if len(lines) == max_lines:
                    raise WorkbookError(
                        f"Filen har fler än {number(max_lines)} rader, vilket en arbetsbok "
                        "härifrån aldrig har. Den har inte lästs."
                    )
                if written is not None:
                    values = tuple(
                        Uncomputed(str(formula))
                        if value is None and formula is not None
                        else value
                        for value, formula in zip(values, next(written), strict=True)
                    )
                lines.append(values)
        except WorkbookError:
            raise
        except Exception as error:  # the worksheet's XML is parsed only now (read-only)
            raise _unreadable(error) from None
        return lines
    finally:
        wb.close()
        if formulas is not None:
            formulas.close()


def _unreadable(error: Exception) -> WorkbookError:
    # openpyxl wraps defusedxml's refusal in a ValueError of its own.
    while error is not None:
        if isinstance(error, DefusedXmlException):
            return WorkbookError(
                "Filen innehåller otillåten XML (t.ex. egna entiteter) och har inte lästs."
            )
        error = error.__cause__ or error.__context__
    return WorkbookError("Filen kunde inte läsas som en Excel-arbetsbok.")


# Text ----------------------------------------------------------------------------------------


def text_of(value: str, *, multiline: bool) -> str:
    """A stored or read text in the form the two are compared in: as `clean` stores it,
    without the spaces and line breaks around it (a form field strips them too)."""
    return clean(value, multiline=multiline).strip()


def cell_text(value, *, multiline: bool) -> str:
    """A cell's value (read_sheet) as text (text_of), as Swedish Excel shows it: a date
    (what a spreadsheet program makes of "2026-12-12" typed) "12 december 2026", with its
    time "12 december 2026 kl. 14:00", a time "14:00", a duration "36:00", a number "3,5"
    and a whole one "7", TRUE and FALSE "SANT" and "FALSKT". Text has its escapes
    ("_x000B_") undone. An Uncomputed formula is "" (cell_problem says why)."""
    if value is None or isinstance(value, Uncomputed):
        return ""
    if isinstance(value, bool):
        value = "SANT" if value else "FALSKT"
    elif isinstance(value, datetime):
        value = day_text(value.date()) + (
            f" kl. {_clock(value.time())}" if value.time() != time() else ""
        )
    elif isinstance(value, date):
        value = day_text(value)
    elif isinstance(value, time):
        value = _clock(value)
    elif isinstance(value, timedelta):
        minutes = round(value.total_seconds() / 60)
        value = f"{'-' if minutes < 0 else ''}{abs(minutes) // 60}:{abs(minutes) % 60:02d}"
    elif isinstance(value, float):
        # Excel keeps 15 significant digits: 0.1+0.2 computed is 0.3 in the cell.
        value = int(value) if value.is_integer() else f"{value:.15g}".replace(".", ",")
    elif isinstance(value, str):
        value = unescape(value)
    return text_of(str(value), multiline=multiline)


def _clock(value: time) -> str:
    return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"


def cell_problem(value) -> str | None:
    """Why a cell's value (read_sheet) cannot be read as text, or None. Said to the user as
    it is, after the cell's field."""
    if isinstance(value, Uncomputed):
        return "cellen innehåller en formel utan värde – skriv in värdet"
    return None


def heading(value) -> str:
    """A heading cell in the form headings are compared in: cell_text on one line, spaces
    collapsed, case folded, so "Vad", " vad " and "När" typed decomposed (NFD) are the
    headings the export wrote."""
    return " ".join(cell_text(value, multiline=False).split()).casefold()


# Writing -------------------------------------------------------------------------------------


# Text that reads like the file format's escape of a character ("_x000B_"): Excel and
# cell_text would read the character, so its underscore is escaped ("_x005F_x000B_"), as
# Excel writes such a text.
_ESCAPE_LIKE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")


def _literal(text: str) -> str:
    return _ESCAPE_LIKE.sub("_x005F_", text)


def _guard(cell: Cell, value) -> Cell:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        # Excel shows it with a leading apostrophe and keeps it text when edited.
        cell.quotePrefix = True
    return cell


def put(ws, row: int, column: int, value, style: StyleArray | None = None) -> Cell:
    """Write a cell; text is cleaned (control characters a space or a line break, as text is
    stored) and text that looks like a formula is stored as text, never evaluated."""
    # Cleaned first, tested after: "\x01=HYPERLINK(…)" is a formula once the \x01 is gone.
    if isinstance(value, str):
        value = fit_cell(clean(value, multiline=True))
        cell = ws.cell(row=row, column=column)
        # Past openpyxl's check, as in text_cell: escaped, a text as long as a cell holds is
        # longer than openpyxl lets through uncut.
        cell._value, cell.data_type = _literal(value), "s"
    else:
        cell = ws.cell(row=row, column=column, value=value)
    if style is not None:
        cell._style = copy(style)
    return _guard(cell, value)


def text_cell(ws, value: str, style: StyleArray, *, multiline: bool = True) -> Cell:
    """A cell for ws.append that holds text and only text: whatever it starts with, Excel
    stores it as a string and never evaluates it. Cleaned as a field of `multiline` text
    stores it."""
    value = fit_cell(clean(value, multiline=multiline))
    cell = Cell(ws)
    # Set past openpyxl's own check of the text (a third of an export's time at 2,000
    # rows), which it cannot fail: `clean` left no character it refuses and fit_cell no
    # more than a cell holds.
    cell._value = _literal(value)
    cell.data_type = "s"
    cell._style = copy(style)
    return _guard(cell, value)


def styled(wb, **parts) -> StyleArray:
    """A cell style made once per workbook from openpyxl style objects (alignment=…,
    font=…, fill=…), to copy into many cells. Assigning `cell.alignment` per cell hashes
    the object each time: a third of an export's time at 2,000 rows; copying the finished
    style array (as openpyxl's own copy_worksheet does) costs next to nothing."""
    style = StyleArray()
    stores = {
        "alignment": wb._alignments,
        "font": wb._fonts,
        "fill": wb._fills,
        "protection": wb._protections,
    }
    for name, value in parts.items():
        setattr(style, f"{name}Id", stores[name].add(value))
    return style


# Widths of characters relative to "0", the unit of a column's width, in the default font
# (Calibri; Carlito in LibreOffice has its metrics), in classes rounded up; anything else
# (digits, most lower-case letters, other scripts) as "0" and a little more. Wrapping is
# estimated from these: neither Excel nor LibreOffice fits a row's height to its text on
# opening a file.
class _Widths(dict):
    def __missing__(self, char):
        return 1.05


_WIDTHS = _Widths(
    {chr(c): 1.05 for c in range(32, 127)}
    | {
        c: width
        for chars, width in (
            ("ijl.,:;'|!I ", 0.5),
            ("ftr-()[]J/", 0.7),
            ("szcxvykgaeåäéLFSZETY", 1.0),
            ("VAÅÄDHGNUOÖQ&", 1.35),
            ("mwMW@%", 1.8),
        )
        for c in chars
    }
)
_WIDEST = 1.8


@functools.lru_cache(maxsize=4096)
def _width(word: str) -> float:
    # Cached: a case's text repeats its words, and this is most of an export's time.
    return sum(map(_WIDTHS.__getitem__, word))


def _lines(paragraph: str, room: float) -> int:
    """Lines a paragraph takes wrapped at spaces into `room` widths of "0"; a word longer
    than a line is broken, as both programs do."""
    if len(paragraph) * _WIDEST <= room:
        return 1
    lines, used = 1, 0.0
    for word in paragraph.split(" "):
        width = _width(word)
        if used and used + _width(" ") + width <= room:
            used += _width(" ") + width
            continue
        if used:
            lines += 1
        while width > room:
            lines += 1
            width -= room
        used = width
    return lines


def row_height(texts, widths) -> float | None:
    """The height in points that shows `texts` whole when wrapped in columns of `widths`
    (Excel's width unit: one "0" of the default font), or None for one line.

    An estimate on the safe side. Measured against LibreOffice 7.4's own optimal heights for
    500 rows of Swedish case text in the export's six widths: never short with Carlito
    (Calibri's metrics) nor with DejaVu Sans (what a machine without either shows), about a
    fifth taller than needed on average."""
    lines = 1
    for text, width in zip(texts, widths, strict=True):
        if text:
            # The room a line has, in "0"s: less the cell's margins, and less for a wider
            # font standing in for Calibri.
            room = max(width * 0.92 - 1.5, 1)
            lines = max(lines, sum(_lines(p, room) for p in str(text).split("\n")))
    # Excel's tallest row is 409 points; the rest of a longer text shows in the cell.
    return min(lines * LINE_POINTS, 409) if lines > 1 else None


# Edits meeting edits -------------------------------------------------------------------------


def same(cell: str, stored: str, *, multiline: bool) -> bool:
    """Whether a cell read back (`cell_text`) holds a stored text as the export wrote it:
    the same text, or a text too long for a cell cut as the export cut it (fit_cell)."""
    return cell == text_of(stored, multiline=multiline) or (
        cell_length(stored) > CELL_LIMIT
        and cell == text_of(fit_cell(clean(stored, multiline=True)), multiline=multiline)
    )


def merge(
    base: dict | None, app: dict, file: dict, *, multiline: dict[str, bool]
) -> tuple[dict, list[str]]:
    """A row edited in the file (`file`) and perhaps in the app since the export (`app`),
    merged field by field against what the export wrote (`base`; None when that is not
    known): a field changed on one side only takes that side's text, a field changed on
    both sides to the same text is no conflict. Returns (the merged content, the fields
    changed on both sides differently), the app's text standing in those fields. Texts are
    compared as `same` compares them (`multiline` by field); `app` and `base` as stored."""
    merged, conflicts = dict(app), []
    for field, theirs in file.items():
        ours, lines = app[field], multiline[field]
        if same(theirs, ours, multiline=lines):
            continue
        if base is not None and same(theirs, base[field], multiline=lines):
            continue  # untouched in the file: the app's newer text stands
        if base is not None and text_of(ours, multiline=lines) == text_of(
            base[field], multiline=lines
        ):
            merged[field] = theirs  # changed in the file only
            continue
        conflicts.append(field)
    return merged, conflicts


def row_key(*parts) -> str:
    """A new row's identity for `first_time`: its place and content, as one string."""
    return json.dumps(parts, ensure_ascii=False, sort_keys=True)


def first_time(keys: list[str], imported: Counter) -> list[bool]:
    """For the new rows of a file, by `row_key` in file order: True for each row not yet
    added by an earlier import of the same export, whose added rows' keys `imported` counts.
    A key added n times before is skipped n times: a row copied in the file is added once
    more, the same file read again adds nothing."""
    left = Counter(imported)
    fresh = []
    for key in keys:
        if left[key]:
            left[key] -= 1
            fresh.append(False)
        else:
            fresh.append(True)
    return fresh
