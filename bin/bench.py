#!/usr/bin/env python
"""`make bench`: measure, print a table and write var/bench.json.

Each figure is the median (or stated percentile) of repeated runs after a warm-up, against
gunicorn with DEBUG off, as in production. Rows: {"<name>": {"value": n, "unit": "…"}}.
"""

import asyncio
import http.client
import importlib
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# BENCH_VAR_DIR gives a run a folder of its own (its SQLite database, static files and
# bench.json beside it), and BENCH_DB_PREFIX its own PostgreSQL databases, so that two
# runs on one machine never share a database.
BENCH_DIR = Path(os.environ.get("BENCH_VAR_DIR") or BASE_DIR / "var" / "bench")
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "")
PYTHON = sys.executable
WARM_UP = 30
RUNS = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(**extra) -> dict:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "VAR_DIR": str(BENCH_DIR),
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}"
        ),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def django_shell(env, code) -> str:
    """Run Python code in a Django shell with `env`; return what it printed."""
    done = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        # The shell's traceback, which check=True would swallow.
        sys.stderr.write(done.stderr[-4000:])
        done.check_returncode()
    return done.stdout.strip()


def postgres_env(name, **extra) -> dict:
    """bench_env on a migrated PostgreSQL database `name` (BENCH_PG_URL's server)."""
    server = os.environ.get("BENCH_PG_URL", "postgresql://postgres:postgres@127.0.0.1:5432")
    name = DB_PREFIX + name
    subprocess.run(
        ["psql", f"{server}/postgres", "-qc", f"create database {name}"], capture_output=True
    )
    env = bench_env(DATABASE_URL=f"{server}/{name}", **extra)
    manage(env, "migrate", "--noinput", "-v0")
    return env


def floor_env(env) -> dict:
    """`env` with the floor views' URLs added (bin/floor_settings.py, bin/floor_urls.py)."""
    return {**env, "DJANGO_SETTINGS_MODULE": "floor_settings", "PYTHONPATH": str(BASE_DIR / "bin")}


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


class Server:
    """gunicorn as `make run` starts it (norsjo/gunicorn.py)."""

    def __init__(self, env):
        self.env = env
        self.port = free_port()

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "norsjo.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--config",
                "norsjo/gunicorn.py",
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=self.env,
        )
        # Each worker imports the URLconf (and all it imports) on its first request.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(15)

    def get(self, path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def medians_ms(self, paths, headers=None, *, runs=RUNS, rounds=10) -> list[float]:
        """The median of each path, measured in turns (`rounds` turns of runs/rounds
        each), so that a load that comes and goes weighs on all of them alike."""
        timings = [[] for _ in paths]
        for _ in range(rounds):
            for path, times in zip(paths, timings, strict=True):
                times.append(self.median_ms(path, headers, runs=runs // rounds, warm_up=3))
        return [round(statistics.median(times), 2) for times in timings]

    def median_ms(self, path, headers=None, *, runs=RUNS, warm_up=WARM_UP) -> float:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        timings = []
        for i in range(warm_up + runs):
            start = time.perf_counter()
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
            if i >= warm_up:
                timings.append((time.perf_counter() - start) * 1000)
        conn.close()
        return round(statistics.median(timings), 2)


class Answer:
    """One HTTP response as an asyncio client saw it: status, headers (lower-case names),
    body, and when it ended (time.monotonic)."""

    def __init__(self, status, headers, body, ended):
        self.status, self.headers, self.body, self.ended = status, headers, body, ended

    @property
    def text(self) -> str:
        return self.body.decode()


async def request(port, method, path, headers=None, body=b"", *, timeout=10.0) -> Answer:
    """One HTTP/1.1 request on a connection of its own: gunicorn's sync workers (norsjo/
    gunicorn.py) close every connection after one response, as they do for a browser.
    Raises TimeoutError after `timeout` seconds, OSError when the server is unreachable."""

    async def exchange():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
            head += [f"{k}: {v}" for k, v in (headers or {}).items()]
            if method != "GET":
                head.append(f"Content-Length: {len(body)}")
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            status_line, *lines = (
                (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            )
            fields = {}
            for line in lines:
                if line:
                    name, _, value = line.partition(":")
                    fields.setdefault(name.strip().lower(), value.strip())
            if "content-length" in fields:
                content = await reader.readexactly(int(fields["content-length"]))
            else:
                content = await reader.read()
            return Answer(int(status_line.split()[1]), fields, content, time.monotonic())
        finally:
            writer.close()

    return await asyncio.wait_for(exchange(), timeout)


def percentile(values, share) -> float:
    """The nearest-rank percentile (share 0.95 for p95) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def server_cpu_s(master_pid) -> float:
    """CPU seconds (user + system) used so far by a process and its living children, from
    /proc/<pid>/stat (fields 14 and 15, in clock ticks); gunicorn's master and workers."""
    pids = [master_pid]
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    pids += [int(pid) for pid in children.read_text().split()]
    ticks = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        # The command name (field 2) may hold spaces: count fields after its ")".
        fields = stat.rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def bench_pages(results):
    env = bench_env()
    with Server(env) as server:
        results["floor_view_median_ms"] = {"value": server.median_ms("/robots.txt"), "unit": "ms"}
        results["login_page_median_ms"] = {
            "value": server.median_ms("/konto/logga-in/"),
            "unit": "ms",
        }


# An event with 1,000 log entries, 20 members and 200 tasks; prints its id.
BIG_EVENT = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from events.models import Event, LogEntry, Membership, Task
users = [User.objects.get_or_create(username=f"bench{i}")[0] for i in range(20)]
event = Event.objects.filter(case_number="BENCH 1").first()
if event is None:
    now = timezone.now()
    event = Event.objects.create(case_number="BENCH 1", title="Stor händelse", kind="konkurs",
        notice_status="intraffad", company_name="Bench AB", impact_individ="hog",
        created_by=users[0])
    Membership.objects.bulk_create([Membership(event=event, user=u, group="arbetsgrupp")
                                    for u in users])
    LogEntry.objects.bulk_create([LogEntry(event=event, author=users[i % 20],
        text=f"Post {i} " * 8, happened_at=now - timedelta(minutes=i)) for i in range(1000)])
    Task.objects.bulk_create([Task(event=event, what=f"Uppgift {i}", assignee=users[i % 20],
        due_at=now + timedelta(days=i % 10 - 5)) for i in range(200)])
print(event.pk)
"""


def bench_event_page(results):
    env = bench_env()
    out = django_shell(env, BIG_EVENT)
    event_id = out.splitlines()[-1]
    session = login_cookie(env, "bench0")
    with Server(env) as server:
        url = f"/arenden/{event_id}/"
        results["event_page_median_ms"] = {
            "value": server.median_ms(url, {"Cookie": session}, runs=100),
            "unit": "ms",
        }


def login_cookie(env, username) -> str:
    return login_cookies(env, [username])[0]


def login_cookies(env, usernames) -> list[str]:
    """A signed-in session cookie for each user, made in one Django shell."""
    code = (
        "from django.conf import settings\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from accounts.models import User\n"
        f"for name in {list(usernames)!r}:\n"
        "    u = User.objects.get(username=name)\n"
        "    s = SessionStore()\n"
        "    s['_auth_user_id'] = str(u.pk)\n"
        "    s['_auth_user_backend'] = settings.AUTHENTICATION_BACKENDS[0]\n"
        "    s['_auth_user_hash'] = u.get_session_auth_hash()\n"
        "    s.create()\n"
        "    print(s.session_key)\n"
    )
    keys = django_shell(env, code).splitlines()[-len(usernames) :]
    return [f"sessionid={key}" for key in keys]


# Queries for the event page of a small event and of the big one (same count expected).
QUERY_COUNT = """
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from accounts.models import User
from events.models import Event, Membership
user = User.objects.get(username="bench0")
small = Event.objects.filter(case_number="BENCH 2").first()
if small is None:
    small = Event.objects.create(case_number="BENCH 2", title="Liten", kind="konkurs",
        notice_status="intraffad", company_name="Liten AB", impact_individ="hog", created_by=user)
    Membership.objects.create(event=small, user=user, group="startgrupp")
client = Client()
client.force_login(user)
for case in ("BENCH 2", "BENCH 1"):
    event = Event.objects.get(case_number=case)
    client.get(f"/arenden/{event.pk}/")  # the session's once-a-minute refresh out of the way
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/arenden/{event.pk}/").status_code == 200
    print(len(ctx.captured_queries))
"""


def bench_event_page_queries(results):
    out = django_shell(bench_env(), QUERY_COUNT)
    small, large = out.split()[-2:]
    results["event_page_queries_small"] = {"value": int(small), "unit": "queries"}
    results["event_page_queries_large"] = {"value": int(large), "unit": "queries"}


# wrk reports these after its run; a C load generator leaves the 2 cores to the server.
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("p95_us=%d requests=%d errors=%d\\n", latency:percentile(95),
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout))
end
"""


def wrk(port, path, cookie, *, clients=20, seconds=10) -> dict:
    script = BENCH_DIR / "report.lua"
    script.write_text(WRK_REPORT)
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{clients}",
            f"-d{seconds}s",
            "-s",
            str(script),
            "-H",
            f"Cookie: {cookie}",
            f"http://127.0.0.1:{port}{path}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("p95_us="))
    return {k: int(v) for k, v in (part.split("=") for part in line.split())}


def bench_event_page_concurrent(results):
    """20 concurrent clients for 10 s against gunicorn with 2 workers, on PostgreSQL."""
    env = postgres_env("norsjo_bench", WEB_WORKERS="2")  # the setting: 2 workers
    out = django_shell(env, BIG_EVENT)
    event_id = out.splitlines()[-1]
    cookie = login_cookie(env, "bench0")
    path = f"/arenden/{event_id}/"
    with Server(env) as server:
        # Warm both workers and the database under the same load, then measure.
        wrk(server.port, path, cookie, seconds=3)
        run = wrk(server.port, path, cookie)
    results["event_page_p95_ms_20_clients"] = {
        "value": round(run["p95_us"] / 1000, 1),
        "unit": "ms",
    }
    results["event_page_requests_20_clients"] = {"value": run["requests"], "unit": "requests"}
    results["event_page_errors_20_clients"] = {"value": run["errors"], "unit": "errors"}


async def paced(port, path, headers, *, users, every_s, seconds, warm_up_s) -> dict:
    """Open loop: each of `users` sends a request every `every_s` seconds (their phases
    spread evenly), on time whether or not earlier ones were answered; each is timed from
    its scheduled send time, so a slow server shows as latency and cannot slow the load.
    Requests scheduled in the first `warm_up_s` seconds are not counted."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.1
    timings, errors = [], []

    async def one(scheduled, counted):
        await asyncio.sleep(max(0.0, scheduled - loop.time()))
        try:
            answer = await request(port, "GET", path, headers)
            ok = answer.status == 200
        except (OSError, TimeoutError) as e:
            ok, answer = False, e
        if counted:
            if ok:
                timings.append((loop.time() - scheduled) * 1000)
            else:
                errors.append(getattr(answer, "status", answer))

    jobs = [
        one(start + phase + n * every_s, n * every_s >= warm_up_s)
        for user in range(users)
        for phase in [every_s * user / users]
        for n in range(int((warm_up_s + seconds) / every_s))
    ]
    await asyncio.gather(*jobs)
    p95 = percentile(timings, 0.95) if timings else None
    return {"p95_ms": p95, "requests": len(timings), "errors": errors}


def bench_event_page_paced(results):
    """20 users each opening the event page every 2 s for 30 s (after 10 s of the same),
    against gunicorn with 2 workers on PostgreSQL; a small asyncio client (no wrk2 here)."""
    env = postgres_env("norsjo_bench", WEB_WORKERS="2")
    event_id = django_shell(env, BIG_EVENT).splitlines()[-1]
    cookie = login_cookie(env, "bench0")
    with Server(env) as server:
        run = asyncio.run(
            paced(
                server.port,
                f"/arenden/{event_id}/",
                {"Cookie": cookie},
                users=20,
                every_s=2.0,
                seconds=30,
                warm_up_s=10,
            )
        )
    unit = f"ms (20 users × 1 per 2 s, open loop, {run['requests']} requests, 2 workers)"
    p95 = run["p95_ms"]
    results["event_page_paced_p95_ms"] = {"value": p95 and round(p95, 1), "unit": unit}
    results["event_page_paced_errors"] = {
        "value": len(run["errors"]),
        "unit": f"errors {sorted(set(map(str, run['errors'])))[:3]}",
    }


# Log an event and convene the four startgrupp members; prints nothing. Three mails follow:
# the member who logged it is not told of what they did (notices.post, `by`).
CONVENE = """
from django.db import transaction
from django.utils import timezone
from accounts.models import User
from events import services
from events.models import Event
users = [User.objects.get_or_create(username=f"start{i}", defaults={"email": f"s{i}@x.invalid"})[0]
         for i in range(4)]
event = Event(title="Konvokation", kind="konkurs", notice_status="intraffad",
              company_name="Mät AB", impact_individ="hog")
# The bench logs the same case five times in a row: confirmed as another event each time,
# as a user does when told of a look-alike case (services.PossiblySameEvent).
services.create_event(event, startgroup=users, meeting_at=timezone.now(),
                      same_event_confirmed=True, by=users[0])
"""


CONVENED_MAILS = 3


def bench_convene_to_mail(results):
    """Event saved → the three other startgrupp members' mails delivered by a running
    worker over SMTP, on the embedded default (SQLite, filesystem broker)."""
    from aiosmtpd.controller import Controller

    class Sink:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.count += 1
            return "250 OK"

    smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = bench_env(
        SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port), SMTP_USE_TLS="false", REDIS_URL=""
    )
    worker = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "norsjo",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        time.sleep(3)
        durations = []
        for _ in range(5):
            before = Sink.count
            start = time.monotonic()
            django_shell(env, CONVENE)
            while Sink.count < before + CONVENED_MAILS and time.monotonic() - start < 60:
                time.sleep(0.01)
            if Sink.count < before + CONVENED_MAILS:
                raise RuntimeError(f"{Sink.count - before} of {CONVENED_MAILS} mails in 60 s")
            durations.append(time.monotonic() - start)
    finally:
        worker.terminate()
        worker.wait(20)
        smtp.stop()
    results["convene_to_mail_s"] = {"value": round(statistics.median(durations), 2), "unit": "s"}


BENCHES = [
    bench_pages,
    bench_event_page,
    bench_event_page_queries,
    bench_event_page_concurrent,
    bench_event_page_paced,
    bench_convene_to_mail,
]


def all_benches():
    """This file's benches, then each app's from bin/bench_<app>.py (its own BENCHES list),
    so apps add rows without editing this file."""
    benches = list(BENCHES)
    sys.path.insert(0, str(BASE_DIR / "bin"))
    for module_path in sorted((BASE_DIR / "bin").glob("bench_*.py")):
        benches += importlib.import_module(module_path.stem).BENCHES
    return benches


def main():
    """`bin/bench.py [word ...]` runs only the benches whose name holds one of the words and
    updates their rows in var/bench.json, keeping the others. Each row names the bench that
    wrote it, so a bench run again, or failing, leaves none of its older rows behind."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    out = BENCH_DIR.parent / "bench.json"
    words = sys.argv[1:]
    benches = [b for b in all_benches() if not words or any(w in b.__name__ for w in words)]
    if not benches:
        names = ", ".join(b.__name__ for b in all_benches())
        sys.exit(f"Ingen bench har {' eller '.join(words)} i namnet. Benches: {names}")
    results = json.loads(out.read_text()) if words and out.exists() else {}
    # Figures measured on a host that draws PDFs the slow way, say, would mislead: the
    # system checks' warnings stop the run (events.W001 says what to install).
    check = [PYTHON, "manage.py", "check", "--fail-level", "WARNING"]
    if subprocess.run(check, cwd=BASE_DIR, env=bench_env()).returncode:
        sys.exit("manage.py check varnar (se ovan): inget mäts.")
    # The embedded database and the static files every bench's server needs.
    manage(bench_env(), "migrate", "--noinput", "-v0")
    manage(bench_env(), "collectstatic", "--noinput", "-v0")
    failed = []
    for bench in benches:
        name = bench.__name__
        results = {k: row for k, row in results.items() if row.get("bench") != name}
        rows = {}
        started = time.monotonic()
        # A broken bench costs its own rows, not the half hour of the others': it is
        # named, its traceback printed, and the run ends with an error after writing.
        try:
            bench(rows)
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"{name}: {time.monotonic() - started:.0f} s", file=sys.stderr)
        results.update({k: {**row, "bench": name} for k, row in rows.items()})
    out.write_text(json.dumps(results, indent=2) + "\n")
    width = max(map(len, results), default=0)
    for name, row in results.items():
        print(f"{name:<{width}}  {row['value']!s:>10} {row['unit']}")
    print(f"\nwritten to {out}")
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
