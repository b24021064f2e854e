"""Documents in an S3-compatible bucket (DOCUMENTS_S3_*, django-storages), round trip through
HTTP against a real S3 server process: moto's, on a free port of this machine."""

import json
import re

import boto3
import pytest
from django.core.files.storage import storages
from django.db import IntegrityError
from django.urls import reverse

from documents.models import Document, Version
from tests.test_documents import PDF, upload
from tests.test_settings import run_django

BUCKET = "norsjo-handlingar"
KEYS = {"DOCUMENTS_S3_ACCESS_KEY": "norsjo", "DOCUMENTS_S3_SECRET_KEY": "hemligt-i-test"}


@pytest.fixture(scope="module")
def s3_endpoint():
    """A moto S3 server on a free port, with the bucket made; its address."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-north-1",
        aws_access_key_id=KEYS["DOCUMENTS_S3_ACCESS_KEY"],
        aws_secret_access_key=KEYS["DOCUMENTS_S3_SECRET_KEY"],
    ).create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    yield endpoint
    server.stop()


@pytest.fixture
def bucket_store(s3_endpoint, settings, monkeypatch, tmp_path):
    """STORAGES["documents"] exactly as norsjo/settings.py makes it from the environment
    (read from a process started with those variables), used by this process."""
    env = {
        "VAR_DIR": str(tmp_path),
        "DOCUMENTS_S3_BUCKET": BUCKET,
        "DOCUMENTS_S3_ENDPOINT_URL": s3_endpoint,
        "DOCUMENTS_S3_REGION": "eu-north-1",
        **KEYS,
    }
    show = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['documents']))"
    )
    result = run_django(env, "shell", "-c", show)
    assert result.returncode == 0, result.stderr
    configured = json.loads(result.stdout.strip().splitlines()[-1])
    assert configured["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {**settings.STORAGES, "documents": configured}
    monkeypatch.setattr(Version._meta.get_field("file"), "storage", storages["documents"])
    return storages["documents"].bucket


def in_case(bucket, cast) -> list:
    # The bucket outlives a test (one server for the module); each test has its own case.
    return list(bucket.objects.filter(Prefix=f"documents/{cast.event.pk}/"))


def test_a_document_goes_to_the_bucket_and_comes_back_byte_for_byte(client, cast, bucket_store):
    name = "Yttrande från förvaltaren (slutlig).pdf"
    content = PDF + "Bilaga: förvaltarens bedömning.\n".encode() * 1000
    response = upload(client, cast, name, content)
    assert response.status_code == 302
    document = Document.objects.get()
    version = document.versions.get()

    # The object's key is ours: the case, the document, a random name; nothing the
    # uploader chose.
    [stored] = in_case(bucket_store, cast)
    assert stored.key == f"documents/{version.file.name}"
    assert re.fullmatch(rf"documents/{cast.event.pk}/{document.pk}/[0-9a-f-]{{36}}", stored.key), (
        stored.key
    )
    assert stored.get()["Body"].read() == content

    url = reverse("document_download", args=[cast.event.pk, document.pk, version.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")


def test_a_failed_registration_leaves_nothing_in_the_bucket(client, cast, bucket_store):
    Document.objects.create(
        event=cast.event,
        serial=1,
        title="Inlagd utan räknaren",
        public_description="Test",
        document_date="2026-01-13",
        direction="inkommande",
        counterpart="Ingen",
        registered_by=cast.arbetsgrupp,
    )
    with pytest.raises(IntegrityError):
        upload(client, cast, "yttrande.pdf", PDF)
    assert in_case(bucket_store, cast) == []
