"""Closing a case asks why and whether the user means it; its startgrupp can reopen it, and
the time it was closed then counts as neither late tasks nor missed reports."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from events import reminders
from events.models import Convening, Event, LogEntry, Phase, Task
from notices import outbox
from notices.models import Notice

# A Wednesday in January, weeks from a change to or from summer time (the last Sundays of
# March and October): days counted on the clock (accounts.moments.add_days) are 24 hours
# throughout, whatever the date the suite runs.
NOW = datetime(2026, 1, 14, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
REASON = "Omställningsarbetet är klart; uppföljningen är redovisad för KS."
AGAIN = "Företaget varslar ytterligare 20 anställda."


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def url(name, cast):
    return reverse(name, args=[cast.event.pk])


def close(client, cast, by=None):
    client.force_login(by or cast.kommunchef)
    response = client.post(url("event_close", cast), {"reason": REASON, "confirm": "on"})
    assert response.status_code == 302
    cast.event.refresh_from_db()
    assert cast.event.is_closed


def told(kind) -> list[str]:
    return sorted(str(n.recipient) for n in Notice.objects.filter(kind=kind))


def deliver() -> None:
    """Mail every notice written and not yet sent, as the outbox's senders would."""
    outbox.send_all(
        Notice.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True).values_list(
            "pk", flat=True
        )
    )


def subjects(mails) -> list[str]:
    """What each mail is, its subject without the case number."""
    return [mail.subject.split(" – ")[0] for mail in mails]


def field_time(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# Closing --------------------------------------------------------------------------------------


def test_choosing_avslutad_leads_to_a_page_that_asks_first(client, cast):
    client.force_login(cast.arbetsgrupp)
    response = client.post(url("phase_change", cast), {"phase": "avslutad"})
    assert response["Location"] == url("event_close", cast)
    cast.event.refresh_from_db()
    assert cast.event.phase == Phase.PLANERA
    assert "Varför avslutas ärendet?" in client.get(response["Location"]).text


def test_closing_needs_a_reason_and_a_confirmation(client, cast):
    client.force_login(cast.arbetsgrupp)
    response = client.post(url("event_close", cast), {})
    assert response.status_code == 200
    assert "Skriv varför ärendet avslutas." in response.text
    assert "Kryssa i att du vill avsluta ärendet." in response.text
    # A reason alone is not enough; what was typed stays.
    response = client.post(url("event_close", cast), {"reason": REASON})
    assert "Kryssa i att du vill avsluta ärendet." in response.text
    assert REASON in response.text
    cast.event.refresh_from_db()
    assert not cast.event.is_closed
    assert not LogEntry.objects.filter(kind="phase").exists()


def test_closing_is_logged_with_the_reason_and_told_to_the_groups(client, cast):
    close(client, cast, by=cast.arbetsgrupp)
    assert cast.event.closed_at == NOW
    assert cast.event.closed_from_phase == Phase.PLANERA
    [entry] = LogEntry.objects.filter(kind="phase")
    assert entry.text == (
        f"Fas ändrad från Planera till Avslutad: ärendet är avslutat. Skäl: {REASON}"
    )
    assert entry.author == cast.arbetsgrupp
    page = client.get(url("event_detail", cast)).text
    assert REASON in page
    assert "Ärendet är avslutat" in page
    # Sara may not reopen it: the page does not offer it.
    assert url("event_reopen", cast) not in page
    # The startgrupp and the arbetsgrupp, not Sara who closed it, nor Pia or Lena.
    assert told("case_closed") == sorted(map(str, cast.startgrupp))
    assert REASON in Notice.objects.filter(kind="case_closed").first().body


def test_a_confidential_case_is_closed_without_its_reason_in_the_mail(client, cast):
    Event.objects.filter(pk=cast.event.pk).update(confidential=True)
    close(client, cast)
    assert all(REASON not in n.body for n in Notice.objects.filter(kind="case_closed"))


def test_a_second_close_of_the_same_page_is_refused(client, cast):
    close(client, cast)
    response = client.post(url("event_close", cast), {"reason": REASON, "confirm": "on"})
    assert response.status_code == 403
    assert LogEntry.objects.filter(kind="phase").count() == 1


# Reopening ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("kommunchef", 200),
        ("kso", 200),
        ("utvecklingschef", 200),
        ("kommunikator", 200),
        ("superuser", 200),
        # May read the case, may not take it up again.
        ("arbetsgrupp", 403),
        ("lasare", 403),
        # Never learn that it exists.
        ("task_holder", 404),
        ("outsider", 404),
    ],
)
def test_only_the_startgrupp_reopens_a_closed_case(client, cast, persona, expected):
    close(client, cast)
    client.force_login(getattr(cast, persona))
    assert client.get(url("event_reopen", cast)).status_code == expected
    response = client.post(url("event_reopen", cast), {"reason": AGAIN})
    assert response.status_code == (302 if expected == 200 else expected)
    cast.event.refresh_from_db()
    assert cast.event.is_closed is (expected != 200)
    shown = client.get(url("event_detail", cast))
    if expected == 403:
        assert url("event_reopen", cast) not in shown.text
        # Told who may, not that they are a reader.
        refusal = client.get(url("event_reopen", cast)).text
        assert "Bara startgruppen kan öppna ett avslutat ärende igen." in refusal


def test_reopening_needs_a_reason_and_is_logged_and_told(client, cast):
    Event.objects.filter(pk=cast.event.pk).update(phase=Phase.GENOMFORA)
    close(client, cast, by=cast.kso)
    client.force_login(cast.kommunchef)
    page = client.get(url("event_detail", cast)).text
    assert url("event_reopen", cast) in page
    response = client.post(url("event_reopen", cast), {"reason": ""})
    assert response.status_code == 200
    assert "Skriv varför ärendet öppnas igen." in response.text
    assert client.post(url("event_reopen", cast), {"reason": AGAIN}).status_code == 302
    cast.event.refresh_from_db()
    # Back where it was closed from, writable again.
    assert cast.event.phase == Phase.GENOMFORA
    assert cast.event.reopened_at == NOW
    # Closed by Erik, reopened by Anna (at the same frozen moment: told apart by author).
    entry = LogEntry.objects.get(kind="phase", author=cast.kommunchef)
    assert entry.text == f"Ärendet öppnades igen, i fasen Genomföra. Skäl: {AGAIN}"
    assert "Lägg till i loggen" in client.get(url("event_detail", cast)).text
    others = [cast.kso, cast.utvecklingschef, cast.kommunikator, cast.arbetsgrupp]
    assert told("case_reopened") == sorted(map(str, others))
    # A second post of the same page reopens nothing more.
    client.post(url("event_reopen", cast), {"reason": AGAIN})
    assert LogEntry.objects.filter(kind="phase", text__startswith="Ärendet öppnades").count() == 1


def task(cast, what, due_at, **fields):
    return Task.objects.create(
        event=cast.event,
        what=what,
        assignee=cast.task_holder,
        delegated_by=cast.arbetsgrupp,
        due_at=due_at,
        **fields,
    )


def answer_and_decide(client, cast):
    """The startgrupp has met and decided: Sara leads the arbetsgrupp and reports every
    other day."""
    Convening.objects.create(event=cast.event, meeting_at=NOW, convened_by=cast.kommunchef)
    client.force_login(cast.kommunchef)
    response = client.post(
        url("picture_edit", cast), {"what_happened": "Varsel om 38.", "based_on": 0}
    )
    assert response.status_code == 302
    decisions = {
        "inform_politicians": "nej",
        "workgroup": [cast.arbetsgrupp.pk],
        "workgroup_lead": cast.arbetsgrupp.pk,
        "reporter": cast.arbetsgrupp.pk,
        "report_interval_days": 2,
    }
    assert client.post(url("decisions", cast), decisions).status_code == 302


def status_on_start_page(client, user):
    client.force_login(user)
    [event] = client.get(reverse("start")).context["events"]
    return event.status


def test_reopening_after_ten_days_sends_no_burst_of_mail_and_is_not_red(client, cast, mailoutbox):
    answer_and_decide(client, cast)
    late = task(cast, "Ring facket", NOW - HOUR)
    fund = cast.task  # Ring omställningsfonden
    Task.objects.filter(pk=fund.pk).update(due_at=NOW + 3 * DAY, follow_up_at=NOW + 4 * DAY)
    hall = task(cast, "Boka lokal för informationsmötet", NOW + 5 * DAY)
    # Lena hears that "Ring facket" is late while the case is open.
    assert reminders.scan() == 1
    deliver()
    assert "Försenad uppgift" in subjects(mailoutbox)
    close(client, cast)
    with time_machine.travel(NOW + 5 * DAY, tick=False):
        assert reminders.scan() == 0  # a closed case is reminded of nothing
    deliver()
    mailoutbox.clear()

    reopened = NOW + 10 * DAY
    new_time = reopened + 4 * DAY
    with time_machine.travel(reopened, tick=False):
        client.force_login(cast.kommunchef)
        page = client.get(url("event_reopen", cast)).text
        # Every open task whose time has passed is offered a new one.
        for listed in (late, fund, hall):
            assert listed.what in page
            assert f'name="uppgift-{listed.pk}-due_at"' in page
        response = client.post(
            url("event_reopen", cast),
            {"reason": AGAIN, f"uppgift-{hall.pk}-due_at": field_time(new_time)},
        )
        assert response.status_code == 302
        hall.refresh_from_db()
        assert hall.due_at == new_time
        assert LogEntry.objects.filter(text__startswith="Uppgiften ändrad: Boka lokal").exists()

        # No reminder of anything that fell due before the reopening: not Lena's overdue
        # tasks, not Sara's escalation of "Ring facket" (due two days after its time, while
        # closed), not Sara's follow-up, not ten days of reports.
        assert reminders.scan() == 0
        deliver()
        assert set(subjects(mailoutbox)) == {"Ärendet är öppnat igen"}
        assert told("task_overdue") == ["Lena Öberg"]  # the one from before closing
        for kind in ("task_overdue_lead", "follow_up", "report_due", "task_due"):
            assert told(kind) == []

        # Late tasks are still late, from the reopening on; no report is missed.
        verdict = status_on_start_page(client, cast.kommunchef)
        assert verdict.key == "gul"
        assert verdict.reasons == ("Minst en uppgift är försenad.",)

    # The reporting interval runs from the reopening: a report is due two days after it,
    # and missed (röd) a day after that.
    with time_machine.travel(reopened + 2 * DAY, tick=False):
        assert reminders.scan() == 1
        [report] = Notice.objects.filter(kind="report_due")
        assert report.occasion == reopened + 2 * DAY
        assert status_on_start_page(client, cast.kommunchef).key == "gul"
    with time_machine.travel(reopened + 3 * DAY + HOUR, tick=False):
        verdict = status_on_start_page(client, cast.kommunchef)
        assert verdict.key == "rod"
        assert any("uteblivit" in reason for reason in verdict.reasons)
    # The re-dated task is reminded as usual when its new time comes.
    with time_machine.travel(new_time - 12 * HOUR, tick=False):
        assert reminders.scan() == 1
        assert told("task_due") == ["Lena Öberg"]


def test_a_new_time_already_passed_is_refused_and_nothing_is_reopened(client, cast):
    hall = task(cast, "Boka lokal för informationsmötet", NOW + DAY)
    close(client, cast)
    with time_machine.travel(NOW + 3 * DAY, tick=False):
        client.force_login(cast.kso)
        response = client.post(
            url("event_reopen", cast),
            {"reason": AGAIN, f"uppgift-{hall.pk}-due_at": field_time(NOW + 2 * DAY)},
        )
    assert response.status_code == 200
    assert "Tiden har redan passerat. Välj en tid framåt." in response.text
    assert AGAIN in response.text  # kept
    cast.event.refresh_from_db()
    assert cast.event.is_closed
    hall.refresh_from_db()
    assert hall.due_at == NOW + DAY


def test_an_open_case_has_nothing_to_reopen(client, cast):
    client.force_login(cast.kommunchef)
    assert "Ärendet är öppet." in client.get(url("event_reopen", cast)).text
    response = client.post(url("event_reopen", cast), {"reason": AGAIN})
    assert response["Location"] == url("event_detail", cast)
    assert not LogEntry.objects.filter(kind="phase").exists()
