"""Where documents are kept: STORAGES["documents"], chosen by the environment."""

import json

from tests.test_settings import run_django

SHOW = (
    "import json; from django.conf import settings; from django.core.files.storage import "
    "storages; s = storages['documents']; print(json.dumps({'class': type(s).__name__, "
    "'where': str(getattr(s, 'bucket_name', None) or s.location), "
    "'endpoint': getattr(s, 'endpoint_url', None), 'limit': settings.DOCUMENT_MAX_BYTES}))"
)


def storage(env: dict) -> dict:
    result = run_django(env, "shell", "-c", SHOW)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_documents_are_kept_under_var_dir_by_default(tmp_path):
    shown = storage({"VAR_DIR": str(tmp_path)})
    assert shown == {
        "class": "FileSystemStorage",
        "where": str(tmp_path / "documents"),
        "endpoint": None,
        "limit": 25 * 1024 * 1024,
    }


def test_an_s3_compatible_bucket_is_chosen_by_the_environment(tmp_path):
    shown = storage(
        {
            "VAR_DIR": str(tmp_path),
            "DOCUMENTS_S3_BUCKET": "norsjo-handlingar",
            "DOCUMENTS_S3_ENDPOINT_URL": "https://s3.example.se",
            "DOCUMENTS_S3_ACCESS_KEY": "nyckel",
            "DOCUMENTS_S3_SECRET_KEY": "hemlig",
            "DOCUMENT_MAX_MB": "40",
        }
    )
    assert shown == {
        "class": "S3Storage",
        "where": "norsjo-handlingar",
        "endpoint": "https://s3.example.se",
        "limit": 40 * 1024 * 1024,
    }


def test_a_malformed_limit_stops_start_up_naming_it(tmp_path):
    result = run_django({"VAR_DIR": str(tmp_path), "DOCUMENT_MAX_MB": "25MB"}, "check")
    assert result.returncode != 0
    assert "DOCUMENT_MAX_MB='25MB': expected a whole number" in result.stderr
