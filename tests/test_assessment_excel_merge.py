"""Edits in an Excel copy meeting edits in the app (issue 14, items 9 and 10): the same new
rows imported twice are added once, changes to different fields of a row both land, only a
field changed on both sides is a conflict, and a row that is a task keeps its task's status."""

import pytest
from django.urls import reverse

from accounts.moments import moment_text
from assessment import services
from assessment.models import ImportDraft, Row
from events.services import report_task_progress
from tests import sheets
from tests.workbooks import (
    confirm,
    export,
    fill,
    insert,
    line_of,
    opened,
    rows_of,
    save,
    upload,
)


@pytest.fixture
def filled(cast):
    return fill(cast)


def with_new_rows(client, cast) -> bytes:
    """An export with five new rows: one in Antaganden, the same one twice in Initiala
    åtgärder, and a new scenario with a measure in its chain."""
    wb, ws = opened(export(client, cast))
    insert(ws, line_of(ws, "#avsnitt:antaganden") + 1, "Fler kan varslas i höst")
    insert(ws, line_of(ws, "#avsnitt:initiala") + 1, "Ring AF", "Sara")
    insert(ws, line_of(ws, "#avsnitt:initiala") + 1, "Ring AF", "Sara")
    end = ws.max_row + 1
    insert(ws, end, "Företaget säljs", "", "", "", "Ej påbörjad")
    insert(ws, end + 1, "↳ Kontakta köparen", "Anna")
    return save(wb)


def live_rows() -> list[tuple]:
    return sorted(Row.objects.filter(removed_at=None).values_list("section", "what", "parent"))


def resaved(data: bytes) -> bytes:
    """The same file saved again by a program (openpyxl here; LibreOffice in
    test_assessment_excel_layout): its bytes differ, its edits are the same."""
    wb, _ = opened(data)
    return save(wb)


@pytest.mark.parametrize("again", [lambda data: data, resaved], ids=["same file", "saved again"])
def test_the_same_new_rows_imported_twice_are_added_once(client, cast, filled, again):
    client.force_login(cast.arbetsgrupp)
    data = with_new_rows(client, cast)
    page = confirm(client, cast, upload(client, cast, data))
    assert "Ändringarna från Excel är inlästa (5 rader)." in page.text
    after_first = live_rows()
    assert after_first.count(("initiala", "Ring AF", None)) == 2
    scenario = Row.objects.get(what="Företaget säljs")
    assert Row.objects.get(what="Kontakta köparen").parent == scenario

    preview = upload(client, cast, again(data))
    assert "5 nya rader i filen är redan inlästa från samma export och läggs inte till igen." in (
        preview.text
    )
    assert "Filen innehåller inga ändringar att läsa in." in preview.text
    assert "Bekräfta och läs in" not in preview.text
    assert live_rows() == after_first


def test_a_row_added_to_the_file_after_its_import_is_the_only_one_added(client, cast, filled):
    client.force_login(cast.arbetsgrupp)
    data = with_new_rows(client, cast)
    confirm(client, cast, upload(client, cast, data))
    scenario = Row.objects.get(what="Företaget säljs")
    # The same copy, edited further: one more measure in the new scenario's chain.
    wb, ws = opened(data)
    insert(ws, [c.value for c in ws["A"]].index("↳ Kontakta köparen") + 2, "↳ Erbjud lokaler")
    preview = upload(client, cast, save(wb))
    assert "5 nya rader i filen är redan inlästa" in preview.text
    assert "<h3>1 ny rad</h3>" in preview.text
    page = confirm(client, cast, preview)
    assert "Ändringarna från Excel är inlästa (1 rad)." in page.text
    assert Row.objects.get(what="Erbjud lokaler").parent == scenario
    assert Row.objects.filter(what="Kontakta köparen").count() == 1


def test_two_previews_of_the_same_file_confirmed_add_its_rows_once(client, cast, filled):
    client.force_login(cast.arbetsgrupp)
    data = with_new_rows(client, cast)
    first, second = upload(client, cast, data), upload(client, cast, data)
    confirm(client, cast, first)
    page = confirm(client, cast, second)
    assert "Inget är ändrat" in page.text
    assert Row.objects.filter(what="Fler kan varslas i höst").count() == 1
    assert ImportDraft.objects.exclude(applied_at=None).count() == 1


def edit_on_the_web(client, cast, row, **fields):
    """A member changes the row in the browser (its edit form, as posted)."""
    client.force_login(cast.kso)
    data = {**row.content(), **fields, "version": row.version}
    response = client.post(reverse("row_edit", args=[cast.event.pk, row.pk]), data)
    assert response.status_code == 302
    client.force_login(cast.arbetsgrupp)
    return Row.objects.get(pk=row.pk)


def excel_copy(client, cast, edits: dict[str, dict[int, str]]):
    """Sara's export, to edit: {what: {column: new text}}."""
    client.force_login(cast.arbetsgrupp)
    wb, ws = opened(export(client, cast))
    found = rows_of(ws)

    def edited() -> bytes:
        for what, cells in edits.items():
            for column, text in cells.items():
                ws.cell(row=found[what][0], column=column, value=text)
        return save(wb)

    return edited


def test_changes_to_different_fields_of_a_row_both_land(client, cast, filled):
    copy = excel_copy(client, cast, {"Ring facket": {4: "Fredag på ledningsgruppen"}})
    edit_on_the_web(client, cast, filled["initiala"], who="Per Olsson")
    preview = upload(client, cast, copy())
    assert "konflikt" not in preview.text
    assert "Uppföljning: <del>(tomt)</del> → Fredag på ledningsgruppen" in preview.text
    assert "Vem:" not in preview.text
    confirm(client, cast, preview)
    row = Row.objects.get(pk=filled["initiala"].pk)
    assert (row.who, row.follow_up, row.version) == ("Per Olsson", "Fredag på ledningsgruppen", 3)


def test_only_a_field_changed_on_both_sides_is_a_conflict(client, cast, filled):
    copy = excel_copy(
        client, cast, {"Ring facket": {2: "Sara", 4: "Fredag"}, "Pressmeddelande": {2: "Jonas"}}
    )
    edit_on_the_web(client, cast, filled["initiala"], who="Per")
    # The same change on both sides is no conflict.
    edit_on_the_web(client, cast, filled["information"], who="Jonas")
    preview = upload(client, cast, copy())
    assert "<h1>Det här ändras om du bekräftar</h1>" in preview.text
    assert "1 konflikt – läses inte in" in preview.text
    assert "Vem: i mallen ”Per”, i filen ”Sara”" in preview.text
    assert "Uppföljning: <del>(tomt)</del> → Fredag" in preview.text
    edited = Row.objects.get(pk=filled["initiala"].pk)
    # When the web's side changed, in Swedish as every date a person reads.
    assert f"ändrad i mallen av {edited.updated_by}, {moment_text(edited.updated_at)})" in (
        preview.text
    )
    confirm(client, cast, preview)
    ring = Row.objects.get(pk=filled["initiala"].pk)
    assert (ring.who, ring.follow_up) == ("Per", "Fredag")
    assert Row.objects.get(pk=filled["information"].pk).version == 2


def test_a_preview_with_only_conflicts_says_nothing_changes(client, cast, filled):
    copy = excel_copy(
        client, cast, {"Ring facket": {1: "Ring facket i dag"}, "Pressmeddelande": {2: "Sara"}}
    )
    edit_on_the_web(client, cast, filled["initiala"], what="Ring facket i morgon")
    edit_on_the_web(client, cast, filled["information"], who="Jonas")
    preview = upload(client, cast, copy())
    assert "Det här ändras" not in preview.text
    assert "<h1>Inget ändras</h1>" in preview.text
    assert "Filens ändringar krockar med ändringar som gjorts i mallen sedan exporten" in (
        preview.text
    )
    assert "2 konflikter – läses inte in" in preview.text
    assert "Bekräfta och läs in" not in preview.text


def test_a_row_removed_on_one_side_and_changed_on_the_other_is_a_conflict(client, cast, filled):
    copy = excel_copy(client, cast, {"Ring facket": {2: "Sara"}})
    row = filled["initiala"]
    services.remove_row(row, version=row.version, by=cast.kso)
    preview = upload(client, cast, copy())
    assert "1 konflikt – läses inte in" in preview.text
    assert "Borttagen i mallen" in preview.text
    assert "Bekräfta och läs in" not in preview.text


def status_lists(ws) -> dict[str, str]:
    """{cell: the drop-down's list} for the Status cells with a list."""
    return {
        cell: validation.formula1
        for validation in ws.data_validations.dataValidation
        for ranges in validation.sqref.ranges
        for row in ranges.cells
        for cell in [f"E{row[0]}"]
    }


def test_a_rows_task_status_is_locked_in_the_export(client, cast, filled):
    sheets.a_delegated_row(cast, "Boka lokal")
    sheets.a_delegated_row(cast, "Ring Arbetsförmedlingen", status="klar")
    # A fact has no status of its own, but one that became a task shows the task's.
    sheets.a_delegated_row(cast, "Ta reda på hur många bor kvar", "fakta", status="pagar")
    client.force_login(cast.lasare)
    _, ws = opened(export(client, cast))
    found = rows_of(ws)
    lists = status_lists(ws)
    for what, label in [
        ("Boka lokal", "Ny"),
        ("Ring Arbetsförmedlingen", "Klar"),
        ("Ta reda på hur många bor kvar", "Pågår"),
    ]:
        line, values = found[what]
        assert values[4] == label
        # The one value the cell may hold, and a refusal saying where it is changed.
        assert lists[f"E{line}"] == f'"{label}"'
        validation = next(v for v in ws.data_validations.dataValidation if f"E{line}" in v.sqref)
        assert validation.showErrorMessage
        assert validation.errorStyle in (None, "stop")
        assert "ändras på uppgiften" in validation.error
        assert ws.cell(row=line, column=5).fill.fgColor.rgb.endswith("E7E9EC")
    # A row without a task offers the four statuses.
    line, _ = found["Ring facket"]
    assert lists[f"E{line}"] == '"Ej påbörjad,Pågår,Klar,Struken"'
    assert ws.cell(row=line, column=5).fill.fgColor.rgb in (None, "00000000")


def test_a_status_changed_in_the_file_on_a_task_is_shown_as_changed_in_the_task_not_applied(
    client, cast, filled
):
    row = sheets.a_delegated_row(cast, "Boka lokal")
    fact = sheets.a_delegated_row(cast, "Ta reda på hur många bor kvar", "fakta")
    copy = excel_copy(
        client,
        cast,
        {
            "Boka lokal": {5: "Klar"},
            "Ring facket": {5: "Pågår"},
            "Ta reda på hur många bor kvar": {5: "Struken"},
        },
    )
    preview = upload(client, cast, copy())
    task_url = reverse("task_detail", args=[cast.event.pk, row.task_id])
    assert "2 statusar som ändras i uppgiften – läses inte in" in preview.text
    assert "Ta reda på hur många bor kvar – i filen ”Struken”, uppgiften ”Ny”:" in preview.text
    assert (
        f'Boka lokal – i filen ”Klar”, uppgiften ”Ny”: <a href="{task_url}">ändras i uppgiften</a>'
        in preview.text
    )
    confirm(client, cast, preview)
    row = Row.objects.select_related("task").get(pk=row.pk)
    assert (row.status, row.task.status) == ("ej_paborjad", "ny")
    assert Row.objects.select_related("task").get(pk=fact.pk).task.status == "ny"
    assert Row.objects.get(pk=filled["initiala"].pk).status == "pagar"


def test_a_task_status_changed_in_the_app_since_the_export_is_no_change_in_the_file(
    client, cast, filled
):
    row = sheets.a_delegated_row(cast, "Boka lokal")
    client.force_login(cast.arbetsgrupp)
    data = export(client, cast)
    report_task_progress(row.task, status="klar", feedback="Bokad.", version=1, by=cast.kso)
    preview = upload(client, cast, data)
    assert "ändras i uppgiften" not in preview.text
    assert "Filen innehåller inga ändringar att läsa in." in preview.text


def test_a_status_changed_in_the_file_on_a_row_delegated_since_the_export_is_not_applied(
    client, cast, filled
):
    copy = excel_copy(client, cast, {"Ring facket": {5: "Klar"}})
    services.delegate_row(
        filled["initiala"], version=1, by=cast.arbetsgrupp, what="Ring facket", assignee=cast.kso
    )
    preview = upload(client, cast, copy())
    assert "Ring facket – i filen ”Klar”, uppgiften ”Ny”:" in preview.text
    confirm(client, cast, preview)
    assert Row.objects.get(pk=filled["initiala"].pk).status == ""
