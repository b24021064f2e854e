from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import services
from events.forms import EventCreateForm
from events.models import Convening, Event, LogEntry
from notices.models import Notice
from notices.tasks import send_notices
from tests.conftest import wait_until

URL = "/arenden/ny/"


def soon():
    return (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


def minimal(**extra):
    data = {
        "title": "Konkurs vid Norsjö Mekaniska AB",
        "kind": "konkurs",
        "notice_status": "intraffad",
        "company_name": "Norsjö Mekaniska AB",
        "impact_individ": "hog",
        "impact_naringsliv": "ingen",
        "impact_attraktion": "ingen",
        "priority": "hog",
        "meeting_at": soon(),
    }
    return {**data, **extra}


def test_logging_an_event_needs_only_a_handful_of_inputs(db):
    required = {name for name, field in EventCreateForm().fields.items() if field.required}
    # Title, kind, aviserad/inträffad, company; the meeting time and priority come prefilled
    # and the impact radios default to "Ingen" (one must be raised).
    assert required == {
        "title",
        "kind",
        "notice_status",
        "company_name",
        "meeting_at",
        "priority",
        "impact_individ",
        "impact_naringsliv",
        "impact_attraktion",
    }


def test_the_form_proposes_a_meeting_within_two_hours_and_the_startgrupp(client, cast):
    client.force_login(cast.kommunchef)
    form = client.get(URL).context["form"]
    proposed = form["meeting_at"].initial
    assert timezone.now() < proposed <= timezone.now() + timedelta(hours=2)
    assert set(form["startgroup"].initial) == {u.pk for u in cast.startgrupp}


def test_a_startgrupp_member_logs_an_event_and_the_startgrupp_is_convened(client, cast):
    client.force_login(cast.kommunchef)
    ids = [u.pk for u in cast.startgrupp]
    year = timezone.localdate().year
    # The cast's own case is KS 2026/0001: the next of this year follows the highest.
    this_year = Event.objects.filter(case_number__startswith=f"KS {year}/").count()
    response = client.post(URL, minimal(startgroup=ids))
    event = Event.objects.get(title="Konkurs vid Norsjö Mekaniska AB")
    assert response.status_code == 302
    assert response["Location"] == reverse("event_detail", args=[event.pk])
    assert event.case_number == f"KS {year}/{this_year + 1:04d}"
    assert event.priority == "hog"
    assert set(event.memberships.values_list("user", "group")) == {
        (pk, "startgrupp") for pk in ids
    }
    convening = Convening.objects.get(event=event)
    # Everyone but Anna, who called the meeting herself.
    invited = Notice.objects.about(convening).values_list("recipient", flat=True)
    assert sorted(invited) == sorted(set(ids) - {cast.kommunchef.pk})
    assert Notice.objects.count() == 3
    assert LogEntry.objects.filter(event=event, kind="convening").exists()
    page = client.get(response["Location"]).text
    assert event.case_number in page
    assert "startgruppen är kallad" in page


def test_the_creator_is_always_in_the_startgrupp(client, cast):
    # Sara is not in the startgrupp: an administrator has let her log events (issue 13).
    cast.arbetsgrupp.may_log_events = True
    cast.arbetsgrupp.save(update_fields=["may_log_events"])
    client.force_login(cast.arbetsgrupp)
    client.post(URL, minimal(startgroup=[cast.kommunchef.pk]))
    event = Event.objects.get(title="Konkurs vid Norsjö Mekaniska AB")
    assert set(event.members.all()) == {cast.kommunchef, cast.arbetsgrupp}


def test_case_numbers_count_up_from_the_highest_of_the_year_typed_by_hand_or_not(client, cast):
    client.force_login(cast.kommunchef)
    year = timezone.localdate().year
    # Three events on three companies: one company's twice would be taken for a repeat.
    client.post(URL, minimal(title="A", company_name="A AB", case_number=f"KS {year}/50"))
    client.post(URL, minimal(title="B", company_name="B AB"))
    client.post(URL, minimal(title="C", company_name="C AB"))
    numbers = dict(Event.objects.filter(title__in="ABC").values_list("title", "case_number"))
    assert numbers == {"A": f"KS {year}/0050", "B": f"KS {year}/0051", "C": f"KS {year}/0052"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"org_number": "556036-079"}, "org_number", "Skriv organisationsnumret som NNNNNN-NNNN"),
        ({"org_number": "556036-0794"}, "org_number", "kontrollsiffran är fel"),
        ({"impact_individ": "ingen"}, "impact_individ", "Markera påverkan på minst en av"),
        (
            {"announced_on": "2026-05-10", "takes_effect_on": "2026-05-01"},
            "takes_effect_on",
            "kan inte ske före det datum den aviserades",
        ),
        ({"case_number": "KS 2026/0001"}, "case_number", "används redan"),
        ({"case_number": "dnr 12"}, "case_number", "Diarienumret ska ha formen KS 2026/0123"),
        ({"title": ""}, "title", "Skriv en rubrik för ärendet."),
        (
            {"notice_status": ""},
            "notice_status",
            "Välj om förändringen är aviserad eller inträffad.",
        ),
        ({"meeting_at": "i morgon bitti"}, "meeting_at", "Fyll i ett giltigt datum/tid."),
    ],
)
def test_bad_input_is_refused_on_its_field_and_everything_typed_is_kept(
    client, cast, changes, field, message
):
    client.force_login(cast.kommunchef)
    before = Event.objects.count()
    data = minimal(description="Alla 38 anställda sägs upp.", **changes)
    response = client.post(URL, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.text
    assert "Alla 38 anställda sägs upp." in response.text
    for value in changes.values():
        assert value in response.text
    assert Event.objects.count() == before
    assert not Notice.objects.exists()


def test_the_same_case_number_typed_twice_at_once_is_refused_not_crashed(cast):
    # Both pass form validation before either commits; the database has the last word.
    def typed(title):
        return Event(
            title=title,
            kind="konkurs",
            notice_status="intraffad",
            company_name=title,
            impact_individ="hog",
            case_number="KS 2026/77",
        )

    services.create_event(typed("A"), startgroup=[], meeting_at=timezone.now(), by=cast.kommunchef)
    with pytest.raises(services.DuplicateCaseNumber):
        services.create_event(
            typed("B"), startgroup=[], meeting_at=timezone.now(), by=cast.kommunchef
        )
    assert Event.objects.filter(case_number="KS 2026/77").count() == 1


def test_create_is_get_or_post_only(client, cast):
    client.force_login(cast.kommunchef)
    assert client.put(URL).status_code == 405


def test_a_real_worker_mails_each_invitation_once_with_a_calendar_file(
    client, cast, celery_worker, smtp_server
):
    client.force_login(cast.kommunchef)
    client.post(URL, minimal(startgroup=[u.pk for u in cast.startgrupp], location="KS-salen"))
    assert wait_until(lambda: len(smtp_server.messages) >= 3)

    # The same tasks delivered again (a broker redelivery): the worker runs them, finds
    # each row already sent (the task mails 0) and mails nothing more.
    for notification in Notice.objects.all():
        send_notices.delay([str(notification.pk)])

    def refused_resends():
        lines = celery_worker.log_path.read_text().splitlines()
        return sum(1 for line in lines if "send_notices" in line and line.endswith(": 0"))

    assert wait_until(lambda: refused_resends() == 3)
    assert len(smtp_server.messages) == 3

    # Anna called the meeting: the others are invited, each naming all four.
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        u.email for u in cast.startgrupp if u != cast.kommunchef
    )
    for message in smtp_server.messages:
        assert message["Subject"].startswith("Kallelse till startgruppen – KS ")
        [attachment] = [p for p in message.iter_attachments()]
        assert attachment.get_content_type() == "text/calendar"
        meeting = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
        assert str(meeting["location"]) == "KS-salen"
        assert len(meeting["attendee"]) == 4
    assert Notice.objects.filter(sent_at__isnull=True).count() == 0


def test_each_convened_member_sees_an_unread_notification_in_the_app(client, cast):
    client.force_login(cast.kommunchef)
    client.post(URL, minimal(startgroup=[u.pk for u in cast.startgrupp]))
    event = Event.objects.get(title="Konkurs vid Norsjö Mekaniska AB")
    client.force_login(cast.kommunikator)
    page = client.get(reverse("start")).text
    assert '<span class="count">1<span class="visually-hidden"> olästa</span>' in page
    listing = client.get(reverse("notifications")).text
    [invitation] = Notice.objects.filter(recipient=cast.kommunikator)
    assert f'href="{reverse("notice_open", args=[invitation.pk])}"' in listing
    assert invitation.path == reverse("event_detail", args=[event.pk])
    assert f"Kallelse till startgruppen – {event.case_number}" in listing
    client.post(reverse("notifications_read"))
    assert 'class="count"' not in client.get(reverse("start")).text
    # Nobody else's notifications were touched (Erik's and Maria's; Anna convened).
    assert Notice.objects.filter(read_at__isnull=True).count() == 2


def test_a_title_as_long_as_allowed_still_convenes(client, cast):
    client.force_login(cast.kommunchef)
    title = "Varsel " + "och omorganisation " * 10
    response = client.post(
        URL, minimal(title=title[:200], startgroup=[u.pk for u in cast.startgrupp])
    )
    assert response.status_code == 302
    invitations = Notice.objects.filter(kind="convening")
    assert invitations.exists()
    assert all(len(n.subject) <= 200 for n in invitations)  # PostgreSQL enforces it
