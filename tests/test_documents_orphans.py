"""A file is written to storage before the transaction that registers it (the register's
counter is not held while a file travels to a bucket); when that transaction fails, the file
is removed again, so that storage holds no file that no row accounts for."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from documents.models import Document, Version
from documents.services import register_finalised
from tests.test_documents import PDF, document_store, stored, upload  # noqa: F401


def test_a_file_whose_registration_fails_in_the_database_is_not_kept(
    client,
    cast,
    document_store,  # noqa: F811
):
    # Serial 1 taken behind the counter's back: the upload's number collides with it
    # (document_serial_per_case) after its file has been written.
    Document.objects.create(
        event=cast.event,
        serial=1,
        title="Inlagd utan räknaren",
        public_description="Test",
        document_date=timezone.localdate(),
        direction="inkommande",
        counterpart="Ingen",
        registered_by=cast.arbetsgrupp,
    )
    with pytest.raises(IntegrityError):
        upload(client, cast, "yttrande.pdf", PDF)
    assert Document.objects.count() == 1
    assert not Version.objects.exists()
    assert stored(document_store) == []
    # The next upload is registered, and only its file is kept.
    Document.objects.all().delete()
    assert upload(client, cast, "yttrande.pdf", PDF).status_code == 302
    assert [path.read_bytes() for path in stored(document_store)] == [PDF]


def test_a_version_refused_after_its_file_was_written_is_not_kept(
    client,
    cast,
    document_store,  # noqa: F811
):
    document = register_finalised(
        cast.event,
        title="Lägesrapport 1",
        description="Lägesrapport",
        path="/",
        by=cast.arbetsgrupp,
    )
    client.force_login(cast.arbetsgrupp)
    url = reverse("document_version_add", args=[cast.event.pk, document.pk])
    response = client.post(url, {"file": SimpleUploadedFile("ny.pdf", PDF)}, follow=True)
    assert "Handlingen finns i ärendet och ändras där, inte här." in response.text
    assert not Version.objects.exists()
    assert stored(document_store) == []
