"""Reminder benches: the scan over 100,000 open tasks, and a chaos run that SIGKILLs the
worker while 2,000 reminders fall due. Run by bin/bench.py."""

import json
import os
import signal
import subprocess
import threading
import time

from bench import BASE_DIR, PYTHON, django_shell, free_port, postgres_env

# The machine's Redis, a database of its own; flushed before and after.
REDIS_URL = "redis://127.0.0.1:6379/13"

# 1,000 events with `total` open tasks between them, of which 2,000 fall due within the day
# (1,000 overdue, 1,000 due soon); the rest are due in a month. SQL-side generation keeps
# building 100,000 rows to seconds.
BUILD = """
from datetime import timedelta
from django.db import connection
from django.utils import timezone
from accounts.models import User
from events.models import Event, Membership, Task
from notices.models import Notice
total = {total}
Notice.objects.all().delete()
Task.objects.all().delete()
user, _ = User.objects.get_or_create(username="bench-scan", defaults={{"email": "b@x.invalid"}})
if Event.objects.filter(case_number__startswith="SCAN ").count() < 1000:
    Event.objects.bulk_create(
        Event(case_number=f"SCAN {{i}}", title=f"Skanning {{i}}", kind="varsel",
              notice_status="aviserad", company_name="Skan AB", impact_individ="hog",
              created_by=user)
        for i in range(1000))
events = list(Event.objects.filter(case_number__startswith="SCAN ").values_list("pk", flat=True))
now = timezone.now()
old = now - timedelta(days=3)
rows = []
for i in range(total):
    due = now - timedelta(hours=1 + i % 20) if i < 1000 else (
        now + timedelta(hours=1 + i % 20) if i < 2000 else now + timedelta(days=30))
    rows.append(Task(event_id=events[i % 1000], what=f"Uppgift {{i}}", assignee=user,
                     due_at=due, created_at=old))
    if len(rows) == 5000:
        Task.objects.bulk_create(rows); rows = []
Task.objects.bulk_create(rows)
# The startgrupp has met everywhere, so only task reminders fall due.
from events.models import Convening
if not Convening.objects.filter(event__case_number__startswith="SCAN ").exists():
    Convening.objects.bulk_create(Convening(event_id=e, meeting_at=now, convened_by=user,
                                            held_at=now) for e in events)
with connection.cursor() as c:
    if connection.vendor == "postgresql":
        c.execute("VACUUM ANALYZE events_task")
"""

SCAN = """
import json, time, tracemalloc
from django.db import connection
from django.test.utils import CaptureQueriesContext
from events import reminders
from notices.models import Notice
from notices.tasks import send_notices
# Warm, as in a running worker: modules loaded (the URLconf too, which a reminder's link
# is reversed through), the broker connection open.
from django.urls import get_resolver
get_resolver().url_patterns
send_notices.delay([])
with CaptureQueriesContext(connection) as ctx:
    start, cpu = time.perf_counter(), time.process_time()
    written = reminders.scan()
    seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu
# Again for the memory peak: tracemalloc slows Python down, so not in the timed run.
Notice.objects.all().delete()
tracemalloc.start()
reminders.scan()
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"written": written, "s": seconds, "cpu_s": cpu_s,
                  "queries": len(ctx.captured_queries),
                  "peak_mb": peak / 2**20}))
"""


def scan(env, total):
    django_shell(env, BUILD.format(total=total))
    return json.loads(django_shell(env, SCAN).splitlines()[-1])


def bench_reminder_scan(results):
    env = postgres_env("norsjo_bench_reminders", REDIS_URL=REDIS_URL)
    small = scan(env, 10_000)
    large = scan(env, 100_000)
    subprocess.run(["redis-cli", "-n", "13", "flushdb"], capture_output=True)
    assert small["written"] == large["written"] == 2000, (small, large)
    # Both sizes write the same 2,000 reminders: what grows from 10,000 to 100,000 open
    # tasks is what scales with the tasks, not with the work (target: time, queries and
    # memory flat; 100,000 in ≤ 3 s).
    results["reminder_scan_s"] = {"value": round(large["s"], 2), "unit": "s (100,000 tasks)"}
    results["reminder_scan_s_10k"] = {"value": round(small["s"], 2), "unit": "s"}
    results["reminder_scan_cpu_s"] = {
        "value": round(large["cpu_s"], 2),
        "unit": "s of CPU in the scanning process (100,000 tasks; the rest: PostgreSQL, Redis)",
    }
    results["reminder_scan_queries_10k"] = {"value": small["queries"], "unit": "queries"}
    results["reminder_scan_queries_100k"] = {"value": large["queries"], "unit": "queries"}
    results["reminder_scan_peak_mb_10k"] = {"value": round(small["peak_mb"], 1), "unit": "MB"}
    results["reminder_scan_peak_mb"] = {
        "value": round(large["peak_mb"], 1),
        "unit": "MB (100,000 tasks)",
    }


# 2,000 tasks falling due over the next 20 s on 50 events; beat's two jobs run every second.
CHAOS_SETUP = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from events.models import Convening, Event, Task
from notices.models import Notice
Notice.objects.all().delete()
Task.objects.all().delete()
user, _ = User.objects.get_or_create(username="bench-chaos", defaults={"email": "c@x.invalid"})
events = list(Event.objects.filter(case_number__startswith="SCAN ")[:50])
now = timezone.now()
Task.objects.bulk_create(
    Task(event=events[i % 50], what=f"Kaos {i}", assignee_email=f"p{i}@x.invalid",
         assignee_name=f"Person {i}", created_at=now - timedelta(days=1),
         due_at=now + timedelta(hours=24, seconds=i / 100))
    for i in range(2000))
"""

BEAT = """
import time
from events import reminders
from notices.models import Notice
from notices.tasks import sweep_outbox
deadline = time.monotonic() + 240
while time.monotonic() < deadline:
    reminders.scan()
    sweep_outbox()
    if Notice.objects.count() == 2000 and not Notice.objects.filter(
            sent_at__isnull=True).exists():
        break
    time.sleep(1)
"""


def bench_reminder_chaos(results):
    """SIGKILL the worker 20 times while 2,000 reminders fall due; count what the SMTP
    server received, by Message-ID (one per outbox row)."""
    from aiosmtpd.controller import Controller

    received = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            for line in envelope.content.decode(errors="replace").splitlines():
                if line.lower().startswith("message-id:"):
                    received.append(line.split(":", 1)[1].strip())
                    break
            return "250 OK"

    smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    subprocess.run(["redis-cli", "-n", "13", "flushdb"], capture_output=True)
    env = postgres_env(
        "norsjo_bench_reminders",
        REDIS_URL=REDIS_URL,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        SMTP_USE_TLS="false",
        OUTBOX_CLAIM_TIMEOUT_S="30",
        # The 2,000 fall due within the next 20 s.
        TASK_DUE_SOON_HOURS="24",
    )
    django_shell(env, BUILD.format(total=0))
    django_shell(env, CHAOS_SETUP)

    def start_worker():
        return subprocess.Popen(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "norsjo",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                "2",
                "--loglevel",
                "ERROR",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    beat = threading.Thread(
        target=lambda: subprocess.run(
            [PYTHON, "manage.py", "shell", "--no-imports", "-c", BEAT], cwd=BASE_DIR, env=env
        )
    )
    worker = start_worker()
    beat.start()
    try:
        for _ in range(20):
            time.sleep(1.5)
            os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool children
            worker.wait()
            worker = start_worker()
        beat.join()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        smtp.stop()
    expected = int(
        django_shell(
            env, "from notices.models import Notice; print(Notice.objects.count())"
        ).splitlines()[-1]
    )
    distinct = len(set(received))
    results["reminder_chaos_expected"] = {"value": expected, "unit": "reminders"}
    results["reminder_chaos_lost"] = {"value": expected - distinct, "unit": "reminders"}
    results["reminder_chaos_duplicates"] = {"value": len(received) - distinct, "unit": "reminders"}


BENCHES = [bench_reminder_scan, bench_reminder_chaos]
