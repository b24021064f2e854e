"""The bedömningsmall as an Excel workbook, and back.

Export: one worksheet laid out like the municipality's own sheet (the six parts as numbered,
titled blocks, columns Vad / Vem / När / Uppföljning / Status / Till vem) that prints
readably, plus two worksheets for reading only: the external parties and the tasks. Column G
(hidden) carries each row's id and version, and for a row that is a task the task's status
the export showed, so that an edited copy can be read back; the export's change counter and
time are in G2.

Import: `read_workbook` returns the file's rows and `plan_import` compares them with the
sheet; nothing here writes to the database. How a file is opened, how text is compared and
how an edit in the file meets one in the app are the project's workbook rules
(`events.workbook`); this module says what the bedömningsmall's rows and columns mean.
"""

import io
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import openpyxl
from django.db import models
from django.utils import timezone
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins

from accounts.moments import moment_text
from assessment.models import ROW_FIELDS, STATUS_LABELS, ImportDraft, Row, RowRevision
from assessment.parts import PARTS, SECTIONS
from events import workbook
from events.models import Task
from events.workbook import WorkbookError, put, row_height, styled, text_cell

SHEET_TITLE = "Bedömningsmall"
HEADERS = ["Vad", "Vem", "När", "Uppföljning", "Status", "Till vem"]
# The row fields in the columns A to F.
COLUMNS = ["what", "who", "when", "follow_up", "status", "audience"]
WIDTHS = [55, 22, 16, 34, 13, 20]
STATUS_COLUMN = 5  # E
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
# A row's text as stored: multi-line in a text field, one line in a char field; a field's
# longest text (None: as long as a cell holds).
MULTILINE = {f: isinstance(Row._meta.get_field(f), models.TextField) for f in ROW_FIELDS}
MAX_LENGTH = {f: Row._meta.get_field(f).max_length for f in ROW_FIELDS}
# Lines below the last row that still offer the Status list, for rows added at the end.
STATUS_LIST_BELOW = 500

WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
PART_FONT = Font(bold=True, size=13, color="FFFFFF")
# Rows in a larger font are made taller: a program shows a row as tall as the file says.
TITLE_POINTS, PART_POINTS = 21, 19
PART_FILL = PatternFill("solid", fgColor="1D4F7A")
SECTION_FILL = PatternFill("solid", fgColor="DCE6F0")
HELP_FONT = Font(italic=True, color="4F5B66")
# A status that is the task's: grey, as a locked field is on the page.
LOCKED_FILL = PatternFill("solid", fgColor="E7E9EC")
LOCKED_FONT = Font(italic=True, color="4F5B66")
READ_ONLY_NOTE = (
    "Endast för läsning: ändringar i det här bladet läses inte in. Ändra {what} i ärendet i "
    "Norsjö ärenden. Bara bladet Bedömningsmall läses in."
)


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
    """The workbook as .xlsx bytes. `rows` in sheet order (not removed); `tasks` and
    `parties` with their people loaded."""
    wb = openpyxl.Workbook()
    wrap = styled(wb, alignment=WRAP)
    locked = styled(wb, alignment=WRAP, fill=LOCKED_FILL, font=LOCKED_FONT)
    ws = wb.active
    ws.title = SHEET_TITLE
    now = timezone.localtime()
    put(ws, 1, 1, f"Bedömningsmall – {event.case_number} {event.title}").font = TITLE_FONT
    ws.row_dimensions[1].height = TITLE_POINTS
    put(ws, 2, 1, f"Exporterad {now:%Y-%m-%d %H:%M} av {by}. Ändra inte i den dolda kolumnen G.")
    put(ws, 1, REF_COLUMN, f"{MARKER}:{event.pk}")
    put(ws, 2, REF_COLUMN, f"{sheet.counter if sheet else 0}:{now.isoformat()}")
    for column, header in enumerate(HEADERS, start=1):
        put(ws, HEADER_ROW, column, header).font = BOLD
    put(ws, HEADER_ROW, REF_COLUMN, "Rad-id")
    by_section = ordered_rows(rows)
    status_lines, task_lines = [], {}
    line = HEADER_ROW
    for number, part in enumerate(PARTS, start=1):
        line += 1
        # Numbered as on the page (1 to 6), so that "del 4" means the same in both.
        put(ws, line, 1, f"{number}. {part.title}").font = PART_FONT
        ws.row_dimensions[line].height = PART_POINTS
        for column in range(1, 7):
            ws.cell(row=line, column=column).fill = PART_FILL
        put(ws, line, REF_COLUMN, f"#del:{part.key}")
        line += 1
        put(ws, line, 1, part.help, wrap).font = HELP_FONT
        ws.merge_cells(start_row=line, start_column=1, end_row=line, end_column=6)
        ws.row_dimensions[line].height = row_height([part.help], [sum(WIDTHS)])
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
                cells = [
                    text_cell(ws, value, wrap, multiline=MULTILINE[name]) if value else None
                    for name, value in zip(COLUMNS, values, strict=True)
                ]
                ref = f"{row.pk}:{row.version}"
                if row.task_status:
                    # The task's status, shown and refused for editing (below); the import
                    # tells it from an edit by what G says was shown.
                    cells[STATUS_COLUMN - 1] = text_cell(ws, status, locked)
                    task_lines.setdefault(row.task_status, []).append(line)
                    ref += f":{row.task_status}"
                elif section.has_status:
                    status_lines.append(line)
                ws.append([*cells, ref])
                if height := row_height(values, WIDTHS):
                    ws.row_dimensions[line].height = height
    # Rows added below the last one are the last part's, which has a status.
    status_lines.extend(range(line + 1, line + 1 + STATUS_LIST_BELOW))
    _status_lists(ws, status_lines, task_lines)
    for index, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    ws.column_dimensions["G"].hidden = True
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    _print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")
    ws.print_area = f"A1:F{line}"

    _read_only_table(
        wb.create_sheet("Externa parter"),
        "externa parter",
        ["Typ", "Organisation", "Kontaktperson", "Telefon", "E-post"],
        [
            [p.get_type_display(), p.organisation, p.contact_person, p.phone, p.email]
            for p in parties
        ],
        [24, 30, 24, 16, 30],
    )
    _read_only_table(
        wb.create_sheet("Uppgifter"),
        "uppgifter",
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


def _status_lists(ws, lines: list[int], task_lines: dict[str, list[int]]) -> None:
    """Status as a drop-down list on the lines that have one; on a row that is a task, a
    list of the task's status alone, which Excel and LibreOffice refuse to change."""
    labels = Row.Status.labels
    choices = DataValidation(
        type="list",
        formula1='"' + ",".join(labels) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Okänd status",
        error=f"Välj en status i listan: {', '.join(labels)}.",
    )
    for cells in _ranges(lines):
        choices.add(cells)
    ws.add_data_validation(choices)
    for code, task_rows in task_lines.items():
        task_status = DataValidation(
            type="list",
            formula1=f'"{STATUS_LABELS[code]}"',
            allow_blank=False,
            showErrorMessage=True,
            errorTitle="Status ändras på uppgiften",
            error=(
                "Raden är en uppgift. Dess status är uppgiftens och ändras på uppgiften i "
                "Norsjö ärenden, inte här."
            ),
            showInputMessage=True,
            promptTitle="Raden är en uppgift",
            prompt="Statusen är uppgiftens: ändra den på uppgiften i Norsjö ärenden.",
        )
        for cells in _ranges(task_rows):
            task_status.add(cells)
        ws.add_data_validation(task_status)


def _ranges(lines: list[int]) -> list[str]:
    """Lines of the Status column as few ranges as possible: ["E5:E9", "E12"]."""
    column = openpyxl.utils.get_column_letter(STATUS_COLUMN)
    ranges, start, previous = [], None, None
    for line in [*sorted(lines), None]:
        if start is not None and line != previous + 1:
            ranges.append(
                f"{column}{start}" if start == previous else f"{column}{start}:{column}{previous}"
            )
            start = None
        if start is None:
            start = line
        previous = line
    return ranges


def _local(moment) -> datetime | None:
    # A date cell holds no time zone: the municipality's local time.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _read_only_table(ws, what: str, headers, rows, widths):
    """A worksheet to read: a note saying so, then a table; protected (without a password)
    so that Excel and LibreOffice refuse edits rather than let them be lost on import."""
    wrap = styled(ws.parent, alignment=WRAP)
    put(ws, 1, 1, READ_ONLY_NOTE.format(what=what)).font = HELP_FONT
    for column, header in enumerate(headers, start=1):
        put(ws, 2, column, header).font = BOLD
    for line, values in enumerate(rows, start=3):
        for column, value in enumerate(values, start=1):
            cell = put(ws, line, column, value, wrap)
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
        texts = [v if isinstance(v, str) else "" for v in values]
        if height := row_height(texts, widths):
            ws.row_dimensions[line].height = height
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    ws.freeze_panes = "A3"
    _print_setup(ws, "2:2")
    ws.protection.sheet = True
    # Reading is easier with columns widened and rows made taller.
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


# Import -----------------------------------------------------------------------------------


@dataclass
class FileRow:
    line: int
    section: str
    # The cells' text (events.workbook.cell_text) by field; "status" as written.
    cells: dict
    ref: uuid.UUID | None = None
    version: int | None = None
    # For a row that was a task: the task's status the export showed.
    shown_status: str | None = None
    # Cells that cannot be read as text (events.workbook.cell_problem): {field: why}.
    problems: dict = field(default_factory=dict)


@dataclass
class FileSheet:
    event_id: str
    counter: int
    exported_at: datetime
    # G2 as written: one export, whichever program saved the copy.
    export: str
    rows: list[FileRow] = field(default_factory=list)


LAYOUT = (
    "Filen har inte bedömningsmallens uppställning ({problem}). Exportera mallen på nytt och "
    "gör ändringarna i den filen."
)


def read_workbook(data: bytes) -> FileSheet:
    """The rows of the file's Bedömningsmall worksheet; WorkbookError for a file that is
    refused (events.workbook.read_sheet) or not laid out as the export lays it out."""
    lines = workbook.read_sheet(data, SHEET_TITLE, columns=REF_COLUMN)
    if lines is None:
        raise WorkbookError(LAYOUT.format(problem=f"bladet ”{SHEET_TITLE}” saknas"))
    return _parse(lines)


REF = re.compile(r"^([0-9a-f-]{36}):(\d+)(?::([a-z_]+))?$")


def _parse(lines: list[tuple]) -> FileSheet:
    head = (lines + [(None,) * REF_COLUMN] * HEADER_ROW)[:HEADER_ROW]
    marker = str(head[0][REF_COLUMN - 1] or "")
    if not marker.startswith(f"{MARKER}:"):
        raise WorkbookError(LAYOUT.format(problem="den dolda kolumnen G med mallens id saknas"))
    if [workbook.heading(c) for c in head[2][:5]] != [workbook.heading(h) for h in HEADERS[:5]]:
        raise WorkbookError(
            LAYOUT.format(problem="rad 3 ska ha rubrikerna Vad, Vem, När, Uppföljning, Status")
        )
    export = str(head[1][REF_COLUMN - 1])
    try:
        counter, exported_at = export.split(":", 1)
        file = FileSheet(
            event_id=marker.split(":", 1)[1],
            counter=int(counter),
            exported_at=datetime.fromisoformat(exported_at),
            export=export,
        )
    except ValueError:
        raise WorkbookError(LAYOUT.format(problem="exportuppgiften i cell G2 är ändrad")) from None
    section = None
    for line, values in enumerate(lines[HEADER_ROW:], start=HEADER_ROW + 1):
        ref = str(values[REF_COLUMN - 1] or "").strip()
        if ref.startswith("#avsnitt:"):
            section = ref.removeprefix("#avsnitt:")
            if section not in SECTIONS:
                raise WorkbookError(LAYOUT.format(problem=f"okänt avsnitt på rad {line}"))
            continue
        if ref.startswith("#"):
            continue
        cells = {
            name: workbook.cell_text(value, multiline=MULTILINE[name])
            for name, value in zip(COLUMNS, values, strict=False)
        }
        problems = {
            name: why
            for name, value in zip(COLUMNS, values, strict=False)
            if (why := workbook.cell_problem(value))
        }
        if not any(cells.values()) and not problems:
            continue
        if section is None:
            raise WorkbookError(
                LAYOUT.format(problem=f"rad {line} ligger ovanför mallens första avsnitt")
            )
        row = FileRow(line=line, section=section, cells=cells, problems=problems)
        if match := REF.match(ref):
            row.ref, row.version, row.shown_status = uuid.UUID(match[1]), int(match[2]), match[3]
        elif ref:
            raise WorkbookError(
                f"Rad {line}: rad-id i den dolda kolumnen G är ändrat ({ref[:40]}). "
                "Inget är ändrat."
            )
        file.rows.append(row)
    return file


@dataclass
class Plan:
    operations: list[dict]
    # Rows edited both here and in the file: the fields changed on both sides differently
    # (the app's text stands), or the whole row where one side removed it.
    conflicts: list[dict]
    # Rows that are tasks whose Status the file changes: changed on the task, not read.
    task_statuses: list[dict]
    # Cells that cannot be stored as they are ({"line", "field", "message"}): nothing is
    # applied while there are any.
    errors: list[dict] = field(default_factory=list)
    # New rows of the file already added by an earlier import of the same export.
    already_imported: int = 0


@dataclass
class _Line:
    """A file row resolved against the sheet: its row (None for a new one), its content in
    the form it would be stored, and for a new row where it goes."""

    file: FileRow
    row: Row | None
    content: dict
    chain: bool
    scenario: "_Line | None" = None
    key: str = ""


def plan_import(sheet, file: FileSheet) -> Plan:
    """What applying the file would do: add, change (field by field, merged with changes
    made in the app since the export), remove; the conflicts, which are not applied; and the
    errors that keep the whole file from being applied."""
    if file.event_id != str(sheet.event_id):
        raise WorkbookError(
            "Filen är exporterad från ett annat ärende. Läs in den i det ärende den kommer "
            "från. Inget är ändrat."
        )
    existing = {
        row.pk: row for row in Row.objects.filter(sheet=sheet).select_related("updated_by", "task")
    }
    plan = Plan([], [], [])
    lines = _resolve(file, existing, plan.errors)
    if plan.errors:
        return plan
    exported = _exported_contents(lines)
    imported, imported_rows = imported_keys(sheet, file.export)
    new = [line for line in lines if line.row is None]
    fresh = workbook.first_time([line.key for line in new], imported)
    skipped = {id(line) for line, first in zip(new, fresh, strict=True) if not first}
    # Where each new line went: an operation of this import, or a row an earlier one added.
    added_at, added_as = {}, {}
    for line in lines:
        if line.row is not None:
            _plan_row(line, exported, plan)
            continue
        if id(line) in skipped:
            plan.already_imported += 1
            added_as[line.file.line] = imported_rows[line.key].pop(0)
            continue
        op = {
            "op": "add",
            "index": len(plan.operations),
            "section": line.file.section,
            "content": line.content,
            # Which export the row came from and what it was: the same file read again
            # adds it no more (first_time), and a confirm after another import of the same
            # file is refused (services.apply_import).
            "export": file.export,
            "key": line.key,
            "earlier": imported[line.key],
        }
        if line.chain:
            scenario = line.scenario
            if scenario.row is not None:
                op["parent"] = str(scenario.row.pk)
            elif scenario.file.line in added_at:
                op["parent_new"] = added_at[scenario.file.line]
            else:
                op["parent"] = added_as[scenario.file.line]
        added_at[line.file.line] = op["index"]
        plan.operations.append(op)
    seen = {line.row.pk for line in lines if line.row is not None}
    for row in existing.values():
        if row.pk in seen or row.is_removed or row.created_at > file.exported_at:
            continue
        current = row.content()
        if row.changed_seq > file.counter:
            plan.conflicts.append(_conflict(row, fields=[], file_removed=True))
        else:
            plan.operations.append(
                {
                    "op": "remove",
                    "id": str(row.pk),
                    "version": row.version,
                    "section": row.section,
                    "content": current,
                }
            )
    return plan


def _resolve(file: FileSheet, existing: dict, errors: list) -> list[_Line]:
    """Each file row with its row of the sheet, its content and its place; a copied line
    (hidden id and all) is a new row. A chain row is one under a scenario: a row that is one
    in the sheet, or a new row in Omfallsplanering that starts with ↳ (or -> or →)."""
    lines, seen, scenario = [], set(), None
    for file_row in file.rows:
        row = existing.get(file_row.ref) if file_row.ref else None
        if file_row.ref and row is None:
            raise WorkbookError(
                f"Rad {file_row.line}: raden finns inte i den här mallen (rad-id i kolumn G). "
                "Inget är ändrat."
            )
        if row is not None and row.pk in seen:
            row = None
        if row is not None:
            seen.add(row.pk)
            chain = row.parent_id is not None
        else:
            chain = file_row.section == "scenario" and file_row.cells["what"].startswith(
                CHAIN_PREFIXES
            )
        line = _Line(file_row, row, _content(file_row, chain, errors), chain)
        if file_row.section == "scenario" and not chain:
            scenario = line
        if row is None:
            if chain and scenario is None:
                errors.append(
                    {
                        "line": file_row.line,
                        "field": "Vad",
                        "message": "åtgärden i kedjan (↳) står före sitt scenario",
                    }
                )
                continue
            line.scenario = scenario if chain else None
            parent = None
            if chain:
                parent = str(scenario.row.pk) if scenario.row else ["ny", scenario.key]
            line.key = workbook.row_key(file_row.section, line.content, parent)
        lines.append(line)
    return lines


def _content(file_row: FileRow, chain: bool, errors: list) -> dict:
    """The row's content as it would be stored; each cell that cannot be is an error."""
    content = dict(file_row.cells)
    for name, why in file_row.problems.items():
        errors.append(
            {"line": file_row.line, "field": HEADERS[COLUMNS.index(name)], "message": why}
        )
    if chain:
        what = content["what"]
        prefix = next(p for p in (*CHAIN_PREFIXES, "") if what.startswith(p))
        content["what"] = what.removeprefix(prefix).strip()
    spec = SECTIONS[file_row.section]
    label = content["status"]
    content["status"] = ""
    if spec.has_status and label:
        if label.lower() in STATUS_CODES:
            content["status"] = STATUS_CODES[label.lower()]
        else:
            labels = ", ".join(Row.Status.labels)
            errors.append(
                {
                    "line": file_row.line,
                    "field": "Status",
                    "message": f"okänd status ”{label}”; använd någon av: {labels}",
                }
            )
    if not spec.has_audience:
        content["audience"] = ""
    for name in ROW_FIELDS:
        if name != "status" and (why := workbook.over_limit(content[name], MAX_LENGTH[name])):
            errors.append(
                {
                    "line": file_row.line,
                    "field": Row._meta.get_field(name).verbose_name.capitalize(),
                    "message": why,
                }
            )
    return content


def _exported_contents(lines: list[_Line]) -> dict:
    """{(row id, version): content} for the rows the file has at an older version than now:
    what the export wrote, to tell an edit in the file from a change in the app since."""
    wanted = {
        (line.row.pk, line.file.version)
        for line in lines
        if line.row is not None and line.row.version != line.file.version
    }
    if not wanted:
        return {}
    return {
        (revision.row_id, revision.version): {f: revision.after.get(f, "") for f in ROW_FIELDS}
        for revision in RowRevision.objects.filter(
            row_id__in={pk for pk, _ in wanted}, version__in={version for _, version in wanted}
        )
        if (revision.row_id, revision.version) in wanted
    }


def _plan_row(line: _Line, exported: dict, plan: Plan) -> None:
    """A row of the sheet that the file has: merged field by field with the app's changes
    since the export (events.workbook.merge)."""
    row, file_row, content = line.row, line.file, dict(line.content)
    stored = row.content()
    base = stored if row.version == file_row.version else exported.get((row.pk, file_row.version))
    if row.task_id:
        _task_status(row, file_row, base, plan)
        # Its own status stays as it is, whatever the file says (see _task_status).
        content["status"] = stored["status"]
    merged, both = workbook.merge(base, stored, content, multiline=MULTILINE)
    if row.is_removed:
        if merged != stored or both:
            plan.conflicts.append(_conflict(row, fields=[], file=content))
        return
    if merged != stored:
        plan.operations.append(
            {
                "op": "change",
                "id": str(row.pk),
                "version": row.version,
                "section": row.section,
                "content": merged,
                "before": stored,
            }
        )
    if both:
        plan.conflicts.append(_conflict(row, fields=[(f, stored[f], content[f]) for f in both]))


def _task_status(row: Row, file_row: FileRow, base: dict | None, plan: Plan) -> None:
    """A row that is a task shows the task's status, which changes on the task: there its
    change is logged, its reminders are cancelled or revived and återkoppling is asked for;
    an import does none of that. Nor is it written to the row's own status, hidden under the
    task's since the delegation. A Status edited in the file is listed as "ändras i
    uppgiften", and not read."""
    # What the export showed: the task's status then, or for a row delegated since, its own.
    shown = file_row.shown_status or (base or {}).get("status", row.status)
    in_file = file_row.cells["status"]
    if in_file.lower() != STATUS_LABELS.get(shown, "").lower():
        plan.task_statuses.append(
            {
                "section": row.section,
                "what": row.what,
                "file": in_file,
                "task": row.task.get_status_display(),
                "task_id": row.task_id,
            }
        )


def _conflict(row, *, fields, file=None, file_removed=False) -> dict:
    """A row not applied, or not wholly: `fields` [(field, in the app, in the file)] changed
    on both sides; or the row removed on one side and changed on the other."""
    return {
        "id": str(row.pk),
        "section": row.section,
        "what": row.what,
        "fields": [
            (
                Row._meta.get_field(name).verbose_name,
                STATUS_LABELS.get(app, app) if name == "status" else app,
                STATUS_LABELS.get(theirs, theirs) if name == "status" else theirs,
            )
            for name, app, theirs in fields
        ],
        "file": file,
        "removed": row.is_removed,
        "file_removed": file_removed,
        "by": str(row.updated_by),
        "at": moment_text(row.updated_at),
    }


def imported_keys(sheet, export: str, *, besides=None) -> tuple[Counter, dict[str, list[str]]]:
    """The new rows earlier confirmed imports of the export `export` added to the sheet:
    their keys counted, and the ids of the rows they were added as, by key in file order.
    `besides`: an import left out (the one being confirmed). A sheet has a few dozen imports
    at most; their operations are read whole."""
    counted, rows = Counter(), {}
    drafts = ImportDraft.objects.filter(sheet=sheet).exclude(applied_at=None)
    if besides is not None:
        drafts = drafts.exclude(pk=besides.pk)
    for operations in drafts.order_by("applied_at").values_list("operations", flat=True):
        for op in operations:
            if op["op"] == "add" and op.get("export") == export:
                counted[op["key"]] += 1
                rows.setdefault(op["key"], []).append(op.get("row"))
    return counted, rows
