"""The bedömningsmall's text through Excel and back (issue 14, items 7 and 8): an untouched
round trip changes nothing, nothing is longer than a cell holds, an import never cuts, and
every row of the file is read whatever the file says of its size."""

import io
import re
import zipfile
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.urls import reverse

from assessment import services
from assessment.models import ImportDraft, Row
from events.workbook import CELL_LIMIT
from tests import sheets
from tests.workbooks import confirm, export, fill, opened, replaced, rows_of, save, upload

# (field, as typed or pasted, what the cell shows): every kind of control character a
# paste brings, in a multi-line and a one-line field, and a decomposed letter (NFD).
ODD_TEXTS = [
    ("what", "Ta fram\x0bsiffror", "Ta fram\nsiffror"),  # Word's manual line break
    ("what", "Rad ett\x0cRad två", "Rad ett\nRad två"),  # Word's page break
    ("follow_up", "Fredag\u2028kl 10", "Fredag\nkl 10"),  # Unicode line separator
    ("follow_up", "Rapport\x1btill KS", "Rapport till KS"),  # ESC
    ("who", "Sara\x0bEklund", "Sara Eklund"),
    ("when", "v.\x0112", "v. 12"),
    ("audience", "Facket\x85pressen", "Facket pressen"),  # NEL, from old Mac/EBCDIC text
    ("what", "Norsjo\u0308 kommun", "Norsjö kommun"),
]


@pytest.mark.parametrize("saved_through", ["form", "service", "before cleaning"])
@pytest.mark.parametrize(("field", "typed", "shown"), ODD_TEXTS)
def test_text_with_control_characters_comes_back_from_excel_as_no_change(
    client, cast, saved_through, field, typed, shown
):
    client.force_login(cast.arbetsgrupp)
    content = {"what": "Informera facket", field: typed}
    if saved_through == "form":
        response = client.post(
            reverse("row_add", args=[cast.event.pk]),
            {"section": "information"} | {f"information-{k}": v for k, v in content.items()},
        )
        assert response.status_code == 302
        row = Row.objects.get()
    else:
        row = services.add_row(
            services.sheet_of(cast.event), "information", content, by=cast.arbetsgrupp
        )
    if saved_through == "before cleaning":
        # As a row was stored before its fields cleaned what they store (and as a restored
        # backup may still hold it): past the field, in SQL.
        with connection.cursor() as cursor:
            column = connection.ops.quote_name(field)  # one of ODD_TEXTS' fields
            cursor.execute(f"UPDATE assessment_row SET {column} = %s", [typed])  # noqa: S608
        assert Row.objects.values_list(field, flat=True).get() == typed
    data = export(client, cast)
    _, ws = opened(data)
    (values,) = [v for _, v in rows_of(ws).values()]
    # The words stay apart: a space or a line break where the control character was.
    assert shown in values
    preview = upload(client, cast, data)
    assert "Filen innehåller inga ändringar att läsa in." in preview.text
    assert not preview.context["parts"]
    assert Row.objects.get().version == row.version


def add(client, cast, section="fakta", **fields):
    return client.post(
        reverse("row_add", args=[cast.event.pk]),
        {"section": section} | {f"{section}-{k}": v for k, v in fields.items()},
    )


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("a" * (CELL_LIMIT + 1), "32 768"),
        # Excel counts UTF-16 code units: an emoji is two.
        ("🙂" * (CELL_LIMIT // 2 + 1), "32 768"),
        ("Lång rapport. " * 3000, "41 999"),  # (stripped at the end)
    ],
)
def test_a_text_longer_than_a_cell_is_refused_at_input_with_its_count_and_kept(
    client, cast, text, count
):
    client.force_login(cast.arbetsgrupp)
    response = add(client, cast, what=text)
    assert response.status_code == 200
    assert f"Texten är {count} tecken lång. En cell i Excel rymmer högst 32 767" in response.text
    # The whole text is still in the field, for the user to shorten.
    assert text.strip() in response.text
    assert not Row.objects.exists()


def test_a_text_as_long_as_a_cell_is_saved_counting_a_line_break_as_one(client, cast):
    client.force_login(cast.arbetsgrupp)
    assert add(client, cast, what="a" * CELL_LIMIT).status_code == 302
    # A browser posts a line break as two characters; stored and in a cell it is one.
    assert add(client, cast, what="ab\r\n" * (CELL_LIMIT // 3)).status_code == 302
    assert Row.objects.count() == 2


def test_every_field_that_is_exported_is_refused_longer_at_input(client, cast):
    row = sheets.a_row(cast, section="information")
    client.force_login(cast.arbetsgrupp)
    too_long = {
        "who": ("x" * 201, "Vem får vara högst 200 tecken, och texten har 201. Korta den."),
        "when": ("x" * 101, "När får vara högst 100 tecken, och texten har 101. Korta den."),
        "audience": (
            "x" * 201,
            "Till vem får vara högst 200 tecken, och texten har 201. Korta den.",
        ),
        "follow_up": ("x" * (CELL_LIMIT + 5), "Texten är 32 772 tecken lång."),
    }
    url = reverse("row_edit", args=[cast.event.pk, row.pk])
    for field, (text, message) in too_long.items():
        response = client.post(url, {"what": row.what, field: text, "version": 1})
        assert response.status_code == 200, field
        assert message in response.text, field
    assert Row.objects.get().version == 1
    # The limit is said where the user types, and no browser cuts a paste to it unseen.
    form = client.get(url).text
    for field, limit in [("what", 32767), ("who", 200), ("when", 100), ("follow_up", 32767)]:
        tag = re.search(rf'<(?:input|textarea)[^>]*name="{field}"[^>]*>', form)[0]
        assert f'data-max-chars="{limit}"' in tag
        assert "maxlength" not in tag


def with_cells(client, cast, edits: dict[str, dict[int, str]], new=()) -> bytes:
    """An export with cells of existing rows set ({what: {column: text}}) and new rows."""
    wb, ws = opened(export(client, cast))
    found = rows_of(ws)
    for what, cells in edits.items():
        for column, text in cells.items():
            ws.cell(row=found[what][0], column=column, value=text)
    line = [c.value for c in ws["G"]].index("#avsnitt:antaganden") + 2
    for values in new:
        ws.insert_rows(line)
        for column, value in enumerate(values, start=1):
            ws.cell(row=line, column=column, value=value)
    return save(wb)


def test_a_cell_longer_than_its_field_is_an_error_at_that_field_and_nothing_is_cut(client, cast):
    fill(cast)
    client.force_login(cast.arbetsgrupp)
    data = with_cells(
        client,
        cast,
        {
            "Ring facket": {2: "S" * 201},
            "Pressmeddelande": {6: "Alla " * 41},  # 205, stripped: 204
            "38 anställda varslas": {4: "LÅNG-UPPFÖLJNING"},
        },
        new=[("Fler kan varslas", "", "d" * 101)],
    )
    data = replaced(data, "LÅNG-UPPFÖLJNING", "u" * (CELL_LIMIT + 1))
    before = list(Row.objects.order_by("pk").values_list("pk", "who", "audience", "version"))
    response = upload(client, cast, data)
    assert response.status_code == 200
    assert "Filen är inte inläst och inget är ändrat." in response.text
    assert "4 celler i filen kan inte sparas som de är" in response.text
    errors = response.context["cell_errors"]
    assert {(e["field"], e["message"]) for e in errors} == {
        ("Vem", "texten är 201 tecken lång, högst 200 får plats"),
        ("Till vem", "texten är 204 tecken lång, högst 200 får plats"),
        ("Uppföljning", "texten är 32 768 tecken lång, högst 32 767 får plats"),
        ("När", "texten är 101 tecken lång, högst 100 får plats"),
    }
    _, ws = opened(data)
    assert f"Rad {rows_of(ws)['Ring facket'][0]}, Vem: texten är 201" in response.text
    assert not ImportDraft.objects.exists()
    assert list(Row.objects.order_by("pk").values_list("pk", "who", "audience", "version")) == (
        before
    )


def shrunk(data: bytes, dimension: str | None) -> bytes:
    """The file with its worksheet's <dimension> set to `dimension`, or without one."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                text, found = re.subn(
                    r'<dimension ref="[^"]*"\s*/>',
                    f'<dimension ref="{dimension}"/>' if dimension else "",
                    content.decode(),
                )
                assert found == 1
                content = text.encode()
            archive.writestr(entry, content)
    return out.getvalue()


@pytest.mark.parametrize("dimension", ["A1:G5", "A1", "A1:B20", None])
def test_a_file_that_understates_its_size_is_read_to_its_last_row(client, cast, dimension):
    rows = fill(cast)
    client.force_login(cast.arbetsgrupp)
    wb, ws = opened(export(client, cast))
    # An edit on the last row of the sheet, far below what the file claims.
    ws.cell(row=rows_of(ws)["↳ Matcha personal"][0], column=2, value="Per")
    edited = shrunk(save(wb), dimension)
    assert (
        "Filen innehåller inga ändringar att läsa in."
        in upload(client, cast, shrunk(export(client, cast), dimension)).text
    )
    preview = upload(client, cast, edited)
    assert [op["op"] for op in preview.context["draft"].operations] == ["change"]
    confirm(client, cast, preview)
    assert Row.objects.get(pk=rows["chain"].pk).who == "Per"
    assert not Row.objects.filter(removed_at__isnull=False).exclude(pk=rows["gone"].pk).exists()


def test_a_text_stored_longer_than_a_cell_is_cut_in_the_file_and_kept_whole_on_import(
    client, cast
):
    """Only text stored before the limit was kept at input can be longer than a cell."""
    long = "Rapport från mötet. " * 2000  # 40,000 characters
    row = services.add_row(
        services.sheet_of(cast.event), "initiala", {"what": long}, by=cast.arbetsgrupp
    )
    client.force_login(cast.arbetsgrupp)
    data = export(client, cast)
    wb, ws = opened(data)
    (line, values) = next(iter(rows_of(ws).values()))
    assert len(values[0]) == CELL_LIMIT
    assert "Filen innehåller inga ändringar att läsa in." in upload(client, cast, data).text
    ws.cell(row=line, column=2, value="Sara")
    preview = upload(client, cast, save(wb))
    assert [d[0] for d in preview.context["parts"][0]["change"][0]["differences"]] == ["vem"]
    confirm(client, cast, preview)
    row.refresh_from_db()
    assert (row.who, row.what) == ("Sara", long)


# Values that are not text, in the cells of text fields (issue 14, item 7: what a clerk's
# Excel makes of a cell). ----------------------------------------------------------------------


def edited_row(client, cast, cells: dict) -> tuple[bytes, int]:
    """An export with cells of the row "Pressmeddelande" set ({column: value, or
    (value, number format)}), and that row's line."""
    sheets.a_row(cast, what="Pressmeddelande", section="information")
    client.force_login(cast.arbetsgrupp)
    wb, ws = opened(export(client, cast))
    line = rows_of(ws)["Pressmeddelande"][0]
    for column, value in cells.items():
        value, number_format = value if isinstance(value, tuple) else (value, None)
        cell = ws.cell(row=line, column=column, value=value)
        if number_format:
            cell.number_format = number_format
    return save(wb), line


def imported(client, cast, data: bytes) -> Row:
    preview = upload(client, cast, data)
    assert "draft" in preview.context, preview.context.get("cell_errors")
    confirm(client, cast, preview)
    return Row.objects.get()


@pytest.mark.parametrize(
    ("column", "field", "value", "stored"),
    [
        # What Excel makes of "2026-12-12", "2026-12-12 14:00", "14:30" typed in När.
        (3, "when", date(2026, 12, 12), "12 december 2026"),
        (3, "when", datetime(2026, 12, 12, 14, 0), "12 december 2026 kl. 14:00"),
        (3, "when", time(14, 30), "14:30"),
        (3, "when", (timedelta(hours=36), "[h]:mm"), "36:00"),
        (3, "when", 7.0, "7"),
        (4, "follow_up", 3.5, "3,5"),
        (4, "follow_up", 0.1 + 0.2, "0,3"),
        (2, "who", True, "SANT"),
        (2, "who", False, "FALSKT"),
    ],
)
def test_a_value_in_a_text_cell_is_imported_as_swedish_excel_shows_it(
    client, cast, column, field, value, stored
):
    data, _ = edited_row(client, cast, {column: value})
    assert getattr(imported(client, cast, data), field) == stored


def with_cached(data: bytes, formula: str, cached: str, kind: str | None = None) -> bytes:
    """The file with the value `cached` saved for the cell of `formula`, as Excel and
    LibreOffice save a computed value (openpyxl saves none); `kind` is the cell's type
    ("str", "b"; a number without)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename.startswith("xl/worksheets/"):
                text, found = re.subn(
                    rf"(<c [^>]*?)\s*/?>?<f>{re.escape(formula)}</f><v\s*/>",
                    lambda m: (
                        f"{m[1]}{f' t="{kind}"' if kind else ''}><f>{formula}</f><v>{cached}</v>"
                    ),
                    content.decode(),
                )
                found and (content := text.encode())
            archive.writestr(entry, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("column", "field", "formula", "cached", "kind", "stored"),
    [
        # =TODAY()+7 in a date format, saved on 5 December 2026.
        (3, "when", ("=TODAY()+7", "yyyy-mm-dd"), "46368", None, "12 december 2026"),
        (2, "who", "=UPPER(F1)", "PER OLSSON", "str", "PER OLSSON"),
        (4, "follow_up", "=7/2", "3.5", None, "3,5"),
        (2, "who", "=1=1", "1", "b", "SANT"),
    ],
)
def test_a_formula_is_imported_as_the_value_excel_saved_for_it(
    client, cast, column, field, formula, cached, kind, stored
):
    data, _ = edited_row(client, cast, {column: formula})
    text = formula[0] if isinstance(formula, tuple) else formula
    data = with_cached(data, text.removeprefix("="), cached, kind)
    row = imported(client, cast, data)
    assert getattr(row, field) == stored
    assert not Row.objects.filter(**{f"{field}__contains": text}).exists()


def test_a_formula_saved_without_a_value_is_an_error_at_its_cell_and_nothing_is_read(client, cast):
    data, line = edited_row(client, cast, {2: "=UPPER(F1)", 3: "=TODAY()+7"})
    # A new row made of formulas only is read too, not skipped as empty.
    wb, ws = opened(data)
    ws.insert_rows(line + 1)
    ws.cell(row=line + 1, column=1, value="=A5")
    response = upload(client, cast, save(wb))
    assert response.status_code == 200
    assert "Filen är inte inläst och inget är ändrat." in response.text
    message = "cellen innehåller en formel utan värde – skriv in värdet"
    assert {(e["line"], e["field"], e["message"]) for e in response.context["cell_errors"]} == {
        (line, "Vem", message),
        (line, "När", message),
        (line + 1, "Vad", message),
    }
    assert f"Rad {line}, Vem: {message}." in response.text
    assert not ImportDraft.objects.exists()
    assert Row.objects.get().version == 1


@pytest.mark.parametrize(
    ("column", "field", "in_file", "stored"),
    [
        # A vertical tab (Word's manual line break) as Excel saves it.
        (1, "what", "rad1_x000B_rad2", "rad1\nrad2"),
        (2, "who", "Sara_x000B_Eklund", "Sara Eklund"),
        (4, "follow_up", "Fredag_x000D__x000A_kl 10", "Fredag\nkl 10"),
        (4, "follow_up", "Kod_x0009_12", "Kod 12"),
        # The escape of an underscore: a text that only reads like an escape.
        (4, "follow_up", "Mall _x005F_x000B_ kvar", "Mall _x000B_ kvar"),
    ],
)
def test_a_character_excel_saved_escaped_is_imported_as_that_character(
    client, cast, column, field, in_file, stored
):
    data, _ = edited_row(client, cast, {column: "PLATSHÅLLARE"})
    row = imported(client, cast, replaced(data, "PLATSHÅLLARE", in_file))
    assert getattr(row, field) == stored


def test_a_text_that_reads_like_an_escape_comes_back_from_excel_as_no_change(client, cast):
    text = "Mallen _x000B_ och _x0041_ står kvar"
    row = sheets.a_row(cast, what=text, section="fakta")
    client.force_login(cast.arbetsgrupp)
    data = export(client, cast)
    # Written escaped, as Excel writes it, so that Excel shows the text as it is.
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert any(b"_x005F_x000B_" in archive.read(name) for name in archive.namelist())
    assert "Filen innehåller inga ändringar att läsa in." in upload(client, cast, data).text
    row.refresh_from_db()
    assert (row.what, row.version) == (text, 1)


@pytest.mark.parametrize(
    "headings",
    [
        # Typed again on a Mac (NFD), in capitals, with spaces around.
        ["Vad", "Vem", "Na\u0308r", "Uppfo\u0308ljning", "Status"],
        ["VAD", " vem ", "NÄR", "uppföljning", "Status\u00a0"],
    ],
)
def test_headings_typed_again_in_another_form_are_the_templates(client, cast, headings):
    fill(cast)
    client.force_login(cast.arbetsgrupp)
    wb, ws = opened(export(client, cast))
    for column, heading in enumerate(headings, start=1):
        ws.cell(row=3, column=column, value=heading)
    assert "Filen innehåller inga ändringar att läsa in." in upload(client, cast, save(wb)).text
    ws.cell(row=3, column=3, value="Datum")
    refused = upload(client, cast, save(wb)).text
    assert "Filen har inte bedömningsmallens uppställning" in refused
