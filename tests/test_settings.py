"""Settings refuse malformed environment values, naming the variable."""

import os
import subprocess
import sys

import pytest

from tests.conftest import BASE_DIR

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 30 + "-a-long-random-production-secret-0123456789",
    "ALLOWED_HOSTS": "arenden.norsjo.se",
    "DATABASE_URL": "postgresql://norsjo@db.internal:5432/norsjo",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "SMTP_HOST": "smtp.norsjo.se",
}


def run_django(env: dict, *args) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION and not k.endswith("_FILE") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe'"),
        ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL: unsupported scheme 'mysql'"),
        ({"DATABASE_URL": "postgresql://host:notaport/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://host:5432/"}, "DATABASE_URL: the database name"),
        ({"SESSION_IDLE_MINUTES": "två timmar"}, "SESSION_IDLE_MINUTES='två timmar'"),
        ({"BROKER_POLL_INTERVAL_S": "fast"}, "BROKER_POLL_INTERVAL_S='fast'"),
        ({"LOGIN_MAX_FAILURES": "0"}, "LOGIN_MAX_FAILURES='0': must be at least 1"),
        ({"STATUS_DECISION_HOURS": "ett dygn"}, "STATUS_DECISION_HOURS='ett dygn'"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL='localhost:6379'"),
        ({"DEBUG": "false", "SECRET_KEY": ""}, "SECRET_KEY (or SECRET_KEY_FILE) must be set"),
        ({"SECRET_KEY_FILE": "/nonexistent/secret"}, "SECRET_KEY_FILE='/nonexistent/secret'"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(env, message):
    result = run_django(env, "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_a_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 60 + "\n")
    env = {**PRODUCTION, "SECRET_KEY": "", "SECRET_KEY_FILE": str(secret)}
    result = run_django(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
    )
    assert result.stdout.strip() == "s" * 60, result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_django(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_mail_goes_through_smtp():
    code = (
        "from django.core import mail; m = mail.mailers.default; print(type(m).__module__, m.host)"
    )
    result = run_django(PRODUCTION, "shell", "--no-imports", "-c", code)
    assert result.stdout.split() == ["django.core.mail.backends.smtp", "smtp.norsjo.se"], (
        result.stderr
    )
