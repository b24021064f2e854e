import http.client
import importlib
import os
import shutil
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from playwright.sync_api import expect

from norsjo.celery import app as celery_app
from tests.browser import BROWSER_TIMEOUT_MS
from tests.personas import create_cast

# The omställningsprogram's shared fixtures (`frozen`, `programme`).
pytest_plugins = ["tests.programmes"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BASE_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Every test session runs its own Redis on a free port, so the suite neither needs nor
# disturbs a Redis the developer runs, and a test may restart it. The broker URL is set
# before any task is sent, when the app has not yet connected.
REDIS_PORT = free_port()
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
celery_app.conf.broker_url = REDIS_URL
celery_app.conf.broker_transport_options = {"visibility_timeout": 3600}


def _need(binary: str, package: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.fail(f"{binary} is missing: apt-get install -y {package}", pytrace=False)
    return path


class RedisServer:
    def __init__(self, port: int, workdir: Path):
        self.port = port
        self.workdir = workdir
        self.process = None

    def start(self):
        binary = _need("redis-server", "redis-server")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, what="redis-server")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def restart(self):
        """Stop and start again: everything Redis held (queued tasks) is gone."""
        self.stop()
        self.start()


def _wait_for_port(port: int, *, what: str, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"{what} did not start listening on port {port}", pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def redis_server(tmp_path_factory):
    server = RedisServer(REDIS_PORT, tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


def worker_database_url() -> str:
    """A DATABASE_URL for a subprocess (the worker) that points at the test database."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgresql://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


class CeleryWorker:
    """A real `celery worker` process against the session's Redis and the test database."""

    def __init__(self, log_path: Path, extra_env: dict | None = None):
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.process = None

    def start(self):
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": REDIS_URL,
            "DEBUG": "true",
            **self.extra_env,
        }
        self.log_path.write_text("")
        # What the worker prints before its log file is open (an import error, say).
        self.output_path = self.log_path.with_suffix(".out")
        with self.output_path.open("w") as output:
            self.process = self._spawn(env, output)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if "ready." in self.log_path.read_text():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(
            f"celery worker did not start:\n{self.output_path.read_text()[-3000:]}"
            f"\n{self.log_path.read_text()}",
            pytrace=False,
        )

    def _spawn(self, env, output):
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "norsjo",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--logfile",
                str(self.log_path),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class SmtpSink:
    """A real SMTP server on loopback that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    yield sink
    controller.stop()


@pytest.fixture
def celery_worker(transactional_db, tmp_path, smtp_server):
    """Start a worker for one test, mailing to `smtp_server`. The test's data must be
    committed for the worker to see it, hence `transactional_db`."""
    smtp = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port), "SMTP_USE_TLS": "false"}
    worker = CeleryWorker(tmp_path / "worker.log", smtp)
    # Tasks earlier tests enqueued (their rows flushed since, and no worker ran) are not
    # this test's: it starts on an empty queue.
    celery_app.control.purge()
    worker.start()
    yield worker
    worker.stop()


def wait_until(predicate, *, timeout: float = 10, interval: float = 0.05):
    """Poll until predicate() is true; the worker runs in another process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is deliberately slow; hashing nine personas per test would dominate the suite.
    # test_login checks that real logins use Argon2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db, plan_defaults):
    return create_cast()


# Browser --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE", "timezone_id": "Europe/Stockholm"}


@pytest.fixture(scope="session")
def live_server(live_server):
    """pytest-django's live server, asked for a page once before any test times one: the
    first request imports every app's views and compiles the templates, longer on a busy
    machine than a locator waits (5 s)."""
    host, port = live_server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    connection.request("GET", "/konto/logga-in/")
    assert connection.getresponse().status == 200
    connection.close()
    return live_server


@pytest.fixture
def cast_live(transactional_db):
    """The cast, committed, for tests that drive a live server in a browser."""
    return create_cast()


@pytest.fixture
def municipality_defaults(transactional_db):
    """The municipality's plan defaults, written again: a transactional test's flush
    removes what the data migration wrote (serialized_rollback clashes with the content
    types the flush recreates)."""
    from django.apps import apps

    importlib.import_module("commsplan.migrations.0002_seed_norsjo_defaults").seed(apps, None)


@pytest.fixture
def plan_defaults(db):
    """The municipality's plan defaults, for tests that open a communication plan: written
    again if a transactional test that ran before has flushed what the migration wrote."""
    from django.apps import apps

    from commsplan.models import Municipality

    if not Municipality.objects.exists():
        importlib.import_module("commsplan.migrations.0002_seed_norsjo_defaults").seed(apps, None)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Mark browser tests and tests with a real Celery worker, and put them first.

    `make test` spreads the tests over one process per core (pytest-xdist, `--dist
    loadgroup`). These tests time what Chromium or a worker process does, so they stay in one
    group on one process, one after another; first, so the other process takes the rest of
    the suite meanwhile instead of waiting for this, the longest group, at the end (the tests
    after them find the database flushed, hence `plan_defaults`). Marks go on before the other
    plugins' hooks run (xdist reads the group there), the order after (pytest-django's puts
    transactional tests last)."""
    grouped = config.pluginmanager.hasplugin("xdist")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
        if "celery_worker" in item.fixturenames:
            item.add_marker(pytest.mark.worker)
        if grouped and _one_at_a_time(item):
            item.add_marker(pytest.mark.xdist_group("browser_and_worker"))
    yield
    items.sort(key=lambda item: not _one_at_a_time(item))


def _one_at_a_time(item) -> bool:
    return bool(item.get_closest_marker("browser") or item.get_closest_marker("worker"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    """Stop if the group did not reach xdist's scheduler, which reads it from a suffix on
    each test's id (`…[chromium]@browser_and_worker`): pytest 9.2 ignores the suffix
    (pytest-xdist#1386), and the tests would run side by side without a word."""
    if node.config.getoption("dist") == "loadgroup" and any(
        nodeid.startswith("tests/browser/") and "@" not in nodeid for nodeid in ids
    ):
        pytest.exit("pytest-xdist did not group the browser tests (pytest-xdist#1386)", 4)


@pytest.fixture
def page(page):
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    return page


# OpenID Connect -------------------------------------------------------------------------------


class OidcProvider:
    """A real OpenID provider, `oidc-provider-mock`, in its own process on a free port: it
    signs with its own RSA key, wants clients registered (--require-registration) and a
    nonce in every authorization request (--require-nonce)."""

    def __init__(self, *extra_args: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_args = extra_args
        self.process = None

    def start(self, log_path: Path):
        binary = Path(sys.executable).with_name("oidc-provider-mock")
        with log_path.open("w") as log:
            self.process = subprocess.Popen(
                [
                    str(binary),
                    "--port",
                    str(self.port),
                    "--require-registration",
                    "--require-nonce",
                    *self.extra_args,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait_for_port(self.port, what="oidc-provider-mock")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def register(self, *redirect_uris: str) -> dict:
        """A new client (RFC 7591): {"client_id", "client_secret", "redirect_uris", …}."""
        import requests

        response = requests.post(
            f"{self.url}/oauth2/clients", json={"redirect_uris": list(redirect_uris)}, timeout=5
        )
        response.raise_for_status()
        return response.json()

    def set_user(self, sub: str, **claims):
        """What the provider says about `sub` from now on (its ID tokens carry every
        claim given here that is not a standard one, and the standard ones by scope)."""
        import requests

        requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    provider = OidcProvider()
    provider.start(tmp_path_factory.mktemp("oidc") / "provider.log")
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def oidc_provider_short_lived(tmp_path_factory):
    """A second provider whose ID tokens expire one second after they are issued."""
    provider = OidcProvider("--token-max-age", "1")
    provider.start(tmp_path_factory.mktemp("oidc") / "short-lived.log")
    yield provider
    provider.stop()
