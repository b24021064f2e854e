"""Every change goes through a service and is in the händelselogg, whichever page makes it:
a party's details, a workbook uploaded for review; the admin changes only who is on a case,
and that through the same services as the case page."""

import openpyxl
import pytest
from django.urls import reverse

from assessment.models import ImportDraft, Row
from events.models import Event, LogEntry
from tests import sheets
from tests.test_admin_membership import PREFIX, admin_form, rows, save
from tests.workbooks import confirm, export, fill, opened, rows_of, upload
from tests.workbooks import save as saved_workbook

PARTY = {
    "type": "fack",
    "organisation": "GS-facket",
    "contact_person": "Bo Ek",
    "phone": "",
    "email": "",
}


def log_page(client, cast) -> str:
    return client.get(reverse("event_log", args=[cast.event.pk])).text


@pytest.mark.parametrize(
    ("changes", "logged"),
    [
        ({"phone": "0918-141 00"}, "Extern part ändrad, GS-facket (Fackförbund): telefon."),
        (
            {"contact_person": "Eva Ström", "email": "eva@gs.example"},
            "Extern part ändrad, GS-facket (Fackförbund): kontaktperson, e-post.",
        ),
        (
            {"type": "annan", "organisation": "GS Norr"},
            "Extern part ändrad, GS Norr (Annan): typ, organisation.",
        ),
    ],
)
def test_a_party_edit_is_logged_with_the_fields_it_changed(client, cast, changes, logged):
    party = sheets.a_party(cast)
    client.force_login(cast.kommunchef)
    url = reverse("party_detail", args=[cast.event.pk, party.pk])
    response = client.post(url, {**PARTY, **changes}, follow=True)
    assert "Uppgifterna är sparade." in response.text
    party.refresh_from_db()
    assert {name: getattr(party, name) for name in changes} == changes
    entry = cast.event.log_entries.get(author=cast.kommunchef)
    assert (entry.kind, entry.text) == (LogEntry.Kind.NOTE, logged)
    assert logged in log_page(client, cast)


def test_a_party_saved_as_it_was_logs_nothing(client, cast):
    party = sheets.a_party(cast)
    client.force_login(cast.kommunchef)
    client.post(reverse("party_detail", args=[cast.event.pk, party.pk]), PARTY)
    assert not cast.event.log_entries.filter(author=cast.kommunchef).exists()


def edited_export(client, cast, edits: dict) -> bytes:
    """The export with the Vad of the rows named in `edits` changed: {old: new}."""
    wb, ws = opened(export(client, cast))
    found = rows_of(ws)
    for old, new in edits.items():
        ws.cell(row=found[old][0], column=1, value=new)
    return saved_workbook(wb)


@pytest.mark.parametrize(
    ("edits", "count"),
    [
        ({}, "(0 ändringar)"),
        ({"Ring facket": "Ring facket i dag"}, "(1 ändring)"),
        ({"Ring facket": "Ring facket i dag", "Pressmeddelande": "Webbtext"}, "(2 ändringar)"),
    ],
)
def test_an_uploaded_workbook_is_logged_as_waiting_for_review(client, cast, edits, count):
    filled = fill(cast)
    client.force_login(cast.arbetsgrupp)
    preview = upload(client, cast, edited_export(client, cast, edits), name="mall från Sara.xlsx")
    assert preview.status_code == 200
    draft = ImportDraft.objects.get()
    assert (draft.by, draft.file_name) == (cast.arbetsgrupp, "mall från Sara.xlsx")
    logged = (
        f"Excel-filen mall från Sara.xlsx lästes in för granskning {count}. Mallen ändras "
        "först när någon bekräftar."
    )
    entry = cast.event.log_entries.get()
    assert (entry.author, entry.kind, entry.text) == (cast.arbetsgrupp, "note", logged)
    assert logged in log_page(client, cast)
    assert Row.objects.get(pk=filled["initiala"].pk).what == "Ring facket"


def test_an_upload_confirmed_is_logged_twice_a_refused_file_not_at_all(client, cast):
    fill(cast)
    client.force_login(cast.arbetsgrupp)
    wb = openpyxl.Workbook()
    refused = upload(client, cast, saved_workbook(wb))
    assert refused.context["form"].errors["file"]
    assert not ImportDraft.objects.exists()
    assert not cast.event.log_entries.exists()
    preview = upload(client, cast, edited_export(client, cast, {"Ring facket": "Ring facket nu"}))
    confirm(client, cast, preview)
    assert list(cast.event.log_entries.order_by("created_at").values_list("text", flat=True)) == [
        "Excel-filen mall.xlsx lästes in för granskning (1 ändring). Mallen ändras först när "
        "någon bekräftar.",
        "Bedömningsmallen uppdaterades från Excel-filen mall.xlsx (1 ändring).",
    ]


def test_the_admin_changes_who_is_on_a_case_and_nothing_else(client, cast):
    client.force_login(cast.superuser)
    assert client.get(reverse("admin:events_event_add")).status_code == 403
    data = admin_form(client, cast.event)
    assert "title" not in data
    assert "phase" not in data
    before = Event.objects.values().get(pk=cast.event.pk)
    # Posted anyway (a hand-made post): not read. The membership change in the same post is.
    data["title"], data["phase"], data["confidential"] = ["Ändrad i admin"], ["avslutad"], ["on"]
    data[f"{PREFIX}-{rows(data)[str(cast.lasare.pk)]}-group"] = ["arbetsgrupp"]
    save(client, cast.event, data)
    assert Event.objects.values().get(pk=cast.event.pk) == before
    assert list(cast.event.log_entries.values_list("author", "text")) == [
        (
            cast.superuser.pk,
            "Inte längre läsbehörig: Pia Sundqvist. Med i arbetsgruppen: Pia Sundqvist.",
        )
    ]
    page = client.get(reverse("admin:events_event_change", args=[cast.event.pk])).text
    assert cast.event.title in page
