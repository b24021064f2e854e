"""The document forms as the breaker found them (issue 18): dates out of range or in the
future, marking a voided document, a marking twice, a new version posted twice, a body over
the limit, a chosen file that a refused form cannot keep. Through HTTP."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from documents.models import Document, SecrecyMarking, Version
from events.submissions import ALREADY_SAVED
from tests.test_documents import FIELDS, PDF, document_store, stored, upload  # noqa: F401
from tests.test_documents_upload_names import multipart

CHOOSE_AGAIN = "Välj filen igen: webbläsaren behåller inte en vald fil"


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
def test_a_document_date_outside_1900_to_2999_is_refused_as_typed(
    client,
    cast,
    document_store,  # noqa: F811
    day,
):
    response = upload(client, cast, "yttrande.pdf", PDF, document_date=day, direction="upprattad")
    assert response.status_code == 200
    assert response.context["form"].errors["document_date"] == [
        "Skriv ett datum mellan 1900 och 2999."
    ]
    assert f'value="{day}"' in response.text
    assert 'min="1900-01-01"' in response.text
    assert 'max="2999-12-31"' in response.text
    assert not Document.objects.exists()
    assert stored(document_store) == []


def test_an_incoming_document_cannot_be_dated_in_the_future(client, cast, document_store):  # noqa: F811
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = upload(client, cast, "yttrande.pdf", PDF, document_date=tomorrow)
    assert response.context["form"].errors["document_date"] == [
        "Ett inkommet dokument kan inte vara daterat i framtiden."
    ]
    assert not Document.objects.exists()
    # Today and one of its own drafts dated ahead are taken.
    today = timezone.localdate().isoformat()
    assert upload(client, cast, "a.pdf", PDF, document_date=today).status_code == 302
    own = upload(client, cast, "b.pdf", PDF, document_date=tomorrow, direction="upprattad")
    assert own.status_code == 302


@pytest.mark.parametrize(
    ("url_name", "data", "field"),
    [
        ("event_create", {"announced_on": "0001-01-01"}, "announced_on"),
    ],
)
def test_other_forms_share_the_day_fields_range(client, cast, url_name, data, field):
    client.force_login(cast.kommunchef)
    response = client.post(reverse(url_name), {"title": "Varsel", **data})
    assert response.status_code == 200
    assert "Skriv ett datum mellan 1900 och 2999." in response.context["form"].errors[field]


def a_document(client, cast) -> Document:
    upload(client, cast, "yttrande.pdf", PDF)
    return Document.objects.get()


def test_a_voided_document_can_still_be_marked_secret(client, cast):
    document = a_document(client, cast)
    client.post(reverse("document_void", args=[cast.event.pk, document.pk]), {"reason": "Fel."})
    page = client.get(reverse("document_detail", args=[cast.event.pk, document.pk])).text
    assert "Sekretessmarkera" in page
    assert "Spara ny version" not in page
    url = reverse("document_mark_secret", args=[cast.event.pk, document.pk])
    response = client.post(url, {"provision": "OSL 31 kap. 16 §"})
    assert response.status_code == 302
    assert document.secrecy_markings.get().provision == "OSL 31 kap. 16 §"
    # Everything else stays closed on it.
    version_url = reverse("document_version_add", args=[cast.event.pk, document.pk])
    assert client.post(version_url, {"file": SimpleUploadedFile("b.pdf", PDF)}).status_code == 403
    # Readers still may not mark.
    client.force_login(cast.lasare)
    assert client.post(url, {"provision": "OSL 21 kap. 1 §"}).status_code == 403
    client.force_login(cast.outsider)
    assert client.post(url, {"provision": "OSL 21 kap. 1 §"}).status_code == 404


def test_the_same_provision_is_not_marked_twice(client, cast):
    document = a_document(client, cast)
    url = reverse("document_mark_secret", args=[cast.event.pk, document.pk])
    assert client.post(url, {"provision": "OSL 31 kap. 16 §"}).status_code == 302
    for again in ("OSL 31 kap. 16 §", "osl 31 KAP. 16 §"):
        response = client.post(url, {"provision": again, "note": "Igen."})
        assert response.status_code == 200
        assert response.context["secrecy_form"].errors["provision"] == [
            f"Handlingen är redan sekretessmarkerad enligt {again}."
        ]
        assert f'value="{again}"' in response.text
    assert client.post(url, {"provision": "OSL 21 kap. 1 §"}).status_code == 302
    assert document.secrecy_markings.count() == 2


def test_the_database_refuses_the_same_provision_twice(client, cast):
    from django.db import IntegrityError, transaction

    document = a_document(client, cast)
    SecrecyMarking.objects.create(
        document=document, provision="OSL 31 kap. 16 §", marked_by=cast.arbetsgrupp
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SecrecyMarking.objects.create(
            document=document, provision="osl 31 kap. 16 §", marked_by=cast.arbetsgrupp
        )


def test_a_new_version_posted_twice_is_saved_once(client, cast, document_store):  # noqa: F811
    document = a_document(client, cast)
    detail = reverse("document_detail", args=[cast.event.pk, document.pk])
    [key] = re.findall(r'name="submission" value="([0-9a-f-]{36})"', client.get(detail).text)
    url = reverse("document_version_add", args=[cast.event.pk, document.pk])
    for _ in range(2):
        data = {"submission": key, "file": SimpleUploadedFile("v2.pdf", PDF + b"%v2\n")}
        response = client.post(url, data, follow=True)
        assert response.redirect_chain[-1][0] == detail
    assert ALREADY_SAVED in response.text
    assert document.versions.count() == 2
    assert len(stored(document_store)) == 2


def post_body(client, url, fields, content):
    body, content_type = multipart(fields, "stor.pdf", content)
    return client.generic("POST", url, body, content_type=content_type)


@pytest.mark.parametrize("where", ["upload", "version"])
def test_a_body_over_the_limit_is_not_kept_and_answered_in_the_frame(
    client,
    cast,
    settings,
    document_store,  # noqa: F811
    where,
):
    document = a_document(client, cast)
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    # Far past the limit and its margin (1 MB): nothing of the file is kept after its start.
    content = PDF + b"0" * (3 * 1024 * 1024)
    if where == "upload":
        url = reverse("document_upload", args=[cast.event.pk])
    else:
        url = reverse("document_version_add", args=[cast.event.pk, document.pk])
    response = post_body(client, url, FIELDS, content)
    assert response.status_code == 413
    assert "Filen är för stor: högst 1 MB tas emot." in response.text
    assert cast.event.title in response.text  # in the case's frame
    assert Document.objects.count() == 1
    assert Version.objects.count() == 1
    assert len(stored(document_store)) == 1


def test_the_csrf_token_before_the_file_is_still_checked(cast, settings):
    # The handler stops at the file; the token, sent first as the form sends it, is read.
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.arbetsgrupp)
    page = client.get(reverse("document_list", args=[cast.event.pk])).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    url = reverse("document_upload", args=[cast.event.pk])
    content = PDF + b"0" * (3 * 1024 * 1024)
    fields = {"csrfmiddlewaretoken": token, **FIELDS}
    assert post_body(client, url, fields, content).status_code == 413
    # Without it, Django's own 403 as for any form.
    assert post_body(client, url, FIELDS, content).status_code == 403
    assert not Document.objects.exists()


def test_a_body_just_over_the_file_limit_is_explained_by_the_form(client, cast, settings):
    # Within the margin the body is read and the form says how large the file was.
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    response = upload(client, cast, "stor.pdf", PDF + b"0" * (1024 * 1024 + 200_000))
    assert response.status_code == 200
    assert "Filen är 1,2 MB; högst 1 MB tas emot." in response.text


def test_a_refused_form_says_to_choose_the_file_again(client, cast):
    # Another field's error: the file was fine, but the browser will not send it again.
    response = upload(client, cast, "yttrande.pdf", PDF, title="")
    assert response.status_code == 200
    assert CHOOSE_AGAIN in response.text
    # A refused file: the same.
    response = upload(client, cast, "yttrande.docx", PDF)
    assert CHOOSE_AGAIN in response.text
    # No file chosen: nothing to choose again, the field asks for one.
    client.force_login(cast.arbetsgrupp)
    response = client.post(reverse("document_upload", args=[cast.event.pk]), FIELDS)
    assert CHOOSE_AGAIN not in response.text
    assert "Välj en fil." in response.text


def test_a_refused_version_says_to_choose_the_file_again(client, cast):
    document = a_document(client, cast)
    url = reverse("document_version_add", args=[cast.event.pk, document.pk])
    response = client.post(url, {"file": SimpleUploadedFile("v2.docx", PDF)})
    assert CHOOSE_AGAIN in response.text
