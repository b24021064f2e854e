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
from django.apps import apps
from django.forms import BaseForm, DateTimeField
from django.urls import get_resolver, reverse
from icalendar import Calendar

from accounts.moments import ClockField, add_days, clock, day_text, reads_back
from assessment.models import ExternalParty
from assessment.services import edit_row
from commsplan.models import CommsPlan
from commsplan.services import scan_info_gaps
from events import reminders
from events.forms import proposed_meeting_time
from events.models import Convening, Task
from notices import outbox
from notices.models import Notice
from tests import sheets
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


# Every clock time a person types (issue 14, items 15 and 5): Django's DateTimeField refuses
# a time the change skips or doubles ("kunde inte tolkas i tidszonen"); every form takes it
# as accounts.moments.ClockField reads it, and shows it back on the Stockholm clock.
TYPED_ON_THE_NIGHT = [
    # Skipped by the spring change: the same time after the gap, 03:30 summer time.
    pytest.param(("2027-03-28T02:30", datetime(2027, 3, 28, 1, 30, tzinfo=UTC)), id="spring-2027"),
    # Twice in the autumn night: the first, 02:30 summer time.
    pytest.param(
        ("2026-10-25T02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)), id="autumn-2026"
    ),
    pytest.param(
        ("2027-10-31T02:30", datetime(2027, 10, 31, 0, 30, tzinfo=UTC)), id="autumn-2027"
    ),
]


@pytest.fixture(params=TYPED_ON_THE_NIGHT)
def typed_on_the_night(request, time_machine) -> tuple[str, datetime]:
    """(what is typed, the moment it means); time stands at 09:00 two days before that night,
    from before the cast is made (list it before `cast`)."""
    typed, meant = request.param
    time_machine.move_to(at(meant.date() - 2 * DAY, 9), tick=False)
    return typed, meant


def shown(moment: datetime) -> str:
    return f"{day_text(moment)} kl. {clock(moment):%H:%M}"


def in_the_field(moment: datetime) -> str:
    """A moment as a datetime-local field shows it: in spring 03:30 for a typed 02:30."""
    return f"{clock(moment):%Y-%m-%dT%H:%M}"


def test_a_log_entry_typed_at_a_time_the_change_skips_or_doubles_is_taken_as_that_moment(
    typed_on_the_night, time_machine, client, cast
):
    typed, meant = typed_on_the_night
    later(time_machine, client, cast.arbetsgrupp, meant + DAY)
    url = reverse("log_entry_add", args=[cast.event.pk])
    response = client.post(url, {"text": "Facket ringde i natt.", "happened_at": typed})
    assert response.status_code == 302
    assert cast.event.log_entries.get(text="Facket ringde i natt.").happened_at == meant
    page = client.get(reverse("event_detail", args=[cast.event.pk])).text
    assert f'<time datetime="{clock(meant).isoformat()}' in page
    assert shown(meant) in page


def test_a_task_due_and_followed_up_at_a_time_the_change_skips_or_doubles_is_taken(
    typed_on_the_night, client, cast
):
    typed, meant = typed_on_the_night
    client.force_login(cast.arbetsgrupp)
    data = {"what": "Ring facket", "assignee": cast.kso.pk, "due_at": typed, "follow_up_at": typed}
    response = client.post(reverse("task_list", args=[cast.event.pk]), data)
    assert response.status_code == 302
    task = Task.objects.get(what="Ring facket")
    assert (task.due_at, task.follow_up_at) == (meant, meant)
    url = reverse("task_detail", args=[cast.event.pk, task.pk])
    assert shown(meant) in client.get(url).text
    # Saved again unchanged, as the edit form shows it: the same moment, not refused.
    edit = reverse("task_edit", args=[cast.event.pk, task.pk])
    as_shown = in_the_field(meant)
    assert f'name="due_at" value="{as_shown}"' in client.get(edit).text
    again = {"what": "Ring facket igen", "due_at": as_shown, "follow_up_at": as_shown}
    response = client.post(edit, data | again | {"version": task.version})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.what, task.due_at, task.follow_up_at) == ("Ring facket igen", meant, meant)


def test_a_company_announcement_planned_at_a_time_the_change_skips_or_doubles_is_taken(
    typed_on_the_night, client, cast
):
    typed, meant = typed_on_the_night
    client.force_login(cast.kommunikator)
    url = reverse("company_announcement", args=[cast.event.pk])
    response = client.post(url, {"state": "planerat", "at": typed, "where": ""})
    assert response.status_code == 302
    assert CommsPlan.objects.get(event=cast.event).company_planned_at == meant
    assert cast.event.log_entries.filter(
        text__startswith=f"Företagets eget besked planeras: {shown(meant)}."
    ).exists()


def test_a_contact_logged_at_a_time_the_change_skips_or_doubles_is_taken(
    typed_on_the_night, time_machine, client, cast
):
    typed, meant = typed_on_the_night
    party = ExternalParty.objects.create(
        event=cast.event, type="fack", organisation="IF Metall", created_by=cast.arbetsgrupp
    )
    later(time_machine, client, cast.arbetsgrupp, meant + DAY)
    response = client.post(
        reverse("contact_add", args=[cast.event.pk, party.pk]),
        {"direction": "received", "text": "Fick lista över berörda.", "happened_at": typed},
    )
    assert response.status_code == 302
    assert party.contacts.get().happened_at == meant


def test_a_sheet_rows_time_on_the_night_of_a_change_becomes_the_tasks_time(
    typed_on_the_night, client, cast
):
    typed, meant = typed_on_the_night
    row = sheets.a_row(cast, what="Ring facket", section="initiala")
    row = edit_row(
        row,
        {"what": "Ring facket", "when": typed.replace("T", " ")},
        version=1,
        by=cast.arbetsgrupp,
    )
    client.force_login(cast.arbetsgrupp)
    url = reverse("row_delegate", args=[cast.event.pk, row.pk])
    assert f'name="due_at" value="{in_the_field(meant)}"' in client.get(url).text
    data = {
        "what": "Ring facket",
        "assignee": cast.kso.pk,
        "due_at": typed,
        "version": row.version,
    }
    assert client.post(url, data).status_code == 302
    assert Task.objects.get(what="Ring facket").due_at == meant


def test_every_form_field_for_a_date_and_time_reads_the_stockholm_clock():
    """The whole kind: a field added later with Django's own DateTimeField would refuse
    02:30 on the nights of the changes again."""
    # Every view, and so every form a person fills in, is imported with the URLs.
    get_resolver().url_patterns  # noqa: B018
    ours = tuple(
        f"{config.name}."
        for config in apps.get_app_configs()
        if not config.name.startswith("django")
    )
    forms, typed = [BaseForm], {}
    while forms:
        form = forms.pop()
        forms.extend(form.__subclasses__())
        if form.__module__.startswith(ours):
            for name, field in form.base_fields.items():
                if isinstance(field, DateTimeField):
                    typed[f"{form.__name__}.{name}"] = type(field)
    assert {"LogEntryForm.happened_at", "ContactForm.happened_at", "PublishForm.at"} <= set(typed)
    assert {name for name, kind in typed.items() if kind is not ClockField} == set()
