from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event, LogEntry, Membership, Task
from tests.personas import create_user


def grow(cast, factor):
    """Add `factor` times more events, log entries, members and tasks around the cast."""
    start = Event.objects.count()
    events = Event.objects.bulk_create(
        [
            Event(
                title=f"Händelse {i}",
                created_by=cast.kommunchef,
                case_number=f"KS 2025/{start + i}",
                kind="konkurs",
                notice_status="intraffad",
                company_name=f"Företag {i}",
                impact_naringsliv="medel",
            )
            for i in range(factor)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(event=e, user=cast.kommunchef, group="startgrupp") for e in events]
    )
    members = [
        create_user(f"extra{start + i}", "Extra", f"Person {start + i}") for i in range(factor)
    ]
    Membership.objects.bulk_create(
        [Membership(event=cast.event, user=u, group="arbetsgrupp") for u in members]
    )
    LogEntry.objects.bulk_create(
        [
            LogEntry(event=cast.event, author=cast.arbetsgrupp, text=f"Post {i}")
            for i in range(factor)
        ]
    )
    Task.objects.bulk_create(
        [
            Task(event=cast.event, what=f"Uppgift {i}", assignee=cast.task_holder)
            for i in range(factor)
        ]
    )


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_do_a_constant_number_of_queries(client, cast):
    client.force_login(cast.kommunchef)
    urls = [
        reverse("start"),
        reverse("event_detail", args=[cast.event.pk]),
        reverse("event_summary", args=[cast.event.pk]),
        reverse("event_log", args=[cast.event.pk]),
    ]
    grow(cast, 3)
    small = [count_queries(client, url) for url in urls]
    grow(cast, 30)
    large = [count_queries(client, url) for url in urls]
    assert small == large


def test_a_member_adds_a_log_entry(client, cast):
    client.force_login(cast.arbetsgrupp)
    url = reverse("log_entry_add", args=[cast.event.pk])
    response = client.post(url, {"text": "Facket har begärt möte."})
    assert response.status_code == 302
    entry = LogEntry.objects.get()
    assert (entry.author, entry.text) == (cast.arbetsgrupp, "Facket har begärt möte.")
    page = client.get(reverse("event_detail", args=[cast.event.pk])).text
    assert "Facket har begärt möte." in page


# Not at 02:00-02:59 the night after a change to or from summer time: a day before is then a
# clock time skipped or doubled, and such an aware time is never == a stored moment (PEP 495).
@pytest.mark.time_machine(datetime(2026, 1, 14, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm")))
def test_an_entry_typed_afterwards_keeps_when_it_happened(client, cast):
    client.force_login(cast.arbetsgrupp)
    yesterday = timezone.localtime() - timedelta(days=1)
    client.post(
        reverse("log_entry_add", args=[cast.event.pk]),
        {"text": "Samtal med vd i går.", "happened_at": yesterday.strftime("%Y-%m-%dT%H:%M")},
    )
    entry = LogEntry.objects.get()
    assert entry.happened_at.replace(second=0, microsecond=0) == yesterday.replace(
        second=0, microsecond=0
    )
    assert entry.created_at > entry.happened_at


def test_htmx_gets_back_the_log_fragment_only(client, cast):
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        reverse("log_entry_add", args=[cast.event.pk]),
        {"text": "Ny info."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="log"')
    assert "Ny info." in response.text
    assert "<html" not in response.text


def test_bad_input_gives_swedish_field_errors_and_keeps_what_was_typed(client, cast):
    client.force_login(cast.arbetsgrupp)
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    url = reverse("log_entry_add", args=[cast.event.pk])
    response = client.post(url, {"text": "Ska hända i övermorgon", "happened_at": future})
    assert response.status_code == 200
    assert "Tidpunkten kan inte ligga i framtiden." in response.text
    assert "Ska hända i övermorgon" in response.text
    assert not LogEntry.objects.exists()
    response = client.post(url, {"text": "", "happened_at": "i förrgår"})
    assert "Skriv vad som hänt." in response.text
    assert "Fyll i ett giltigt datum/tid." in response.text
    assert 'value="i förrgår"' in response.text


def test_log_entry_add_is_post_only(client, cast):
    client.force_login(cast.arbetsgrupp)
    assert client.get(reverse("log_entry_add", args=[cast.event.pk])).status_code == 405


def test_the_event_page_shows_the_latest_entries_and_links_to_the_whole_log(client, cast):
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                event=cast.event,
                author=cast.arbetsgrupp,
                text=f"Post nummer {i}.",
                happened_at=timezone.now() - timedelta(minutes=i),
            )
            for i in range(150)
        ]
    )
    client.force_login(cast.kommunchef)
    page = client.get(reverse("event_detail", args=[cast.event.pk])).text
    assert "Post nummer 0." in page
    assert "Post nummer 30." not in page
    assert "Visa hela loggen (150 poster)" in page
    log = reverse("event_log", args=[cast.event.pk])
    assert "Post nummer 99." in client.get(log).text
    second = client.get(log, {"sida": 2}).text
    assert "Post nummer 149." in second
    assert "Sida 2 av 2" in second


def test_the_cached_parts_of_the_event_page_follow_every_change(client, cast):
    client.force_login(cast.kommunchef)
    url = reverse("event_detail", args=[cast.event.pk])
    decisions = reverse("decisions", args=[cast.event.pk])
    data = {
        "inform_politicians": "nej",
        "workgroup": [cast.arbetsgrupp.pk],
        "report_interval_days": "",
    }
    client.post(decisions, {**data, "workgroup_lead": cast.arbetsgrupp.pk})
    assert "arbetsgrupp, ledare" in client.get(url).text
    # Clearing the lead is logged too, so the cached list of people is not kept.
    client.post(decisions, data)
    page = client.get(url).text
    assert "arbetsgrupp, ledare" not in page
    assert "Arbetsgruppen har ingen ledare." in page
    client.post(reverse("log_entry_add", args=[cast.event.pk]), {"text": "Facket ringde."})
    assert "Facket ringde." in client.get(url).text
