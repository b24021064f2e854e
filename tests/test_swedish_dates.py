"""Dates in Swedish everywhere: no page, mail or PDF names a month or a weekday in English
(issue 14, item 5). Every date goes through accounts.moments; the lägesrapport and the task
lines in it wrote "4 Dec 2026" (Django's "M" title-cases the Swedish abbreviation)."""

import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.moments import day_text, moment_text
from assessment.models import Snapshot
from commsplan.models import PressText
from events import reminders
from events.models import Task
from notices import outbox
from notices.models import Notice
from tests.test_meeting import STOCKHOLM, log_event
from tests.test_reports import draft, fill_case_file, pdf_text

# Monday 7 December 2026, 09:00: a month whose English abbreviation is also a word
# ("Dec"), on a Monday.
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=STOCKHOLM)
ENGLISH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Monday|Tuesday|Wednesday"
    r"|Thursday|Friday|Saturday|Sunday|Mon|Tues?|Wed|Thu|Thurs|Fri|Sat|Sun)\b"
)


@pytest.fixture
def monday(time_machine):
    """Time stands at MONDAY from before the cast is made (list it before `cast`)."""
    time_machine.move_to(MONDAY, tick=False)
    return time_machine


def english_in(text: str) -> list[str]:
    return ENGLISH.findall(text)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (MONDAY, "7 december 2026 kl. 09:00"),
        (datetime(2027, 5, 3, 14, 5, tzinfo=STOCKHOLM), "3 maj 2027 kl. 14:05"),
        (datetime(2026, 3, 2, 8, 0, tzinfo=STOCKHOLM), "2 mars 2026 kl. 08:00"),
    ],
)
def test_a_moment_is_written_in_swedish_whatever_language_is_active(moment, expected):
    for language in ("sv", "en", None):
        with translation.override(language):
            assert moment_text(moment) == expected
            assert moment_text(moment, weekday=True).startswith("måndag ")
            assert day_text(moment) == expected.split(" kl.")[0]
            assert day_text(moment.date()) == expected.split(" kl.")[0]


def test_no_page_mail_or_pdf_names_a_month_or_a_weekday_in_english(
    monday, client, cast, mailoutbox
):
    # Anna logs an event with the startgrupp meeting this Monday morning.
    meeting = log_event(client, cast.kommunchef, cast.startgrupp, meeting_at="2026-12-07T10:00")
    # The case file of cast.event, with dates in December and in May.
    event = fill_case_file(cast)
    cast.task.due_at = datetime(2026, 12, 4, 10, 0, tzinfo=STOCKHOLM)  # Friday, overdue
    cast.task.follow_up_at = datetime(2026, 12, 7, 8, 0, tzinfo=STOCKHOLM)
    cast.task.save()
    Task.objects.create(
        event=event,
        what="Utvärdera träffpunkten",
        assignee=cast.task_holder,
        delegated_by=cast.arbetsgrupp,
        due_at=datetime(2027, 5, 3, 10, 0, tzinfo=STOCKHOLM),  # a Monday in May
    )
    client.force_login(cast.arbetsgrupp)
    client.post(reverse("snapshot_create", args=[event.pk]), {"label": ""})
    snapshot = Snapshot.objects.get()
    report = draft(client, cast, summary="Läget efter helgen.")
    text = PressText.objects.get()

    # The next morning the reminder scan runs in a worker whose language is not Swedish.
    monday.move_to(datetime(2026, 12, 8, 9, 0, tzinfo=STOCKHOLM), tick=False)
    with translation.override("en"):
        reminders.scan()
        for pk in Notice.objects.order_by("created_at").values_list("pk", flat=True):
            outbox.send(pk)

    assert mailoutbox
    mailed = {
        f"mail {mail.subject!r}": "\n".join(
            [mail.subject, mail.body, *(str(a.content) for a in mail.alternatives)]
        )
        for mail in mailoutbox
    }
    shown = "\n".join(mailed.values())
    assert "måndag 7 december 2026 kl. 10:00" in shown  # the meeting
    assert "4 december 2026 kl. 10:00" in shown  # Lena's overdue task
    assert "7 december 2026 kl. 08:00" in shown  # Sara's follow-up

    pages = {}
    for user, name, args in [
        (cast.kommunchef, "start", []),
        (cast.kommunchef, "event_detail", [event.pk]),
        (cast.kommunchef, "event_detail", [meeting.event_id]),
        (cast.kommunchef, "event_log", [event.pk]),
        (cast.kommunchef, "varsel_clock", [event.pk]),
        (cast.kommunchef, "sheet", [event.pk]),
        (cast.kommunchef, "sheet_history", [event.pk]),
        (cast.kommunchef, "snapshot_detail", [event.pk, snapshot.pk]),
        (cast.kommunchef, "report_list", [event.pk]),
        (cast.kommunchef, "report_detail", [event.pk, report.pk]),
        (cast.kommunchef, "commsplan", [event.pk]),
        (cast.kommunchef, "press_text_detail", [event.pk, text.pk]),
        (cast.kommunchef, "notifications", []),
        (cast.arbetsgrupp, "task_list", [event.pk]),
        (cast.task_holder, "my_tasks", []),
        (cast.task_holder, "task_detail", [event.pk, cast.task.pk]),
    ]:
        client.force_login(user)
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        pages[f"{name} as {user}"] = response.text
    for where in ("task_detail", "my_tasks", "task_list"):
        [page] = [text for key, text in pages.items() if key.startswith(where)]
        assert "4 december 2026 kl. 10:00" in page, where
    [history] = [text for key, text in pages.items() if key.startswith("sheet_history")]
    assert "Lägesbild 7 december 2026 kl. 09:00" in history

    client.force_login(cast.kommunchef)
    documents = {
        "lägesrapport": pdf_text(
            client.get(reverse("report_pdf", args=[event.pk, report.pk])).content
        ),
        "pressmeddelande": pdf_text(
            client.get(reverse("press_text_pdf", args=[event.pk, text.pk])).content
        ),
    }
    # The task lines of the lägesrapport: once "4 Dec 2026".
    assert "skulle varit klar 4 december 2026" in documents["lägesrapport"]
    assert "klar senast 3 maj 2027" in documents["lägesrapport"]
    assert "7 december 2026" in documents["pressmeddelande"]

    found = {
        where: words
        for where, text in {**mailed, **pages, **documents}.items()
        if (words := english_in(text))
    }
    assert found == {}
