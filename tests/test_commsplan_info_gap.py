"""No information gaps: the kommunikatör is reminded once per gap when nothing about an
ongoing event has been published for INFO_GAP_DAYS."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commsplan.services import scan_info_gaps
from commsplan.tasks import remind_info_gaps
from events.models import Event, Membership
from notices.models import Notice
from tests.conftest import wait_until
from tests.personas import create_event_row
from tests.test_commsplan import approved_text, publish


def gap_reminders():
    return Notice.objects.filter(kind="info_gap")


def test_the_kommunikator_is_reminded_once_when_the_gap_reaches_three_days(cast):
    registered = cast.event.created_at
    with time_machine.travel(registered + timedelta(days=3, seconds=-1), tick=False):
        assert scan_info_gaps() == 0
    with time_machine.travel(registered + timedelta(days=3, hours=5), tick=False):
        assert scan_info_gaps() == 1
        assert scan_info_gaps() == 0
    with time_machine.travel(registered + timedelta(days=9), tick=False):
        assert scan_info_gaps() == 0  # the same gap: once is enough
    reminder = gap_reminders().get()
    assert reminder.recipient == cast.kommunikator
    assert reminder.due_at == registered + timedelta(days=3)
    assert reminder.subject == "Inget publicerat på länge – KS 2026/0001"
    assert reminder.path == f"/arenden/{cast.event.pk}/kommunikation/"


def test_publishing_cancels_the_pending_reminder_and_starts_a_new_gap(client, cast):
    registered = cast.event.created_at
    with time_machine.travel(registered + timedelta(days=3, hours=1), tick=False):
        scan_info_gaps()
    with time_machine.travel(registered + timedelta(days=3, hours=2), tick=False):
        text = approved_text(client, cast)
        publish(client, cast, text, override_reason="Företaget svarar inte.")
        assert text.status == "publicerad"
    assert gap_reminders().get().cancelled_at is not None
    published = text.published_at
    with time_machine.travel(published + timedelta(days=2), tick=False):
        assert scan_info_gaps() == 0
    with time_machine.travel(published + timedelta(days=3, minutes=1), tick=False):
        assert scan_info_gaps() == 1
    assert gap_reminders().filter(cancelled_at__isnull=True).get().due_at == published + (
        timedelta(days=3)
    )


def test_closed_and_confidential_events_are_not_reminded(cast):
    later = cast.event.created_at + timedelta(days=10)
    for change in ({"phase": "avslutad"}, {"confidential": True}):
        Event.objects.filter(pk=cast.event.pk).update(phase="planera", confidential=False)
        Event.objects.filter(pk=cast.event.pk).update(**change)
        with time_machine.travel(later, tick=False):
            assert scan_info_gaps() == 0


def test_the_number_of_days_is_a_setting(cast, settings):
    settings.INFO_GAP_DAYS = 5
    with time_machine.travel(cast.event.created_at + timedelta(days=4), tick=False):
        assert scan_info_gaps() == 0
    with time_machine.travel(cast.event.created_at + timedelta(days=5), tick=False):
        assert scan_info_gaps() == 1


def test_the_scan_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["remind-info-gaps"]
    assert entry["task"] == remind_info_gaps.name == "commsplan.tasks.remind_info_gaps"


@pytest.mark.parametrize("events", [2, 20])
def test_the_scan_runs_the_same_queries_however_many_events(cast, events):
    for i in range(events - 1):
        event = create_event_row(f"Händelse {i}", cast.kommunchef)
        Membership.objects.create(event=event, user=cast.kommunikator, group="startgrupp")
    with (
        time_machine.travel(timezone.now() + timedelta(days=4), tick=False),
        CaptureQueriesContext(connection) as ctx,
    ):
        assert scan_info_gaps() == events
    # events in a gap, their kommunikatörer, the insert, the read-back of new rows (none on
    # PostgreSQL, whose insert returns them: notices.posting); the outbox's transaction
    # (SAVEPOINT, RELEASE).
    assert len(ctx.captured_queries) == (5 if connection.vendor == "postgresql" else 6)


def test_a_real_worker_mails_one_reminder_per_gap(
    celery_worker, smtp_server, cast_live, client, municipality_defaults
):
    cast = cast_live
    four_days_ago = timezone.now() - timedelta(days=4)
    Event.objects.filter(pk=cast.event.pk).update(created_at=four_days_ago)

    def scans_done():
        lines = celery_worker.log_path.read_text().splitlines()
        return sum("remind_info_gaps" in line and "succeeded" in line for line in lines)

    def gap_mails():
        # Not the press text's hand-offs, which the worker mails too.
        return [m for m in smtp_server.messages if m["Subject"].startswith("Inget publicerat")]

    remind_info_gaps.delay()
    assert wait_until(lambda: len(gap_mails()) == 1)
    mail = gap_mails()[0]
    assert mail["To"] == cast.kommunikator.email
    assert mail["Subject"] == "Inget publicerat på länge – KS 2026/0001"
    assert "ingen information är också information" in mail.get_content()

    # The same gap, scanned again: nothing new.
    remind_info_gaps.delay()
    assert wait_until(lambda: scans_done() == 2)
    assert gap_reminders().count() == 1

    # A text published three days and an hour ago ends that gap; the next one has lasted
    # three days too.
    text = approved_text(client, cast)
    at = timezone.localtime() - timedelta(days=3, hours=1)
    publish(client, cast, text, at=at.strftime("%Y-%m-%dT%H:%M"), override_reason="Akut.")
    assert text.status == "publicerad"
    remind_info_gaps.delay()
    assert wait_until(lambda: len(gap_mails()) == 2)
    assert wait_until(lambda: scans_done() == 3)
    assert gap_reminders().count() == 2
    assert len(gap_mails()) == 2
