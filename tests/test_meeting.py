"""The startgrupp's meeting moved and cancelled: every attendee's calendar follows, one
meeting (one UID) with a SEQUENCE that grows, written in Stockholm time with its VTIMEZONE
(issue 13, part 6; issue 14, calendar invitations that clients accept)."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.models import Convening, Event, LogEntry
from notices import outbox
from notices.models import Notice

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(days: int, hour: int, minute: int = 0) -> datetime:
    """A moment `days` from today at a Stockholm wall-clock time."""
    return datetime.combine(
        timezone.localdate() + timedelta(days=days), time(hour, minute), tzinfo=STOCKHOLM
    )


def typed(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


FIRST, SECOND, THIRD = local(1, 9), local(2, 10), local(3, 13, 30)


def log_event(client, by, startgroup, **extra) -> Convening:
    """`by` logs a new event through its form; the startgrupp's meeting, called to FIRST."""
    client.force_login(by)
    data = {
        "title": "Varsel vid Norsjö Mekaniska AB",
        "kind": "varsel",
        "notice_status": "aviserad",
        "company_name": "Norsjö Mekaniska AB",
        "impact_individ": "hog",
        "impact_naringsliv": "ingen",
        "impact_attraktion": "ingen",
        "priority": "hog",
        "meeting_at": typed(FIRST),
        "location": "KS-salen",
        "startgroup": [user.pk for user in startgroup],
        **extra,
    }
    response = client.post(reverse("event_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    return Convening.objects.get(event=Event.objects.get(title=data["title"]))


def move(client, convening, *, by, at, location="KS-salen", sequence):
    client.force_login(by)
    url = reverse("meeting_edit", args=[convening.event_id, convening.pk])
    data = {"meeting_at": typed(at), "location": location, "sequence": sequence}
    return client.post(url, data)


def cancel(client, convening, *, by, reason, sequence):
    client.force_login(by)
    url = reverse("meeting_cancel", args=[convening.event_id, convening.pk])
    return client.post(url, {"reason": reason, "sequence": sequence})


def send_all():
    """What a worker does after each commit: mail every row, oldest first."""
    for pk in Notice.objects.order_by("created_at").values_list("pk", flat=True):
        outbox.send(pk)


def calendars(mailoutbox, user) -> list[tuple[str, Calendar, str]]:
    """(the .ics as mailed, parsed, the attachment's content type) of each mail to `user`
    that carries one (every mail about the meeting), in the order sent."""
    found = []
    for mail in mailoutbox:
        if mail.to != [user.email] or not mail.attachments:
            continue
        [(name, text, content_type)] = mail.attachments
        assert name == "kallelse.ics"
        # The same calendar, with the same content type, where clients look for it.
        assert [tuple(a) for a in mail.alternatives] == [(text, content_type)]
        found.append((text, Calendar.from_ical(text), content_type))
    return found


def meeting_of(calendar: Calendar):
    [meeting] = calendar.walk("VEVENT")
    return meeting


def assert_times_in_stockholm(text: str, calendar: Calendar):
    """Every TZID used has its VTIMEZONE, and every time of the meeting is written with it:
    none in UTC (only DTSTAMP, which RFC 5545 wants in UTC)."""
    used = set(re.findall(r";TZID=([^:;]+)", text))
    assert used == {"Europe/Stockholm"}
    assert {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")} == used
    for name in ("DTSTART", "DTEND"):
        assert re.search(rf"^{name};TZID=Europe/Stockholm:\d{{8}}T\d{{6}}\r?$", text, re.M)


def attendees_of(meeting) -> set[str]:
    found = meeting.get("attendee", [])
    found = found if isinstance(found, list) else [found]
    return {str(address).removeprefix("mailto:") for address in found}


def test_a_meeting_moved_twice_and_cancelled_reaches_each_attendee_four_times(
    client, cast, mailoutbox
):
    convening = log_event(client, cast.kommunchef, cast.startgrupp)
    event = convening.event
    send_all()
    page = client.get(reverse("event_detail", args=[event.pk])).text
    edit = reverse("meeting_edit", args=[event.pk, convening.pk])
    assert f'href="{edit}"' in page
    assert client.get(edit).status_code == 200

    assert move(client, convening, by=cast.kommunchef, at=SECOND, sequence=0).status_code == 302
    send_all()
    response = move(
        client, convening, by=cast.kommunchef, at=THIRD, location="Lilla salen", sequence=1
    )
    assert response.status_code == 302
    send_all()
    reason = "Företaget har bjudit in till ett gemensamt möte i stället."
    response = cancel(client, convening, by=cast.kommunchef, reason=reason, sequence=2)
    assert response.status_code == 302
    send_all()

    # Anna called, moved and cancelled it: she is sent nothing about her own meeting.
    assert calendars(mailoutbox, cast.kommunchef) == []
    for user in [cast.kso, cast.utvecklingschef, cast.kommunikator]:
        mails = calendars(mailoutbox, user)
        assert len(mails) == 4
        meetings = [meeting_of(calendar) for _, calendar, _ in mails]
        assert {str(m["uid"]) for m in meetings} == {f"{convening.pk}@norsjo-arenden"}
        assert [m["sequence"] for m in meetings] == [0, 1, 2, 3]
        assert [str(c["method"]) for _, c, _ in mails] == ["REQUEST"] * 3 + ["CANCEL"]
        # The mail's method= is the calendar's METHOD.
        assert [kind for *_, kind in mails] == [
            *["text/calendar; method=REQUEST"] * 3,
            "text/calendar; method=CANCEL",
        ]
        assert [m.decoded("dtstart") for m in meetings] == [FIRST, SECOND, THIRD, THIRD]
        assert all(str(m.decoded("dtstart").tzinfo) == "Europe/Stockholm" for m in meetings)
        for text, calendar, _ in mails:
            assert_times_in_stockholm(text, calendar)
        assert [str(m["location"]) for m in meetings] == ["KS-salen"] * 2 + ["Lilla salen"] * 2
        assert str(meetings[-1]["status"]) == "CANCELLED"
        assert reason in str(meetings[-1]["description"])
        # Each names the whole startgrupp, Anna as the organiser.
        assert all(len(attendees_of(m)) == 4 for m in meetings)
        assert {str(m["organizer"]) for m in meetings} == {f"mailto:{cast.kommunchef.email}"}

    subjects = {m.subject.split(" – ")[0] for m in mailoutbox}
    assert subjects == {
        "Kallelse till startgruppen",
        "Startgruppens möte är flyttat",
        "Startgruppens möte är inställt",
    }
    texts = list(LogEntry.objects.filter(event=event, kind="convening").values_list("text"))
    assert any("flyttades från" in text and "Lilla salen" in text for (text,) in texts)
    assert any(f"ställdes in. Skäl: {reason}" in text for (text,) in texts)
    page = client.get(reverse("event_detail", args=[event.pk])).text
    assert "är inställt" in page
    assert f'href="{edit}"' not in page
    # Nothing is waiting for Erik at a meeting that will not take place.
    client.force_login(cast.kso)
    assert "Startgruppens möte" not in client.get(reverse("start")).text


def test_a_member_added_after_a_move_gets_the_same_meeting_and_the_others_the_new_list(
    client, cast, mailoutbox
):
    convening = log_event(client, cast.kommunchef, cast.startgrupp)
    event = convening.event
    assert move(client, convening, by=cast.kommunchef, at=SECOND, sequence=0).status_code == 302
    send_all()
    [(moved, *_)] = calendars(mailoutbox, cast.kso)[-1:]
    mailoutbox.clear()

    # Sara joins, Erik (away) leaves.
    client.force_login(cast.kommunchef)
    members = [cast.kommunchef, cast.utvecklingschef, cast.kommunikator, cast.arbetsgrupp]
    url = reverse("startgroup_edit", args=[event.pk])
    assert client.post(url, {"members": [u.pk for u in members]}).status_code == 302
    send_all()

    [(invitation, calendar, content_type)] = calendars(mailoutbox, cast.arbetsgrupp)
    assert content_type == "text/calendar; method=REQUEST"
    meeting = meeting_of(calendar)
    assert meeting["sequence"] == 2
    assert meeting.decoded("dtstart") == SECOND
    assert_times_in_stockholm(invitation, calendar)
    # Written exactly as the others' calendars have it.
    start = re.compile(r"^DTSTART.*$", re.M)
    assert start.findall(invitation) == start.findall(moved)
    everyone = {u.email for u in members}
    assert attendees_of(meeting) == everyone
    for user in [cast.utvecklingschef, cast.kommunikator]:
        [(text, calendar, content_type)] = calendars(mailoutbox, user)
        assert content_type == "text/calendar; method=REQUEST"
        assert meeting_of(calendar)["sequence"] == 2
        assert attendees_of(meeting_of(calendar)) == everyone
        assert start.findall(text) == start.findall(moved)
    # Erik's calendar loses the meeting: a cancellation for him alone, the meeting goes on.
    [(text, calendar, content_type)] = calendars(mailoutbox, cast.kso)
    assert content_type == "text/calendar; method=CANCEL"
    withdrawn = meeting_of(calendar)
    assert (withdrawn["sequence"], attendees_of(withdrawn)) == (2, {cast.kso.email})
    assert "status" not in withdrawn
    # Written as every other version of the meeting is.
    assert_times_in_stockholm(text, calendar)
    assert start.findall(text) == start.findall(moved)
    assert calendars(mailoutbox, cast.kommunchef) == []


def test_another_member_who_moves_it_organises_it_and_is_not_sent_it(client, cast, mailoutbox):
    convening = log_event(client, cast.kommunchef, cast.startgrupp)
    assert move(client, convening, by=cast.kso, at=SECOND, sequence=0).status_code == 302
    send_all()
    assert [meeting_of(c)["sequence"] for _, c, _ in calendars(mailoutbox, cast.kso)] == [0]
    # Anna, who called it, is sent Erik's version: he organises it now (RFC 5546 2.1.5).
    [(_, calendar, _)] = calendars(mailoutbox, cast.kommunchef)
    assert meeting_of(calendar)["sequence"] == 1
    assert str(meeting_of(calendar)["organizer"]) == f"mailto:{cast.kso.email}"


def test_a_confidential_cases_calendar_carries_no_text_anyone_wrote(client, cast, mailoutbox):
    convening = log_event(
        client,
        cast.kommunchef,
        cast.startgrupp,
        title="Hemliga Bolaget lägger ned",
        company_name="Hemliga Bolaget AB",
        location="Hemliga Bolagets kontor",
        confidential="on",
    )
    event = convening.event
    move(client, convening, by=cast.kommunchef, at=SECOND, location="Hemligt rum", sequence=0)
    cancel(client, convening, by=cast.kommunchef, reason="Hemliga Bolaget väntar", sequence=1)
    # Sent one by one, so that every version goes out.
    for pk in Notice.objects.order_by("created_at").values_list("pk", flat=True):
        outbox.send(pk)
    mails = calendars(mailoutbox, cast.kso)
    assert mails
    for text, calendar, _ in mails:
        meeting = meeting_of(calendar)
        assert str(meeting["summary"]) == f"Startgruppsmöte: {event.case_number}"
        assert "location" not in meeting
        assert "Hemlig" not in text
    for mail in mailoutbox:
        assert "Hemlig" not in mail.subject + mail.body


def test_a_version_not_yet_mailed_when_a_newer_one_is_written_is_not_sent(
    client, cast, mailoutbox
):
    """A worker that was slow (or a broker that was down): the invitation and a move are
    still in the outbox when the meeting is cancelled. Only the cancellation goes out."""
    convening = log_event(client, cast.kommunchef, cast.startgrupp)
    move(client, convening, by=cast.kommunchef, at=SECOND, sequence=0)
    cancel(client, convening, by=cast.kommunchef, reason="Fel dag.", sequence=1)
    send_all()
    for user in [cast.kso, cast.utvecklingschef, cast.kommunikator]:
        [(_, calendar, content_type)] = calendars(mailoutbox, user)
        assert content_type == "text/calendar; method=CANCEL"
        assert meeting_of(calendar)["sequence"] == 2
    stale = Notice.objects.filter(kind__in=["convening", "convening_moved"])
    assert stale.count() == 6
    assert not stale.filter(cancelled_at__isnull=True).exists()
    # ...and they are not in the reader's list either.
    client.force_login(cast.kso)
    listed = client.get(reverse("notifications")).context["notices"]
    assert [n.kind for n in listed] == ["convening_cancelled"]


def test_a_move_over_a_newer_version_keeps_what_was_typed_and_sends_nothing(client, cast):
    convening = log_event(client, cast.kommunchef, cast.startgrupp)
    assert move(client, convening, by=cast.kso, at=SECOND, sequence=0).status_code == 302
    written = Notice.objects.count()
    # Anna's page still shows the first version.
    response = move(
        client, convening, by=cast.kommunchef, at=THIRD, location="Lilla salen", sequence=0
    )
    assert response.status_code == 200
    assert "Någon annan ändrade mötet medan du skrev" in response.text
    assert typed(THIRD) in response.text
    assert "Lilla salen" in response.text
    convening.refresh_from_db()
    assert (convening.meeting_at, convening.sequence) == (SECOND, 1)
    assert Notice.objects.count() == written
    # Saved again, knowingly, on top of the version it now shows.
    assert response.context["move_form"]["sequence"].value() == 1
    response = move(
        client, convening, by=cast.kommunchef, at=THIRD, location="Lilla salen", sequence=1
    )
    assert response.status_code == 302


def test_the_same_move_posted_twice_sends_one_update(client, cast):
    convening = log_event(client, cast.kommunchef, cast.startgrupp)
    assert move(client, convening, by=cast.kommunchef, at=SECOND, sequence=0).status_code == 302
    written = Notice.objects.count()
    response = move(client, convening, by=cast.kommunchef, at=SECOND, sequence=0)
    assert response.status_code == 302
    assert Notice.objects.count() == written
    assert "Mötet var redan bokat så" in client.get(response["Location"]).text
    convening.refresh_from_db()
    assert convening.sequence == 1


def test_cancelling_needs_a_reason_and_a_move_a_time_ahead(client, cast):
    convening = log_event(client, cast.kommunchef, cast.startgrupp)
    written = Notice.objects.count()
    response = cancel(client, convening, by=cast.kommunchef, reason="", sequence=0)
    assert response.status_code == 200
    assert "Skriv varför mötet ställs in." in response.text
    response = move(client, convening, by=cast.kommunchef, at=local(-1, 9), sequence=0)
    assert response.status_code == 200
    assert "Tiden har redan passerat" in response.text
    assert typed(local(-1, 9)) in response.text
    convening.refresh_from_db()
    assert (convening.sequence, convening.cancelled_at) == (0, None)
    assert Notice.objects.count() == written


def test_only_the_startgrupp_moves_its_meeting(client, cast):
    convening = log_event(client, cast.kommunchef, cast.startgrupp)
    event = convening.event
    client.force_login(cast.kommunchef)
    client.post(
        reverse("decisions", args=[event.pk]),
        {"inform_politicians": "nej", "workgroup": [cast.arbetsgrupp.pk]},
    )
    client.force_login(cast.arbetsgrupp)
    page = client.get(reverse("event_detail", args=[event.pk])).text
    assert "Startgruppens möte:" in page
    assert reverse("meeting_edit", args=[event.pk, convening.pk]) not in page
    response = move(client, convening, by=cast.arbetsgrupp, at=SECOND, sequence=0)
    assert response.status_code == 403
    convening.refresh_from_db()
    assert convening.sequence == 0


def test_a_cancelled_meeting_is_not_the_one_the_answers_mark_held(client, cast):
    convening = log_event(client, cast.kommunchef, cast.startgrupp)
    event = convening.event
    cancel(client, convening, by=cast.kommunchef, reason="Fel dag.", sequence=0)
    client.force_login(cast.kommunchef)
    response = client.post(
        reverse("picture_edit", args=[event.pk]), {"what_happened": "Varsel.", "based_on": 0}
    )
    assert response.status_code == 302
    convening.refresh_from_db()
    assert convening.held_at is None
    assert convening.cancelled_at is not None
