import json
import os
import subprocess
import sys

from django.test import override_settings

from tests.conftest import BASE_DIR, REDIS_URL


def test_it_is_up_with_redis(client, db):
    with override_settings(REDIS_URL=REDIS_URL):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "broker": True}


def test_it_is_up_with_the_filesystem_broker(client, db, tmp_path):
    options = {"data_folder_in": str(tmp_path / "queue")}
    with override_settings(REDIS_URL="", CELERY_BROKER_TRANSPORT_OPTIONS=options):
        assert client.get("/healthz").status_code == 200


def test_it_needs_no_login_and_is_never_cached(client, db):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]


def test_it_is_down_when_redis_is_unreachable(client, db):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "fel", "database": True, "broker": False}


def test_it_is_down_when_the_broker_folder_cannot_be_written(client, db):
    options = {"data_folder_in": "/dev/null/queue"}
    with override_settings(REDIS_URL="", CELERY_BROKER_TRANSPORT_OPTIONS=options):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] is False


def test_it_is_down_when_the_database_is_unreachable():
    # A fresh process whose database is a PostgreSQL port nobody listens on.
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/norsjo",
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "norsjo.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"status": "fel", "database": False, "broker": True}


def test_robots_are_kept_out(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.text == "User-agent: *\nDisallow: /\n"
