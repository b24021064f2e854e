"""A document linked from a task, a sheet row, a contact and a report (issue 18): linked and
unlinked through HTTP from the document's page, listed on each of those pages, logged, and
never carried into a mail or the politicians' report."""

import pytest
from django.urls import reverse

from assessment import services as assessment
from documents.models import Document, Link
from events.models import LogEntry, Task
from tests import sheets
from tests.personas import create_event_row
from tests.test_documents import (  # noqa: F401
    PDF,
    SECRET_TITLE,
    document_store,
    mailed_texts,
    upload,
)
from tests.test_event_pages import count_queries

KINDS = ["task", "row", "contact", "report"]


def a_contact(cast, party, text="Förvaltaren ringde."):
    return assessment.log_contact(
        party, {"direction": "received", "text": text}, by=cast.arbetsgrupp
    )


def targets(client, cast) -> dict:
    """One of each kind in cast.event: {key: (object, the page that lists its documents)}."""
    from tests.test_reports import draft

    row = sheets.a_row(cast)
    party = sheets.a_party(cast)
    contact = a_contact(cast, party)
    report = draft(client, cast)
    event = cast.event.pk
    return {
        "task": (cast.task, reverse("task_detail", args=[event, cast.task.pk])),
        "row": (row, reverse("row_edit", args=[event, row.pk])),
        "contact": (contact, reverse("party_detail", args=[event, party.pk])),
        "report": (report, reverse("report_detail", args=[event, report.pk])),
    }


def link(client, document, value):
    url = reverse("document_link", args=[document.event_id, document.pk])
    return client.post(url, {"target": value})


def a_document(client, cast, **fields) -> Document:
    assert upload(client, cast, "yttrande.pdf", PDF, **fields).status_code == 302
    return Document.objects.latest("serial")


@pytest.mark.parametrize("key", KINDS)
def test_a_document_is_linked_from_a_task_row_contact_or_report_and_listed_there(
    client, cast, key
):
    thing, page = targets(client, cast)[key]
    document = a_document(client, cast)
    detail = reverse("document_detail", args=[cast.event.pk, document.pk])
    # The document's page offers every kind, grouped.
    offered = client.get(detail).text
    assert f'value="{key}:{thing.pk}"' in offered

    response = link(client, document, f"{key}:{thing.pk}")
    assert response.status_code == 302
    [made] = Link.objects.all()
    assert (made.target, made.target_id, made.linked_by) == (key, thing.pk, cast.arbetsgrupp)
    assert LogEntry.objects.filter(
        event=cast.event, text__startswith=f"Handling {document.number} kopplad till"
    ).exists()
    # Linking again changes nothing.
    link(client, document, f"{key}:{thing.pk}")
    assert Link.objects.count() == 1

    listed = client.get(page).text
    assert f'href="{detail}"' in listed
    assert f"{document.number} {document.title}" in listed
    # The document's page links back.
    assert f"{Link.Target(key).label}: <a href=" in client.get(detail).text


def test_something_of_another_case_or_unknown_is_not_linked(client, cast):
    other = create_event_row("Nedläggning hos Sågverket", cast.kommunchef)
    elsewhere = Task.objects.create(
        event=other, what="Ring facket", assignee=cast.kommunchef, delegated_by=cast.kommunchef
    )
    document = a_document(client, cast)
    values = [
        f"task:{elsewhere.pk}",
        "row:00000000-0000-0000-0000-000000000000",
        "bil:1",
        "task:inte-ett-id",
        "",
    ]
    for value in values:
        response = link(client, document, value)
        assert response.status_code == 200
        [error] = response.context["link_form"].errors["target"]
        assert error == "Välj vad handlingen ska kopplas till."
    assert not Link.objects.exists()


def test_unlinking_removes_the_link_and_logs_it_and_the_document_stays(client, cast):
    found = targets(client, cast)
    document = a_document(client, cast)
    for key in KINDS:
        link(client, document, f"{key}:{found[key][0].pk}")
    row_link = Link.objects.get(target="row")
    url = reverse("document_unlink", args=[cast.event.pk, document.pk, row_link.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert sorted(Link.objects.values_list("target", flat=True)) == ["contact", "report", "task"]
    assert Document.objects.filter(pk=document.pk, voided_at=None).exists()
    assert LogEntry.objects.filter(
        event=cast.event,
        text=f"Handling {document.number} inte längre kopplad till rad i bedömningsmallen.",
        author=cast.arbetsgrupp,
    ).exists()
    assert f'href="{reverse("document_detail", args=[cast.event.pk, document.pk])}"' not in (
        client.get(found["row"][1]).text
    )
    # Twice is no error: the page says it is already gone.
    response = client.post(url, follow=True)
    assert "Kopplingen är redan borttagen." in response.text
    assert Link.objects.count() == 3


def test_a_task_holder_sees_no_documents_on_the_task(client, cast):
    document = a_document(client, cast)
    link(client, document, f"task:{cast.task.pk}")
    client.force_login(cast.task_holder)
    page = client.get(reverse("task_detail", args=[cast.event.pk, cast.task.pk]))
    assert page.status_code == 200
    assert 'class="linked-documents"' not in page.text
    assert reverse("document_detail", args=[cast.event.pk, document.pk]) not in page.text


def test_a_marked_document_is_listed_as_marked_but_never_mailed_nor_in_the_report(
    client, cast, mailoutbox
):
    from notices import outbox
    from notices.models import Notice
    from tests.test_reports import approve_and_send, fill_case_file, pdf_text, politicians_copy

    fill_case_file(cast)
    found = targets(client, cast)
    document = a_document(client, cast, title=SECRET_TITLE)
    client.post(
        reverse("document_mark_secret", args=[cast.event.pk, document.pk]),
        {"provision": "OSL 31 kap. 16 §"},
    )
    for key in KINDS:
        link(client, document, f"{key}:{found[key][0].pk}")
    for key in KINDS:
        page = client.get(found[key][1]).text
        assert f"{document.number} {SECRET_TITLE}" in page
        assert "sekretessmarkerad" in page

    report = found["report"][0]
    approve_and_send(client, cast, report)
    for notice in Notice.objects.filter(sent_at__isnull=True):
        outbox.send(notice.pk)
    assert mailoutbox
    for texts in mailed_texts(mailoutbox):
        assert not [text for text in texts if "affärsplan" in text.lower()]
        assert not [text for text in texts if document.number in text]
    pdf = pdf_text(politicians_copy(client, report))
    assert "affärsplan" not in pdf.lower()
    assert document.number not in pdf


def test_the_party_page_lists_each_contacts_documents_in_the_same_queries(client, cast):
    party = sheets.a_party(cast)
    client.force_login(cast.arbetsgrupp)
    url = reverse("party_detail", args=[cast.event.pk, party.pk])

    def grow(count):
        for n in range(count):
            contact = a_contact(cast, party, f"Samtal {n}.")
            link(client, a_document(client, cast), f"contact:{contact.pk}")

    grow(1)
    few = count_queries(client, url)
    grow(10)
    assert count_queries(client, url) == few
    assert client.get(url).text.count('class="linked-documents"') == 11
