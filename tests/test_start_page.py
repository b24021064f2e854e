import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from events import status
from events.models import Event, Membership, Task
from tests.personas import create_event_row

# A Wednesday in January, weeks from a change to or from summer time (the last Sundays of
# March and October): days counted on the clock (accounts.moments.add_days) are 24 hours
# throughout, whatever the date the suite runs.
NOW = datetime(2026, 1, 14, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
# Time runs on from NOW in every test, from before the cast is made.
pytestmark = pytest.mark.time_machine(NOW, tick=True)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def facts(**changes) -> status.Facts:
    """A case whose startgrupp met a day ago and decided on an arbetsgrupp, nothing late."""
    met = {
        "closed": False,
        "since_registered": DAY + 2 * HOUR,
        "since_met": DAY,
        "workgroup_decided": True,
        "overdue_tasks": 0,
        "oldest_overdue": None,
        "missed_reports": 0,
    }
    return status.Facts(**{**met, **changes})


def new(since_registered, **changes) -> status.Facts:
    """A case whose startgrupp has not answered the six questions."""
    return facts(
        since_registered=since_registered, since_met=None, workgroup_decided=False, **changes
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param(facts(), "gron", id="met-and-decided"),
        pytest.param(new(10 * MINUTE), "ny", id="brand-new"),
        pytest.param(new(2 * HOUR), "ny", id="meeting-just-due"),
        pytest.param(new(2 * HOUR + MINUTE), "gul", id="meeting-overdue"),
        pytest.param(new(4 * HOUR + MINUTE), "rod", id="meeting-twice-overdue"),
        pytest.param(new(10 * MINUTE, overdue_tasks=1, oldest_overdue=HOUR), "gul", id="new-late"),
        pytest.param(facts(since_met=23 * HOUR, workgroup_decided=False), "gron", id="deciding"),
        pytest.param(facts(since_met=25 * HOUR, workgroup_decided=False), "gul", id="undecided"),
        pytest.param(
            facts(since_met=49 * HOUR, workgroup_decided=False), "rod", id="undecided-2x"
        ),
        pytest.param(facts(since_met=30 * DAY), "gron", id="decided-long-ago"),
        pytest.param(facts(overdue_tasks=1, oldest_overdue=DAY), "gul", id="one-late"),
        pytest.param(facts(overdue_tasks=2, oldest_overdue=7 * DAY), "gul", id="a-week-late"),
        pytest.param(facts(overdue_tasks=1, oldest_overdue=8 * DAY), "rod", id="long-late"),
        pytest.param(facts(overdue_tasks=3, oldest_overdue=DAY), "rod", id="three-late"),
        pytest.param(facts(missed_reports=1), "rod", id="missed-report"),
        pytest.param(new(30 * DAY, closed=True, overdue_tasks=5), None, id="closed"),
    ],
)
def test_the_status_rule(settings, case, expected):
    settings.CONVENE_WITHIN_MINUTES = 120
    settings.STATUS_DECISION_HOURS = 24
    verdict = status.decide(case, status.rules())
    assert (verdict and verdict.key) == expected


def test_the_reasons_are_every_row_of_the_status_that_applies(settings):
    settings.CONVENE_WITHIN_MINUTES = 120
    case = new(5 * HOUR, overdue_tasks=3, oldest_overdue=HOUR)
    verdict = status.decide(case, status.rules())
    assert verdict.status == status.ROD
    assert verdict.reasons == (
        "Startgruppen har inte besvarat de sex frågorna mer än 4 timmar efter att ärendet "
        "registrerades.",
        "3 eller fler uppgifter är försenade.",
    )


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
    colours = {e.title: e.status and e.status.key for e in events}
    assert colours == {
        "Sen uppgift": "gul",
        "Varsel vid Granlunds Snickeri AB": "ny",
        "Gammal konkurs": None,
    }
    assert "Status: Gul</span></p>" in response.text
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
    client.force_login(cast.kso)
    answer(client, cast.event)
    cast.event.reporter = cast.arbetsgrupp
    cast.event.report_interval_days = 7
    cast.event.reporting_since = timezone.now() - timedelta(days=7, hours=23)
    cast.event.save()
    client.force_login(cast.kommunchef)
    [event] = client.get(reverse("start")).context["events"]
    assert event.status.key == "gron"  # due yesterday evening: within the day's grace
    cast.event.reporting_since -= timedelta(hours=2)
    cast.event.save()
    [event] = client.get(reverse("start")).context["events"]
    assert event.status.key == "rod"


# Through the pages: a konkurs Anna logs on a Monday morning, with Erik in the startgrupp.
MONDAY_MORNING = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
KONKURS = "Konkurs vid Norsjö Mekaniska AB"


def answer(client, event):
    """The startgrupp's first answers to the six questions: its meeting is held."""
    url = reverse("picture_edit", args=[event.pk])
    response = client.post(url, {"what_happened": "Konkurs, 40 anställda.", "based_on": 0})
    assert response.status_code == 302


def decide_on_an_arbetsgrupp(client, event, member):
    data = {"inform_politicians": "nej", "workgroup": [member.pk], "report_interval_days": ""}
    assert client.post(reverse("decisions", args=[event.pk]), data).status_code == 302


def later(client, time_machine, moment, user):
    time_machine.move_to(moment, tick=False)
    # The session ends after SESSION_IDLE_MINUTES without activity: log in again.
    client.force_login(user)


def status_on_the_start_page(client, title=KONKURS):
    response = client.get(reverse("start"))
    [event] = [e for e in response.context["events"] if e.title == title]
    return event.status, response.text


@pytest.fixture
def konkurs(client, cast, settings, time_machine):
    settings.CONVENE_WITHIN_MINUTES = 120
    settings.STATUS_DECISION_HOURS = 24
    time_machine.move_to(MONDAY_MORNING, tick=False)
    client.force_login(cast.kommunchef)
    data = {
        "title": KONKURS,
        "kind": "konkurs",
        "notice_status": "intraffad",
        "company_name": "Norsjö Mekaniska AB",
        "impact_individ": "hog",
        "impact_naringsliv": "hog",
        "impact_attraktion": "ingen",
        "priority": "hog",
        "meeting_at": "2026-03-02T09:30",
        "startgroup": [cast.kommunchef.pk, cast.kso.pk],
    }
    assert client.post(reverse("event_create"), data).status_code == 302
    return Event.objects.get(title=KONKURS)


def test_a_brand_new_konkurs_is_new_without_a_colour(client, konkurs):
    verdict, page = status_on_the_start_page(client)
    assert verdict.status == status.NY
    assert not verdict.coloured
    assert "Status: Ny – startgruppen har inte träffats</span>" in page
    assert "Startgruppen har inte besvarat de sex frågorna än." in page
    assert "Status: Grön" not in page


def test_a_startgrupp_that_has_not_met_turns_the_case_yellow_then_red(
    client, cast, konkurs, time_machine
):
    later(client, time_machine, MONDAY_MORNING + 2 * HOUR, cast.kommunchef)
    assert status_on_the_start_page(client)[0].key == "ny"
    later(client, time_machine, MONDAY_MORNING + 2 * HOUR + MINUTE, cast.kommunchef)
    verdict, page = status_on_the_start_page(client)
    assert verdict.key == "gul"
    assert "Status: Gul</span>" in page
    assert (
        "Startgruppen har inte besvarat de sex frågorna mer än 2 timmar efter att ärendet "
        "registrerades." in page
    )
    later(client, time_machine, MONDAY_MORNING + 4 * HOUR + MINUTE, cast.kommunchef)
    verdict, page = status_on_the_start_page(client)
    assert verdict.key == "rod"
    assert "mer än 4 timmar efter att ärendet registrerades." in page


def test_answers_without_an_arbetsgrupp_turn_yellow_after_a_day_and_red_after_two(
    client, cast, konkurs, time_machine
):
    met = MONDAY_MORNING + 90 * MINUTE
    later(client, time_machine, met, cast.kommunchef)
    answer(client, konkurs)
    assert status_on_the_start_page(client)[0].key == "gron"
    later(client, time_machine, met + DAY + MINUTE, cast.kommunchef)
    verdict, page = status_on_the_start_page(client)
    assert verdict.key == "gul"
    assert "Ingen arbetsgrupp är beslutad mer än 1 dygn efter startgruppens möte." in page
    later(client, time_machine, met + 2 * DAY + MINUTE, cast.kommunchef)
    verdict, page = status_on_the_start_page(client)
    assert verdict.key == "rod"
    assert "Ingen arbetsgrupp är beslutad mer än 2 dygn efter startgruppens möte." in page
    decide_on_an_arbetsgrupp(client, konkurs, cast.arbetsgrupp)
    verdict, page = status_on_the_start_page(client)
    assert verdict.key == "gron"
    assert "Startgruppen har träffats och inget är försenat." in page


def test_overdue_tasks_still_make_a_case_yellow_or_red(client, cast, konkurs, time_machine):
    answer(client, konkurs)
    decide_on_an_arbetsgrupp(client, konkurs, cast.arbetsgrupp)
    for what in ["Ring konkursförvaltaren", "Boka lokal", "Kontakta facket"]:
        Task.objects.create(
            event=konkurs, what=what, assignee=cast.arbetsgrupp, due_at=MONDAY_MORNING + HOUR
        )
    assert status_on_the_start_page(client)[0].key == "gron"
    Task.objects.filter(what__in=["Boka lokal", "Kontakta facket"]).update(status="klar")
    later(client, time_machine, MONDAY_MORNING + 2 * HOUR, cast.kommunchef)
    verdict, page = status_on_the_start_page(client)
    assert verdict.key == "gul"
    assert "Status: Gul</span></p>" in page
    assert "Minst en uppgift är försenad." in page
    Task.objects.update(status="pagar")
    verdict, page = status_on_the_start_page(client)
    assert verdict.key == "rod"
    assert "3 eller fler uppgifter är försenade." in page


def shown_status(page: str, title: str = KONKURS) -> tuple[str, str]:
    """The headline line and the reasons of the start page's card for `title`."""
    card = page[page.index(f">{title}</a>") :]
    card = card[: card.index("</li>")]
    headline = re.search(r"Status: .*?</p>", card, re.S).group()
    reasons = re.search(r'<p class="muted status-reasons">(.*?)</p>', card, re.S).group(1)
    return headline, reasons


@pytest.mark.parametrize("late_tasks", [1, 3])
def test_the_headline_and_its_reasons_are_one_verdict(
    client, cast, konkurs, time_machine, late_tasks
):
    # As KS 2026/0001 in the demo: no answers for more than four hours, and tasks late.
    for index in range(late_tasks):
        Task.objects.create(
            event=konkurs, what=f"Uppgift {index}", assignee=cast.kso, due_at=MONDAY_MORNING
        )
    later(client, time_machine, MONDAY_MORNING + 5 * HOUR, cast.kommunchef)
    verdict, page = status_on_the_start_page(client)
    assert verdict.status == status.ROD
    # Every röd row that applies is a reason, and only those.
    facts = status.facts_of(
        status.with_status_facts(Event.objects.filter(pk=konkurs.pk), timezone.now()).get(),
        timezone.now(),
    )
    applying = tuple(r.when for r in status.rules() if r.status == status.ROD and r.applies(facts))
    assert verdict.reasons == applying
    not_met = (
        "Startgruppen har inte besvarat de sex frågorna mer än 4 timmar efter att ärendet "
        "registrerades."
    )
    expected = (not_met,) if late_tasks == 1 else (not_met, "3 eller fler uppgifter är försenade.")
    assert applying == expected
    headline, reasons = shown_status(page)
    # The headline is the verdict's label, with no count beside it.
    assert headline == "Status: Röd</span></p>"
    assert reasons == escape(" ".join(expected))
    detail = client.get(reverse("event_detail", args=[konkurs.pk])).text
    line = re.search(r'<p class="status-line[^"]*">(.*?)</p>', detail, re.S).group(1)
    assert line == (
        f'<span class="status-label">Status: Röd</span> – {escape(" ".join(expected))} '
        '<a href="#status-rules">Så räknas statusen</a>'
    )


def test_a_closed_case_has_no_status(client, cast, konkurs):
    konkurs.phase = "avslutad"
    konkurs.save()
    assert status_on_the_start_page(client)[0] is None
    detail = client.get(reverse("event_detail", args=[konkurs.pk])).text
    assert 'class="status-line' not in detail


def test_the_event_page_shows_the_status_and_why(client, cast, konkurs, time_machine):
    later(client, time_machine, MONDAY_MORNING + 3 * HOUR, cast.kommunchef)
    page = client.get(reverse("event_detail", args=[konkurs.pk])).text
    assert (
        '<p class="status-line status-gul"><span class="status-label">Status: Gul</span> – '
        "Startgruppen har inte besvarat de sex frågorna mer än 2 timmar" in page
    )


@pytest.mark.parametrize("page", ["start", "event_detail"])
def test_the_pages_show_the_rules_own_table(client, konkurs, settings, page):
    settings.STATUS_DECISION_HOURS = 4
    args = [konkurs.pk] if page == "event_detail" else []
    text = client.get(reverse(page, args=args)).text
    assert "Så räknas statusen" in text
    table = status.rules()
    for rule in table:
        assert f"<td>{escape(rule.when)}</td>" in text
    for row in set(table):
        assert row.status is None or escape(row.status.label) in text
    # The table follows the setting, because the rule and the table are the same rows.
    assert "Ingen arbetsgrupp är beslutad mer än 8 timmar efter startgruppens möte." in text
