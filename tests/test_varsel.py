"""The varsel clock: lag (1974:13) 15 §, and month arithmetic that clamps."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from events.models import LogEntry, Task
from events.varsel import add_months, notice_months


@pytest.mark.parametrize(
    ("employees", "months"),
    [(None, 0), (0, 0), (4, 0), (5, 2), (25, 2), (26, 4), (100, 4), (101, 6), (1000, 6)],
)
def test_the_notice_period_follows_15_paragraph(employees, months):
    assert notice_months(employees) == months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 11, 20), 4, date(2027, 3, 20)),
    ],
)
def test_months_are_added_clamping_to_the_months_end(day, months, expected):
    assert add_months(day, months) == expected


def test_the_event_page_shows_the_clock_with_its_source(client, cast):
    cast.event.announced_on = date(2026, 10, 31)
    cast.event.affected_employees = 101
    cast.event.save()
    client.force_login(cast.lasare)
    page = client.get(reverse("event_detail", args=[cast.event.pk])).text
    assert "minst <strong>6 månader</strong>" in page
    assert "30 april 2027" in page  # 31 October + 6 months, clamped
    assert "Lag (1974:13) om vissa anställningsfrämjande åtgärder, 15 §" in page
    cast.event.affected_employees = 4
    cast.event.save()
    page = client.get(reverse("varsel_clock", args=[cast.event.pk])).text
    assert "färre än 5, så lagen kräver inget varsel" in page


# The day after the notice of 20 November: a milestone whose day has passed is refused.
@time_machine.travel("2026-11-21 09:00 +01:00")
def test_milestones_become_tasks_in_one_step_once(client, cast):
    cast.event.announced_on = date(2026, 11, 20)
    cast.event.affected_employees = 38
    cast.event.workgroup_lead = cast.arbetsgrupp
    cast.event.save()
    client.force_login(cast.kommunchef)
    url = reverse("varsel_tasks", args=[cast.event.pk])
    assert client.post(url).status_code == 302
    Task.objects.filter(what__startswith="Kontakta Arbetsförmedlingen").update(status="klar")
    client.post(url)  # done is done: not added again
    tasks = Task.objects.filter(assignee=cast.arbetsgrupp).order_by("due_at")
    assert [t.what for t in tasks] == [
        "Kontakta Arbetsförmedlingen om varslet",
        "Kontakta omställningsfonden om stöd till de berörda",
        "Rapportera varslet och kommunens insatser till kommunstyrelsen",
    ]
    assert tasks[0].due_at.date() == date(2026, 11, 22)


def test_a_user_corrects_the_dates_from_the_actual_notice_and_it_is_logged(client, cast):
    cast.event.announced_on = date(2026, 11, 20)
    cast.event.affected_employees = 38
    cast.event.save()
    client.force_login(cast.arbetsgrupp)
    url = reverse("varsel_clock", args=[cast.event.pk])
    bad = client.post(url, {"notice_on": "2026-11-25", "earliest_on": "2026-11-01"})
    assert "Neddragningen kan inte genomföras före varslet." in bad.text
    assert 'value="2026-11-25"' in bad.text  # what was typed is kept
    data = {"notice_on": "2026-11-25", "reason": "Varslet lämnades först den 25:e."}
    assert client.post(url, data).status_code == 302
    page = client.get(url).text
    assert "25 mars 2027" in page
    assert "rättat efter det faktiska varslet" in page
    assert LogEntry.objects.filter(text__contains="Varselklockan rättad").exists()
