"""The lägesrapport: compiled from the case file, approved by the startgrupp, sent once."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessment import services as sheet
from commsplan import services as comms
from commsplan.models import Channel
from events import reminders
from events.models import LogEntry, SituationPicture, Task
from events.services import report_task_progress
from notices import outbox
from notices.models import Notice
from reports.models import Report
from tests import sheets
from tests.conftest import wait_until

# A Wednesday in January, weeks from a change to or from summer time (the last Sundays of
# March and October): a week on the clock (accounts.moments.add_days) is 168 hours.
WINTER_WEDNESDAY = datetime(2026, 1, 14, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def fill_case_file(cast):
    """Something in every app: nulägesbild, sheet, tasks, contacts, tidplan, press text."""
    event = cast.event
    event.affected_employees = 38
    event.announced_on = date(2026, 11, 20)
    event.inform_politicians = True
    event.politician_emails = "presidiet@norsjo.example"
    event.report_interval_days = 7
    event.save()
    SituationPicture.objects.create(
        event=event, revision=1, author=cast.kommunchef, what_happened="Granlunds varslar 38."
    )
    sheets.a_row(cast, "Varslet gäller 38 tjänster i Bastuträsk.", "fakta")
    sheets.a_row(cast, "Fler underleverantörer kan drabbas.", "antaganden")
    sheets.a_row(cast, "Familjer kan flytta från orten.", "konsekvens_individ")
    sheets.a_row(cast, "Startgruppen har träffats.", "insatser")
    sheets.a_row(cast, "Träffpunkt på biblioteket.", "initiala")
    party = sheets.a_party(cast)
    sheet.log_contact(
        party, {"direction": "given", "text": "Informerade om träffpunkten."}, by=cast.arbetsgrupp
    )
    Task.objects.create(
        event=event,
        what="Boka lokal för informationsmöte",
        assignee=cast.arbetsgrupp,
        due_at=timezone.now() - timedelta(days=1),
    )
    plan = comms.plan_for(event)
    row = plan.rows.get(position=0)
    text = comms.create_text(
        row,
        {"title": "Kommunen stöttar de varslade", "lead": "", "body": "Stöd."}
        | {"contact": cast.kommunikator, "quoted": []},
        by=cast.kommunikator,
    )
    comms.fact_check(text, by=cast.kso)
    text.refresh_from_db()
    comms.approve(text, by=cast.kommunchef)
    text.refresh_from_db()
    comms.publish(
        text,
        channels=[Channel.objects.first()],
        at=timezone.now(),
        override_reason="Företaget bad oss gå ut samtidigt.",
        by=cast.kommunikator,
    )
    return event


def draft(client, cast, by=None, **data) -> Report:
    client.force_login(by or cast.arbetsgrupp)
    response = client.post(reverse("report_create", args=[cast.event.pk]), data)
    assert response.status_code == 302, response.text
    return Report.objects.latest("version")


def politicians_copy(client, report) -> bytes:
    url = reverse("report_pdf", args=[report.event_id, report.pk])
    return client.get(url, {"politiker": "1"}).content


def approve_and_send(client, cast, report):
    client.force_login(cast.kso)
    client.post(reverse("report_approve", args=[cast.event.pk, report.pk]))
    return client.post(reverse("report_send", args=[cast.event.pk, report.pk]))


def test_a_draft_holds_every_section_compiled_from_the_case_file(client, cast):
    fill_case_file(cast)
    report = draft(client, cast, summary="Läget är under kontroll.", decisions_needed="Budget.")
    page = client.get(reverse("report_detail", args=[cast.event.pk, report.pk])).text
    for expected in (
        "KS 2026/0001",  # header
        "Läget per",
        "Nästa rapport",
        "Sara Eklund",  # author
        "inte godkänd än",
        "Läget är under kontroll.",
        "Granlunds varslar 38.",  # nulägesbild
        "Berörda anställda: 38",  # scope
        "Individ: Hög",
        "Varslet lämnat 20 november 2026",  # varsel clock
        "minst 4 månader",
        "Varslet gäller 38 tjänster i Bastuträsk.",  # facts
        "Antaganden (inte bekräftat)",
        "Fler underleverantörer kan drabbas.",
        "Möjliga konsekvenser (bedömning, inte fakta)",
        "Individ: Familjer kan flytta från orten.",
        "Startgruppen har träffats.",  # measures taken
        "Träffpunkt på biblioteket.",  # planned
        "Försenade uppgifter",
        "Boka lokal för informationsmöte",
        "Ring omställningsfonden",  # open task
        "Informerade om träffpunkten.",  # contacts
        "Kommunen stöttar de varslade",  # published
        "Snarast",  # tidplan
        "Budget.",  # decisions needed
        "Arbetsgruppen har ingen ledare.",
        "Det här är den första rapporten",
    ):
        assert expected in page, expected
    assert LogEntry.objects.filter(text="Lägesrapport 1 påbörjades (utkast).").exists()


def test_changes_since_the_previous_report_are_exactly_those_made_in_between(client, cast):
    fill_case_file(cast)
    first = draft(client, cast)
    assert approve_and_send(client, cast, first).status_code == 302
    # In between: a new fact, a revised nulägesbild, a task done.
    sheets.a_row(cast, "Facket har begärt förhandling.", "fakta")
    SituationPicture.objects.create(
        event=cast.event, revision=2, author=cast.kommunchef, what_happened="Varsel om 40."
    )
    report_task_progress(
        cast.task, status="klar", feedback="Fonden ringd.", version=1, by=cast.task_holder
    )
    second = draft(client, cast)
    assert second.content["changes"] == [
        {
            "key": "picture",
            "title": "Nulägesbild",
            "added": ["Vad har hänt? Varsel om 40."],
            "gone": ["Vad har hänt? Granlunds varslar 38."],
        },
        {
            "key": "facts",
            "title": "Fakta",
            "added": ["Facket har begärt förhandling."],
            "gone": [],
        },
        {
            "key": "tasks_open",
            "title": "Öppna uppgifter",
            "added": [],
            "gone": ["Ring omställningsfonden – Lena Öberg"],
        },
    ]
    done = next(s for s in second.content["sections"] if s["key"] == "tasks_done")
    assert done["lines"] == ["Ring omställningsfonden – Lena Öberg. Återkoppling: Fonden ringd."]
    page = client.get(reverse("report_detail", args=[cast.event.pk, second.pk])).text
    assert "Förändringar sedan rapport 1" in page
    assert "<strong>Nytt:</strong> Facket har begärt förhandling." in page


def test_a_sent_report_never_changes(client, cast):
    fill_case_file(cast)
    report = draft(client, cast, summary="Första.")
    approve_and_send(client, cast, report)
    content = Report.objects.get().content
    sheets.a_row(cast, "Ny fakta efteråt.", "fakta")
    client.force_login(cast.arbetsgrupp)
    client.post(reverse("report_detail", args=[cast.event.pk, report.pk]), {"summary": "Ändrad"})
    report.refresh_from_db()
    assert report.content == content
    assert report.summary == "Första."


def test_politicians_get_neither_unpublishable_sections_nor_a_confidential_company(client, cast):
    fill_case_file(cast)
    cast.event.confidential = True
    cast.event.org_number = "556036-0793"
    cast.event.save()
    report = draft(client, cast, summary="Sammanfattat.", not_for_publication=["facts"])
    approve_and_send(client, cast, report)
    to_politicians = Notice.objects.get(email="presidiet@norsjo.example")
    to_chief = Notice.objects.get(recipient=cast.kommunchef, kind="report")
    # A confidential case's report is not mailed at all: the copy for the politicians is
    # what the reporter downloads and hands over.
    assert to_politicians.attachment is None
    assert to_chief.attachment is None
    politicians = pdf_text(politicians_copy(client, report))
    chief = pdf_text(client.get(reverse("report_pdf", args=[cast.event.pk, report.pk])).content)
    for secret in ("Granlunds", "556036-0793", "Varslet gäller 38 tjänster"):
        assert secret not in politicians
        assert secret not in to_politicians.subject + to_politicians.body
    assert "Sammanfattat." in politicians
    assert "[konfidentiellt företag]" in politicians
    assert "Granlunds" in chief
    assert "Varslet gäller 38 tjänster" in chief
    # Erik sent it, and is no recipient of his own sending.
    assert {r.email for r in report.recipients.all()} == {
        "anna@norsjo.example",
        "maria@norsjo.example",
        "jonas@norsjo.example",
        "presidiet@norsjo.example",
    }


def test_politicians_get_nothing_unless_the_startgrupp_decided_so(client, cast):
    fill_case_file(cast)
    cast.event.inform_politicians = False
    cast.event.save()
    approve_and_send(client, cast, draft(client, cast))
    assert not Notice.objects.filter(email="presidiet@norsjo.example").exists()
    assert Notice.objects.filter(kind="report").count() == 3  # not to Erik, who sent it


def test_only_a_startgrupp_member_other_than_the_author_approves(client, cast):
    report = draft(client, cast, by=cast.kommunchef)
    url = reverse("report_approve", args=[cast.event.pk, report.pk])
    for user in (cast.kommunchef, cast.arbetsgrupp):  # the author; not in the startgrupp
        client.force_login(user)
        client.post(url)
        report.refresh_from_db()
        assert report.status == "utkast"
    page = client.get(reverse("report_detail", args=[cast.event.pk, report.pk])).text
    assert "Bara en ledamot av startgruppen kan godkänna rapporten." in page
    client.force_login(cast.kommunikator)
    client.post(reverse("report_send", args=[cast.event.pk, report.pk]))
    assert not Notice.objects.filter(kind="report").exists()  # not approved yet
    client.post(url)
    report.refresh_from_db()
    assert (report.status, report.approved_by) == ("godkand", cast.kommunikator)
    assert LogEntry.objects.filter(text="Lägesrapport 1 godkändes.").exists()
    with pytest.raises(IntegrityError):
        Report.objects.filter(pk=report.pk).update(approved_by=cast.kommunchef)


@pytest.mark.time_machine(WINTER_WEDNESDAY, tick=True)
def test_sending_resets_the_reporting_clock_and_the_reminder_opens_a_new_draft(client, cast):
    cast.event.reporter = cast.arbetsgrupp
    cast.event.report_interval_days = 7
    cast.event.reporting_since = timezone.now() - timedelta(days=30)
    cast.event.save()
    approve_and_send(client, cast, draft(client, cast))
    cast.event.refresh_from_db()
    assert timezone.now() - cast.event.reporting_since < timedelta(minutes=1)
    reminders.scan()
    assert not Notice.objects.filter(kind="report_due").exists()  # a week after it
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        reminders.scan()
    reminder = Notice.objects.get(kind="report_due")
    assert reminder.path == reverse("report_create", args=[cast.event.pk])
    client.force_login(cast.arbetsgrupp)
    assert "Ny lägesrapport" in client.get(reminder.path).text


def test_the_pdf_holds_the_sections_and_swedish_letters_and_has_a_pdfa_variant(client, cast):
    fill_case_file(cast)
    report = draft(client, cast, summary="Åtgärder för de berörda i Bastuträsk.")
    url = reverse("report_pdf", args=[cast.event.pk, report.pk])
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "Lägesrapport 1",
        "Norsjö kommun",
        "Åtgärder för de berörda i Bastuträsk.",
        "Nulägesbild",
        "Genomförda åtgärder",
        "Försenade uppgifter",
        "Kontakter med externa parter",
        "Publicerad kommunikation",
        "Beslut som behövs",
        "Förändringar sedan",
    ):
        assert expected in text, expected
    archival = client.get(url + "?arkiv=1").content
    xmp = PdfReader(io.BytesIO(archival)).xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="2"' in xmp


def test_the_report_pages_take_the_same_queries_whatever_the_size_of_the_case(client, cast):
    def count(url_name, *args, method="get", data=None):
        client.force_login(cast.arbetsgrupp)
        with CaptureQueriesContext(connection) as queries:
            getattr(client, method)(reverse(url_name, args=[cast.event.pk, *args]), data)
        return len(queries)

    def sizes():
        report = draft(client, cast)
        return (
            count("report_create", method="post", data={"summary": "x"}),
            count("report_detail", report.pk),
            count("report_list"),
        )

    small = sizes()
    for i in range(30):
        sheets.a_row(cast, f"Fakta {i}", "fakta")
        Task.objects.create(event=cast.event, what=f"Uppgift {i}", assignee=cast.arbetsgrupp)
    assert sizes() == small


def test_sending_twice_sends_once(
    client, cast_live, municipality_defaults, celery_worker, smtp_server
):
    cast = cast_live
    report = draft(client, cast)
    approve_and_send(client, cast, report)
    client.post(reverse("report_send", args=[cast.event.pk, report.pk]))
    assert wait_until(lambda: len(smtp_server.messages) >= 5)
    assert wait_until(lambda: not Notice.objects.filter(sent_at__isnull=True).exists())
    reports = [m for m in smtp_server.messages if m["Subject"].startswith("Lägesrapport – ")]
    # Erik sent it: the other three of the startgrupp get it.
    assert sorted(m["To"] for m in reports) == [
        "anna@norsjo.example",
        "jonas@norsjo.example",
        "maria@norsjo.example",
    ]
    # Sara wrote it: she is told that it was approved and that it went out.
    to_sara = [m["Subject"] for m in smtp_server.messages if m["To"] == "sara@norsjo.example"]
    assert sorted(subject.split(" – ")[0] for subject in to_sara) == [
        "Lägesrapport godkänd",
        "Lägesrapport skickad",
    ]
    attachment = next(reports[0].iter_attachments())
    assert attachment.get_filename() == "lagesrapport-1.pdf"


def test_a_long_section_is_summarised_and_points_to_the_case_file(client, cast):
    for i in range(34):
        sheets.a_row(cast, f"Faktarad nummer {i}", "fakta")
    report = draft(client, cast)
    page = client.get(reverse("report_detail", args=[cast.event.pk, report.pk])).text
    assert page.count("Faktarad nummer") == 30
    assert f"… och 4 till i ärendet ({cast.event.case_number})." in page


def test_a_draft_saved_again_after_the_approver_opened_it_is_not_approved_unseen(client, cast):
    report = draft(client, cast, by=cast.kommunchef)
    seen = report.revision
    Report.objects.filter(pk=report.pk).update(revision=report.revision + 1)
    client.force_login(cast.kommunikator)
    url = reverse("report_approve", args=[cast.event.pk, report.pk])
    client.post(url, {"revision": seen})
    report.refresh_from_db()
    assert report.status == "utkast"
    page = client.get(reverse("report_detail", args=[cast.event.pk, report.pk])).text
    assert "Utkastet har sparats om sedan du öppnade det." in page
    client.post(url, {"revision": report.revision})
    report.refresh_from_db()
    assert report.status == "godkand"


def test_what_happens_between_compiling_and_sending_is_in_the_next_report(client, cast):
    fill_case_file(cast)
    first = draft(client, cast)
    # Done, and a contact dated last week but logged now, while the first awaits approval.
    report_task_progress(cast.task, status="klar", feedback="Klart.", version=1, by=cast.kso)
    sheet.log_contact(
        sheets.a_party(cast),
        {
            "direction": "received",
            "text": "Facket hörde av sig.",
            "happened_at": timezone.now() - timedelta(days=7),
        },
        by=cast.arbetsgrupp,
    )
    approve_and_send(client, cast, first)
    second = draft(client, cast)
    lines = {s["key"]: s["lines"] for s in second.content["sections"]}
    assert lines["tasks_done"] == ["Ring omställningsfonden – Lena Öberg. Återkoppling: Klart."]
    assert any("Facket hörde av sig." in line for line in lines["contacts"])


def test_a_short_confidential_company_name_is_redacted_as_a_word(client, cast):
    fill_case_file(cast)
    cast.event.confidential = True
    cast.event.company_name = "ABB AB"
    cast.event.save()
    report = draft(client, cast, summary="ABB varslar 40; ABBs underleverantörer oroliga. Abbe.")
    approve_and_send(client, cast, report)
    body = pdf_text(politicians_copy(client, report))
    assert "ABB" not in body
    assert "Abbe." in body  # a word that merely begins with the letters stays


def test_a_report_reaches_a_member_who_turned_reminder_mail_off(client, cast, mailoutbox):
    fill_case_file(cast)
    cast.kommunchef.email_notifications = False
    cast.kommunchef.save()
    approve_and_send(client, cast, draft(client, cast))
    report = Notice.objects.get(recipient=cast.kommunchef, kind="report")
    assert outbox.send(report.pk) is True
    assert [m.to for m in mailoutbox] == [[cast.kommunchef.email]]


def test_whoever_rewrote_the_draft_does_not_approve_it(client, cast):
    report = draft(client, cast)
    client.force_login(cast.kommunchef)
    detail = reverse("report_detail", args=[cast.event.pk, report.pk])
    assert client.post(detail, {"summary": "Annas egen version."}).status_code == 302
    client.post(reverse("report_approve", args=[cast.event.pk, report.pk]))
    report.refresh_from_db()
    assert (report.summary, report.status) == ("Annas egen version.", "utkast")
    assert "Du ändrade utkastet senast." in client.get(detail).text
    client.force_login(cast.kso)
    client.post(reverse("report_approve", args=[cast.event.pk, report.pk]))
    report.refresh_from_db()
    assert report.status == "godkand"


def sections_listing(report, what) -> list[str]:
    """The keys of the sections whose lines name `what`, once per line."""
    return [
        section["key"]
        for section in report.content["sections"]
        for line in section["lines"]
        if what in line
    ]


def test_a_delegated_measure_is_listed_once_where_its_tasks_status_puts_it(client, cast):
    sheets.a_delegated_row(cast, "Boka lokal", status="klar")
    sheets.a_delegated_row(cast, "Ring Arbetsförmedlingen")
    sheets.a_delegated_row(cast, "Ordna träffpunkt", "arbetsplan", status="pagar")
    sheets.a_delegated_row(
        cast, "Skriv webbtext", "langsiktiga", due_at=timezone.now() - timedelta(days=1)
    )
    sheets.a_delegated_row(cast, "Hyr buss", status="struken")
    report = draft(client, cast)
    assert sections_listing(report, "Boka lokal") == ["measures_taken"]
    assert sections_listing(report, "Ring Arbetsförmedlingen") == ["measures_planned"]
    assert sections_listing(report, "Ordna träffpunkt") == ["measures_planned"]
    # Late: among the late tasks, where a reader looks for what is behind.
    assert sections_listing(report, "Skriv webbtext") == ["tasks_overdue"]
    assert sections_listing(report, "Hyr buss") == []
    # A task that came from no row is listed as a task, as before.
    assert sections_listing(report, "Ring omställningsfonden") == ["tasks_open"]
    lines = {s["key"]: s["lines"] for s in report.content["sections"]}
    assert lines["measures_taken"] == [
        "Boka lokal (vem: Erik Nordström; uppgift: klar). Återkoppling: Klart."
    ]
    assert (
        "Ring Arbetsförmedlingen (vem: Erik Nordström; uppgift: ny)" in (lines["measures_planned"])
    )
    page = client.get(reverse("report_detail", args=[cast.event.pk, report.pk])).text
    for what in ("Boka lokal", "Ring Arbetsförmedlingen", "Ordna träffpunkt", "Skriv webbtext"):
        assert page.count(what) == 1, what
    assert "Hyr buss" not in page
    assert "påbörjad" not in page


def test_scenarios_are_never_planned_measures(client, cast):
    sheets.a_row(cast, "Träffpunkt på biblioteket.", "initiala")
    new_company = sheets.a_row(cast, "Nytt företag etablerar sig", "scenario")
    elsewhere = sheets.a_row(cast, "Personal erbjuds arbete på annan ort", "scenario")
    sheet.edit_row(elsewhere, {"what": elsewhere.what, "status": "klar"}, version=1, by=cast.kso)
    no_buyer = sheets.a_row(cast, "Ingen köpare hittas", "scenario")
    sheet.edit_row(no_buyer, {"what": no_buyer.what, "status": "struken"}, version=1, by=cast.kso)
    book = sheet.sheet_of(cast.event)
    sheet.add_row(book, "scenario", {"what": "Matcha personal"}, parent=new_company, by=cast.kso)
    sheet.add_row(book, "scenario", {"what": "Sälj maskinerna"}, parent=no_buyer, by=cast.kso)
    offer = sheet.add_row(
        book, "scenario", {"what": "Erbjud lokaler"}, parent=new_company, by=cast.kso
    )
    offer = sheet.delegate_row(
        offer, version=1, by=cast.arbetsgrupp, what="Erbjud lokaler", assignee=cast.kso
    )
    report_task_progress(offer.task, status="pagar", feedback="", version=1, by=cast.kso)
    report = draft(client, cast)
    lines = {s["key"]: s["lines"] for s in report.content["sections"]}
    assert lines["measures_planned"] == ["Träffpunkt på biblioteket."]
    assert lines["measures_taken"] == []
    # In their own section, each chain after its scenario; a struck one and its chain gone.
    assert lines["contingency"] == [
        "Nytt företag etablerar sig",
        "Nytt företag etablerar sig → Matcha personal",
        "Nytt företag etablerar sig → Erbjud lokaler (vem: Erik Nordström; uppgift: pågår)",
        "Personal erbjuds arbete på annan ort (klar)",
    ]
    assert sections_listing(report, "Erbjud lokaler") == ["contingency"]
    page = client.get(reverse("report_detail", args=[cast.event.pk, report.pk])).text
    planned = page[page.index('id="section-measures_planned"') :]
    planned = planned[: planned.index("</section>")]
    assert "Nytt företag" not in planned
    assert "Omfallsplanering" in page
