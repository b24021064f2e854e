"""The reminder scan, in process: who is reminded of what, once; see
test_reminder_delivery.py for the same with a real worker, Redis and faults."""

from datetime import datetime, timedelta
from smtplib import SMTPRecipientsRefused
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import reminders, services
from events.models import Convening, Task
from notices import outbox
from notices.models import Notice
from notices.tasks import sweep_outbox
from tests.conftest import SmtpSink, free_port
from tests.personas import create_event_row

# A Wednesday in January, weeks from a change to or from summer time (the last Sundays of
# March and October): days counted on the clock (accounts.moments.add_days) are 24 hours
# throughout, whatever the date the suite runs.
NOW = datetime(2026, 1, 14, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def task(cast, what="Ring facket", **fields):
    fields.setdefault("assignee", cast.task_holder)
    fields.setdefault("delegated_by", cast.arbetsgrupp)
    fields.setdefault("created_at", NOW - timedelta(days=10))
    return Task.objects.create(event=cast.event, what=what, **fields)


def written(**filters):
    return sorted((n.kind, str(n.recipient or n.email)) for n in Notice.objects.filter(**filters))


@pytest.fixture
def met(cast):
    """The startgrupp has met: the not-met reminder stays out of these tests."""
    Convening.objects.create(
        event=cast.event, meeting_at=NOW, convened_by=cast.kommunchef, held_at=NOW
    )


def test_a_task_due_within_a_day_reminds_its_assignee_once(cast, met):
    due = task(cast, due_at=NOW + timedelta(hours=23))
    task(cast, "Nästa vecka", due_at=NOW + timedelta(days=7))
    assert reminders.scan() == 1
    assert reminders.scan() == 0
    [reminder] = Notice.objects.all()
    assert (reminder.kind, reminder.recipient, reminder.target) == (
        "task_due",
        cast.task_holder,
        due,
    )
    assert reminder.path == reverse("task_detail", args=[cast.event.pk, due.pk])
    assert "Ring facket" in reminder.body


def test_an_overdue_task_reminds_the_assignee_and_later_the_lead(cast, met):
    cast.event.workgroup_lead = cast.arbetsgrupp
    cast.event.save()
    late = task(cast, due_at=NOW - timedelta(hours=1))
    reminders.scan()
    assert written() == [("task_overdue", "Lena Öberg")]
    with time_machine.travel(NOW + timedelta(days=2, hours=1), tick=False):
        reminders.scan()
        reminders.scan()
    assert written(target_id=late.pk) == [
        ("task_overdue", "Lena Öberg"),
        ("task_overdue_lead", "Sara Eklund"),
    ]


def test_the_lead_is_not_told_about_their_own_task(cast, met):
    cast.event.workgroup_lead = cast.task_holder
    cast.event.save()
    task(cast, due_at=NOW - timedelta(days=5))
    reminders.scan()
    assert written() == [("task_overdue", "Lena Öberg")]


def test_a_task_moved_to_a_new_due_time_is_reminded_again(cast, met):
    moved = task(cast, due_at=NOW - timedelta(hours=1))
    reminders.scan()
    moved.due_at = NOW + timedelta(hours=2)
    moved.save()
    reminders.scan()
    assert written() == [("task_due", "Lena Öberg"), ("task_overdue", "Lena Öberg")]


def test_a_follow_up_date_reminds_the_one_who_delegated(cast, met):
    task(cast, follow_up_at=NOW - timedelta(minutes=1))
    task(cast, "Senare", follow_up_at=NOW + timedelta(days=1))
    reminders.scan()
    assert written() == [("follow_up", "Sara Eklund")]


def test_a_person_without_an_account_is_reminded_by_email(cast, met):
    task(
        cast,
        assignee=None,
        assignee_name="Kim",
        assignee_email="kim@x.se",
        due_at=NOW + timedelta(hours=1),
    )
    task(cast, "Utan adress", assignee=None, assignee_name="Bo", due_at=NOW + timedelta(hours=1))
    reminders.scan()
    assert written() == [("task_due", "kim@x.se")]


def test_finished_struck_and_closed_things_remind_nobody(cast, met):
    task(cast, status="klar", due_at=NOW - timedelta(hours=1))
    task(cast, status="struken", due_at=NOW - timedelta(hours=1))
    closed = create_event_row("Avslutat ärende", cast.kommunchef, phase="avslutad")
    Task.objects.create(
        event=closed, what="Gammal", assignee=cast.kso, due_at=NOW - timedelta(hours=1)
    )
    assert reminders.scan() == 0


def test_the_reporter_is_reminded_once_per_interval(cast, met):
    cast.event.reporter = cast.arbetsgrupp
    cast.event.report_interval_days = 7
    cast.event.reporting_since = NOW
    cast.event.save()
    assert reminders.scan() == 0
    for day in (7, 8, 13, 14):
        with time_machine.travel(NOW + timedelta(days=day, minutes=1), tick=False):
            reminders.scan()
    assert written() == [("report_due", "Sara Eklund")] * 2


def test_decisions_start_the_reporting_clock(client, cast):
    client.force_login(cast.kommunchef)
    client.post(
        reverse("decisions", args=[cast.event.pk]),
        {
            "inform_politicians": "nej",
            "workgroup": [cast.arbetsgrupp.pk],
            "workgroup_lead": cast.arbetsgrupp.pk,
            "reporter": cast.arbetsgrupp.pk,
            "report_interval_days": 7,
        },
    )
    cast.event.refresh_from_db()
    assert cast.event.reporting_since == NOW


def test_a_startgrupp_that_has_not_met_is_reported_to_the_creator_and_kommunchef(cast):
    cast.event.created_at = NOW - timedelta(minutes=119)
    cast.event.save()
    assert reminders.scan() == 0
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        reminders.scan()
        reminders.scan()
    assert written() == [("not_met", "Anna Lindqvist"), ("not_met", "Maria Holm")]


def test_late_reminders_say_so(cast, met, mailoutbox):
    late = task(cast, due_at=NOW - timedelta(hours=3))
    on_time = task(
        cast, "I tid", created_at=NOW - timedelta(minutes=1), due_at=NOW - timedelta(minutes=1)
    )
    reminders.scan()
    for reminder in Notice.objects.all():
        outbox.send(reminder.pk)
    bodies = {m.subject: m.body for m in mailoutbox}
    number = cast.event.case_number
    assert bodies[f"Försenad uppgift – {number}: {late.what}"].startswith("Försenat utskick:")
    assert not bodies[f"Försenad uppgift – {number}: {on_time.what}"].startswith(
        "Försenat utskick:"
    )


def test_a_user_who_turned_email_off_gets_the_notice_in_the_app_only(cast, met, mailoutbox):
    cast.task_holder.email_notifications = False
    cast.task_holder.save()
    task(cast, due_at=NOW + timedelta(hours=1))
    reminders.scan()
    reminder = Notice.objects.get()
    assert outbox.send(reminder.pk) is False
    assert mailoutbox == []
    reminder.refresh_from_db()
    assert reminder.sent_at is not None


def test_the_scan_takes_the_same_queries_whatever_the_number_of_tasks(cast, met):
    def count_queries():
        Notice.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            reminders.scan()
        return len(ctx.captured_queries)

    for i in range(5):
        task(cast, f"Förfaller {i}", due_at=NOW + timedelta(hours=i + 1))
    Task.objects.bulk_create(
        Task(
            event=cast.event,
            what=f"Senare {i}",
            assignee=cast.kso,
            due_at=NOW + timedelta(days=30),
        )
        for i in range(20)
    )
    few = count_queries()
    Task.objects.bulk_create(
        Task(
            event=cast.event,
            what=f"Senare {i}",
            assignee=cast.kso,
            due_at=NOW + timedelta(days=30),
        )
        for i in range(200)
    )
    assert count_queries() == few
    assert Notice.objects.count() == 5


def test_reminders_of_every_kind_take_the_same_queries_for_more_due_tasks(cast, met):
    # The scan reads only the columns a reminder is written from (reminders._READ): one
    # it left out would be read again task by task, a query per reminder.
    cast.event.workgroup_lead = cast.arbetsgrupp
    cast.event.save()

    def due_tasks(n, start):
        for i in range(start, start + n):
            task(cast, f"Snart {i}", due_at=NOW + timedelta(hours=1, minutes=i))
            task(cast, f"Sen {i}", due_at=NOW - timedelta(days=3, minutes=i))
            task(
                cast,
                f"Följ upp {i}",
                due_at=NOW + timedelta(days=9),
                follow_up_at=NOW - timedelta(minutes=i),
            )

    def count_queries():
        Notice.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            reminders.scan()
        return len(ctx.captured_queries)

    due_tasks(2, 0)
    count_queries()  # the content types cached, as in a running worker
    few = count_queries()
    due_tasks(20, 2)
    assert count_queries() == few
    # A due, an overdue, the lead's and a follow-up reminder for each.
    assert Notice.objects.count() == 22 * 4
    lead = Notice.objects.filter(kind="task_overdue_lead").first()
    assert "uppgiften som Lena Öberg har i ärendet" in lead.body
    follow_up = Notice.objects.filter(kind="follow_up").first()
    assert "till Lena Öberg och ville följa upp den" in follow_up.body


def test_a_reminder_is_stored_in_nfc_and_written_once(cast, met):
    # notices.posting writes on PostgreSQL with its own INSERT: through each field's
    # pre_save, so a text typed in NFD is stored as NFC there too (accounts.text).
    due = task(cast, "Ring Åsa", due_at=NOW + timedelta(hours=2))
    Task.objects.filter(pk=due.pk).update(what="Ring A\u030asa")
    assert reminders.scan() == 1
    assert reminders.scan() == 0
    reminder = Notice.objects.get()
    assert reminder.subject.endswith(": Ring \u00c5sa")
    assert "Ring \u00c5sa" in reminder.body
    assert reminder.target == due


def test_a_scan_pages_through_more_due_tasks_than_one_batch(cast, met):
    due = reminders.BATCH * 2 + 100
    Task.objects.bulk_create(
        Task(
            event=cast.event,
            what=f"Uppgift {i}",
            assignee=cast.kso,
            due_at=NOW + timedelta(minutes=i % 7 + 1),
            created_at=NOW - timedelta(days=1),
        )
        for i in range(due)
    )
    assert reminders.scan() == due
    assert Notice.objects.filter(kind="task_due").count() == due


class RefusingSink(SmtpSink):
    """Takes every message except those to refused@…, which it refuses for good."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused@"):
            return "550 5.1.1 Okänd mottagare"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_an_address_the_mail_server_refuses_holds_back_no_one_else(cast, met, settings):
    sink = RefusingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "use_tls": False},
        }
    }
    try:
        refused = task(
            cast,
            "Till en adress som inte finns",
            assignee=None,
            assignee_name="Kim",
            assignee_email="refused@norsjo.example",
            due_at=NOW - timedelta(hours=1),
        )
        task(cast, due_at=NOW - timedelta(hours=1))
        reminders.scan()
        first = Notice.objects.about(refused).get()
        second = Notice.objects.exclude(target_id=refused.pk).get()
        with pytest.raises(SMTPRecipientsRefused):
            outbox.send_all([first.pk, second.pk])
    finally:
        controller.stop()
    assert [m["To"] for m in sink.messages] == [cast.task_holder.email]
    second.refresh_from_db()
    assert second.sent_at is not None
    # Retried up to the limit, then left in the app, not swept every minute for ever.
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        assert sweep_outbox() == 1
        Notice.objects.filter(pk=first.pk).update(attempts=settings.OUTBOX_MAX_ATTEMPTS)
        assert sweep_outbox() == 0


def test_a_reassigned_task_reminds_the_new_assignee_not_the_old(cast, met):
    late = task(cast, due_at=NOW - timedelta(hours=1))
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        reminders.scan()  # "due within a day" to Lena, not yet sent
    services.change_task(late, {"assignee": cast.kso}, version=1, by=cast.arbetsgrupp)
    reminders.scan()
    pending = Notice.objects.filter(
        cancelled_at__isnull=True, kind__in=["task_due", "task_overdue"]
    )
    assert written(pk__in=pending) == [("task_overdue", "Erik Nordström")]


def test_answers_without_ticked_attendance_still_count_as_a_meeting(cast):
    Convening.objects.create(event=cast.event, meeting_at=NOW, convened_by=cast.kommunchef)
    services.revise_picture(
        cast.event, {"what_happened": "Varsel om 40."}, based_on=0, by=cast.kommunchef
    )
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        assert reminders.scan() == 0


def test_a_reopened_overdue_task_gets_no_stale_due_soon_reminder(cast, met):
    late = task(cast, due_at=NOW + timedelta(hours=1))
    reminders.scan()  # "klart senast" written
    services.report_task_progress(late, status="klar", feedback="Ja", version=1, by=cast.kso)
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        services.report_task_progress(late, status="pagar", feedback="", version=2, by=cast.kso)
        reminders.scan()
    live = Notice.objects.filter(cancelled_at__isnull=True, kind__startswith="task_")
    # Sara hears it was done, Lena that it was reopened, then that it is overdue; no stale
    # "klart senast" for a time gone by.
    assert written(pk__in=live) == [
        ("task_done", "Sara Eklund"),
        ("task_overdue", "Lena Öberg"),
        ("task_reopened", "Lena Öberg"),
    ]


def test_a_reminder_due_when_the_event_is_closed_is_not_sent(cast, met, mailoutbox):
    task(cast, due_at=NOW - timedelta(hours=1))
    reminders.scan()
    cast.event.phase = "avslutad"
    cast.event.save()
    reminder = Notice.objects.get()
    assert outbox.send(reminder.pk) is False
    assert mailoutbox == []
    reminder.refresh_from_db()
    assert reminder.cancelled_at is not None


def test_a_task_moved_close_to_its_time_is_reminded_on_time_not_late(cast, met, mailoutbox):
    moved = task(cast, due_at=NOW + timedelta(days=5))
    services.change_task(
        moved, {"due_at": NOW + timedelta(hours=3)}, version=1, by=cast.arbetsgrupp
    )
    reminders.scan()
    outbox.send(Notice.objects.get(kind="task_due").pk)
    assert not mailoutbox[0].body.startswith("Försenat utskick")
