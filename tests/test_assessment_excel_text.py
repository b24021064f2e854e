"""The bedömningsmall's text through Excel and back (issue 14, items 7 and 8): an untouched
round trip changes nothing, nothing is longer than a cell holds, an import never cuts, and
every row of the file is read whatever the file says of its size."""

import io
import re
import zipfile

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
