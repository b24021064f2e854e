"""The press text's and the lägesrapport's hand-offs (issue 12): one notice per transition to
whoever must act next, in the app and by mail unless they turned mail off, never to the one
who acted, naming the case, saying what is wanted and linking to the exact page.

The journey: Jonas (kommunikatör) asks for a fact-check → Maria is told and checks; the
approval → Erik is told and approves."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from commsplan.models import Channel, PressText
from events.models import LogEntry
from notices import kinds, outbox
from notices.models import Notice
from reports.models import Report
from reports.services import may_approve
from tests.test_commsplan import step, write_text

OUTSIDE = ["lasare", "task_holder", "outsider", "superuser"]
TITLE = "Kommunen stöttar de varslade på Granlunds"


def text_url(cast, text):
    return reverse("press_text_detail", args=[cast.event.pk, text.pk])


def report_url(cast, report):
    return reverse("report_detail", args=[cast.event.pk, report.pk])


def ask_for_fact_check(client, cast, text, by=None):
    return step(client, cast, text, "press_text_request_fact_check", by or cast.kommunikator)


def send_back(client, cast, text, by, reason="Antalet varslade är 41, inte 38."):
    return step(client, cast, text, "press_text_send_back", by, {"reason": reason})


def rewrite(client, cast, text, by):
    client.force_login(by)
    data = {"title": text.title, "lead": "", "body": "Omskriven.", "contact": text.contact_id}
    response = client.post(reverse("press_text_edit", args=[cast.event.pk, text.pk]), data)
    assert response.status_code == 302
    text.refresh_from_db()


def checked_text(client, cast) -> PressText:
    text = write_text(client, cast)
    ask_for_fact_check(client, cast, text)
    step(client, cast, text, "press_text_fact_check", cast.utvecklingschef)
    return text


def approved_text(client, cast) -> PressText:
    text = checked_text(client, cast)
    step(client, cast, text, "press_text_approve", cast.kso)
    return text


def publish(client, cast, text, by):
    data = {
        "channels": [Channel.objects.get(name="Webbplats (norsjo.se)").pk],
        "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "override_reason": "Företaget bad oss gå ut samtidigt.",
    }
    response = step(client, cast, text, "press_text_publish", by, data)
    assert response.status_code == 302, response.text
    return text


def draft(client, cast, by=None, **data) -> Report:
    client.force_login(by or cast.arbetsgrupp)
    response = client.post(reverse("report_create", args=[cast.event.pk]), data)
    assert response.status_code == 302, response.text
    return Report.objects.latest("version")


def report_step(client, cast, report, name, by, data=None):
    client.force_login(by)
    response = client.post(reverse(name, args=[cast.event.pk, report.pk]), data or {})
    report.refresh_from_db()
    return response


def received(kind, target) -> set[str]:
    """The usernames told `kind` about `target`."""
    notices = Notice.objects.about(target).filter(kind=kind)
    return {n.recipient.username for n in notices.select_related("recipient")}


# The transitions: each makes one on cast.event and returns (what the notices are about,
# its page, who acted). With who must be told: a persona name each.


def text_waits_for_fact_check(client, cast):
    text = write_text(client, cast)
    ask_for_fact_check(client, cast, text)
    return text, text_url(cast, text), "kommunikator"


def text_fact_checked(client, cast):
    text = checked_text(client, cast)
    return text, text_url(cast, text), "utvecklingschef"


def text_sent_back(client, cast):
    # Sara rewrote Jonas's draft: both are told why it came back.
    text = write_text(client, cast)
    rewrite(client, cast, text, cast.arbetsgrupp)
    ask_for_fact_check(client, cast, text)
    send_back(client, cast, text, cast.utvecklingschef)
    return text, text_url(cast, text), "utvecklingschef"


def text_approved(client, cast):
    text = approved_text(client, cast)
    return text, text_url(cast, text), "kso"


def text_published(client, cast):
    text = publish(client, cast, approved_text(client, cast), cast.kommunchef)
    return text, text_url(cast, text), "kommunchef"


def report_waits_for_approval(client, cast):
    # Anna saved the draft's text last: she does not approve it, so she is not asked.
    report = draft(client, cast)
    report_step(client, cast, report, "report_detail", cast.kommunchef, {"summary": "Lugnt."})
    report_step(client, cast, report, "report_request_approval", cast.arbetsgrupp)
    return report, report_url(cast, report), "arbetsgrupp"


def report_approved(client, cast):
    report = draft(client, cast)
    report_step(client, cast, report, "report_approve", cast.kso)
    return report, report_url(cast, report), "kso"


def report_sent(client, cast):
    report = draft(client, cast)
    report_step(client, cast, report, "report_approve", cast.kso)
    report_step(client, cast, report, "report_send", cast.kommunchef)
    return report, report_url(cast, report), "kommunchef"


HAND_OFFS = {
    "text_fact_check": (
        text_waits_for_fact_check,
        {"kommunchef", "kso", "utvecklingschef", "arbetsgrupp"},
    ),
    "text_approval": (text_fact_checked, {"kommunchef", "kso"}),
    "text_sent_back": (text_sent_back, {"kommunikator", "arbetsgrupp"}),
    "text_approved": (text_approved, {"kommunikator", "utvecklingschef"}),
    "text_published": (text_published, {"kommunikator", "kso"}),
    "report_approval": (report_waits_for_approval, {"kso", "utvecklingschef", "kommunikator"}),
    "report_approved": (report_approved, {"arbetsgrupp"}),
    "report_sent": (report_sent, {"arbetsgrupp"}),
}


@pytest.mark.parametrize("kind", sorted(HAND_OFFS))
def test_each_hand_off_reaches_exactly_those_who_must_act(client, cast, mailoutbox, kind):
    transition, expected = HAND_OFFS[kind]
    # One reader turned notice mail off: they get it in the app only.
    app_only = getattr(cast, sorted(expected)[0])
    app_only.email_notifications = False
    app_only.save(update_fields=["email_notifications"])
    target, path, actor = transition(client, cast)

    readers = {getattr(cast, persona).username: persona for persona in expected}
    assert received(kind, target) == set(readers)
    never = {getattr(cast, persona).username for persona in [actor, *OUTSIDE]}
    assert not received(kind, target) & never

    for notice in Notice.objects.about(target).filter(kind=kind).select_related("recipient"):
        # Names the case, says what is wanted, and links to the exact page, which opens.
        assert notice.path == path
        assert notice.subject.startswith(f"{kinds.get(kind).title} – {cast.event.case_number}")
        assert cast.event.case_number in notice.body.splitlines()[0]
        assert f"Öppna: {settings.SITE_URL}{path}" in notice.body
        client.force_login(notice.recipient)
        assert client.get(notice.path).status_code == 200
        outbox.send(notice.pk)

    mailed = sorted(address for mail in mailoutbox for address in mail.to)
    assert mailed == sorted(
        getattr(cast, persona).email for persona in expected if getattr(cast, persona) != app_only
    )
    in_app = Notice.objects.about(target).get(kind=kind, recipient=app_only)
    assert in_app.sent_at is not None  # done with: nothing left to mail


def test_the_journey_jonas_asks_maria_checks_erik_approves(client, cast):
    text = write_text(client, cast)
    client.force_login(cast.kommunikator)
    page = client.get(text_url(cast, text)).text
    assert "Be om faktagranskning" in page
    response = ask_for_fact_check(client, cast, text)
    page = client.get(response["Location"]).text
    assert "Texten väntar på faktagranskning. 4 kollegor har fått besked." in page
    assert "Väntar på faktagranskning" in page
    assert text.fact_check_requested_at is not None
    assert LogEntry.objects.filter(
        text=f"Pressmeddelandet ”{TITLE}” skickades till faktagranskning."
    ).exists()

    told = Notice.objects.get(kind="text_fact_check", recipient=cast.utvecklingschef)
    assert told.body.startswith(
        f"Jonas Berg ber dig faktagranska ett pressmeddelande i ärendet {cast.event.case_number}"
    )
    assert TITLE in told.subject  # the case is not confidential
    client.force_login(cast.utvecklingschef)
    assert "Väntar på faktagranskning" in client.get(told.path).text
    step(client, cast, text, "press_text_fact_check", cast.utvecklingschef)
    assert (text.status, text.fact_check_requested_at) == ("faktagranskad", None)

    asked = Notice.objects.get(kind="text_approval", recipient=cast.kso)
    assert asked.body.startswith(
        f"Maria Holm har faktagranskat ett pressmeddelande i ärendet {cast.event.case_number}"
    )
    step(client, cast, text, "press_text_approve", cast.kso)
    assert text.status == "godkand"
    assert received("text_approved", text) == {"jonas", "maria"}


def test_whoever_rewrote_the_text_is_not_asked_to_check_it(client, cast):
    text = write_text(client, cast)
    rewrite(client, cast, text, cast.kso)
    ask_for_fact_check(client, cast, text, by=cast.kso)
    assert received("text_fact_check", text) == {"anna", "maria", "sara"}
    client.force_login(cast.kso)
    page = client.get(text_url(cast, text)).text
    assert "Be om faktagranskning igen" in page
    assert "Markera som faktagranskad" not in page


def test_a_text_sent_back_twice_tells_its_author_twice_and_shows_why(client, cast):
    text = write_text(client, cast)
    ask_for_fact_check(client, cast, text)
    response = send_back(client, cast, text, cast.utvecklingschef)
    assert response.status_code == 302
    assert (text.status, text.fact_check_requested_at) == ("utkast", None)
    assert (text.sent_back_by, text.sent_back_reason) == (
        cast.utvecklingschef,
        "Antalet varslade är 41, inte 38.",
    )
    assert LogEntry.objects.filter(
        text=f"Pressmeddelandet ”{TITLE}” skickades tillbaka till författaren: "
        "Antalet varslade är 41, inte 38."
    ).exists()
    told = Notice.objects.get(kind="text_sent_back", recipient=cast.kommunikator)
    assert "Skäl: Antalet varslade är 41, inte 38." in told.body
    client.force_login(cast.kommunikator)
    page = client.get(told.path).text
    assert "Skickad tillbaka" in page
    assert "Antalet varslade är 41, inte 38." in page
    assert "Väntar på faktagranskning" not in page

    # Asked again, everyone who may check is told again; sent back again, Jonas is too.
    ask_for_fact_check(client, cast, text)
    assert Notice.objects.filter(kind="text_fact_check", recipient=cast.kso).count() == 2
    send_back(client, cast, text, cast.kso, reason="Citatet saknar namn.")
    assert Notice.objects.filter(kind="text_sent_back", recipient=cast.kommunikator).count() == 2
    assert text.sent_back_reason == "Citatet saknar namn."

    # The next fact-check answers it: the reason is no longer shown.
    ask_for_fact_check(client, cast, text)
    step(client, cast, text, "press_text_fact_check", cast.kso)
    assert (text.status, text.sent_back_at, text.sent_back_reason) == ("faktagranskad", None, "")


@pytest.mark.parametrize("stage", ["faktagranskad", "godkand"])
def test_a_checked_or_approved_text_sent_back_must_be_checked_again(client, cast, stage):
    text = checked_text(client, cast) if stage == "faktagranskad" else approved_text(client, cast)
    send_back(client, cast, text, cast.kommunchef)
    assert (text.status, text.fact_checked_by, text.approved_by) == ("utkast", None, None)
    assert received("text_sent_back", text) == {"jonas"}


def test_sending_back_needs_a_reason_and_keeps_what_was_typed(client, cast):
    text = write_text(client, cast)
    ask_for_fact_check(client, cast, text)
    response = send_back(client, cast, text, cast.kso, reason="  ")
    assert response.status_code == 200
    assert "Skriv vad som behöver ändras" in response.text
    assert text.status == "utkast"
    assert text.fact_check_requested_at is not None
    # The author has no such form; a hand-made post is refused and keeps what was typed.
    response = send_back(client, cast, text, cast.kommunikator, reason="Jag ångrar mig.")
    assert response.status_code == 200
    assert "Ändra den i stället för att skicka tillbaka den." in response.text
    assert "Jag ångrar mig." in response.text
    assert not Notice.objects.filter(kind="text_sent_back").exists()


def test_a_draft_nobody_asked_to_check_is_not_sent_back(client, cast):
    text = write_text(client, cast)
    client.force_login(cast.kso)
    assert "Skicka tillbaka" not in client.get(text_url(cast, text)).text
    response = send_back(client, cast, text, cast.kso)
    assert "Texten väntar inte på granskning" in response.text
    assert text.sent_back_at is None


def test_the_author_who_publishes_is_not_told_of_it(client, cast):
    text = publish(client, cast, approved_text(client, cast), cast.kommunikator)
    assert received("text_published", text) == {"erik"}


def test_asking_for_approval_again_tells_the_approvers_again(client, cast):
    report = draft(client, cast)
    client.force_login(cast.arbetsgrupp)
    assert "Be om godkännande" in client.get(report_url(cast, report)).text
    response = report_step(client, cast, report, "report_request_approval", cast.arbetsgrupp)
    page = client.get(response["Location"]).text
    assert "4 ledamöter av startgruppen har fått besked." in page
    assert "Väntar på godkännande" in page
    assert LogEntry.objects.filter(
        text="Lägesrapport 1 skickades till startgruppen för godkännande."
    ).exists()
    for notice in Notice.objects.filter(kind="report_approval").select_related("recipient"):
        assert may_approve(report, notice.recipient) == ""
    report_step(client, cast, report, "report_request_approval", cast.arbetsgrupp)
    assert Notice.objects.filter(kind="report_approval", recipient=cast.kso).count() == 2


def test_an_approved_report_is_not_sent_for_approval(client, cast):
    report = draft(client, cast)
    report_step(client, cast, report, "report_approve", cast.kso)
    response = report_step(client, cast, report, "report_request_approval", cast.arbetsgrupp)
    assert "Rapporten är inte ett utkast längre." in client.get(response["Location"]).text
    assert not Notice.objects.filter(kind="report_approval").exists()


def test_an_author_in_the_startgrupp_gets_the_report_itself_not_a_second_notice(client, cast):
    report = draft(client, cast, by=cast.kommunchef)
    report_step(client, cast, report, "report_approve", cast.kso)
    report_step(client, cast, report, "report_send", cast.kommunikator)
    assert Notice.objects.filter(kind="report", recipient=cast.kommunchef).exists()
    assert not Notice.objects.filter(kind="report_sent").exists()


def test_a_confidential_case_is_named_by_its_number_only(client, cast, mailoutbox):
    cast.event.confidential = True
    cast.event.save(update_fields=["confidential"])
    assert "Granlunds" in cast.event.title + cast.event.company_name
    text = write_text(client, cast, body="Granlunds Snickeri AB har varslat 38 anställda.")
    ask_for_fact_check(client, cast, text)
    send_back(client, cast, text, cast.kso, reason="Granlunds har inte gått ut än.")
    # The mail leaves the reason out: the page the author opens holds it.
    client.force_login(cast.kommunikator)
    told = Notice.objects.get(kind="text_sent_back")
    assert "Granlunds har inte gått ut än." in client.get(told.path).text
    ask_for_fact_check(client, cast, text)
    step(client, cast, text, "press_text_fact_check", cast.utvecklingschef)
    step(client, cast, text, "press_text_approve", cast.kso)
    report = draft(client, cast, summary="Granlunds varslar 38.")
    report_step(client, cast, report, "report_request_approval", cast.arbetsgrupp)
    report_step(client, cast, report, "report_approve", cast.kso)
    report_step(client, cast, report, "report_send", cast.kommunchef)

    notices = list(Notice.objects.exclude(kind="report"))
    assert {n.kind for n in notices} == set(HAND_OFFS) - {"text_published"}
    for notice in notices:
        outbox.send(notice.pk)
        for secret in ("Granlunds", TITLE):
            assert secret not in notice.subject + notice.body
        assert cast.event.case_number in notice.subject
    assert mailoutbox
    for mail in mailoutbox:
        assert "Granlunds" not in mail.subject + mail.body
