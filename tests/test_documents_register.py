"""Registration numbers under concurrent uploads: strictly increasing per case, never two
alike (documents.services._next_serial). Run on SQLite and, with DATABASE_URL, PostgreSQL."""

import threading

from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from documents.models import Document, Version
from tests.test_documents import FIELDS, PDF

ROUNDS = 4


def test_two_uploads_at_the_same_moment_get_consecutive_numbers(
    cast_live, settings, tmp_path, monkeypatch
):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    monkeypatch.setattr(Version._meta.get_field("file"), "storage", storages["documents"])
    cast = cast_live
    url = reverse("document_upload", args=[cast.event.pk])
    start = threading.Barrier(2)
    statuses = []

    def post(user, name):
        client = Client()
        client.force_login(user)
        try:
            start.wait()
            response = client.post(url, {**FIELDS, "file": SimpleUploadedFile(name, PDF)})
            statuses.append(response.status_code)
        finally:
            connection.close()

    for round_ in range(ROUNDS):
        threads = [
            threading.Thread(target=post, args=(user, f"{user.username}-{round_}.pdf"))
            for user in (cast.arbetsgrupp, cast.kommunchef)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert statuses == [302] * 2 * ROUNDS
    documents = Document.objects.select_related("event").order_by("registered_at", "serial")
    assert sorted(d.serial for d in documents) == list(range(1, 2 * ROUNDS + 1))
    # In the order they were registered: a later registration never has a lower number.
    assert [d.serial for d in documents] == sorted(d.serial for d in documents)
    assert Document.objects.latest("serial").number == f"KS 2026/0001-{2 * ROUNDS}"
