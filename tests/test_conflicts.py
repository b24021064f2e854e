"""Somebody saved first (events.conflicts), on the forms whose other tests do not show it: the
user's input stays in the fields, what is saved now stands beside each field where the two
differ and only there, and saving again from that page is a knowing choice that goes
through."""

import re
from pathlib import Path

from django.urls import reverse

from accounts.moments import moment_text
from assessment import services as sheet_services
from events.models import Event, SituationPicture, Task
from reports.compile import SECTION_TITLES
from reports.models import Report
from tests import sheets
from tests.test_event_edit import form_data
from tests.test_meeting import SECOND, THIRD, log_event, move, typed


def theirs(page: str) -> list[str]:
    """What the page says is saved now, field by field (conflict.html)."""
    return re.findall(r'<dl class="theirs">.*?<dd>(.*?)</dd></dl>', page, re.S)


def test_only_the_fields_that_differ_show_what_is_saved(client, cast):
    url = reverse("event_edit", args=[cast.event.pk])
    stale = form_data(cast.event)
    client.force_login(cast.kommunchef)
    client.post(url, {**stale, "affected_employees": 41, "priority": "normal"})
    client.force_login(cast.kso)
    response = client.post(url, {**stale, "affected_employees": 45, "sector": "Trä"})
    assert "Någon annan sparade ändringar" in response.text
    # Anna's number and priority (by its label), and the empty sector Erik filled in; not
    # the title, which neither changed.
    assert sorted(theirs(response.text)) == ["(tomt)", "41", "Normal"]
    assert 'value="Trä"' in response.text


def test_answers_saved_meanwhile_stand_beside_the_users_own(client, cast):
    url = reverse("picture_edit", args=[cast.event.pk])
    client.force_login(cast.kommunchef)
    client.post(url, {"what_happened": "Varsel om 38.", "based_on": 0})
    anna = SituationPicture.objects.get()
    client.force_login(cast.kso)
    page = {"what_happened": "Varsel om 40.", "society": "Oro i Bastuträsk.", "based_on": 0}
    response = client.post(url, page)
    assert response.status_code == 200
    saved = f"Anna Lindqvist sparade en nyare nulägesbild {moment_text(anna.created_at)}"
    assert saved in response.text
    assert "Varsel om 40.</textarea>" in response.text
    assert theirs(response.text) == ["Varsel om 38.", "(tomt)"]
    assert SituationPicture.objects.count() == 1
    # On top of Anna's answers, knowingly.
    assert response.context["form"]["based_on"].value() == 1
    assert client.post(url, {**page, "based_on": 1}).status_code == 302
    assert cast.event.pictures.first().what_happened == "Varsel om 40."


def test_a_row_changed_while_it_was_being_delegated_is_shown_before_a_task_is_made(client, cast):
    row = sheets.a_row(cast, what="Ring facket", section="initiala")
    url = reverse("row_delegate", args=[cast.event.pk, row.pk])
    client.force_login(cast.arbetsgrupp)
    data = {"what": "Ring facket", "assignee": cast.kso.pk, "version": 1}
    sheet_services.edit_row(row, {"what": "Ring facket i dag"}, version=1, by=cast.kommunchef)
    response = client.post(url, data)
    assert "Anna Lindqvist ändrade raden" in response.text
    assert "Raden lyder nu: ”Ring facket i dag”." in response.text
    assert theirs(response.text) == ["Ring facket i dag"]
    assert not cast.event.tasks.filter(what__startswith="Ring facket").exists()
    assert client.post(url, {**data, "version": 2}).status_code == 302
    assert cast.event.tasks.filter(what="Ring facket").exists()


def test_a_meeting_moved_meanwhile_shows_where_and_when_it_is_now(client, cast):
    convening = log_event(client, cast.kommunchef, cast.startgrupp)
    move(client, convening, by=cast.kso, at=SECOND, location="Lilla salen", sequence=0)
    response = move(
        client, convening, by=cast.kommunchef, at=THIRD, location="KS-salen", sequence=0
    )
    assert "Någon annan ändrade mötet medan du skrev" in response.text
    assert f'value="{typed(THIRD)}"' in response.text
    # The location Anna's page showed is the one she keeps; the saved one is beside it.
    assert theirs(response.text) == [moment_text(SECOND), "Lilla salen"]
    convening.refresh_from_db()
    assert (convening.meeting_at, convening.location) == (SECOND, "Lilla salen")


def test_a_stale_page_does_not_overwrite_an_event_saved_meanwhile(client, cast):
    """The conditional UPDATE, not a check before it: the version in the WHERE clause."""
    url = reverse("event_edit", args=[cast.event.pk])
    stale = form_data(cast.event)
    Event.objects.filter(pk=cast.event.pk).update(title="Ny rubrik", version=7)
    client.force_login(cast.kommunchef)
    response = client.post(url, {**stale, "affected_employees": 12})
    assert response.status_code == 200
    event = Event.objects.get(pk=cast.event.pk)
    assert (event.title, event.affected_employees, event.version) == ("Ny rubrik", None, 7)
    assert response.context["form"]["version"].value() == 7


def test_a_task_changed_meanwhile_shows_what_is_saved_once(client, cast):
    url = reverse("task_edit", args=[cast.event.pk, cast.task.pk])
    Task.objects.filter(pk=cast.task.pk).update(what="Ring TRR", version=2)
    client.force_login(cast.arbetsgrupp)
    data = {"what": "Ring omställningsfonden", "assignee": cast.task_holder.pk, "version": 1}
    response = client.post(url, data)
    assert "Någon annan ändrade uppgiften" in response.text
    assert response.text.count("Ring TRR") == 1
    assert theirs(response.text) == ["Ring TRR"]


def test_a_report_draft_saved_meanwhile_is_not_overwritten(client, cast):
    client.force_login(cast.arbetsgrupp)
    client.post(reverse("report_create", args=[cast.event.pk]), {"summary": "Lugnt läge."})
    report = Report.objects.get()
    url = reverse("report_detail", args=[cast.event.pk, report.pk])
    stale = {"summary": "Lugnt läge.", "decisions_needed": "", "revision": report.revision}
    client.post(url, {**stale, "summary": "Saras läge.", "not_for_publication": ["contacts"]})
    client.force_login(cast.kommunchef)
    response = client.post(url, {**stale, "summary": "Annas läge."})
    assert "Någon annan sparade utkastet medan du skrev." in response.text
    assert "Annas läge.</textarea>" in response.text
    # The sections Sara kept from the politicians, by their titles.
    assert theirs(response.text) == ["Saras läge.", dict(SECTION_TITLES)["contacts"]]
    report.refresh_from_db()
    assert report.summary == "Saras läge."
    # On top of Sara's draft, knowingly.
    again = {**stale, "summary": "Annas läge.", "revision": report.revision}
    assert client.post(url, again).status_code == 302
    report.refresh_from_db()
    assert (report.summary, report.edited_by) == ("Annas läge.", cast.kommunchef)


def test_only_the_conflict_template_writes_what_is_saved():
    """What is saved now stands beside its field (conflict.html) and nowhere else: a page's
    own account of it beside the form's would show it twice, as the task's did."""
    root = Path(__file__).resolve().parent.parent
    templates = [*root.glob("templates/**/*.html"), *root.glob("*/templates/**/*.html")]
    writers = {path.name for path in templates if "nu är sparat" in path.read_text()}
    assert writers == {"conflict.html"}
