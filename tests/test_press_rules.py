"""Issue 13, items 4 and 5, through HTTP: four eyes on press texts (quoted people approve
their quotes; author and last editor never approve; an edit clears the quote approvals),
Markdown bodies whose paragraphs survive on screen and in the PDF, no hyphenated names in
the PDF, and the company-first rule ahead of time (planned, then confirmed; a reminder at
the planned time; several channels in one publication; the row becomes Publicerad)."""

import io
import re
from datetime import timedelta

import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.moments import moment_text
from commsplan.models import Channel, CommsPlan, Quote
from commsplan.services import scan_company_announcements
from commsplan.tasks import remind_company_announcements
from events.models import LogEntry
from notices.models import Notice
from tests.test_commsplan import publish, snarast, step, write_text
from tests.test_waiting import item_for, who_sees

TITLE = "Kommunen stöttar de varslade på Granlunds"


def text_url(cast, text):
    return reverse("press_text_detail", args=[cast.event.pk, text.pk])


def quote_url(cast, text):
    return reverse("press_text_quote", args=[cast.event.pk, text.pk])


def shown(client, response) -> str:
    """The page a transition led to, with its message."""
    return client.get(response["Location"]).text


def approve_quote(client, cast, text, by, based_on=None):
    client.force_login(by)
    based_on = text.revision if based_on is None else based_on
    return client.post(quote_url(cast, text), {"based_on": based_on})


def edit(client, cast, text, by, body):
    client.force_login(by)
    data = {
        "title": text.title,
        "lead": "",
        "body": body,
        "contact": text.contact_id,
        "quoted": [quote.person_id for quote in text.quotes.all()],
    }
    response = client.post(reverse("press_text_edit", args=[cast.event.pk, text.pk]), data)
    assert response.status_code == 302, response.text
    text.refresh_from_db()


def told(kind, user) -> int:
    return Notice.objects.filter(kind=kind, recipient=user).count()


# Four eyes ----------------------------------------------------------------------------


def test_a_quoted_person_approves_their_quote_before_the_text_can_be_approved(client, cast):
    text = write_text(client, cast, quoted=[cast.kso.pk])
    # Told when added, with a link to the page where the quote is approved.
    notice = Notice.objects.get(kind="text_quote", recipient=cast.kso)
    assert notice.path == quote_url(cast, text)
    assert cast.event.case_number in notice.body

    step(client, cast, text, "press_text_fact_check", cast.utvecklingschef)
    assert text.status == "faktagranskad"
    # Told again now that it is checked; the approvers wait for the quote.
    assert told("text_quote", cast.kso) == 2
    assert not Notice.objects.filter(kind="text_approval").exists()

    response = step(client, cast, text, "press_text_approve", cast.kommunchef)
    assert text.status == "faktagranskad"
    page = shown(client, response)
    assert "Texten citerar Erik Nordström, som inte har godkänt sitt citat än." in page
    assert "väntar på att Erik Nordström godkänner sitt citat" in page

    client.force_login(cast.kso)
    page = client.get(notice.path).text
    assert TITLE in page
    assert "Godkänn mitt citat" in page
    response = approve_quote(client, cast, text, cast.kso)
    assert response.status_code == 302
    assert "Ditt citat är godkänt." in shown(client, response)
    assert Quote.objects.get(text=text, person=cast.kso).approved_at is not None
    assert LogEntry.objects.filter(
        event=cast.event, text=f"Erik Nordström godkände sitt citat i pressmeddelandet ”{TITLE}”."
    ).exists()
    # The last quote approved: now the approvers are asked (not Erik, who just acted).
    assert {n.recipient for n in Notice.objects.filter(kind="text_approval")} == {cast.kommunchef}

    step(client, cast, text, "press_text_approve", cast.kommunchef)
    assert (text.status, text.approved_by) == ("godkand", cast.kommunchef)


def test_only_the_quoted_person_opens_the_quote_page_even_from_outside_the_case(client, cast):
    # Olle is in no group of the case: quoted, he reads the text and approves his quote.
    text = write_text(client, cast, quoted=[cast.outsider.pk])
    client.force_login(cast.outsider)
    assert client.get(quote_url(cast, text)).status_code == 200
    assert client.get(text_url(cast, text)).status_code == 404
    assert approve_quote(client, cast, text, cast.outsider).status_code == 302
    assert Quote.objects.get(text=text).approved_at is not None
    for persona in (cast.kommunchef, cast.task_holder):
        client.force_login(persona)
        assert client.get(quote_url(cast, text)).status_code == 404
        assert client.post(quote_url(cast, text), {}).status_code == 404


def test_the_author_and_the_last_editor_are_refused_approval(client, cast):
    text = write_text(client, cast)
    edit(client, cast, text, cast.kommunchef, "Annas omskrivning.")
    step(client, cast, text, "press_text_fact_check", cast.utvecklingschef)
    assert text.status == "faktagranskad"
    # Asked: the startgrupp other than author, last editor and fact-checker.
    assert {n.recipient for n in Notice.objects.filter(kind="text_approval")} == {cast.kso}

    for who, why in [
        (cast.kommunikator, "Du skrev texten själv."),
        (cast.kommunchef, "Du ändrade texten senast."),
        (cast.utvecklingschef, "Du faktagranskade texten."),
    ]:
        response = step(client, cast, text, "press_text_approve", who)
        assert text.status == "faktagranskad"
        page = shown(client, response)
        assert why in page
        assert 'action="' + reverse("press_text_approve", args=[cast.event.pk, text.pk]) not in (
            page
        )
    step(client, cast, text, "press_text_approve", cast.kso)
    assert (text.status, text.approved_by) == ("godkand", cast.kso)


def test_an_edit_clears_the_quote_approvals(client, cast):
    text = write_text(client, cast, quoted=[cast.kso.pk, cast.kommunchef.pk])
    read_at = text.revision
    approve_quote(client, cast, text, cast.kso)
    approve_quote(client, cast, text, cast.kommunchef)
    assert not Quote.objects.filter(text=text, approved_at__isnull=True).exists()

    edit(client, cast, text, cast.kommunikator, "Erik Nordström säger nu något annat.")
    assert Quote.objects.filter(text=text, approved_at__isnull=True).count() == 2
    assert "de citerade måste godkänna sina citat igen" in LogEntry.objects.first().text
    client.force_login(cast.kommunikator)
    assert (
        "väntar på att Erik Nordström godkänner sitt citat"
        in client.get(text_url(cast, text)).text
    )
    # An approval from the page that showed the old words is refused.
    response = approve_quote(client, cast, text, cast.kso, based_on=read_at)
    assert "Texten har ändrats sedan du läste den." in shown(client, response)
    assert Quote.objects.get(text=text, person=cast.kso).approved_at is None


def save_unchanged(client, cast, text, by):
    """Ändra texten, saved with every word as it is stored."""
    client.force_login(by)
    data = {
        "title": text.title,
        "lead": text.lead,
        "body": text.body,
        "contact": text.contact_id,
        "quoted": [quote.person_id for quote in text.quotes.all()],
        "based_on": text.revision,
    }
    return client.post(reverse("press_text_edit", args=[cast.event.pk, text.pk]), data)


def test_a_save_that_changes_nothing_keeps_the_approvals_and_the_status(client, cast):
    text = write_text(client, cast, quoted=[cast.kso.pk])
    approve_quote(client, cast, text, cast.kso)
    step(client, cast, text, "press_text_fact_check", cast.utvecklingschef)
    assert text.status == "faktagranskad"
    logged, notified = LogEntry.objects.count(), Notice.objects.count()

    response = save_unchanged(client, cast, text, cast.kommunikator)
    assert response.status_code == 302
    page = shown(client, response)
    assert "Inget ändrades" in page
    assert "Texten är sparad." not in page
    text.refresh_from_db()
    assert (text.status, text.fact_checked_by) == ("faktagranskad", cast.utvecklingschef)
    assert Quote.objects.get(text=text, person=cast.kso).approved_at is not None
    assert "väntar på att Erik Nordström godkänner sitt citat" not in page
    assert (LogEntry.objects.count(), Notice.objects.count()) == (logged, notified)


def asked_again(user) -> list:
    return list(
        Notice.objects.filter(
            kind="text_quote", recipient=user, body__contains="har ändrat pressmeddelandet"
        )
    )


def test_a_real_edit_asks_each_cleared_quote_again(client, cast):
    # Jonas, the author, quotes himself too: his own save approves his quote, unasked.
    quoted = [cast.kso.pk, cast.outsider.pk, cast.kommunikator.pk]
    text = write_text(client, cast, quoted=quoted)
    approve_quote(client, cast, text, cast.kso)
    approve_quote(client, cast, text, cast.outsider)

    edit(client, cast, text, cast.kommunikator, "Erik Nordström säger nu något annat.")
    assert Quote.objects.filter(text=text, approved_at__isnull=True).count() == 2
    for person in (cast.kso, cast.outsider):
        [notice] = asked_again(person)
        assert notice.path == quote_url(cast, text)
        assert (
            f"Jonas Berg har ändrat pressmeddelandet som citerar dig i ärendet "
            f"{cast.event.case_number}: läs det igen och godkänn ditt citat." in notice.body
        )
    assert asked_again(cast.kommunikator) == []

    # Olle, outside the case, finds the new words through the notice and approves them.
    [notice] = asked_again(cast.outsider)
    client.force_login(cast.outsider)
    page = client.get(notice.path)
    assert page.status_code == 200
    assert "Erik Nordström säger nu något annat." in page.text
    approve_quote(client, cast, text, cast.outsider)
    approve_quote(client, cast, text, cast.kso)

    edit(client, cast, text, cast.kommunikator, "Och nu något tredje.")
    assert len(asked_again(cast.kso)) == len(asked_again(cast.outsider)) == 2
    assert asked_again(cast.kommunikator) == []


def test_vantar_pa_dig_agrees_with_the_rule(client, cast):
    text = write_text(client, cast, quoted=[cast.kso.pk, cast.outsider.pk])
    quote = f"Godkänn ditt citat i pressmeddelandet ”{TITLE}”"
    approve = f"Godkänn pressmeddelandet ”{TITLE}”"
    assert who_sees(client, cast, quote) == {"kso", "outsider"}  # Olle too, from outside
    assert item_for(client, cast.outsider, quote).url == quote_url(cast, text)
    step(client, cast, text, "press_text_fact_check", cast.utvecklingschef)
    assert who_sees(client, cast, approve) == set()  # the quotes first
    approve_quote(client, cast, text, cast.kso)
    approve_quote(client, cast, text, cast.outsider)
    assert who_sees(client, cast, quote) == set()
    # Those who may approve: not the author, not the fact-checker.
    assert who_sees(client, cast, approve) == {"kommunchef", "kso"}


# Markdown and the PDF -------------------------------------------------------------------

TWO_PARAGRAPHS_AND_A_LIST = (
    "Första stycket om varslet.\n"
    "- Träffpunkt på biblioteket\n"
    "- Rådgivning om omställning\n"
    "\n"
    "Andra stycket om vad som händer nu."
)


def pdf_text(client, cast, text) -> str:
    response = client.get(reverse("press_text_pdf", args=[cast.event.pk, text.pk]))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_two_paragraphs_and_a_list_keep_both_paragraphs_on_screen_and_in_the_pdf(client, cast):
    text = write_text(client, cast, body=TWO_PARAGRAPHS_AND_A_LIST)
    page = client.get(text_url(cast, text)).text
    assert "<p>Första stycket om varslet.</p>" in page
    assert "<li>Träffpunkt på biblioteket</li>" in page
    assert "<p>Andra stycket om vad som händer nu.</p>" in page

    lines = pdf_text(client, cast, text).splitlines()
    first = next(line for line in lines if "Första stycket" in line)
    second = next(line for line in lines if "Andra stycket" in line)
    assert first.strip() == "Första stycket om varslet."
    assert second.strip() == "Andra stycket om vad som händer nu."
    assert any("Träffpunkt på biblioteket" in line and "stycket" not in line for line in lines)


def test_the_preview_shows_the_body_as_it_will_look_without_saving(client, cast):
    client.force_login(cast.kommunikator)
    row = snarast(client, cast)
    url = reverse("press_text_create", args=[cast.event.pk, row.pk])
    typed = {"title": "", "body": TWO_PARAGRAPHS_AND_A_LIST, "preview": "1"}
    # Without JavaScript: the whole page, what was typed kept, no errors for empty fields.
    response = client.post(url, typed)
    assert response.status_code == 200
    assert "<p>Andra stycket om vad som händer nu.</p>" in response.text
    assert "Första stycket om varslet." in response.text  # still in the field
    assert "Skriv en rubrik." not in response.text
    # As the body is typed (htmx): the preview alone.
    response = client.post(url, typed, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section id="preview"')
    assert "<p>Första stycket om varslet.</p>" in response.text
    assert "<html" not in response.text
    assert not cast.event.commsplan.rows.filter(texts__isnull=False).exists()


def test_no_name_is_hyphenated_in_the_pdf(client, cast):
    # The name after words of every length: with hyphenation, a few land at a line's end
    # and split as "Nord-ström" (WeasyPrint hyphenates with U+2010).
    verbs = ["i", "på", "och", "att", "sade", "säger", "menar", "skriver"]
    body = " ".join(f"{verbs[i % 8]} Erik Nordström" for i in range(60))
    text = write_text(client, cast, body=body, contact=cast.kso.pk)
    extracted = pdf_text(client, cast, text)
    assert not re.search(r"Nord\w*[-‐\u00ad]\s*\n", extracted)
    # Every one whole: 60 in the body and the contact person's.
    assert extracted.count("Nordström") == 61
    assert "Erik Nordström, Kommunstyrelsens ordförande" in extracted


# The company first, ahead of time ------------------------------------------------------


def announce(client, cast, state, at, where=""):
    client.force_login(cast.kommunikator)
    data = {"state": state, "at": timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")}
    return client.post(
        reverse("company_announcement", args=[cast.event.pk]), {**data, "where": where}
    )


def approved(client, cast):
    text = write_text(client, cast)
    step(client, cast, text, "press_text_fact_check", cast.kso)
    step(client, cast, text, "press_text_approve", cast.kommunchef)
    assert text.status == "godkand"
    return text


def test_publishing_is_refused_until_the_companys_announcement_is_confirmed(client, cast):
    text = approved(client, cast)
    response = publish(client, cast, text)
    assert "Företagets besked är inte registrerat" in response.text

    planned = (timezone.localtime() + timedelta(hours=3)).replace(second=0, microsecond=0)
    assert announce(client, cast, "planerat", planned, "Företagets webbplats").status_code == 302
    plan = CommsPlan.objects.get(event=cast.event)
    assert (plan.company_planned_at, plan.company_announced_at) == (planned, None)
    page = client.get(reverse("commsplan", args=[cast.event.pk])).text
    assert "Företaget planerar att gå ut" in page
    assert "Bekräfta företagets besked" in page

    response = publish(client, cast, text)
    assert response.status_code == 200
    assert f"Företagets besked är planerat till {moment_text(planned)} men inte bekräftat" in (
        response.text
    )
    assert text.status == "godkand"

    went_out = timezone.localtime() - timedelta(minutes=5)
    assert announce(client, cast, "gatt-ut", went_out, "Personalmöte").status_code == 302
    assert publish(client, cast, text).status_code == 302
    assert (text.status, text.override_reason) == ("publicerad", "")


def test_a_planned_time_passed_or_a_made_one_ahead_is_refused_and_kept(client, cast):
    past = timezone.localtime() - timedelta(hours=1)
    response = announce(client, cast, "planerat", past, "Webben")
    assert response.status_code == 200
    assert "Den tiden har redan passerat." in response.text
    assert 'value="Webben"' in response.text
    ahead = timezone.localtime() + timedelta(hours=1)
    response = announce(client, cast, "gatt-ut", ahead, "")
    assert "Den tiden har inte kommit än." in response.text
    assert "Ange var företaget gick ut med informationen." in response.text
    plan = CommsPlan.objects.get(event=cast.event)
    assert (plan.company_planned_at, plan.company_announced_at) == (None, None)


def test_the_kommunikator_is_asked_at_the_planned_time_once(client, cast):
    planned = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    announce(client, cast, "planerat", planned, "Presskonferens")
    with time_machine.travel(planned - timedelta(minutes=1), tick=False):
        assert scan_company_announcements() == 0
    with time_machine.travel(planned + timedelta(minutes=1), tick=False):
        assert remind_company_announcements() == 1  # the beat's task
        assert scan_company_announcements() == 0
    with time_machine.travel(planned + timedelta(days=2), tick=False):
        assert scan_company_announcements() == 0
    reminder = Notice.objects.get(kind="company_announcement_due")
    assert reminder.recipient == cast.kommunikator
    assert reminder.subject == f"Har företaget gått ut? – {cast.event.case_number}"
    assert reminder.occasion == planned
    assert reminder.path == reverse("company_announcement", args=[cast.event.pk])
    assert "Har företaget gått ut?" in reminder.body
    entry = settings.CELERY_BEAT_SCHEDULE["remind-company-announcements"]
    assert entry["task"] == "commsplan.tasks.remind_company_announcements"


def test_confirming_cancels_a_reminder_not_yet_mailed(client, cast):
    planned = (timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    announce(client, cast, "planerat", planned)
    with time_machine.travel(planned + timedelta(minutes=1), tick=False):
        scan_company_announcements()
        announce(client, cast, "gatt-ut", planned, "Företagets webbplats")
        assert scan_company_announcements() == 0
    assert Notice.objects.get(kind="company_announcement_due").cancelled_at is not None


def test_one_publication_records_several_channels_and_the_row_shows_publicerad(client, cast):
    text = approved(client, cast)
    announce(client, cast, "gatt-ut", timezone.now() - timedelta(hours=1), "Personalmöte")
    client.force_login(cast.kommunikator)
    form_page = client.get(reverse("press_text_publish", args=[cast.event.pk, text.pk])).text
    assert "Kanaler" in form_page
    names = ["Webbplats (norsjo.se)", "Lokaltidning", "Radio"]
    channels = [Channel.objects.get(name=name).pk for name in names]
    assert publish(client, cast, text, channels=channels).status_code == 302
    assert sorted(c.name for c in text.published_channels.all()) == sorted(names)
    assert "publicerades i Webbplats (norsjo.se), Lokaltidning, Radio" in (
        LogEntry.objects.first().text
    )
    text.row.refresh_from_db()
    assert text.row.get_status_display() == "Publicerad"
    page = client.get(reverse("commsplan", args=[cast.event.pk])).text
    assert 'Snarast <span class="status-label">· Publicerad</span>' in page
    assert "Webbplats (norsjo.se), Lokaltidning, Radio" in page


def test_publishing_with_no_channel_is_refused_and_keeps_what_was_typed(client, cast):
    text = approved(client, cast)
    response = publish(client, cast, text, channels=[], override_reason="Akut läge.")
    assert response.status_code == 200
    assert "Välj var texten publicerades." in response.text
    assert "Akut läge." in response.text
    assert text.status == "godkand"
