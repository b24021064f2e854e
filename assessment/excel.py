"""The bedömningsmall as an Excel workbook, and back.

Export: one worksheet laid out like the municipality's own sheet (the six parts as titled
blocks, columns Vad / Vem / När / Uppföljning / Status) that prints readably, plus worksheets
for the external parties and the tasks. Column G (hidden) carries each row's id and version
so that an edited copy can be read back; the export's change counter and time are in G2.

Import: the file is checked before it is parsed (size, zip entries and their uncompressed
sizes) and parsed with defusedxml active (openpyxl uses it when installed). Nothing here
writes to the database: `read_workbook` returns the file's rows and `plan_import` compares
them with the sheet.
"""

import io
import re
import uuid
import zipfile
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

import openpyxl
from defusedxml import DefusedXmlException
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.page import PageMargins

from assessment.models import ROW_FIELDS, STATUS_LABELS, Row, RowRevision
from assessment.parts import PARTS, SECTIONS
from events.models import Task

SHEET_TITLE = "Bedömningsmall"
HEADERS = ["Vad", "Vem", "När", "Uppföljning", "Status", "Till vem"]
# The row fields in the columns A to F.
COLUMNS = ["what", "who", "when", "follow_up", "status", "audience"]
WIDTHS = [55, 22, 16, 34, 13, 20]
REF_COLUMN = 7  # G, hidden
HEADER_ROW = 3
MARKER = "norsjo-bedomning"
CHAIN_PREFIX = "↳ "
CHAIN_PREFIXES = ("↳", "->", "→")
# The Status column read back. "Ny" is what the export writes for a delegated row whose
# task has not started; on a row without a task (a copy of that line) it means "Ej påbörjad".
STATUS_CODES = {label.lower(): value for value, label in Row.Status.choices} | {
    Task.Status.NY.label.lower(): Row.Status.EJ_PABORJAD
}
# Excel and LibreOffice evaluate (or offer to evaluate) cells starting with these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
PART_FONT = Font(bold=True, size=13, color="FFFFFF")
PART_FILL = PatternFill("solid", fgColor="1D4F7A")
SECTION_FILL = PatternFill("solid", fgColor="DCE6F0")
HELP_FONT = Font(italic=True, color="4F5B66")

MAX_ENTRIES = 200
MAX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_RATIO = 150
# Lines of the sheet read at most: ten times the largest sheet we plan for. A file's own
# row numbers are not trusted; a small file can claim a million rows.
MAX_LINES = 20_000


class WorkbookError(Exception):
    """A file the import refuses; the message is shown to the user as it is."""


def safe(value: str) -> str:
    # Control characters would make the file unreadable; most text has none.
    return value if value.isprintable() else ILLEGAL_CHARACTERS_RE.sub("", value)


def put(ws, row: int, column: int, value, style: StyleArray | None = None):
    """Write a cell; text that looks like a formula is stored as text, never evaluated."""
    # Cleaned first, tested after: "\x01=HYPERLINK(…)" is a formula once the \x01 is gone.
    value = safe(value) if isinstance(value, str) else value
    cell = ws.cell(row=row, column=column, value=value)
    if style is not None:
        cell._style = copy(style)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        # Excel shows it with a leading apostrophe and keeps it text when edited.
        cell.quotePrefix = True
    return cell


def text_cell(ws, value: str, style: StyleArray) -> Cell:
    """A cell for ws.append that holds text and only text: whatever it starts with, Excel
    stores it as a string and never evaluates it."""
    cell = Cell(ws, value=safe(value))
    cell.data_type = "s"
    cell._style = copy(style)
    if value.startswith(FORMULA_STARTS):
        # Excel shows it with a leading apostrophe and keeps it text when edited.
        cell.quotePrefix = True
    return cell


def wrapped(wb) -> StyleArray:
    """The style of a wrapped, top-aligned cell, made once per workbook. Assigning
    `cell.alignment` per cell hashes the Alignment each time: a third of the export's time
    at 2,000 rows; copying the finished style array (as openpyxl's own copy_worksheet
    does) costs next to nothing."""
    style = StyleArray()
    style.alignmentId = wb._alignments.add(WRAP)
    return style


def _print_setup(ws, title_rows: str):
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)


class ExportRow(NamedTuple):
    pk: uuid.UUID
    section: str
    parent_id: uuid.UUID | None
    what: str
    who: str
    when: str
    follow_up: str
    status: str
    audience: str
    version: int
    # The status of the task the row was delegated as, which is the one it shows.
    task_status: str | None


def ordered_rows(rows):
    """Rows per section in sheet order, each scenario followed by its chain."""
    by_section = {key: [] for key in SECTIONS}
    chains = {}
    for row in rows:
        if row.parent_id:
            chains.setdefault(row.parent_id, []).append(row)
        else:
            by_section[row.section].append(row)
    for key, section_rows in by_section.items():
        if key == "scenario":
            by_section[key] = [
                r for scenario in section_rows for r in [scenario, *chains.get(scenario.pk, [])]
            ]
    return by_section


def export_workbook(event, sheet, rows, tasks, parties, *, by) -> bytes:
    """`rows` in sheet order (not removed); `tasks` and `parties` with their people loaded."""
    wb = openpyxl.Workbook()
    wrap = wrapped(wb)
    ws = wb.active
    ws.title = SHEET_TITLE
    now = timezone.localtime()
    put(ws, 1, 1, f"Bedömningsmall – {event.case_number} {event.title}").font = Font(
        bold=True, size=14
    )
    put(ws, 2, 1, f"Exporterad {now:%Y-%m-%d %H:%M} av {by}. Ändra inte i den dolda kolumnen G.")
    put(ws, 1, REF_COLUMN, f"{MARKER}:{event.pk}")
    put(ws, 2, REF_COLUMN, f"{sheet.counter if sheet else 0}:{now.isoformat()}")
    for column, header in enumerate(HEADERS, start=1):
        put(ws, HEADER_ROW, column, header).font = BOLD
    put(ws, HEADER_ROW, REF_COLUMN, "Rad-id")
    by_section = ordered_rows(rows)
    line = HEADER_ROW
    for part in PARTS:
        line += 1
        put(ws, line, 1, part.title).font = PART_FONT
        for column in range(1, 7):
            ws.cell(row=line, column=column).fill = PART_FILL
        put(ws, line, REF_COLUMN, f"#del:{part.key}")
        line += 1
        put(ws, line, 1, part.help, wrap).font = HELP_FONT
        ws.merge_cells(start_row=line, start_column=1, end_row=line, end_column=6)
        put(ws, line, REF_COLUMN, "#hjälp")
        for section in part.sections:
            line += 1
            put(ws, line, 1, section.title).font = BOLD
            for column in range(1, 7):
                ws.cell(row=line, column=column).fill = SECTION_FILL
            put(ws, line, REF_COLUMN, f"#avsnitt:{section.key}")
            for row in by_section[section.key]:
                line += 1
                what = CHAIN_PREFIX + row.what if row.parent_id else row.what
                status = STATUS_LABELS.get(row.task_status or row.status, "")
                values = (what, row.who, row.when, row.follow_up, status, row.audience)
                # Empty cells stay empty: smaller files, and nothing to style.
                cells = [text_cell(ws, value, wrap) if value else None for value in values]
                ws.append([*cells, f"{row.pk}:{row.version}"])
    for index, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    ws.column_dimensions["G"].hidden = True
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    _print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")
    ws.print_area = f"A1:F{line}"

    _table(
        wb.create_sheet("Externa parter"),
        ["Typ", "Organisation", "Kontaktperson", "Telefon", "E-post"],
        [
            [p.get_type_display(), p.organisation, p.contact_person, p.phone, p.email]
            for p in parties
        ],
        [24, 30, 24, 16, 30],
    )
    _table(
        wb.create_sheet("Uppgifter"),
        ["Vad", "Vem", "När", "Uppföljning", "Status", "Återkoppling"],
        [
            [
                t.what,
                t.assignee_label,
                _local(t.due_at),
                _local(t.follow_up_at),
                t.get_status_display(),
                t.feedback,
            ]
            for t in tasks
        ],
        [45, 22, 16, 16, 12, 40],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def _table(ws, headers, rows, widths):
    wrap = wrapped(ws.parent)
    for column, header in enumerate(headers, start=1):
        put(ws, 1, column, header).font = BOLD
    for line, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            put(ws, line, column, value, wrap)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    _print_setup(ws, "1:1")


# Import -----------------------------------------------------------------------------------


@dataclass
class FileRow:
    line: int
    section: str
    content: dict
    ref: uuid.UUID | None = None
    version: int | None = None
    chain: bool = False
    # For a chain row: the file line of its scenario.
    scenario_line: int | None = None


@dataclass
class FileSheet:
    event_id: str
    counter: int
    exported_at: datetime
    rows: list[FileRow] = field(default_factory=list)


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
            f"Filen innehåller {len(entries)} delar; en bedömningsmall har ett tiotal. "
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


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            f"{value:%Y-%m-%d %H:%M}"
            if value.time() != datetime.min.time()
            else f"{value:%Y-%m-%d}"
        )
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise(str(value))


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


LAYOUT = (
    "Filen har inte bedömningsmallens uppställning ({problem}). Exportera mallen på nytt och "
    "gör ändringarna i den filen."
)


def read_workbook(data: bytes) -> FileSheet:
    check_archive(data)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise _unreadable(error) from None
    try:
        if SHEET_TITLE not in wb.sheetnames:
            raise WorkbookError(LAYOUT.format(problem=f"bladet ”{SHEET_TITLE}” saknas"))
        try:
            # Only the template's columns: a cell far out to the right would otherwise
            # make openpyxl pad every row out to it.
            return _parse(wb[SHEET_TITLE].iter_rows(max_col=REF_COLUMN, values_only=True))
        except WorkbookError:
            raise
        except Exception as error:  # the worksheet's XML is parsed only now (read-only)
            raise _unreadable(error) from None
    finally:
        wb.close()


def _unreadable(error: Exception) -> WorkbookError:
    # openpyxl wraps defusedxml's refusal in a ValueError of its own.
    while error is not None:
        if isinstance(error, DefusedXmlException):
            return WorkbookError(
                "Filen innehåller otillåten XML (t.ex. egna entiteter) och har inte lästs."
            )
        error = error.__cause__ or error.__context__
    return WorkbookError("Filen kunde inte läsas som en Excel-arbetsbok.")


REF = re.compile(r"^([0-9a-f-]{36}):(\d+)$")


def _parse(lines) -> FileSheet:
    lines = iter(lines)
    head = [next(lines, ()) for _ in range(HEADER_ROW)]
    cells = [list(line) + [None] * (REF_COLUMN - len(line)) for line in head]
    marker = str(cells[0][REF_COLUMN - 1] or "")
    if not marker.startswith(f"{MARKER}:"):
        raise WorkbookError(LAYOUT.format(problem="den dolda kolumnen G med mallens id saknas"))
    if [str(c or "").strip() for c in cells[2][:5]] != HEADERS[:5]:
        raise WorkbookError(
            LAYOUT.format(problem="rad 3 ska ha rubrikerna Vad, Vem, När, Uppföljning, Status")
        )
    try:
        counter, exported_at = str(cells[1][REF_COLUMN - 1]).split(":", 1)
        file = FileSheet(
            event_id=marker.split(":", 1)[1],
            counter=int(counter),
            exported_at=datetime.fromisoformat(exported_at),
        )
    except ValueError:
        raise WorkbookError(LAYOUT.format(problem="exportuppgiften i cell G2 är ändrad")) from None
    section = None
    scenario_line = None
    for line, values in enumerate(lines, start=HEADER_ROW + 1):
        if line > MAX_LINES:
            raise WorkbookError(
                f"Filen har fler än {MAX_LINES:,} rader".replace(",", " ")
                + ", vilket en bedömningsmall aldrig har. Den har inte lästs."
            )
        values = list(values[:REF_COLUMN]) + [None] * (REF_COLUMN - len(values))
        ref = str(values[REF_COLUMN - 1] or "").strip()
        if ref.startswith("#avsnitt:"):
            section = ref.removeprefix("#avsnitt:")
            if section not in SECTIONS:
                raise WorkbookError(LAYOUT.format(problem=f"okänt avsnitt på rad {line}"))
            scenario_line = None
            continue
        if ref.startswith("#"):
            continue
        texts = [_text(v) for v in values[:6]]
        if not any(texts):
            continue
        if section is None:
            raise WorkbookError(
                LAYOUT.format(problem=f"rad {line} ligger ovanför mallens första avsnitt")
            )
        row = FileRow(line=line, section=section, content=_content(texts, section, line))
        if section == "scenario":
            what = row.content["what"]
            if what.startswith(CHAIN_PREFIXES):
                if scenario_line is None:
                    raise WorkbookError(
                        f"Rad {line}: åtgärden i kedjan (↳) står före sitt scenario. "
                        "Inget är ändrat."
                    )
                row.chain, row.scenario_line = True, scenario_line
                for prefix in CHAIN_PREFIXES:
                    what = what.removeprefix(prefix)
                row.content["what"] = what.strip()
            else:
                scenario_line = line
        if match := REF.match(ref):
            row.ref, row.version = uuid.UUID(match[1]), int(match[2])
        elif ref:
            raise WorkbookError(
                f"Rad {line}: rad-id i den dolda kolumnen G är ändrat ({ref[:40]}). "
                "Inget är ändrat."
            )
        file.rows.append(row)
    return file


def _content(texts: list[str], section: str, line: int) -> dict:
    content = dict(zip(COLUMNS, texts, strict=True))
    spec = SECTIONS[section]
    status = content["status"]
    if spec.has_status and status:
        if status.lower() not in STATUS_CODES:
            labels = ", ".join(label for _, label in Row.Status.choices)
            raise WorkbookError(
                f"Rad {line}: okänd status ”{status}”. Använd någon av: {labels}. Inget är ändrat."
            )
        content["status"] = STATUS_CODES[status.lower()]
    elif not spec.has_status:
        content["status"] = ""
    if not spec.has_audience:
        content["audience"] = ""
    content["who"] = content["who"][:200]
    content["when"] = content["when"][:100]
    content["audience"] = content["audience"][:200]
    return content


@dataclass
class Plan:
    operations: list[dict]
    conflicts: list[dict]
    # Delegated rows whose Status in the file is not their task's: not read (see
    # _keep_own_status), and listed so the user knows to change it on the task.
    task_statuses_not_read: list[dict]


def plan_import(sheet, file: FileSheet) -> Plan:
    """What applying the file would do: add, change, remove; and the rows changed in the
    app since the export, which are shown as conflicts and not touched."""
    if file.event_id != str(sheet.event_id):
        raise WorkbookError(
            "Filen är exporterad från ett annat ärende. Läs in den i det ärende den kommer "
            "från. Inget är ändrat."
        )
    existing = {
        row.pk: row for row in Row.objects.filter(sheet=sheet).select_related("updated_by", "task")
    }
    operations, conflicts, not_read, seen = [], [], [], set()
    old_versions = {}
    for file_row in file.rows:
        row = existing.get(file_row.ref) if file_row.ref else None
        if file_row.ref and row is None:
            raise WorkbookError(
                f"Rad {file_row.line}: raden finns inte i den här mallen (rad-id i kolumn G). "
                "Inget är ändrat."
            )
        if row is not None and row.pk not in seen and row.version != file_row.version:
            old_versions[(row.pk, file_row.version)] = None
    if old_versions:
        # What each row looked like in the exported version, to tell an edit in Excel from
        # an untouched row that someone has changed in the app since.
        for revision in RowRevision.objects.filter(
            row_id__in={pk for pk, _ in old_versions},
            version__in={version for _, version in old_versions},
        ):
            old_versions[(revision.row_id, revision.version)] = {
                f: revision.after.get(f, "") for f in ROW_FIELDS
            }
    added_at_line = {}
    for file_row in file.rows:
        row = existing.get(file_row.ref) if file_row.ref else None
        if row is not None and row.pk in seen:
            row = None  # a copied row (hidden id and all) is a new row
        if row is None:
            op = {
                "op": "add",
                "index": len(operations),
                "section": file_row.section,
                "content": file_row.content,
            }
            if file_row.chain:
                scenario = next(r for r in file.rows if r.line == file_row.scenario_line)
                if scenario.line in added_at_line:
                    op["parent_new"] = added_at_line[scenario.line]
                else:
                    op["parent"] = str(scenario.ref)
            added_at_line[file_row.line] = op["index"]
            operations.append(op)
            continue
        seen.add(row.pk)
        if row.task_id:
            _keep_own_status(row, file_row.content, not_read)
        current = {f: normalise(v) for f, v in row.content().items()}
        if file_row.content == current:
            continue
        if row.version == file_row.version and not row.is_removed:
            operations.append(
                {
                    "op": "change",
                    "id": str(row.pk),
                    "version": row.version,
                    "section": row.section,
                    "content": file_row.content,
                    "before": current,
                }
            )
            continue
        exported = old_versions.get((row.pk, file_row.version))
        if exported is not None and {f: normalise(v) for f, v in exported.items()} == (
            file_row.content
        ):
            continue  # untouched in Excel; the app's newer text stands
        conflicts.append(_conflict(row, file_row.content, current))
    for row in existing.values():
        if row.pk in seen or row.is_removed or row.created_at > file.exported_at:
            continue
        current = row.content()
        if row.changed_seq > file.counter:
            conflicts.append(_conflict(row, None, current))
        else:
            operations.append(
                {
                    "op": "remove",
                    "id": str(row.pk),
                    "version": row.version,
                    "section": row.section,
                    "content": current,
                }
            )
    return Plan(operations, conflicts, not_read)


def _keep_own_status(row, content: dict, not_read: list) -> None:
    """Put the row's own status in place of what the file's Status column says, which for
    a delegated row is its task's (the export writes it there).

    Not written to the task: a task's status changes on the task, where the change is
    logged, its reminders are cancelled or revived and återkoppling is asked for; an
    import does none of that. Nor to the row's own status, hidden under the task's since
    the delegation: it would be overwritten by a value nobody sees, and the import would
    list a change that changes nothing on screen. A status edited in the file is not lost
    unseen: it is listed in the preview as not read."""
    exported = STATUS_CODES[row.task.get_status_display().lower()]
    if SECTIONS[row.section].has_status and content["status"] != exported:
        not_read.append(
            {
                "section": row.section,
                "what": row.what,
                "file": STATUS_LABELS.get(content["status"], ""),
                "task": row.task.get_status_display(),
            }
        )
    content["status"] = row.status


def _conflict(row, mine, theirs) -> dict:
    return {
        "id": str(row.pk),
        "section": row.section,
        "file": mine,
        "app": theirs,
        "removed": row.is_removed,
        "by": str(row.updated_by),
        "at": timezone.localtime(row.updated_at).strftime("%Y-%m-%d %H:%M"),
    }
