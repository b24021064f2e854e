from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import status
from events.models import Membership, Task
from tests.personas import create_event_row

NOW = timezone.now()


@pytest.mark.parametrize(
    ("overdue", "oldest_days", "missed", "expected"),
    [
        (0, None, 0, "gron"),
        (1, 1, 0, "gul"),
        (2, 7, 0, "gul"),
        (1, 8, 0, "rod"),
        (3, 1, 0, "rod"),
        (0, None, 1, "rod"),
    ],
)
def test_the_status_colour_rule(overdue, oldest_days, missed, expected):
    since = NOW - timedelta(days=oldest_days) if oldest_days is not None else None
    result = status.colour(
        overdue_tasks=overdue, oldest_overdue_since=since, missed_reports=missed, now=NOW
    )
    assert result == expected


def join(event, user):
    Membership.objects.create(event=event, user=user, group="startgrupp")
    return event


def test_active_events_come_first_with_phase_day_and_colour(client, cast):
    closed = join(
        create_event_row(
            "Gammal konkurs", cast.kommunchef, phase="avslutad", company_name="Lövånger Plast AB"
        ),
        cast.kommunchef,
    )
    late = join(
        create_event_row("Sen uppgift", cast.kommunchef, company_name="Åkeri AB"), cast.kommunchef
    )
    Task.objects.create(
        event=late, what="Ring facket", assignee_name="Kim", due_at=NOW - timedelta(days=1)
    )
    Task.objects.create(
        event=late,
        what="Klar sedan länge",
        assignee_name="Kim",
        status="klar",
        due_at=NOW - timedelta(days=30),
    )
    client.force_login(cast.kommunchef)
    response = client.get(reverse("start"))
    events = response.context["events"]
    assert events[-1] == closed
    colours = {e.title: e.status for e in events}
    assert colours == {
        "Sen uppgift": "gul",
        "Varsel vid Granlunds Snickeri AB": "gron",
        "Gammal konkurs": None,
    }
    assert "Status: Gul</span> (1 försenad uppgift)" in response.text
    assert "dag 1" in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "åkeri"}, ["Sen uppgift"]),
        ({"q": "KS 2026/0001"}, ["Varsel vid Granlunds Snickeri AB"]),
        ({"q": "snickeri"}, ["Varsel vid Granlunds Snickeri AB"]),
        ({"phase": "avslutad"}, ["Gammal konkurs"]),
        ({"q": "finns inte"}, []),
    ],
)
def test_search_by_title_company_or_case_number_and_filter_by_phase(client, cast, query, expected):
    join(
        create_event_row(
            "Gammal konkurs", cast.kommunchef, phase="avslutad", company_name="Lövånger Plast AB"
        ),
        cast.kommunchef,
    )
    join(
        create_event_row("Sen uppgift", cast.kommunchef, company_name="Åkeri AB"), cast.kommunchef
    )
    client.force_login(cast.kommunchef)
    response = client.get(reverse("start"), query)
    assert [e.title for e in response.context["events"]] == expected
    if not expected:
        assert "Inga ärenden matchar sökningen." in response.text


def test_a_report_to_the_startgrupp_missed_by_more_than_a_day_makes_the_event_red(client, cast):
    cast.event.reporter = cast.arbetsgrupp
    cast.event.report_interval_days = 7
    cast.event.reporting_since = timezone.now() - timedelta(days=7, hours=23)
    cast.event.save()
    client.force_login(cast.kommunchef)
    [event] = client.get(reverse("start")).context["events"]
    assert event.status == "gron"  # due yesterday evening: within the day's grace
    cast.event.reporting_since -= timedelta(hours=2)
    cast.event.save()
    [event] = client.get(reverse("start")).context["events"]
    assert event.status == "rod"
