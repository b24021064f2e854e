"""The exported bedömningsmall as a clerk sees and prints it (issue 14, item 11), and the
whole round trip through LibreOffice, the program most clerks here would open it in."""

import math
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment import services
from assessment.models import Row
from assessment.parts import PARTS
from events.models import Task
from tests import sheets
from tests.workbooks import (
    confirm,
    export,
    fill,
    insert,
    libreoffice,
    line_of,
    opened,
    rows_of,
    save,
    upload,
)


@pytest.fixture
def filled(cast):
    return fill(cast)


def test_the_parts_are_numbered_as_on_the_page(client, cast):
    client.force_login(cast.arbetsgrupp)
    _, ws = opened(export(client, cast))
    column_a = [c.value for c in ws["A"]]
    page = client.get(reverse("sheet", args=[cast.event.pk])).text
    for number, part in enumerate(PARTS, start=1):
        assert f"{number}. {part.title}" in column_a
        assert f"{number}. {part.title}</h2>" in page
    assert [v for v in column_a if v and v[0].isdigit() and v[1:3] == ". "][-1] == (
        "6. Omfallsplanering"
    )


def test_status_is_a_drop_down_list_where_a_section_has_a_status(client, cast, filled):
    client.force_login(cast.arbetsgrupp)
    _, ws = opened(export(client, cast))
    found = rows_of(ws)
    (choices,) = [
        v for v in ws.data_validations.dataValidation if v.formula1.startswith('"Ej påbörjad')
    ]
    assert choices.formula1 == '"Ej påbörjad,Pågår,Klar,Struken"'
    assert choices.showErrorMessage
    for what in ("Ring facket", "Pressmeddelande", "Nytt företag etablerar sig"):
        assert f"E{found[what][0]}" in choices.sqref, what
    # Facts have no status: no list to suggest one.
    assert f"E{found['38 anställda varslas'][0]}" not in choices.sqref
    # A row added below the last one (Omfallsplanering, which has a status) gets the list.
    assert f"E{ws.max_row + 10}" in choices.sqref


def test_rows_are_as_tall_as_their_wrapped_text(client, cast):
    texts = {
        "short": "Ring facket",
        "lines": "Första raden\nAndra raden\nTredje raden\nFjärde raden",
        # Digits are as wide as the "0" a column's width is counted in: a lower bound.
        "digits": "0123456789 " * 30,
    }
    for what in texts.values():
        sheets.a_row(cast, what=what, section="fakta")
    client.force_login(cast.arbetsgrupp)
    _, ws = opened(export(client, cast))
    found = rows_of(ws)
    height = {key: ws.row_dimensions[found[text][0]].height for key, text in texts.items()}
    assert height["short"] is None  # the default, one line
    assert height["lines"] >= 4 * 15
    width = ws.column_dimensions["A"].width
    assert height["digits"] >= math.ceil(len(texts["digits"]) / width) * 15
    # The parts' help texts, merged across the columns, wrap too.
    help_line = line_of(ws, "#del:omfall") + 1
    assert ws.row_dimensions[help_line].height >= 2 * 15


def test_dates_in_the_tasks_sheet_are_date_cells(client, cast):
    due = timezone.make_aware(datetime(2026, 10, 26, 9, 30))
    Task.objects.filter(pk=cast.task.pk).update(due_at=due)
    client.force_login(cast.arbetsgrupp)
    wb, _ = opened(export(client, cast))
    ws = wb["Uppgifter"]
    assert [c.value for c in ws[2]][:4] == ["Vad", "Vem", "När", "Uppföljning"]
    cell = ws["C3"]
    assert cell.value == datetime(2026, 10, 26, 9, 30)  # local time, as the page shows it
    assert cell.is_date
    assert cell.number_format == "yyyy-mm-dd hh:mm"
    assert ws["D3"].value is None


def test_the_tasks_and_parties_sheets_say_they_are_for_reading_only(client, cast):
    sheets.a_party(cast)
    client.force_login(cast.arbetsgrupp)
    wb, ws = opened(export(client, cast))
    for name, what in [("Uppgifter", "uppgifter"), ("Externa parter", "externa parter")]:
        assert wb[name]["A1"].value.startswith("Endast för läsning: ändringar i det här bladet")
        assert f"Ändra {what} i ärendet" in wb[name]["A1"].value
        assert wb[name].protection.sheet
    assert wb["Externa parter"]["B3"].value == "GS-facket"
    assert not ws.protection.sheet
    page = client.get(reverse("sheet_import", args=[cast.event.pk])).text
    assert (
        "Bladen Uppgifter och Externa parter är till för läsning: ändringar i dem läses inte in."
        in page
    )


def test_the_import_counts_in_swedish(client, cast, filled):
    client.force_login(cast.arbetsgrupp)
    wb, ws = opened(export(client, cast))
    ws.cell(row=rows_of(ws)["Ring facket"][0], column=2, value="Sara")
    page = confirm(client, cast, upload(client, cast, save(wb)))
    assert "Ändringarna från Excel är inlästa (1 rad)." in page.text
    assert cast.event.log_entries.filter(text__endswith="mall.xlsx (1 ändring).").exists()
    wb, ws = opened(export(client, cast))
    for what in ("Ring facket", "Pressmeddelande"):
        ws.cell(row=rows_of(ws)[what][0], column=4, value="Fredag")
    insert(ws, line_of(ws, "#avsnitt:fakta") + 1, "Ny fakta")
    preview = upload(client, cast, save(wb))
    # Two changes in different parts: one each.
    assert preview.text.count("<h3>1 ändrad rad</h3>") == 2
    assert "<h3>1 ny rad</h3>" in preview.text
    assert "Ändringarna från Excel är inlästa (3 rader)." in confirm(client, cast, preview).text


# LibreOffice ---------------------------------------------------------------------------------


ODD_ROWS = [
    ("fakta", {"what": "Ta fram\x0bsiffror", "who": "Sara\x0bEklund"}),
    ("fakta", {"what": '=HYPERLINK("http://x")', "when": "2026-03-02"}),
    ("initiala", {"what": "Ring facket", "when": "1/2", "status": "pagar"}),
    ("information", {"what": "Pressmeddelande", "audience": "+46 70 123 45 67"}),
    ("antaganden", {"what": "Fler kan varslas. " * 100, "follow_up": "Rad ett\nRad två"}),
    ("scenario", {"what": "→ Nytt företag"}),
]


def test_an_export_saved_by_libreoffice_imports_back_as_no_change(client, cast, tmp_path):
    sheet = services.sheet_of(cast.event)
    for section, content in ODD_ROWS:
        services.add_row(sheet, section, content, by=cast.arbetsgrupp)
    sheets.a_delegated_row(cast, "Boka lokal", status="pagar")
    client.force_login(cast.arbetsgrupp)
    data = libreoffice(export(client, cast), tmp_path / "lo")
    preview = upload(client, cast, data)
    assert "Filen innehåller inga ändringar att läsa in." in preview.text
    assert "ändras i uppgiften" not in preview.text
    # What a clerk gets from the export survives LibreOffice: the lists, the heights.
    _, ws = opened(data)
    assert any(v.formula1 == '"Pågår"' for v in ws.data_validations.dataValidation)
    (line,) = [line for what, (line, _) in rows_of(ws).items() if what.startswith("Fler kan")]
    assert ws.row_dimensions[line].height > 15


def test_new_rows_saved_again_by_libreoffice_are_not_added_twice(client, cast, filled, tmp_path):
    client.force_login(cast.arbetsgrupp)
    wb, ws = opened(export(client, cast))
    insert(ws, line_of(ws, "#avsnitt:antaganden") + 1, "Fler kan varslas i höst")
    ws.cell(row=rows_of(ws)["Ring facket"][0], column=2, value="Sara")
    data = save(wb)
    confirm(client, cast, upload(client, cast, data))
    preview = upload(client, cast, libreoffice(data, tmp_path / "lo"))
    assert "1 ny rad i filen är redan inläst från samma export" in preview.text
    assert "Filen innehåller inga ändringar att läsa in." in preview.text
    assert Row.objects.filter(what="Fler kan varslas i höst").count() == 1


# LibreOffice's own optimal height of each row (Row.OptimalHeight) beside the export's.
OPTIMAL_HEIGHTS = """REM  *****  BASIC  *****
Sub Main
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = "Hidden"
  args(0).Value = True
  path = Environ("WORKBOOK")
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(path), "_blank", 0, args())
  sheet = doc.Sheets.getByIndex(0)
  out = ""
  For r = 0 To CInt(Environ("LINES")) - 1
    row = sheet.Rows.getByIndex(r)
    mine = row.Height
    row.OptimalHeight = True
    out = out &amp; mine &amp; ";" &amp; row.Height &amp; Chr(10)
  Next r
  f = FreeFile
  Open path &amp; ".heights" For Output As #f
  Print #f, out
  Close #f
  doc.close(True)
End Sub
"""


def test_libreoffice_needs_no_row_taller_than_the_export_makes_it(client, cast, tmp_path):
    words = ["Norsjö", "kommun", "ringer", "facket", "och", "Arbetsförmedlingen", "om", "38"]
    sheet = services.sheet_of(cast.event)
    for n in range(1, 40):
        text = " ".join(words[i % len(words)] for i in range(n * 3))
        section = "information" if n % 2 else "initiala"
        content = {"what": text, "who": text[: n * 2], "follow_up": text[::-1][: n * 4]}
        services.add_row(sheet, section, content | {"audience": text[:60]}, by=cast.arbetsgrupp)
    client.force_login(cast.arbetsgrupp)
    data = export(client, cast)
    _, ws = opened(data)
    work = tmp_path / "lo"
    libreoffice(data, work, macro=OPTIMAL_HEIGHTS, env={"LINES": str(ws.max_row)})
    heights = (work / "in.xlsx.heights").read_text().split()
    assert len(heights) == ws.max_row
    short = []
    for line, pair in enumerate(heights, start=1):
        ours, needed = (int(h) for h in pair.split(";"))  # 1/100 mm
        if ws.cell(row=line, column=7).value and needed > ours + 20:
            short.append((line, ours, needed))
    assert short == []
