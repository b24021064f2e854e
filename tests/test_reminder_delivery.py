"""Reminders through a real Celery worker, a real Redis and a real SMTP server: each goes
out exactly once, whatever happens to the worker or the broker in between."""

import asyncio
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.utils import timezone

from accounts.moments import add_days
from events import reminders
from events.models import Convening, Event, Task
from notices.models import Notice
from notices.tasks import send_notices, sweep_outbox
from tests.conftest import SmtpSink, wait_until


class GatedSink(SmtpSink):
    """An SMTP server that can stall on the n-th message, so a test can kill the worker
    while it is in the middle of sending, and then refuse that message (as a real server
    does when the client vanished before the end of DATA)."""

    def __init__(self):
        super().__init__()
        self.hold_at = None
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.hold_at is not None and len(self.messages) == self.hold_at:
            self.hold_at = None
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 Försök igen senare"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    from tests.conftest import free_port

    sink = GatedSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    yield sink
    sink.released.set()
    controller.stop()


@pytest.fixture
def cast(cast_live):
    """The cast with a startgrupp that has met, so only the reminders a test sets up fall due."""
    now = timezone.now()
    Convening.objects.create(
        event=cast_live.event, meeting_at=now, convened_by=cast_live.kommunchef, held_at=now
    )
    return cast_live


def due_tasks(cast, count, *, overdue_by=timedelta(0)):
    now = timezone.now()
    return Task.objects.bulk_create(
        Task(
            event=cast.event,
            what=f"Uppgift {i}",
            assignee=cast.task_holder if i % 2 else cast.kso,
            delegated_by=cast.arbetsgrupp,
            created_at=now - timedelta(days=1),
            due_at=now - overdue_by - timedelta(seconds=i),
        )
        for i in range(count)
    )


def refused_resends(worker):
    lines = worker.log_path.read_text().splitlines()
    return sum(1 for line in lines if "send_notices" in line and line.endswith(": 0"))


def story(worker, smtp_server):
    """What a failed wait shows: the mail that arrived, the rows, the worker's log."""
    rows = list(Notice.objects.values_list("claimed_at", "sent_at", "attempts"))
    log = worker.log_path.read_text()[-3000:]
    return f"{len(smtp_server.messages)} mails; rows {rows}; worker log:\n{log}"


def deliveries(smtp_server):
    """(recipient, subject) of every message received, duplicates included."""
    return sorted((m["To"], m["Subject"]) for m in smtp_server.messages)


def assert_each_sent_once(smtp_server):
    # The sink holds a mail a moment before the worker marks its row sent.
    pending = Notice.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True)
    assert wait_until(lambda: not pending.exists(), timeout=30), list(pending)
    sent = deliveries(smtp_server)
    assert len(sent) == len(set(sent)) == Notice.objects.count()


def test_each_kind_of_reminder_is_mailed_once(cast, celery_worker, smtp_server):
    now = timezone.now()
    event = cast.event
    event.workgroup_lead = cast.arbetsgrupp
    event.reporter = cast.arbetsgrupp
    event.report_interval_days = 1
    # A day on the clock and a minute ago, as the report's interval counts (add_days): the
    # worker runs at the real time, which a test cannot move to a date far from a change.
    event.reporting_since = add_days(now, -1) - timedelta(minutes=1)
    event.save()
    old = now - timedelta(days=5)
    Task.objects.create(
        event=event,
        what="Snart",
        assignee=cast.task_holder,
        created_at=old,
        due_at=now + timedelta(hours=2),
    )
    Task.objects.create(
        event=event,
        what="Sen",
        assignee=cast.task_holder,
        created_at=old,
        due_at=now - timedelta(days=3),
    )
    Task.objects.create(
        event=event,
        what="Följ upp",
        assignee=cast.kso,
        created_at=old,
        delegated_by=cast.utvecklingschef,
        follow_up_at=now - timedelta(hours=1),
    )
    # Logged five days ago, and the startgrupp has not met since.
    Convening.objects.filter(event=event).update(held_at=None)
    Event.objects.filter(pk=event.pk).update(created_at=old)

    assert reminders.scan() == 7
    assert wait_until(lambda: len(smtp_server.messages) >= 7, timeout=30), story(
        celery_worker, smtp_server
    )
    assert reminders.scan() == 0  # the next tick finds everything written
    # A broker redelivering every task: the worker claims nothing and mails nothing more.
    for reminder in Notice.objects.all():
        send_notices.delay([str(reminder.pk)])
    assert wait_until(lambda: refused_resends(celery_worker) == 7, timeout=30)
    by_kind = {(n.kind, n.recipient.username) for n in Notice.objects.select_related("recipient")}
    assert by_kind == {
        ("task_due", "lena"),
        ("task_overdue", "lena"),
        ("task_overdue_lead", "sara"),
        ("follow_up", "maria"),
        ("report_due", "sara"),
        ("not_met", "maria"),
        ("not_met", "anna"),
    }
    assert_each_sent_once(smtp_server)


def test_two_scans_racing_send_each_reminder_once(cast, celery_worker, smtp_server):
    due_tasks(cast, 40)
    counts = []

    def scan():
        counts.append(reminders.scan())
        connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 40
    assert wait_until(lambda: len(smtp_server.messages) >= 40, timeout=30), story(
        celery_worker, smtp_server
    )
    assert_each_sent_once(smtp_server)


def test_a_task_finished_before_its_reminder_goes_out_sends_nothing(
    client, cast, celery_worker, smtp_server
):
    celery_worker.stop()
    done_in_app, done_elsewhere, still_open = due_tasks(cast, 3)
    reminders.scan()  # queued in Redis, no worker to take them
    client.force_login(cast.kso)
    client.post(
        f"/arenden/{cast.event.pk}/uppgifter/{done_in_app.pk}/",
        {"status": "klar", "feedback": "Klart", "version": 1},
    )
    # Finished by a path that does not cancel the reminder: the sender still checks.
    Task.objects.filter(pk=done_elsewhere.pk).update(status="struken")
    celery_worker.start()
    assert wait_until(lambda: len(smtp_server.messages) >= 2, timeout=30), story(
        celery_worker, smtp_server
    )
    assert wait_until(lambda: Notice.objects.filter(cancelled_at__isnull=False).count() == 2)
    # The one reminder still due, and the delegator told that the other task is done.
    number = still_open.event.case_number
    assert sorted(m["Subject"] for m in smtp_server.messages) == [
        f"Försenad uppgift – {number}: {still_open.what}",
        f"Uppgift klar – {number}: {done_in_app.what}",
    ]


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(
    cast, celery_worker, smtp_server
):
    smtp_server.hold_at = 10
    due_tasks(cast, 30)
    reminders.scan()
    assert smtp_server.holding.wait(20), "the worker never reached the 11th message"
    celery_worker.process.kill()  # SIGKILL, in the middle of the SMTP conversation
    celery_worker.process.wait()
    smtp_server.released.set()
    assert len(smtp_server.messages) == 10

    # The killed worker's claim expires (OUTBOX_CLAIM_TIMEOUT_S) and beat's sweeper hands
    # the row out again; the rows still queued in Redis are taken by the new worker.
    Notice.objects.filter(sent_at__isnull=True, claimed_at__isnull=False).update(
        claimed_at=F("claimed_at") - timedelta(minutes=10)
    )
    celery_worker.start()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        sweep_outbox()
    assert wait_until(lambda: len(smtp_server.messages) >= 30, timeout=30), story(
        celery_worker, smtp_server
    )
    assert_each_sent_once(smtp_server)


def test_a_restarted_redis_and_an_hour_without_worker_lose_nothing_and_say_they_are_late(
    cast, celery_worker, smtp_server, redis_server
):
    celery_worker.stop()
    due_tasks(cast, 12, overdue_by=timedelta(hours=1))
    reminders.scan()
    redis_server.restart()  # the queued send tasks are gone
    celery_worker.start()
    # Beat's sweeper, a minute or more later, finds the rows nobody sent.
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert sweep_outbox() == 12
    assert wait_until(lambda: len(smtp_server.messages) >= 12, timeout=30), story(
        celery_worker, smtp_server
    )
    assert_each_sent_once(smtp_server)
    for message in smtp_server.messages:
        assert message.get_content().startswith("Försenat utskick:")
