"""The clock and real time across the changes to and from summer time (issue 14, item 15):
"every N days" keeps the time of day (accounts.moments.add_days), a window in minutes is
real minutes, and every clock time the product proposes or a person types on the night of
a change is taken and means one moment, in the forms and in the calendar files alike.

Stockholm 2026: summer time starts Sunday 29 March (02:00 → 03:00) and ends Sunday 25
October (03:00 → 02:00, so 02:00 to 02:59 happens twice)."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from accounts.moments import add_days, clock, day_text, reads_back
from commsplan.services import scan_info_gaps
from events import reminders
from events.forms import proposed_meeting_time
from events.models import Convening, Task
from notices import outbox
from notices.models import Notice
from tests.test_meeting import assert_times_in_stockholm, calendars, log_event, meeting_of

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)
CHANGES = [pytest.param(SPRING, id="spring"), pytest.param(AUTUMN, id="autumn")]
DAY, MINUTE = timedelta(days=1), timedelta(minutes=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """The moment of a Stockholm clock time on `day` (the first, where it happens twice),
    in UTC: an aware Stockholm time plus a timedelta is clock arithmetic, and in the doubled
    hour it is never == to a moment in another zone (PEP 495)."""
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM).astimezone(UTC)


def start_by_its_own_vtimezone(calendar: Calendar) -> datetime:
    """The meeting's start as a client without time zone data reads it: DTSTART's clock time
    by the rules of the file's own VTIMEZONE (RFC 5545 3.3.5: the first of a doubled time,
    a skipped one after the gap)."""
    [zone] = calendar.walk("VTIMEZONE")
    rules = zone.to_tz(lookup_tzid=False)
    start = meeting_of(calendar)["DTSTART"].dt.replace(tzinfo=None)
    return start.replace(tzinfo=rules).astimezone(UTC)


@pytest.fixture(params=CHANGES)
def change(request, time_machine) -> date:
    """The Sunday of a change; time stands at 09:00 on the Friday before it, from before the
    cast is made (list it before `cast`)."""
    time_machine.move_to(at(request.param - 2 * DAY, 9), tick=False)
    return request.param


def later(time_machine, client, user, moment):
    time_machine.move_to(moment, tick=False)
    # The session ends after SESSION_IDLE_MINUTES without activity: log in again.
    client.force_login(user)


def send_all():
    for pk in Notice.objects.filter(sent_at__isnull=True).values_list("pk", flat=True):
        outbox.send(pk)


@pytest.mark.parametrize("sunday", CHANGES)
def test_days_are_counted_on_the_clock_across_both_changes(sunday):
    friday = at(sunday - 2 * DAY, 10)
    week_later = add_days(friday, 7)
    assert clock(week_later) == clock(friday) + timedelta(days=7)
    # Real time is an hour short or over: 168 hours would have been 09:00 or 11:00.
    assert abs(week_later - friday - timedelta(days=7)) == timedelta(hours=1)
    assert add_days(week_later, -7) == friday
    # A time the change skips is the same time after the gap (RFC 5545 3.3.5).
    night = add_days(at(sunday - DAY, 2, 30), 1)
    expected = at(sunday, 3, 30) if sunday == SPRING else at(sunday, 2, 30)
    assert night == expected
    assert reads_back(night)


def test_the_reporter_is_reminded_every_7_days_at_the_same_time_of_day(
    change, time_machine, client, cast, mailoutbox
):
    friday = at(change - 2 * DAY, 10)
    event = cast.event
    event.reporter, event.report_interval_days, event.reporting_since = cast.arbetsgrupp, 7, friday
    event.save()
    next_friday = at(change + 5 * DAY, 10)

    time_machine.move_to(next_friday - MINUTE, tick=False)
    reminders.scan()
    assert not Notice.objects.filter(kind="report_due").exists()
    time_machine.move_to(next_friday, tick=False)
    reminders.scan()
    [reminder] = Notice.objects.filter(kind="report_due")
    assert reminder.occasion == next_friday
    send_all()
    [mail] = [m for m in mailoutbox if m.to == [cast.arbetsgrupp.email]]
    assert f"från och med {day_text(next_friday)} kl. 10:00" in mail.body
    assert "Försenat utskick" not in mail.body


def test_a_missed_report_turns_the_case_red_a_day_after_at_the_same_time_of_day(
    change, time_machine, client, cast
):
    client.force_login(cast.kommunchef)
    answers = {"what_happened": "Varsel, 38 anställda.", "based_on": 0}
    assert client.post(reverse("picture_edit", args=[cast.event.pk]), answers).status_code == 302
    event = cast.event
    event.reporter, event.report_interval_days = cast.arbetsgrupp, 7
    event.reporting_since = at(change - 2 * DAY, 10)
    event.save()
    # Due the next Friday at 10:00; missed from the Saturday at 10:00.
    saturday = at(change + 6 * DAY, 10)

    later(time_machine, client, cast.kommunchef, saturday - MINUTE)
    [shown] = client.get(reverse("start")).context["events"]
    assert shown.status.key == "gron"
    later(time_machine, client, cast.kommunchef, saturday)
    [shown] = client.get(reverse("start")).context["events"]
    assert shown.status.key == "rod"


def test_the_lead_hears_of_a_late_task_two_days_later_at_the_same_time_of_day(
    change, time_machine, cast, mailoutbox
):
    cast.event.workgroup_lead = cast.kso
    cast.event.save()
    due = at(change - 2 * DAY, 10)
    Task.objects.create(
        event=cast.event,
        what="Ring facket",
        assignee=cast.task_holder,
        delegated_by=cast.arbetsgrupp,
        due_at=due,
    )
    sunday = at(change, 10)
    time_machine.move_to(sunday - MINUTE, tick=False)
    reminders.scan()
    assert not Notice.objects.filter(kind="task_overdue_lead").exists()
    time_machine.move_to(sunday, tick=False)
    reminders.scan()
    [told] = Notice.objects.filter(kind="task_overdue_lead")
    assert told.due_at == sunday
    send_all()
    [mail] = [m for m in mailoutbox if m.to == [cast.kso.email]]
    assert f"skulle ha varit klar {day_text(due)} kl. 10:00" in mail.body
    assert "Försenat utskick" not in mail.body


def test_the_kommunikator_hears_of_an_information_gap_after_3_days_at_the_same_time_of_day(
    change, time_machine, cast
):
    # Registered on the Friday at 09:00 and nothing published since.
    monday = at(change + DAY, 9)
    assert scan_info_gaps(monday - MINUTE) == 0
    assert scan_info_gaps(monday) == 1
    assert Notice.objects.get(kind="info_gap").due_at == monday


def the_nights(step=timedelta(minutes=5)):
    """Every `step` from 23:00 on the Saturday to 05:00 on the Sunday of both changes."""
    for sunday in (SPRING, AUTUMN):
        moment = at(sunday - DAY, 23)
        while moment < at(sunday, 5):
            yield moment
            moment += step


@pytest.mark.parametrize("within", [120, 90, 30])
def test_the_proposed_meeting_exists_reads_back_and_lies_within_the_limit(settings, within):
    settings.CONVENE_WITHIN_MINUTES = within
    for now in the_nights():
        proposed = proposed_meeting_time(now)
        # A quarter hour, ahead, within the limit in real minutes (a limit too short to
        # hold a quarter hour that reads back, 30 minutes that night, gets the first after).
        assert proposed.minute % 15 == 0, now
        assert proposed > now, now
        assert reads_back(proposed), now
        if within >= 75:
            assert proposed - now <= timedelta(minutes=within), now


def proposed_on_the_page(client) -> str:
    page = client.get(reverse("event_create")).text
    return re.search(r'name="meeting_at"[^>]*value="([^"]+)"', page)[1]


@pytest.mark.parametrize(
    ("now", "shown"),
    [
        # Spring: an hour ahead is 02:30 on the clock, which does not exist.
        pytest.param(at(SPRING, 1, 30), "2026-03-29T03:30", id="spring-01:30"),
        # Autumn, summer time: an hour ahead is the first 02:45.
        pytest.param(at(AUTUMN, 1, 45), "2026-10-25T02:45", id="autumn-01:45-summer"),
        # Autumn, the second 02:10 (winter time): an hour ahead is 03:10.
        pytest.param(
            datetime(2026, 10, 25, 1, 10, tzinfo=UTC), "2026-10-25T03:15", id="autumn-02:10-winter"
        ),
    ],
)
def test_the_proposed_meeting_submits_on_the_night_of_a_change_as_the_moment_shown(
    time_machine, client, cast, mailoutbox, now, shown
):
    time_machine.move_to(now, tick=False)
    client.force_login(cast.kommunchef)
    assert proposed_on_the_page(client) == shown
    convening = log_event(client, cast.kommunchef, cast.startgrupp, meeting_at=shown)
    assert convening.meeting_at == proposed_meeting_time(now)
    assert timedelta(0) < convening.meeting_at - now <= timedelta(minutes=120)
    send_all()
    [(_, calendar, _)] = calendars(mailoutbox, cast.kso)
    assert start_by_its_own_vtimezone(calendar) == convening.meeting_at


@pytest.mark.parametrize(
    ("typed", "booked"),
    [
        # Skipped by the spring change: the same time after the gap, 03:30 summer time.
        pytest.param("2026-03-29T02:30", datetime(2026, 3, 29, 1, 30, tzinfo=UTC), id="spring"),
        # Twice in the autumn night: the first, 02:30 summer time.
        pytest.param("2026-10-25T02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC), id="autumn"),
    ],
)
def test_a_meeting_typed_at_a_time_the_change_skips_or_doubles_is_booked_and_sent_as_one_moment(
    time_machine, client, cast, mailoutbox, typed, booked
):
    time_machine.move_to(booked - 2 * DAY, tick=False)
    convening = log_event(client, cast.kommunchef, cast.startgrupp)
    url = reverse("meeting_edit", args=[convening.event_id, convening.pk])
    response = client.post(url, {"meeting_at": typed, "location": "KS-salen", "sequence": 0})
    assert response.status_code == 302
    convening = Convening.objects.get(pk=convening.pk)
    assert convening.meeting_at == booked
    send_all()
    [_, (text, moved, _)] = calendars(mailoutbox, cast.kso)
    assert_times_in_stockholm(text, moved)
    assert start_by_its_own_vtimezone(moved) == booked
    page = client.get(reverse("event_detail", args=[convening.event_id])).text
    assert f"Startgruppens möte: {day_text(booked)} kl. {clock(booked):%H:%M}" in page


def test_a_new_case_turns_yellow_after_the_limit_in_real_minutes_that_night(
    time_machine, client, cast, settings
):
    settings.CONVENE_WITHIN_MINUTES = 120
    logged = at(SPRING, 1, 30)
    time_machine.move_to(logged, tick=False)
    convening = log_event(client, cast.kommunchef, cast.startgrupp, meeting_at="2026-03-29T03:30")
    # 120 real minutes later the clock says 04:30, not 03:30.
    for moment, expected in [(logged + 119 * MINUTE, "ny"), (logged + 121 * MINUTE, "gul")]:
        later(time_machine, client, cast.kommunchef, moment)
        shown = {e.pk: e for e in client.get(reverse("start")).context["events"]}
        assert shown[convening.event_id].status.key == expected, clock(moment)
