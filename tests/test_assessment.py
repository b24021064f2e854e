"""The bedömningsmall through HTTP: rows in every part, versions, history, snapshots, the
live poll and presence, external parties."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services
from assessment.models import Row, RowRevision, Sheet
from assessment.parts import PARTS, SECTIONS
from events.models import LogEntry, Task
from tests import sheets

HTMX = {"HX-Request": "true"}


def sheet_url(cast):
    return reverse("sheet", args=[cast.event.pk])


def row_url(cast, row, suffix=""):
    return reverse("row_edit", args=[cast.event.pk, row.pk]) + suffix


def add(client, cast, section, what, htmx=False, **fields):
    data = {"section": section, f"{section}-what": what}
    data.update({f"{section}-{k}": v for k, v in fields.items()})
    headers = HTMX if htmx else {}
    return client.post(reverse("row_add", args=[cast.event.pk]), data, headers=headers)


def test_a_new_sheet_shows_the_plans_six_parts_with_helper_texts_and_empty_rows(client, cast):
    client.force_login(cast.arbetsgrupp)
    page = client.get(sheet_url(cast)).text
    for part in PARTS:
        assert part.title in page
        assert part.help in page
    for section in SECTIONS.values():
        assert section.help in page
        # An empty row ready to type in, per section.
        assert f'name="{section.key}-what"' in page
    assert "Konsekvenser – individ" in page
    assert "Initiala åtgärder (de första 3–5 dagarna)" in page


def test_the_event_page_links_to_the_sheet(client, cast):
    client.force_login(cast.lasare)
    assert sheet_url(cast) in client.get(reverse("event_detail", args=[cast.event.pk])).text


def test_the_information_part_links_to_the_communication_plan(client, cast):
    client.force_login(cast.lasare)
    page = client.get(sheet_url(cast)).text
    information = page[page.index('id="part-information"') :]
    assert reverse("commsplan", args=[cast.event.pk]) in information[:2000]


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_each_parts_rows_can_be_added_edited_reordered_and_removed(client, cast, section):
    client.force_login(cast.arbetsgrupp)
    assert add(client, cast, section, "Första raden", who="Sara").status_code == 302
    assert add(client, cast, section, "Andra raden", htmx=True).status_code == 200
    first, second = Row.objects.filter(section=section).order_by("position")
    assert (first.what, first.who, second.what) == ("Första raden", "Sara", "Andra raden")

    data = {"what": "Första raden, ändrad", "who": "Sara Eklund", "when": "v. 12", "version": 1}
    if SECTIONS[section].has_status:
        data["status"] = "pagar"
    response = client.post(row_url(cast, first), data, headers=HTMX)
    assert response.status_code == 200
    assert "Första raden, ändrad" in response.text
    first.refresh_from_db()
    assert (first.what, first.when, first.version) == ("Första raden, ändrad", "v. 12", 2)

    client.post(row_url(cast, second, "flytta/"), {"direction": "upp"})
    order = list(Row.objects.filter(section=section).order_by("position").values_list("what"))
    assert order == [("Andra raden",), ("Första raden, ändrad",)]

    assert client.post(row_url(cast, first, "ta-bort/"), {"version": 2}).status_code == 302
    first.refresh_from_db()
    assert first.removed_at is not None
    page = client.get(sheet_url(cast)).text
    assert "Första raden, ändrad" not in page
    assert "Visa borttagna rader (1)" in page
    # Removed, not deleted: still in the row's and the sheet's history.
    history = client.get(row_url(cast, first, "historik/")).text
    for kind in ("Skapad", "Ändrad", "Borttagen"):
        assert kind in history
    assert (
        "Första raden, ändrad" in client.get(reverse("sheet_history", args=[cast.event.pk])).text
    )
    assert "Första raden, ändrad" in client.get(sheet_url(cast) + "?borttagna=1").text


def test_a_stale_save_is_refused_and_shows_both_texts(client, cast):
    row = sheets.a_row(cast, what="Varsel om 38.")
    services.edit_row(row, {"what": "Varsel om 40 (Anna)."}, version=1, by=cast.kommunchef)
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        row_url(cast, row), {"what": "Varsel om 38, varav 5 i Bastuträsk.", "version": 1}
    )
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.what == "Varsel om 40 (Anna)."  # nothing applied silently
    assert "Varsel om 38, varav 5 i Bastuträsk." in response.text  # mine, still in the field
    assert "Varsel om 40 (Anna)." in response.text  # theirs, beside it
    assert "Anna Lindqvist sparade raden" in response.text
    assert 'name="version" value="2"' in response.text
    # Saving again is a knowing choice on top of theirs.
    client.post(row_url(cast, row), {"what": "Varsel om 40, varav 5 i Bastuträsk.", "version": 2})
    row.refresh_from_db()
    assert (row.what, row.version) == ("Varsel om 40, varav 5 i Bastuträsk.", 3)
    assert row.revisions.count() == 3


def test_removing_a_row_someone_just_changed_shows_it_first(client, cast):
    row = sheets.a_row(cast)
    services.edit_row(row, {"what": "Ny text"}, version=1, by=cast.kommunchef)
    client.force_login(cast.arbetsgrupp)
    response = client.post(row_url(cast, row, "ta-bort/"), {"version": 1})
    assert "Raden är inte borttagen" in response.text
    row.refresh_from_db()
    assert row.removed_at is None


def test_a_scenario_has_its_own_chain_of_measures(client, cast):
    client.force_login(cast.arbetsgrupp)
    add(client, cast, "scenario", "Nytt företag etablerar sig")
    scenario = Row.objects.get(section="scenario")
    add(client, cast, "scenario", "Matcha personal", parent=scenario.pk)
    measure = Row.objects.get(parent=scenario)
    assert measure.what == "Matcha personal"
    page = client.get(sheet_url(cast)).text
    assert page.index("Nytt företag etablerar sig") < page.index("Matcha personal")


def test_a_row_becomes_a_delegated_task_in_one_step(client, cast):
    row = sheets.a_row(cast, what="Boka möte med Arbetsförmedlingen", section="initiala")
    client.force_login(cast.arbetsgrupp)
    url = row_url(cast, row, "delegera/")
    assert "Boka möte med Arbetsförmedlingen" in client.get(url).text
    response = client.post(
        url,
        {
            "what": "Boka möte med Arbetsförmedlingen",
            "assignee": cast.kommunikator.pk,
            "due_at": "2030-03-02T12:00",
            "version": 1,
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    task = Task.objects.get(what="Boka möte med Arbetsförmedlingen")
    assert (row.task, task.assignee, task.delegated_by) == (
        task,
        cast.kommunikator,
        cast.arbetsgrupp,
    )
    assert (row.who, row.when) == ("Jonas Berg", "2030-03-02 12:00")
    shown = row_in(client.get(sheet_url(cast)).text, row)
    assert '<span class="task-mark">Uppgift</span>' in shown
    assert status_cell("Ny") in shown
    assert cast.event.log_entries.filter(kind=LogEntry.Kind.TASK).exists()


def row_in(page: str, row) -> str:
    """The row's <tr> as the page shows it."""
    start = page.index(f'id="row-{row.pk}"')
    return page[start : page.index("</tr>", start)]


def status_cell(label: str) -> str:
    """A sheet row's Status cell showing `label` (named for the phone's stacked cards)."""
    return f'<td data-label="Status">{label}</td>'


@pytest.mark.parametrize(
    ("status", "label"),
    [("ny", "Ny"), ("pagar", "Pågår"), ("klar", "Klar"), ("struken", "Struken")],
)
def test_a_delegated_row_shows_its_tasks_status_and_not_its_own(client, cast, status, label):
    row = sheets.a_delegated_row(cast, "Boka lokal")
    client.force_login(cast.kso)  # who holds the task, and reports on its page
    if status != "ny":
        task = reverse("task_detail", args=[cast.event.pk, row.task_id])
        response = client.post(task, {"status": status, "feedback": "Klart.", "version": 1})
        assert response.status_code == 302
    row = Row.objects.select_related("task").get(pk=row.pk)
    assert (row.status, row.task.status) == ("ej_paborjad", status)
    # The sheet page, and the live poll that redraws the row in open sheets.
    poll = client.get(reverse("sheet_changes", args=[cast.event.pk]), {"sedan": 0}).text
    for shown in (row_in(client.get(sheet_url(cast)).text, row), row_in(poll, row)):
        assert status_cell(label) in shown
        assert "Ej påbörjad" not in shown
    # Its edit form has no status of its own to set; it says the task's and where it changes.
    edit = client.get(row_url(cast, row)).text
    assert f"Status: <strong>{label}</strong>" in edit
    assert 'name="status"' not in edit
    assert reverse("task_detail", args=[cast.event.pk, row.task_id]) in edit
    history = client.get(row_url(cast, row, "historik/")).text
    assert f"Raden är en uppgift. Status: <strong>{label}</strong>" in history


def test_an_open_sheet_sees_its_rows_task_change_on_the_next_poll(client, cast):
    row = sheets.a_delegated_row(cast, "Boka lokal")
    seen = Sheet.objects.get(event=cast.event).counter
    client.force_login(cast.kso)
    task = reverse("task_detail", args=[cast.event.pk, row.task_id])
    client.post(task, {"status": "klar", "feedback": "Bokad.", "version": 1})
    client.force_login(cast.arbetsgrupp)
    poll = client.get(reverse("sheet_changes", args=[cast.event.pk]), {"sedan": seen}).text
    assert status_cell("Klar") in row_in(poll, row)


def test_a_row_without_a_task_shows_its_own_status(client, cast):
    plain = sheets.a_row(cast, what="Ring facket", section="initiala")
    services.edit_row(plain, {"what": "Ring facket", "status": "pagar"}, version=1, by=cast.kso)
    fresh = sheets.a_row(cast, what="Boka lokal", section="arbetsplan")
    services.edit_row(
        fresh, {"what": "Boka lokal", "status": "ej_paborjad"}, version=1, by=cast.kso
    )
    client.force_login(cast.lasare)
    page = client.get(sheet_url(cast)).text
    assert status_cell("Pågår") in row_in(page, plain)
    assert status_cell("Ej påbörjad") in row_in(page, fresh)
    assert "Uppgift" not in row_in(page, plain)


def test_each_row_offers_its_actions_from_the_row_itself(client, cast):
    plain = sheets.a_row(cast, what="Ring facket")
    delegated = sheets.a_delegated_row(cast, "Boka lokal")
    client.force_login(cast.arbetsgrupp)
    page = client.get(sheet_url(cast)).text
    shown = row_in(page, plain)
    for suffix in ("", "delegera/", "historik/"):  # Ändra, Gör till uppgift, Historik
        assert f'href="{row_url(cast, plain, suffix)}"' in shown
    # A row that is already a task is not made one again.
    assert "delegera/" not in row_in(page, delegated)
    assert f'href="{row_url(cast, delegated, "historik/")}"' in row_in(page, delegated)

    client.force_login(cast.lasare)
    shown = row_in(client.get(sheet_url(cast)).text, plain)
    assert f'href="{row_url(cast, plain, "historik/")}"' in shown
    assert f'href="{row_url(cast, plain)}"' not in shown
    assert "delegera/" not in shown


def test_the_add_forms_are_closed_until_asked_for(client, cast):
    client.force_login(cast.arbetsgrupp)
    page = client.get(sheet_url(cast)).text
    assert page.count('<details class="add-row-toggle">') == len(SECTIONS)
    assert '<details class="add-row-toggle" open' not in page
    # After an htmx add the fresh form comes back with the cursor in Vad for the next row.
    form = add(client, cast, "fakta", "Granlunds varslar 38.", htmx=True).text
    assert 'id="add-fakta"' in form
    assert 'name="fakta-what"' in form
    assert "autofocus" in form
    assert "autofocus" not in add(client, cast, "fakta", "", htmx=True).text


def test_a_delegated_row_in_a_part_without_status_shows_the_tasks_on_its_mark(client, cast):
    row = sheets.a_delegated_row(cast, "Ta reda på hur många bor kvar", "fakta", status="klar")
    client.force_login(cast.arbetsgrupp)
    shown = row_in(client.get(sheet_url(cast)).text, row)
    assert '<span class="task-mark">Uppgift: klar</span>' in shown


def test_saving_a_delegated_row_keeps_its_own_status_under_the_tasks(client, cast):
    row = sheets.a_delegated_row(cast, "Boka lokal", status="pagar")
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        row_url(cast, row),
        {
            "what": "Boka lokal i Bastuträsk",
            "who": row.who,
            "status": "klar",
            "version": row.version,
        },
        headers=HTMX,
    )
    assert status_cell("Pågår") in response.text
    row.refresh_from_db()
    assert (row.what, row.status) == ("Boka lokal i Bastuträsk", "ej_paborjad")
    assert row.revisions.first().changes() == [("vad", "Boka lokal", "Boka lokal i Bastuträsk")]


def test_a_snapshot_keeps_the_status_a_delegated_row_showed(client, cast):
    sheets.a_delegated_row(cast, "Boka lokal", status="klar")
    client.force_login(cast.arbetsgrupp)
    page = client.post(
        reverse("snapshot_create", args=[cast.event.pk]), {"label": "Lägesbild"}, follow=True
    ).text
    assert "<td>Klar</td>" in page
    assert "Ej påbörjad" not in page


def test_the_task_page_links_back_to_its_row_for_members_only(client, cast):
    row = sheets.a_row(cast, what="Ring omställningsfonden", section="initiala")
    services.delegate_row(
        row, version=1, by=cast.arbetsgrupp, what="Ring omställningsfonden", assignee=cast.kso
    )
    row.refresh_from_db()
    task_url = reverse("task_detail", args=[cast.event.pk, row.task_id])
    link = f'href="{sheet_url(cast)}#row-{row.pk}"'
    client.force_login(cast.lasare)
    page = client.get(task_url).text
    assert link in page
    assert "Åtgärder: Initiala åtgärder" in page
    # The assignee here is in the startgrupp; one who is not a member holds only the task.
    other = sheets.a_row(cast, what="Boka lokal", section="initiala")
    other = services.delegate_row(
        other, version=1, by=cast.arbetsgrupp, what="Boka lokal", assignee=cast.task_holder
    )
    client.force_login(cast.task_holder)
    page = client.get(reverse("task_detail", args=[cast.event.pk, other.task_id])).text
    assert "Boka lokal" in page
    assert "bedömningsmallen" not in page


def test_a_removed_row_is_restored_before_it_is_changed_or_delegated(client, cast):
    row = sheets.a_row(cast, what="Gammal text")
    client.force_login(cast.arbetsgrupp)
    client.post(row_url(cast, row, "ta-bort/"), {"version": 1})
    # A save on the removed row is refused, and the text stays on screen.
    response = client.post(row_url(cast, row), {"what": "Ny text", "version": 2})
    assert "tog bort raden" in response.text
    assert "Ny text" in response.text
    row.refresh_from_db()
    assert (row.what, row.version) == ("Gammal text", 2)
    page = client.get(row_url(cast, row)).text
    assert "Återställ den för att ändra den" in page
    assert ">Spara<" not in page
    response = client.post(
        row_url(cast, row, "delegera/"),
        {"what": "Gammal text", "assignee": cast.kso.pk, "version": 2},
        follow=True,
    )
    assert "Återställ den först om den ska delegeras" in response.text
    row.refresh_from_db()
    assert row.task is None


def test_a_row_is_delegated_only_once(client, cast):
    row = sheets.a_row(cast, what="Ring facket", section="initiala")
    client.force_login(cast.arbetsgrupp)
    data = {"what": "Ring facket", "assignee": cast.kso.pk, "version": 1}
    client.post(row_url(cast, row, "delegera/"), data)
    row.refresh_from_db()
    again = client.post(row_url(cast, row, "delegera/"), data | {"version": 2}, follow=True)
    assert "Raden är redan en uppgift" in again.text
    assert Task.objects.filter(what="Ring facket").count() == 1
    assert Row.objects.get(pk=row.pk).task_id == row.task_id


def test_delegating_needs_someone_to_do_it(client, cast):
    row = sheets.a_row(cast)
    client.force_login(cast.arbetsgrupp)
    response = client.post(row_url(cast, row, "delegera/"), {"what": "Ring", "version": 1})
    assert "Välj vem som ska göra uppgiften" in response.text
    assert not Task.objects.filter(what="Ring").exists()


PASSED = "Tiden har redan passerat. Välj en tid framåt."


@pytest.mark.parametrize(("column", "field"), [("when", "due_at"), ("follow_up", "follow_up_at")])
def test_a_rows_passed_time_is_prefilled_as_written_and_refused(client, cast, column, field):
    row = sheets.a_row(cast, what="Ring facket", section="initiala")
    setattr(row, column, "1/1 2020")
    row.save()
    client.force_login(cast.arbetsgrupp)
    url = row_url(cast, row, "delegera/")
    assert 'value="2020-01-01T12:00"' in client.get(url).text
    data = {"what": "Ring facket", "assignee": cast.kso.pk, "version": row.version}
    response = client.post(url, data | {field: "2020-01-01T12:00"})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [PASSED]
    assert 'value="2020-01-01T12:00"' in response.text
    assert "Ingen uppgift är skapad" in response.text
    row.refresh_from_db()
    assert row.task is None
    assert not Task.objects.filter(what="Ring facket").exists()


def test_a_long_row_is_prefilled_whole_and_refused_until_it_fits_a_task(client, cast):
    what = "Kartlägg de berörda: " + "namn, yrke, kompetens och önskemål; " * 22  # 812 stripped
    row = sheets.a_row(cast, what=what.strip(), section="initiala")
    client.force_login(cast.arbetsgrupp)
    url = row_url(cast, row, "delegera/")
    page = client.get(url)
    assert f"{row.what}</textarea>" in page.text  # not cut to 500
    assert "maxlength" not in str(page.context["form"]["what"])
    data = {"what": row.what, "assignee": cast.kso.pk, "version": row.version}
    response = client.post(url, data)
    assert response.status_code == 200
    (error,) = response.context["form"].errors["what"]
    assert error == f"Vad får vara högst 500 tecken, och texten har {len(row.what)}. Korta den."
    assert f"{row.what}</textarea>" in response.text
    assert not Task.objects.filter(what__startswith="Kartlägg").exists()
    shortened = "Kartlägg de berörda: namn, yrke, kompetens och önskemål."
    assert client.post(url, data | {"what": shortened}).status_code == 302
    assert Task.objects.get(what=shortened).assignee == cast.kso
    row.refresh_from_db()
    assert row.what == what.strip()  # the row keeps its whole text


def test_bad_row_input_keeps_the_text_and_says_what_is_wrong(client, cast):
    client.force_login(cast.arbetsgrupp)
    response = add(client, cast, "initiala", "", who="Sara Eklund", status="okänd")
    assert response.status_code == 200
    assert "Skriv vad raden gäller." in response.text
    assert 'value="Sara Eklund"' in response.text
    assert not Row.objects.exists()


def test_the_live_poll_answers_204_until_something_changes(client, cast):
    client.force_login(cast.arbetsgrupp)
    url = reverse("sheet_changes", args=[cast.event.pk])
    assert client.get(url, {"sedan": 0}).status_code == 204
    row = sheets.a_row(cast, what="Ny fakta", by=cast.kommunchef)
    response = client.get(url, {"sedan": 0})
    assert response.status_code == 200
    assert response["X-Sheet-Counter"] == "1"
    assert f'id="row-{row.pk}"' in response.text
    assert "Ny fakta" in response.text
    assert client.get(url, {"sedan": 1}).status_code == 204
    services.edit_row(row, {"what": "Ändrad fakta"}, version=1, by=cast.kommunchef)
    response = client.get(url, {"sedan": 1})
    assert "Ändrad fakta" in response.text
    assert 'data-version="2"' in response.text


def test_a_scenario_is_removed_and_restored_with_its_chain(client, cast):
    sheet = services.sheet_of(cast.event)
    scenario = services.add_row(sheet, "scenario", {"what": "S0"}, by=cast.arbetsgrupp)
    chain = services.add_row(sheet, "scenario", {"what": "K0"}, parent=scenario, by=cast.kso)
    client.force_login(cast.arbetsgrupp)
    client.post(row_url(cast, scenario, "ta-bort/"), {"version": 1})
    chain.refresh_from_db()
    assert chain.removed_at is not None
    assert chain.revisions.first().get_kind_display() == "Borttagen"
    client.post(row_url(cast, scenario, "aterstall/"), {"version": 2})
    assert "K0" in client.get(sheet_url(cast)).text


def test_moving_a_scenario_redraws_its_chain_in_open_sheets(client, cast):
    sheet = services.sheet_of(cast.event)
    first = services.add_row(sheet, "scenario", {"what": "S0"}, by=cast.arbetsgrupp)
    chain = services.add_row(
        sheet, "scenario", {"what": "Kedja till S0"}, parent=first, by=cast.arbetsgrupp
    )
    second = services.add_row(sheet, "scenario", {"what": "S1"}, by=cast.arbetsgrupp)
    seen = Sheet.objects.get().counter
    services.move_row(second, up=True, by=cast.kommunchef)
    client.force_login(cast.arbetsgrupp)
    response = client.get(reverse("sheet_changes", args=[cast.event.pk]), {"sedan": seen})
    for row in (first, chain, second):
        assert f'id="row-{row.pk}"' in response.text


def test_the_live_poll_costs_the_same_few_queries_whatever_the_size(
    client, cast, django_assert_num_queries
):
    client.force_login(cast.arbetsgrupp)
    sheets.a_row(cast)
    url = reverse("sheet_changes", args=[cast.event.pk])
    # Session, user, event with access, the counter (the session is not written: it is
    # refreshed at most once a minute).
    with django_assert_num_queries(4):
        assert client.get(url, {"sedan": 1}).status_code == 204


def test_presence_shows_who_else_has_the_sheet_open(client, cast):
    sheets.a_row(cast)
    client.force_login(cast.kommunchef)
    client.get(sheet_url(cast))
    client.force_login(cast.arbetsgrupp)
    page = client.get(sheet_url(cast)).text
    assert "Har mallen öppen just nu: <strong>Anna Lindqvist</strong>" in page
    fragment = client.get(reverse("sheet_presence", args=[cast.event.pk]), headers=HTMX).text
    assert "Anna Lindqvist" in fragment
    assert "Sara Eklund" not in fragment


def fill(sheet, count, by, *, delegated=False):
    """`count` rows across the sections; each delegated as a task of its own if asked."""
    sections = list(SECTIONS)
    tasks = [None] * count
    if delegated:
        tasks = Task.objects.bulk_create(
            [Task(event=sheet.event, what=f"Rad {i}", assignee=by) for i in range(count)]
        )
    Row.objects.bulk_create(
        [
            Row(
                sheet=sheet,
                section=sections[i % len(sections)],
                position=i,
                what=f"Rad {i} " * 6,
                who="Sara",
                when="v. 12",
                task=tasks[i],
                created_by=by,
                updated_by=by,
            )
            for i in range(count)
        ]
    )


def sheet_queries(client, cast):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(sheet_url(cast))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_sheet_page_makes_the_same_queries_at_10_and_1000_rows(client, cast):
    sheet = services.sheet_of(cast.event)
    client.force_login(cast.arbetsgrupp)
    fill(sheet, 10, cast.arbetsgrupp)
    sheets.a_row(cast, what="Scenario A", section="scenario")
    client.get(sheet_url(cast))  # presence row exists from here on
    small = sheet_queries(client, cast)
    fill(sheet, 990, cast.arbetsgrupp)
    assert Row.objects.count() == 1001
    assert sheet_queries(client, cast) == small
    # Session, user, unread count, event with access, sheet, presence, rows, who else is
    # present.
    assert small == 8


def test_the_status_of_delegated_rows_costs_no_query_per_row(client, cast):
    sheet = services.sheet_of(cast.event)
    client.force_login(cast.arbetsgrupp)
    poll = reverse("sheet_changes", args=[cast.event.pk])

    def queries(url, **params):
        # Every row changed since the poll's `sedan`, as a poll after a meeting's edits.
        Row.objects.update(changed_seq=1)
        Sheet.objects.update(counter=1)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        return len(ctx.captured_queries)

    fill(sheet, 10, cast.arbetsgrupp, delegated=True)
    client.get(sheet_url(cast))  # presence row exists from here on
    small = queries(sheet_url(cast)), queries(poll, sedan=0)
    fill(sheet, 150, cast.arbetsgrupp, delegated=True)
    # The task's status comes with its row, in the rows' one query.
    assert (queries(sheet_url(cast)), queries(poll, sedan=0)) == small
    assert small[0] == 8


def test_a_snapshot_keeps_the_sheet_and_shows_what_changed_since_the_previous(client, cast):
    kept = sheets.a_row(cast, what="Oförändrad")
    changed = sheets.a_row(cast, what="Före 14.00")
    gone = sheets.a_row(cast, what="Tas bort")
    measure = sheets.a_row(cast, what="Boka lokal", section="initiala")
    client.force_login(cast.arbetsgrupp)
    client.post(reverse("snapshot_create", args=[cast.event.pk]), {"label": "Lägesbild 10.00"})
    services.edit_row(changed, {"what": "Efter 14.00"}, version=1, by=cast.kommunchef)
    services.edit_row(
        measure, {"what": "Boka lokal", "status": "pagar"}, version=1, by=cast.kommunchef
    )
    services.remove_row(gone, version=1, by=cast.kommunchef)
    sheets.a_row(cast, what="Ny rad")
    response = client.post(
        reverse("snapshot_create", args=[cast.event.pk]), {"label": "Lägesbild 14.00"}, follow=True
    )
    page = response.text
    assert "Ändrat sedan Lägesbild 10.00" in page
    assert "Nya rader (1)" in page
    assert "Ny rad" in page
    assert "Borttagna rader (1)" in page
    assert "Tas bort" in page
    assert "Ändrade rader (2)" in page
    assert "<td>Pågår</td>" in page  # the status by its label, in the diff and the sheet
    assert ">pagar<" not in page
    assert "Före 14.00" in page
    assert "Efter 14.00" in page
    assert kept.what in page
    history = client.get(reverse("sheet_history", args=[cast.event.pk])).text
    assert "Lägesbild 10.00" in history
    assert "Lägesbild 14.00" in history


def test_a_reader_sees_the_sheet_but_no_forms(client, cast):
    sheets.a_row(cast, what="Fakta för läsaren")
    client.force_login(cast.lasare)
    page = client.get(sheet_url(cast)).text
    assert "Fakta för läsaren" in page
    assert "Lägg till rad" not in page
    assert ">Ändra<span" not in page


def test_external_parties_with_a_contact_log(client, cast):
    client.force_login(cast.arbetsgrupp)
    url = reverse("parties", args=[cast.event.pk])
    response = client.post(url, {"type": "fack", "organisation": "", "email": "inte-en-adress"})
    assert "Skriv organisationens namn." in response.text
    assert 'value="inte-en-adress"' in response.text
    response = client.post(
        url,
        {
            "type": "konkursforvaltare",
            "organisation": "Advokatbyrån Norr",
            "contact_person": "Eva Ström",
            "phone": "090-123 45",
            "email": "eva@advokat.example",
        },
    )
    party = cast.event.external_parties.get()
    assert response["Location"] == reverse("party_detail", args=[cast.event.pk, party.pk])
    response = client.post(
        reverse("contact_add", args=[cast.event.pk, party.pk]),
        {
            "direction": "received",
            "text": "Fick lista över anställda.",
            "happened_at": "2026-03-02T10:15",
        },
        follow=True,
    )
    assert "Fick lista över anställda." in response.text
    assert "Vi fick" in response.text
    assert "Sara Eklund" in response.text
    assert "Konkursförvaltare" in client.get(url).text
    assert cast.event.log_entries.filter(text__contains="Fick lista över anställda.").exists()


def test_history_records_who_changed_what(cast):
    row = sheets.a_row(cast, what="Före")
    services.edit_row(row, {"what": "Efter", "who": "Sara"}, version=1, by=cast.kommunchef)
    revision = RowRevision.objects.filter(row=row).first()
    assert revision.by == cast.kommunchef
    assert ("vad", "Före", "Efter") in revision.changes()
    assert Sheet.objects.get().counter == 2


def test_a_rows_history_shows_its_status_by_label(cast):
    row = sheets.a_row(cast, what="Boka lokal", section="initiala")
    services.edit_row(row, {"what": "Boka lokal", "status": "pagar"}, version=1, by=cast.kso)
    assert ("status", "", "Pågår") in RowRevision.objects.filter(row=row).first().changes()
