"""Excel export and import of the bedömningsmall, through HTTP."""

import io
import re
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from assessment import services
from assessment.models import Row, Sheet
from assessment.parts import PARTS
from tests import sheets
from tests.test_documents_upload_names import post_raw
from tests.workbooks import confirm, export, fill, rows_of, save, upload


@pytest.fixture
def filled(cast):
    return fill(cast)


def test_the_export_opens_with_openpyxl_and_holds_every_row_in_its_block(client, cast, filled):
    services.add_party(cast.event, {"type": "af", "organisation": "Af Skellefteå"}, by=cast.kso)
    client.force_login(cast.lasare)
    wb = openpyxl.load_workbook(io.BytesIO(export(client, cast)))
    assert wb.sheetnames == ["Bedömningsmall", "Externa parter", "Uppgifter"]
    ws = wb["Bedömningsmall"]
    assert [c.value for c in ws[3][:5]] == ["Vad", "Vem", "När", "Uppföljning", "Status"]
    column_a = [c.value for c in ws["A"]]
    markers = [c.value for c in ws["G"]]
    # Each part is a titled block, in the plan's order, and each row sits in its section.
    positions = [column_a.index(f"{n}. {part.title}") for n, part in enumerate(PARTS, start=1)]
    assert positions == sorted(positions)
    assert markers.index("#avsnitt:fakta") < column_a.index("38 anställda varslas")
    assert column_a.index("38 anställda varslas") < markers.index("#avsnitt:antaganden")
    assert markers.index("#avsnitt:initiala") < column_a.index("Ring facket")
    assert column_a.index("Nytt företag etablerar sig") + 1 == column_a.index("↳ Matcha personal")
    assert "Borttagen sedan länge" not in column_a
    # Readable printed: A4 landscape, header rows repeated, fit to width, frozen header.
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$3:$3"
    assert ws.freeze_panes == "A4"
    assert ws.cell(row=column_a.index("Ring facket") + 1, column=1).alignment.wrap_text
    assert ws.column_dimensions["G"].hidden
    assert wb["Externa parter"]["B3"].value == "Af Skellefteå"
    assert wb["Uppgifter"]["A3"].value == "Ring omställningsfonden"


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_formula_like_text_is_stored_as_text_and_comes_back_as_text(client, cast, text):
    row = sheets.a_row(cast, what=text, section="fakta")
    client.force_login(cast.arbetsgrupp)
    data = export(client, cast)
    ws = openpyxl.load_workbook(io.BytesIO(data))["Bedömningsmall"]
    cell = next(c for c in ws["A"] if c.value == text)
    assert cell.data_type == "s"
    assert cell.quotePrefix
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    # Unchanged on the way back.
    response = upload(client, cast, data)
    assert response.status_code == 200
    assert "Filen innehåller inga ändringar" in response.text
    row.refresh_from_db()
    assert row.what == text
    assert row.version == 1


def test_a_formula_behind_a_control_character_stays_text_on_every_worksheet(client, cast):
    cast.task.what = '\x01=HYPERLINK("http://x","y")'
    cast.task.save()
    client.force_login(cast.arbetsgrupp)
    data = export(client, cast)
    cell = openpyxl.load_workbook(io.BytesIO(data))["Uppgifter"]["A3"]
    # The control character is a space, as stored text has it: no longer a formula.
    assert cell.value == ' =HYPERLINK("http://x","y")'
    assert cell.data_type == "s"
    for name in zipfile.ZipFile(io.BytesIO(data)).namelist():
        if name.startswith("xl/worksheets/"):
            assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read(name).decode()


def test_a_formula_saved_without_its_value_is_never_imported_as_its_text(client, cast, filled):
    client.force_login(cast.arbetsgrupp)
    wb = openpyxl.load_workbook(io.BytesIO(export(client, cast)))
    ws = wb["Bedömningsmall"]
    line, _ = rows_of(ws)["38 anställda varslas"]
    ws.cell(row=line, column=1, value="=1+1")  # openpyxl saves no computed value
    response = upload(client, cast, save(wb))
    assert f"Rad {line}, Vad: cellen innehåller en formel utan värde" in response.text
    assert Row.objects.get(pk=filled["fakta"].pk).what == "38 anställda varslas"


def test_export_edit_import_applies_exactly_the_edits(client, cast, filled):
    client.force_login(cast.arbetsgrupp)
    wb = openpyxl.load_workbook(io.BytesIO(export(client, cast)))
    ws = wb["Bedömningsmall"]
    found = rows_of(ws)
    # Change one row, remove one, add one under "Antaganden" and a measure to the scenario.
    ws.cell(row=found["Ring facket"][0], column=2, value="Sara Eklund")
    ws.cell(row=found["Ring facket"][0], column=5, value="Pågår")
    ws.delete_rows(found["Pressmeddelande"][0])
    markers = [c.value for c in ws["G"]]
    line = markers.index("#avsnitt:antaganden") + 2
    ws.insert_rows(line)
    ws.cell(row=line, column=1, value="Fler kan varslas i höst")
    chain_line = [c.value for c in ws["A"]].index("↳ Matcha personal") + 2
    ws.insert_rows(chain_line)
    ws.cell(row=chain_line, column=1, value="↳ Erbjud lokaler")
    before = {r.pk: (r.content(), r.version) for r in Row.objects.all()}

    preview = upload(client, cast, save(wb))
    assert preview.status_code == 200
    assert preview.text.count("<h3>1 ny rad</h3>") == 2  # in part 1 and part 6
    assert "Fler kan varslas i höst" in preview.text
    assert "<h3>1 ändrad rad</h3>" in preview.text
    # Field by field, even where "vad" is the same.
    assert "Vem: <del>(tomt)</del> → Sara Eklund" in preview.text
    assert "Status: <del>(tomt)</del> → Pågår" in preview.text
    assert "<h3>1 borttagen rad</h3>" in preview.text
    assert "Pressmeddelande" in preview.text
    assert Row.objects.count() == len(before)  # nothing applied yet

    page = confirm(client, cast, preview)
    assert "Ändringarna från Excel är inlästa (4 rader)" in page.text, page.text[
        page.text.find("message") :
    ][:300]
    ring = Row.objects.get(pk=filled["initiala"].pk)
    assert (ring.who, ring.status, ring.version) == ("Sara Eklund", "pagar", 2)
    assert Row.objects.get(pk=filled["information"].pk).removed_at is not None
    assert Row.objects.get(section="antaganden").what == "Fler kan varslas i höst"
    offer = Row.objects.get(what="Erbjud lokaler")
    assert offer.parent == filled["scenario"]
    # Everything else untouched.
    untouched = {filled["fakta"].pk, filled["scenario"].pk, filled["chain"].pk, filled["gone"].pk}
    for row in Row.objects.filter(pk__in=untouched):
        assert (row.content(), row.version) == before[row.pk]
    # Recorded as the uploader's change.
    assert ring.revisions.first().get_kind_display() == "Ändrad via Excel"
    assert ring.revisions.first().by == cast.arbetsgrupp
    assert cast.event.log_entries.filter(
        text__contains="från Excel-filen mall.xlsx (4 ändringar)"
    ).exists()


def test_a_row_changed_in_the_app_since_the_export_is_a_conflict(client, cast, filled):
    client.force_login(cast.arbetsgrupp)
    wb = openpyxl.load_workbook(io.BytesIO(export(client, cast)))
    ws = wb["Bedömningsmall"]
    found = rows_of(ws)
    ws.cell(row=found["Ring facket"][0], column=1, value="Ring facket (Excel)")
    ws.cell(row=found["Ring facket"][0], column=2, value="Sara")
    ws.delete_rows(found["38 anställda varslas"][0])
    # Meanwhile, in the app:
    services.edit_row(
        filled["initiala"], {"what": "Ring facket (app)", "who": "Erik"}, version=1, by=cast.kso
    )
    services.edit_row(filled["fakta"], {"what": "40 anställda varslas"}, version=1, by=cast.kso)
    preview = upload(client, cast, save(wb))
    assert "2 konflikter – läses inte in" in preview.text
    assert "Vad: i mallen ”Ring facket (app)”, i filen ”Ring facket (Excel)”" in preview.text
    assert "Vem: i mallen ”Erik”, i filen ”Sara”" in preview.text
    assert "Borttagen i filen" in preview.text
    confirm(client, cast, preview)
    assert Row.objects.get(pk=filled["initiala"].pk).what == "Ring facket (app)"
    fakta = Row.objects.get(pk=filled["fakta"].pk)
    assert (fakta.what, fakta.removed_at) == ("40 anställda varslas", None)


def test_an_untouched_row_changed_in_the_app_stays_as_the_app_has_it(client, cast, filled):
    client.force_login(cast.arbetsgrupp)
    data = export(client, cast)
    services.edit_row(filled["initiala"], {"what": "Ring facket i dag"}, version=1, by=cast.kso)
    preview = upload(client, cast, data)
    assert "Konflikter" not in preview.text
    assert "Filen innehåller inga ändringar" in preview.text


def test_a_change_between_preview_and_confirm_applies_nothing(client, cast, filled):
    client.force_login(cast.arbetsgrupp)
    wb = openpyxl.load_workbook(io.BytesIO(export(client, cast)))
    ws = wb["Bedömningsmall"]
    found = rows_of(ws)
    ws.cell(row=found["Ring facket"][0], column=1, value="Ring facket (Excel)")
    ws.cell(row=found["Pressmeddelande"][0], column=1, value="Pressmeddelande (Excel)")
    preview = upload(client, cast, save(wb))
    services.edit_row(filled["information"], {"what": "Webbtext"}, version=1, by=cast.kso)
    page = confirm(client, cast, preview)
    assert "Inget är ändrat: mallen ändrades" in page.text
    assert Row.objects.get(pk=filled["initiala"].pk).what == "Ring facket"


def billion_laughs() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            "&b;</Types>",
        )
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (70 * 1024 * 1024))
    return out.getvalue()


def many_entries() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(500):
            archive.writestr(f"xl/part{i}.xml", "<x/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def other_layout() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = "Bedömningsmall"
    wb.active["A1"] = "Min egen lista"
    return save(wb)


def wrong_sheet_name() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = "Blad1"
    return save(wb)


def bad_status(client, cast) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(export(client, cast)))
    ws = wb["Bedömningsmall"]
    ws.cell(row=rows_of(ws)["Ring facket"][0], column=5, value="Nästan klar")
    return save(wb)


def other_event(client, cast) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(export(client, cast)))
    wb["Bedömningsmall"]["G1"] = "norsjo-bedomning:00000000-0000-0000-0000-000000000000"
    return save(wb)


def a_million_claimed_rows(client, cast) -> bytes:
    """An export whose sheet claims the whole grid, with a cell far out on every 4th row:
    small as a file, slow to read if its row numbers were trusted."""
    source = zipfile.ZipFile(io.BytesIO(export(client, cast)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                far = "".join(
                    f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>'
                    for r in range(1000, 1_048_577, 40)
                )
                text = re.sub(
                    r'<dimension ref="[^"]*"\s*/>',
                    '<dimension ref="A1:XFD1048576"/>',
                    data.decode(),
                )
                data = text.replace("</sheetData>", far + "</sheetData>").encode()
            archive.writestr(entry, data)
    return out.getvalue()


BAD_FILES = {
    "a million rows": (a_million_claimed_rows, "fler än 20 000 rader"),
    "not a workbook": (lambda c, k: b"Vad;Vem\nRing;Sara\n", "är inte en Excel-arbetsbok"),
    "over 5 MB": (lambda c, k: b"PK" + b"x" * (5 * 1024 * 1024), "större än 5 MB"),
    "zip bomb": (lambda c, k: zip_bomb(), "misstänkt mycket data"),
    "too many entries": (lambda c, k: many_entries(), "501 delar"),
    "xml entities": (lambda c, k: billion_laughs(), "otillåten XML"),
    "missing worksheet": (lambda c, k: wrong_sheet_name(), "bladet ”Bedömningsmall” saknas"),
    "other layout": (lambda c, k: other_layout(), "har inte bedömningsmallens uppställning"),
    "unknown status": (bad_status, "okänd status ”Nästan klar”"),
    "other event": (other_event, "exporterad från ett annat ärende"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_refused_with_a_swedish_message_and_nothing_changed(
    client, cast, filled, case
):
    make, message = BAD_FILES[case]
    client.force_login(cast.arbetsgrupp)
    data = make(client, cast)
    before = list(Row.objects.values_list("pk", "what", "version", "removed_at"))
    counter = Sheet.objects.get().counter
    response = upload(client, cast, data)
    assert response.status_code == 200
    assert message in response.text
    assert "Filen är inte inläst och inget är ändrat." in response.text
    assert list(Row.objects.values_list("pk", "what", "version", "removed_at")) == before
    assert Sheet.objects.get().counter == counter


MB = 1024 * 1024
TOO_LARGE = "Filen är större än {} MB. En exporterad bedömningsmall är mycket mindre"


@pytest.mark.parametrize("fields", [{}, {"note": "från mötet"}], ids=["file alone", "field first"])
@pytest.mark.parametrize(
    ("document_max_mb", "size", "limit_mb"),
    [
        # Past accounts.uploads.body_limit() (DOCUMENT_MAX_MB + 1 MB) the body is not read
        # past the file's start, so the form gets no file: it must still say too large.
        (25, 27 * MB, 5),
        (25, 60 * MB, 5),
        # Where uploads are capped below 5 MB, the import is capped there too, and says so:
        # stopped with the body, and read but over the cap.
        (2, 3 * MB + 500_000, 2),
        (2, 2 * MB + 500_000, 2),
    ],
)
def test_a_file_over_the_limit_is_called_too_large_with_the_limit_in_force(
    client, cast, filled, settings, fields, document_max_mb, size, limit_mb
):
    settings.DOCUMENT_MAX_BYTES = document_max_mb * MB
    client.force_login(cast.arbetsgrupp)
    before = list(Row.objects.values_list("pk", "what", "version", "removed_at"))
    url = reverse("sheet_import", args=[cast.event.pk])
    response = post_raw(client, url, fields, "mall.xlsx", b"PK" + b"x" * size)
    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert error.startswith(TOO_LARGE.format(limit_mb))
    assert "Välj en fil" not in response.text
    assert list(Row.objects.values_list("pk", "what", "version", "removed_at")) == before


def test_a_sheet_under_a_lowered_upload_cap_is_still_read(client, cast, filled, settings):
    settings.DOCUMENT_MAX_BYTES = 1 * MB
    client.force_login(cast.arbetsgrupp)
    response = upload(client, cast, export(client, cast))
    assert response.status_code == 200
    assert "draft" in response.context


def test_defusedxml_is_active_for_openpyxl():
    assert openpyxl.xml.DEFUSEDXML


def test_a_scenario_removed_in_excel_takes_its_chain_along(client, cast, filled):
    client.force_login(cast.arbetsgrupp)
    wb = openpyxl.load_workbook(io.BytesIO(export(client, cast)))
    ws = wb["Bedömningsmall"]
    for what in ("↳ Matcha personal", "Nytt företag etablerar sig"):
        ws.delete_rows(rows_of(ws)[what][0])
    confirm(client, cast, upload(client, cast, save(wb)))
    for key in ("scenario", "chain"):
        assert Row.objects.get(pk=filled[key].pk).removed_at is not None


def test_a_chain_row_added_to_a_scenario_removed_meanwhile_is_not_lost(client, cast, filled):
    client.force_login(cast.arbetsgrupp)
    wb = openpyxl.load_workbook(io.BytesIO(export(client, cast)))
    ws = wb["Bedömningsmall"]
    line = rows_of(ws)["↳ Matcha personal"][0] + 1
    ws.insert_rows(line)
    ws.cell(row=line, column=1, value="↳ Erbjud lokaler")
    preview = upload(client, cast, save(wb))
    scenario = Row.objects.get(pk=filled["scenario"].pk)
    services.remove_row(scenario, version=scenario.version, by=cast.kommunchef)
    page = confirm(client, cast, preview)
    assert "Inget är ändrat" in page.text
    assert not Row.objects.filter(what="Erbjud lokaler").exists()


def status_of(ws, what) -> str:
    return rows_of(ws)[what][1][4]


def test_a_delegated_row_exports_its_tasks_status(client, cast, filled):
    services.edit_row(
        filled["initiala"], {"what": "Ring facket", "status": "pagar"}, version=1, by=cast.kso
    )
    sheets.a_delegated_row(cast, "Boka lokal")
    sheets.a_delegated_row(cast, "Ring Arbetsförmedlingen", status="klar")
    sheets.a_delegated_row(cast, "Ta reda på hur många bor kvar", "fakta", status="pagar")
    client.force_login(cast.lasare)
    ws = openpyxl.load_workbook(io.BytesIO(export(client, cast)))["Bedömningsmall"]
    assert status_of(ws, "Boka lokal") == "Ny"
    assert status_of(ws, "Ring Arbetsförmedlingen") == "Klar"
    assert status_of(ws, "Ta reda på hur många bor kvar") == "Pågår"
    assert status_of(ws, "Ring facket") == "Pågår"  # a row without a task: its own


def test_importing_a_delegated_rows_status_changes_neither_the_task_nor_the_row(
    client, cast, filled
):
    new = sheets.a_delegated_row(cast, "Boka lokal")
    done = sheets.a_delegated_row(cast, "Ring Arbetsförmedlingen", status="klar")
    client.force_login(cast.arbetsgrupp)
    data = export(client, cast)
    # Read back as exported ("Ny" among them), nothing changes.
    assert "Filen innehåller inga ändringar" in upload(client, cast, data).text
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Bedömningsmall"]
    found = rows_of(ws)
    ws.cell(row=found["Boka lokal"][0], column=5, value="Klar")
    ws.cell(row=found["Ring Arbetsförmedlingen"][0], column=2, value="Erik och Sara")
    preview = upload(client, cast, save(wb))
    assert "1 status som ändras i uppgiften – läses inte in" in preview.text
    assert "Boka lokal – i filen ”Klar”, uppgiften ”Ny”:" in preview.text
    task_url = reverse("task_detail", args=[cast.event.pk, new.task_id])
    assert f'<a href="{task_url}">ändras i uppgiften</a>' in preview.text
    assert "<h3>1 ändrad rad</h3>" in preview.text
    assert "Status: <del>" not in preview.text
    confirm(client, cast, preview)
    untouched = Row.objects.select_related("task").get(pk=new.pk)
    done = Row.objects.select_related("task").get(pk=done.pk)
    assert (untouched.status, untouched.task.status) == ("ej_paborjad", "ny")
    assert untouched.version == new.version  # nothing recorded that changes nothing
    assert (done.who, done.status, done.task.status) == ("Erik och Sara", "ej_paborjad", "klar")


def test_a_copied_line_of_a_new_task_comes_back_as_a_row_not_started(client, cast, filled):
    sheets.a_delegated_row(cast, "Boka lokal")
    client.force_login(cast.arbetsgrupp)
    wb = openpyxl.load_workbook(io.BytesIO(export(client, cast)))
    ws = wb["Bedömningsmall"]
    line, values = rows_of(ws)["Boka lokal"]
    ws.insert_rows(line + 1)
    for column, value in enumerate(values, start=1):
        ws.cell(row=line + 1, column=column, value=value)
    ws.cell(row=line + 1, column=1, value="Boka lokal i Bastuträsk")
    confirm(client, cast, upload(client, cast, save(wb)))
    copy = Row.objects.get(what="Boka lokal i Bastuträsk")
    assert (copy.status, copy.task) == ("ej_paborjad", None)
