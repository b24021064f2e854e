"""Every upload in the product refuses a file name with path parts or control characters
(accounts.uploads, norsjo.middleware.UploadNameMiddleware): a new version of a document and
the assessment sheet's Excel import, through HTTP with the name exactly as sent."""

import pytest
from django.urls import reverse

from assessment.models import ImportDraft
from documents.models import Version
from tests.test_documents import PDF, document_store, stored, upload  # noqa: F401
from tests.workbooks import export

REFUSED = "Filnamnet innehåller sökvägsdelar eller styrtecken"


def multipart(fields: dict, filename: str, content: bytes, *, field="file") -> tuple[bytes, str]:
    """A multipart body with `filename` exactly as given (the test client drops path parts
    from a SimpleUploadedFile's name), and its content type."""
    boundary = "gransen"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def post_raw(client, url, fields, filename, content):
    body, content_type = multipart(fields, filename, content)
    return client.generic("POST", url, body, content_type=content_type)


@pytest.mark.parametrize(
    "name", ["../mall.xlsx", "..\\mall.xlsx", "ma\x07ll.xlsx", "mall\u202e.xlsx"]
)
def test_the_excel_import_refuses_a_name_with_path_parts_or_control_characters(client, cast, name):
    client.force_login(cast.arbetsgrupp)
    data = export(client, cast)
    response = post_raw(client, reverse("sheet_import", args=[cast.event.pk]), {}, name, data)
    assert response.status_code == 200
    assert REFUSED in response.context["form"].errors["file"][0]
    assert not ImportDraft.objects.exists()


def test_the_excel_import_takes_a_swedish_name(client, cast):
    client.force_login(cast.arbetsgrupp)
    data = export(client, cast)
    url = reverse("sheet_import", args=[cast.event.pk])
    response = post_raw(client, url, {}, "Bedömning från mötet (slutlig).xlsx", data)
    assert response.status_code == 200
    assert "draft" in response.context


def test_a_new_version_with_a_path_in_its_name_is_refused(client, cast, document_store):  # noqa: F811
    upload(client, cast, "yttrande.pdf", PDF)
    version = Version.objects.get()
    url = reverse("document_version_add", args=[cast.event.pk, version.document_id])
    response = post_raw(client, url, {}, "../../etc/yttrande.pdf", PDF)
    assert response.status_code == 200
    assert REFUSED in response.context["version_form"].errors["file"][0]
    assert Version.objects.count() == 1
    assert len(stored(document_store)) == 1
