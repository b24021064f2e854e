"""Väntar på dig on the start page (events.waiting): what waits for each persona across their
cases, through HTTP; late first, then by deadline; the same queries whatever the size."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from commsplan import services as comms
from commsplan.models import CommsPlan, PressText
from events.models import Convening, Event, Membership, SituationPicture, Task
from events.varsel import MILESTONES
from reports.models import Report
from tests.personas import create_event_row

# A Wednesday in January, weeks from a change to or from summer time (the last Sundays of
# March and October): days counted on the clock (accounts.moments.add_days) are 24 hours
# throughout, whatever the date the suite runs.
NOW = datetime(2026, 1, 14, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
# Time runs on from NOW in every test, from before the cast is made.
pytestmark = pytest.mark.time_machine(NOW, tick=True)

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
PERSONAS = [
    "kommunchef",
    "kso",
    "utvecklingschef",
    "kommunikator",
    "arbetsgrupp",
    "lasare",
    "task_holder",
    "outsider",
    "superuser",
]
STARTGRUPP = {"kommunchef", "kso", "utvecklingschef", "kommunikator"}
WORKERS = STARTGRUPP | {"arbetsgrupp"}
TITLE = "Kommunen stöttar de varslade på Granlunds"
DECIDE = "Besluta om arbetsgrupp och rapportering till startgruppen"
ANSWER = "Besvara de sex frågorna"


def waiting(client, user) -> list:
    client.force_login(user)
    response = client.get(reverse("start"))
    assert response.status_code == 200
    return response.context["waiting"]


def whats(client, user) -> list[str]:
    return [item.what for item in waiting(client, user)]


def item_for(client, user, what):
    [item] = [item for item in waiting(client, user) if item.what == what]
    return item


def who_sees(client, cast, what) -> set[str]:
    """The personas whose list holds an item saying `what`."""
    return {name for name in PERSONAS if what in whats(client, getattr(cast, name))}


def test_the_task_holder_sees_her_open_task_and_it_opens(client, cast):
    cast.task.due_at = timezone.now() + 2 * DAY
    cast.task.save()
    what = "Uppgift: Ring omställningsfonden"
    assert who_sees(client, cast, what) == {"task_holder"}
    [item] = waiting(client, cast.task_holder)
    assert (item.case_number, item.title) == ("KS 2026/0001", "Varsel vid Granlunds Snickeri AB")
    assert item.url == reverse("task_detail", args=[cast.event.pk, cast.task.pk])
    assert not item.overdue
    assert client.get(item.url).status_code == 200
    cast.task.status = "klar"
    cast.task.save()
    assert waiting(client, cast.task_holder) == []
    assert "Inget väntar på dig just nu." in client.get(reverse("start")).text


@pytest.mark.parametrize(
    ("follow_up_in", "seen_by"),
    [(-DAY, {"arbetsgrupp"}), (13 * DAY, {"arbetsgrupp"}), (30 * DAY, set())],
)
def test_a_follow_up_waits_for_whoever_delegated_the_task_from_14_days_before(
    client, cast, follow_up_in, seen_by
):
    cast.task.follow_up_at = timezone.now() + follow_up_in
    cast.task.save()
    what = "Följ upp: Ring omställningsfonden (Lena Öberg)"
    assert who_sees(client, cast, what) == seen_by
    if seen_by:
        item = item_for(client, cast.arbetsgrupp, what)
        assert item.url == reverse("task_detail", args=[cast.event.pk, cast.task.pk])
        assert item.overdue == (follow_up_in < timedelta(0))


def write_text(client, cast, *, ask=True) -> PressText:
    """Jonas's draft on the Snarast row, sent to fact-checking if `ask`."""
    client.force_login(cast.kommunikator)
    client.get(reverse("commsplan", args=[cast.event.pk]))  # the plan is made when opened
    row = CommsPlan.objects.get(event=cast.event).rows.get(when="Snarast")
    data = {"title": TITLE, "lead": "", "body": "Stöd.", "contact": cast.kommunikator.pk}
    response = client.post(reverse("press_text_create", args=[cast.event.pk, row.pk]), data)
    assert response.status_code == 302, response.text
    text = PressText.objects.get()
    if ask:
        url = reverse("press_text_request_fact_check", args=[cast.event.pk, text.pk])
        assert client.post(url).status_code == 302
    return text


def test_a_press_text_waits_for_a_fact_check_by_anyone_but_its_author_then_for_approval(
    client, cast
):
    text = write_text(client, cast, ask=False)
    check = f"Faktagranska pressmeddelandet ”{TITLE}”"
    assert who_sees(client, cast, check) == set()  # still the author's draft
    client.force_login(cast.kommunikator)
    client.post(reverse("press_text_request_fact_check", args=[cast.event.pk, text.pk]))
    assert who_sees(client, cast, check) == WORKERS - {"kommunikator"}
    item = item_for(client, cast.utvecklingschef, check)
    assert item.url == reverse("press_text_detail", args=[cast.event.pk, text.pk])
    assert item.due_at is None  # the Snarast row has no planned day
    url = reverse("press_text_fact_check", args=[cast.event.pk, text.pk])
    assert client.post(url).status_code == 302
    text.refresh_from_db()
    assert text.status == "faktagranskad"
    assert who_sees(client, cast, check) == set()
    # A third pair of eyes: the startgrupp, other than the author and the fact-checker.
    approve = f"Godkänn pressmeddelandet ”{TITLE}”"
    assert who_sees(client, cast, approve) == {"kommunchef", "kso"}
    client.force_login(cast.kso)  # one of those who may (services.why_not_approve)
    client.post(reverse("press_text_approve", args=[cast.event.pk, text.pk]))
    assert who_sees(client, cast, approve) == set()


def test_a_press_text_is_due_on_its_rows_planned_day(client, cast):
    text = write_text(client, cast)
    yesterday = timezone.localdate() - DAY
    text.row.planned_on = yesterday
    text.row.save()
    item = item_for(client, cast.kso, f"Faktagranska pressmeddelandet ”{TITLE}”")
    assert item.overdue
    assert item.when == formats.date_format(yesterday, "j F Y")


def test_a_report_draft_waits_for_a_startgrupp_member_other_than_its_author(client, cast):
    client.force_login(cast.kommunchef)
    response = client.post(reverse("report_create", args=[cast.event.pk]), {"summary": "Lugnt."})
    assert response.status_code == 302
    report = Report.objects.get()
    what = "Godkänn lägesrapport 1"
    assert who_sees(client, cast, what) == set()  # not yet sent for approval
    client.force_login(cast.kommunchef)
    client.post(reverse("report_request_approval", args=[cast.event.pk, report.pk]))
    assert who_sees(client, cast, what) == STARTGRUPP - {"kommunchef"}
    item = item_for(client, cast.kso, what)
    assert item.url == reverse("report_detail", args=[cast.event.pk, report.pk])
    client.post(reverse("report_approve", args=[cast.event.pk, report.pk]))
    assert who_sees(client, cast, what) == set()


def ask_approval(client, cast) -> Report:
    """Jonas's lägesrapport 1, sent to the startgrupp for approval."""
    client.force_login(cast.kommunikator)
    response = client.post(reverse("report_create", args=[cast.event.pk]), {"summary": "Lugnt."})
    assert response.status_code == 302
    report = Report.objects.get()
    url = reverse("report_request_approval", args=[cast.event.pk, report.pk])
    assert client.post(url).status_code == 302
    report.refresh_from_db()
    return report


def test_a_report_to_approve_waits_since_approval_was_asked_before_next_weeks_deadline(
    client, cast
):
    # Sara reports weekly; the next report is due in six days. Erik has a task due in three.
    now = timezone.now()
    event = cast.event
    event.reporter = cast.arbetsgrupp
    event.report_interval_days = 7
    event.reporting_since = now - DAY
    event.save()
    Task.objects.create(event=event, what="Ring facket", assignee=cast.kso, due_at=now + 3 * DAY)
    report = ask_approval(client, cast)
    approve = "Godkänn lägesrapport 1"
    # Due at once, not when the next report is: before the task, and not late.
    assert [w for w in whats(client, cast.kso) if w != ANSWER] == [approve, "Uppgift: Ring facket"]
    item = item_for(client, cast.kso, approve)
    assert item.due_at == report.approval_requested_at
    assert not item.overdue
    page = client.get(reverse("start")).text
    assert f'väntar sedan <time datetime="{timezone.localtime(item.due_at).isoformat()}">' in page
    assert f">{item.when}</time>" in page
    # Late once the report itself is: as late as the reporter's own item says.
    event.reporting_since = now - 8 * DAY
    event.save()
    assert item_for(client, cast.kso, approve).overdue
    assert item_for(client, cast.arbetsgrupp, "Skicka lägesrapport 1 till startgruppen").overdue


def test_the_reporter_sees_the_next_report_when_it_is_due_and_when_it_is_late(client, cast):
    event = cast.event
    event.reporter = cast.arbetsgrupp
    event.report_interval_days = 7
    event.reporting_since = timezone.now() - 6 * DAY
    event.save()
    write = "Skriv nästa lägesrapport till startgruppen"
    assert who_sees(client, cast, write) == {"arbetsgrupp"}
    item = item_for(client, cast.arbetsgrupp, write)
    assert item.url == reverse("report_create", args=[event.pk])
    assert item.due_at == event.reporting_since + 7 * DAY
    assert not item.overdue
    event.reporting_since -= 2 * DAY
    event.save()
    assert item_for(client, cast.arbetsgrupp, write).overdue
    assert "försenad" in client.get(reverse("start")).text
    # Once a draft is started, the item leads to it until it is sent.
    client.post(reverse("report_create", args=[event.pk]), {"summary": "Lugnt."})
    report = Report.objects.get()
    item = item_for(client, cast.arbetsgrupp, "Skicka lägesrapport 1 till startgruppen")
    assert item.url == reverse("report_detail", args=[event.pk, report.pk])
    # The next one, a month away, is not listed yet.
    event.report_interval_days = 30
    event.reporting_since = timezone.now()
    event.save()
    assert whats(client, cast.arbetsgrupp) == []


# A Monday afternoon in Stockholm, so that "earlier today" is today.
MONDAY = datetime(2026, 3, 2, 14, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


def convene(cast, at, **fields) -> Convening:
    return Convening.objects.create(
        event=cast.event, meeting_at=at, convened_by=cast.kommunchef, **fields
    )


def registered(event, at):
    Event.objects.filter(pk=event.pk).update(created_at=at)


def answer(client, event):
    """The startgrupp's first answers to the six questions."""
    url = reverse("picture_edit", args=[event.pk])
    response = client.post(url, {"what_happened": "Konkurs, 40 anställda.", "based_on": 0})
    assert response.status_code == 302


def test_the_startgrupp_sees_its_meeting_then_the_six_questions_late_until_answered(
    client, cast, settings, time_machine
):
    # Registered at 13:00, the meeting booked for 14:30: the answers are due at 15:00.
    settings.CONVENE_WITHIN_MINUTES = 120
    time_machine.move_to(MONDAY, tick=False)
    registered(cast.event, MONDAY - HOUR)
    convene(cast, MONDAY + 30 * MINUTE, location="KS-salen")
    convene(cast, MONDAY + 2 * DAY, location="Redan hållet", held_at=MONDAY)
    meeting = "Startgruppens möte, KS-salen"
    for name in PERSONAS:
        mine = [w for w in whats(client, getattr(cast, name)) if w.startswith(("Start", "Besv"))]
        assert mine == ([meeting] if name in STARTGRUPP else []), name
    [item] = waiting(client, cast.kso)
    assert item.url == reverse("event_detail", args=[cast.event.pk])
    assert item.when == "2 mars 2026 kl. 14:30"
    # The meeting has begun: what it is for waits, due when the case turns gul without it.
    time_machine.move_to(MONDAY + 45 * MINUTE, tick=False)
    [item] = waiting(client, cast.kso)
    assert (item.what, item.when, item.overdue) == (ANSWER, "2 mars 2026 kl. 15:00", False)
    assert item.url == reverse("picture_edit", args=[cast.event.pk])
    assert client.get(item.url).status_code == 200
    # The next day the case is röd for the answers, and they are still listed, late.
    time_machine.move_to(MONDAY + DAY, tick=False)
    assert who_sees(client, cast, ANSWER) == STARTGRUPP
    assert item_for(client, cast.kso, ANSWER).overdue
    client.force_login(cast.kso)
    [event] = client.get(reverse("start")).context["events"]
    assert event.status.key == "rod"
    assert event.status.reasons[0].startswith("Startgruppen har inte besvarat de sex frågorna")
    # Answered: nothing of the startgrupp's waits (Sara's arbetsgrupp is decided already).
    answer(client, cast.event)
    assert who_sees(client, cast, ANSWER) == set()


def test_a_meeting_booked_later_than_the_answers_are_due_does_not_hide_them(
    client, cast, settings, time_machine
):
    settings.CONVENE_WITHIN_MINUTES = 120
    time_machine.move_to(MONDAY, tick=False)
    registered(cast.event, MONDAY - 3 * HOUR)
    convene(cast, MONDAY + 7 * DAY)
    answers, meeting = waiting(client, cast.kommunchef)
    assert (answers.what, answers.overdue) == (ANSWER, True)
    assert answers.due_at == MONDAY - HOUR
    assert (meeting.what, meeting.overdue) == ("Startgruppens möte", False)


def test_unanswered_questions_come_first_among_late_items_as_in_the_demo_case(client, cast):
    # KS 2026/0001 as seed_demo leaves it: registered two days ago, nobody convened, and a
    # task late, here Anna's and a day later than the answers.
    now = timezone.now()
    registered(cast.event, now - 2 * DAY)
    Task.objects.create(
        event=cast.event, what="Boka lokal", assignee=cast.kommunchef, due_at=now - 3 * DAY
    )
    assert whats(client, cast.kommunchef) == [ANSWER, "Uppgift: Boka lokal"]
    assert who_sees(client, cast, ANSWER) == STARTGRUPP
    client.force_login(cast.kommunchef)
    page = client.get(reverse("start")).text
    section = page[page.index("Väntar på dig") : page.index('role="search"')]
    assert section.count("försenad") == 2
    assert "Status: Röd</span>" in page


def test_the_decision_on_an_arbetsgrupp_waits_for_the_startgrupp_once_it_has_answered(
    client, cast, settings
):
    settings.STATUS_DECISION_HOURS = 24
    event = create_event_row("Konkurs vid Norsjö Mekaniska AB", cast.kommunchef, kind="konkurs")
    Membership.objects.bulk_create(
        [
            Membership(event=event, user=cast.kommunchef, group="startgrupp"),
            Membership(event=event, user=cast.kso, group="startgrupp"),
            Membership(event=event, user=cast.arbetsgrupp, group="lasare"),
        ]
    )
    assert who_sees(client, cast, DECIDE) == set()  # the startgrupp has not met
    client.force_login(cast.kommunchef)
    answer(client, event)
    assert who_sees(client, cast, DECIDE) == {"kommunchef", "kso"}
    item = item_for(client, cast.kso, DECIDE)
    assert item.url == reverse("decisions", args=[event.pk])
    answered = SituationPicture.objects.get(event=event).created_at
    assert item.due_at == answered + timedelta(hours=24)
    assert not item.overdue
    # Late (the case gul, then röd): still listed.
    SituationPicture.objects.filter(event=event).update(created_at=answered - 3 * DAY)
    assert item_for(client, cast.kso, DECIDE).overdue
    data = {"inform_politicians": "nej", "workgroup": [cast.arbetsgrupp.pk]}
    assert client.post(reverse("decisions", args=[event.pk]), data).status_code == 302
    assert who_sees(client, cast, DECIDE) == set()


def milestone(index) -> str:
    return f"Delmål att delegera: {MILESTONES[index][1]}"


def milestones(client, user) -> list[str]:
    return [what for what in whats(client, user) if what.startswith("Delmål")]


def test_varsel_milestones_within_14_days_wait_for_whoever_works_on_the_case(client, cast):
    today = timezone.localdate()
    # The milestones fall 2, 5 and 14 days after the notice: in 11, 14 and 23 days.
    cast.event.announced_on = today + 9 * DAY
    cast.event.save()
    assert milestones(client, cast.kommunchef) == [milestone(0), milestone(1)]
    assert who_sees(client, cast, milestone(0)) == WORKERS
    first = item_for(client, cast.kommunchef, milestone(0))
    assert first.url == reverse("varsel_clock", args=[cast.event.pk])
    assert first.when == formats.date_format(today + 11 * DAY, "j F Y")
    # Delegated as a task, the milestone waits for its assignee instead.
    Task.objects.create(event=cast.event, what=MILESTONES[0][1], assignee=cast.arbetsgrupp)
    assert milestones(client, cast.kommunchef) == [milestone(1)]
    assert f"Uppgift: {MILESTONES[0][1]}" in whats(client, cast.arbetsgrupp)
    # A notice given four days ago: the first milestone is two days late.
    cast.event.announced_on = today - 4 * DAY
    cast.event.save()
    Task.objects.filter(what=MILESTONES[0][1]).update(status="struken")
    late = item_for(client, cast.kommunchef, milestone(0))
    assert late.overdue
    # A notice 16 days on: its nearest milestone is 18 days away, its last 30.
    cast.event.announced_on = today + 16 * DAY
    cast.event.save()
    assert milestones(client, cast.kommunchef) == []


def test_late_items_first_the_longest_late_first_then_by_deadline_then_none(client, cast):
    now = timezone.now()
    other = create_event_row("Flytt av Bastuträsk Bygg AB", cast.kommunchef, kind="flytt")
    Membership.objects.create(event=other, user=cast.kommunchef, group="startgrupp")
    Convening.objects.create(event=other, meeting_at=now + DAY, convened_by=cast.kommunchef)
    later = datetime(2030, 12, 3, 14, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
    for what, due_at in [
        ("Utan tid", None),
        ("Långt fram", later),
        ("En dag sen", now - DAY),
        ("Tre dagar sen", now - 3 * DAY),
    ]:
        Task.objects.create(event=cast.event, what=what, assignee=cast.kommunchef, due_at=due_at)
    text = write_text(client, cast)
    text.row.planned_on = timezone.localdate() - 2 * DAY
    text.row.save()
    assert whats(client, cast.kommunchef) == [
        "Uppgift: Tre dagar sen",
        f"Faktagranska pressmeddelandet ”{TITLE}”",
        "Uppgift: En dag sen",
        # Both cases registered now: their answers are due in two hours, before the
        # meeting booked for tomorrow.
        ANSWER,
        ANSWER,
        "Startgruppens möte",
        "Uppgift: Långt fram",
        "Uppgift: Utan tid",
    ]
    page = client.get(reverse("start")).text
    section = page[page.index("Väntar på dig") : page.index('role="search"')]
    assert section.count("försenad") == 3
    assert "KS 2026/0002 Flytt av Bastuträsk Bygg AB" in section
    assert "3 december 2030 kl. 14:00" in section


def test_a_confidential_case_waits_for_its_members_and_a_closed_one_for_nobody(client, cast):
    cast.event.confidential = True
    cast.event.save()
    Convening.objects.create(
        event=cast.event, meeting_at=timezone.now() + DAY, convened_by=cast.kommunchef
    )
    assert whats(client, cast.task_holder) == ["Uppgift: Ring omställningsfonden"]
    assert whats(client, cast.kso) == [ANSWER, "Startgruppens möte"]
    assert "Varsel vid Granlunds Snickeri AB" in client.get(reverse("start")).text
    cast.event.phase = "avslutad"
    cast.event.save()
    assert waiting(client, cast.task_holder) == []
    assert waiting(client, cast.kso) == []


def test_no_item_drops_off_the_list_when_it_becomes_late(client, cast, settings, time_machine):
    """One item from every source for Anna, then two months on: every one still listed,
    marked late (the meeting as what it was for, the six questions)."""
    settings.CONVENE_WITHIN_MINUTES = 120
    settings.STATUS_DECISION_HOURS = 24
    time_machine.move_to(MONDAY, tick=False)
    event = cast.event
    event.announced_on = MONDAY.date()  # the varsel clock's three milestones
    event.reporter = cast.kommunchef
    event.report_interval_days = 7
    event.reporting_since = MONDAY
    event.save()
    registered(event, MONDAY)
    convene(cast, MONDAY + HOUR, location="KS-salen")  # before the answers are due
    Task.objects.create(
        event=event, what="Ring facket", assignee=cast.kommunchef, due_at=MONDAY + DAY
    )
    Task.objects.filter(pk=cast.task.pk).update(
        delegated_by=cast.kommunchef, follow_up_at=MONDAY + DAY
    )
    text = write_text(client, cast)
    text.row.planned_on = MONDAY.date() + 2 * DAY
    text.row.save()
    ask_approval(client, cast)
    # A second case, answered and without an arbetsgrupp: the decision waits.
    other = create_event_row("Konkurs vid Norsjö Mekaniska AB", cast.kommunchef, kind="konkurs")
    Membership.objects.create(event=other, user=cast.kommunchef, group="startgrupp")
    SituationPicture.objects.create(event=other, revision=1, author=cast.kommunchef)
    always = [
        "Uppgift: Ring facket",
        "Följ upp: Ring omställningsfonden (Lena Öberg)",
        *(milestone(index) for index in range(3)),
        f"Faktagranska pressmeddelandet ”{TITLE}”",
        "Skicka lägesrapport 1 till startgruppen",
        "Godkänn lägesrapport 1",
        DECIDE,
    ]
    time_machine.move_to(MONDAY + 30 * MINUTE, tick=False)
    now = {item.what: item.overdue for item in waiting(client, cast.kommunchef)}
    assert now == {"Startgruppens möte, KS-salen": False} | dict.fromkeys(always, False)
    time_machine.move_to(MONDAY + 60 * DAY, tick=False)
    later = {item.what: item.overdue for item in waiting(client, cast.kommunchef)}
    assert later == {ANSWER: True} | dict.fromkeys(always, True)
    assert whats(client, cast.kommunchef)[0] == ANSWER


def grow(cast, count):
    """`count` more varsel cases for Anna (startgrupp, the reporter) with Jonas, each with
    ten items waiting for her: a task, a follow-up, a meeting, three milestones, a press text
    to check and one to approve, a report to approve and the next one due (as the reporter,
    which is also the startgrupp's decision, so no decision waits)."""
    now = timezone.now()
    start = Event.objects.count()
    events = Event.objects.bulk_create(
        [
            Event(
                title=f"Varsel {start + i}",
                created_by=cast.kommunchef,
                case_number=f"KS 2025/{start + i}",
                kind="varsel",
                notice_status="aviserad",
                announced_on=timezone.localdate(),
                company_name=f"Företag {start + i}",
                impact_individ="hog",
                reporter=cast.kommunchef,
                report_interval_days=7,
                reporting_since=now - 8 * DAY,
            )
            for i in range(count)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(event=event, user=user, group="startgrupp")
            for event in events
            for user in (cast.kommunchef, cast.kommunikator)
        ]
    )
    Task.objects.bulk_create(
        [
            task
            for event in events
            for task in (
                Task(event=event, what="Ring facket", assignee=cast.kommunchef, due_at=now),
                Task(
                    event=event,
                    what="Boka lokal",
                    assignee=cast.kommunikator,
                    delegated_by=cast.kommunchef,
                    follow_up_at=now + DAY,
                ),
            )
        ]
    )
    Convening.objects.bulk_create(
        [Convening(event=e, meeting_at=now + DAY, convened_by=cast.kommunchef) for e in events]
    )
    SituationPicture.objects.bulk_create(
        [SituationPicture(event=e, revision=1, author=cast.kommunchef) for e in events]
    )
    text = {"title": "Pressmeddelande", "body": "Text.", "author": cast.kommunikator}
    text["contact"] = cast.kommunikator
    PressText.objects.bulk_create(
        [
            PressText(row=row, **text, **step)
            for row in [comms.plan_for(event).rows.get(position=0) for event in events]
            for step in (
                {"fact_check_requested_at": now},
                {"status": "faktagranskad", "fact_checked_by": cast.kso, "fact_checked_at": now},
            )
        ]
    )
    Report.objects.bulk_create(
        [
            Report(
                event=e,
                version=1,
                content={},
                author=cast.kommunikator,
                approval_requested_at=now,
            )
            for e in events
        ]
    )
    return len(events) * 10


def count_queries(client) -> tuple[int, int]:
    """The start page's queries and its number of waiting items."""
    client.get(reverse("start"))  # the session's periodic refresh out of the way
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("start"))
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["waiting"])


def test_the_start_page_takes_the_same_queries_with_ten_times_the_cases_and_items(client, cast):
    client.force_login(cast.kommunchef)
    expected = 1 + grow(cast, 3)  # and the six questions on KS 2026/0001
    small, items = count_queries(client)
    assert items == expected
    expected += grow(cast, 30)
    large, items = count_queries(client)
    assert items == expected
    assert small == large
