"""The communication plan through HTTP: prefilled from the municipality's own plan, edited
per event, and the press-text workflow with the plan's rules."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commsplan.models import Channel, CommsPlan, Municipality, PressText, TimetableDefault
from events.models import LogEntry
from tests.personas import create_event_row

BODY = "Norsjö kommun har fått besked om varslet.\n\nVi träffar de anställda på måndag."


def plan_url(cast):
    return reverse("commsplan", args=[cast.event.pk])


def snarast(client, cast):
    """The Snarast row of cast.event's plan (made when the plan page is first opened)."""
    client.get(plan_url(cast))
    return CommsPlan.objects.get(event=cast.event).rows.get(when="Snarast")


def write_text(client, cast, *, by=None, **fields) -> PressText:
    client.force_login(by or cast.kommunikator)
    row = snarast(client, cast)
    data = {
        "title": "Kommunen stöttar de varslade på Granlunds",
        "lead": "Norsjö kommun samlar krafterna efter varslet.",
        "body": BODY,
        "contact": cast.kommunikator.pk,
        **fields,
    }
    response = client.post(reverse("press_text_create", args=[cast.event.pk, row.pk]), data)
    assert response.status_code == 302, response.text
    return PressText.objects.latest("created_at")


def step(client, cast, text, name, user, data=None):
    client.force_login(user)
    response = client.post(reverse(name, args=[cast.event.pk, text.pk]), data or {})
    text.refresh_from_db()
    return response


def approved_text(client, cast) -> PressText:
    text = write_text(client, cast)
    step(client, cast, text, "press_text_fact_check", cast.kso)
    step(client, cast, text, "press_text_approve", cast.kommunchef)
    assert text.status == "godkand"
    return text


def publish(client, cast, text, **data):
    channel = Channel.objects.get(name="Webbplats (norsjo.se)")
    at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    return step(
        client,
        cast,
        text,
        "press_text_publish",
        cast.kommunikator,
        {"channels": [channel.pk], "at": at, **data},
    )


def test_the_plan_is_prefilled_with_the_municipalitys_own_answers(client, cast):
    client.force_login(cast.lasare)
    page = client.get(plan_url(cast)).text
    assert "Norsjö kommun använder främst kanaler som inte medför någon kostnad." in page
    assert "Undvika informationsgluggar – ingen information är också information." in page
    rows = CommsPlan.objects.get(event=cast.event).rows.all()
    assert [row.when for row in rows] == [
        "Snarast",
        "Snarast efter",
        "Löpande",
        "Förändring av förändringen",
        "Uppföljning",
    ]
    first = rows[0]
    assert [str(c) for c in first.channels.all()] == [
        "Webbplats (norsjo.se)",
        "Lokaltidning",
        "Radio",
    ]
    assert [str(g) for g in first.target_groups.all()] == [
        "Medborgare",
        "Företaget",
        "Drabbade individer",
        "Lokala företag",
        "Internt",
    ]
    # The plan names functions; the event's rows name the people who hold them.
    assert (first.written_by, first.oral_by) == (cast.kommunikator, cast.kso)


def test_another_municipality_gets_its_own_defaults(client, cast):
    Municipality.objects.filter(pk=1).update(name="Malå kommun", cost="Vi köper annonser.")
    TimetableDefault.objects.filter(position=0).update(when="Omedelbart")
    client.force_login(cast.kommunikator)
    page = client.get(plan_url(cast)).text
    assert "Vi köper annonser." in page
    assert "Omedelbart" in page


def test_editing_the_plan_changes_this_event_only_and_is_logged(client, cast):
    client.force_login(cast.kommunikator)
    url = reverse("commsplan_edit", args=[cast.event.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    response = client.post(url, {**data, "cost": "Annons i Norran, 4 000 kr."})
    assert response.status_code == 302
    assert "Annons i Norran, 4 000 kr." in client.get(plan_url(cast)).text
    assert "Norsjö kommun använder främst" in Municipality.get().cost
    assert LogEntry.objects.filter(
        event=cast.event, text="Kommunikationsplanen ändrades: Vad kostar det?"
    ).exists()


def test_a_tidplan_row_is_edited_and_bad_input_keeps_what_was_typed(client, cast):
    client.force_login(cast.kommunikator)
    row = snarast(client, cast)
    url = reverse("tidplan_row_edit", args=[cast.event.pk, row.pk])
    radio = Channel.objects.get(name="Radio")
    data = {
        "message": "Vad har hänt och vad gör kommunen nu.",
        "channels": [radio.pk],
        "target_groups": [],
        "written_by": cast.kommunikator.pk,
        "oral_by": cast.kso.pk,
        "planned_on": "inte ett datum",
        "status": "pagar",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Fyll i ett giltigt datum." in response.text
    assert "Vad har hänt och vad gör kommunen nu." in response.text
    response = client.post(url, {**data, "planned_on": "2026-11-24"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert list(row.channels.all()) == [radio]
    assert (row.status, str(row.planned_on)) == ("pagar", "2026-11-24")
    assert "Tidplanen, raden Snarast, ändrades" in LogEntry.objects.first().text


def test_a_text_goes_from_draft_to_published_and_each_step_is_logged(client, cast):
    text = write_text(client, cast)
    assert (text.status, text.author) == ("utkast", cast.kommunikator)
    step(client, cast, text, "press_text_fact_check", cast.kso)
    assert (text.status, text.fact_checked_by) == ("faktagranskad", cast.kso)
    step(client, cast, text, "press_text_approve", cast.kommunchef)
    assert (text.status, text.approved_by) == ("godkand", cast.kommunchef)
    client.force_login(cast.kommunikator)
    announcement = {
        "state": "gatt-ut",
        "at": "2026-11-20T10:00",
        "where": "Personalmöte och företagets webbplats",
    }
    client.post(reverse("company_announcement", args=[cast.event.pk]), announcement)
    assert publish(client, cast, text).status_code == 302
    assert text.status == "publicerad"
    assert [c.name for c in text.published_channels.all()] == ["Webbplats (norsjo.se)"]
    assert text.override_reason == ""
    log = [
        entry.text for entry in LogEntry.objects.filter(event=cast.event).order_by("created_at")
    ]
    assert log[-5:-1] == [
        "Pressmeddelandet ”Kommunen stöttar de varslade på Granlunds” skrevs för raden Snarast.",
        "Pressmeddelandet ”Kommunen stöttar de varslade på Granlunds” faktagranskades.",
        "Pressmeddelandet ”Kommunen stöttar de varslade på Granlunds” godkändes.",
        "Företagets eget besked registrerades: 20 november 2026 kl. 10:00, Personalmöte och "
        "företagets webbplats.",
    ]
    assert log[-1].startswith(
        "Pressmeddelandet ”Kommunen stöttar de varslade på Granlunds” "
        "publicerades i Webbplats (norsjo.se)"
    )
    page = client.get(reverse("press_text_detail", args=[cast.event.pk, text.pk])).text
    assert "Faktagranskad av Erik Nordström" in page
    assert "Godkänd av Anna Lindqvist" in page


def test_the_author_cannot_fact_check_their_own_text(client, cast):
    text = write_text(client, cast)
    response = step(client, cast, text, "press_text_fact_check", cast.kommunikator)
    assert response.status_code == 302
    assert text.status == "utkast"
    page = client.get(response["Location"]).text
    assert "Någon annan måste faktagranska den." in page


def test_a_draft_cannot_skip_the_fact_check(client, cast):
    text = write_text(client, cast)
    step(client, cast, text, "press_text_approve", cast.kommunchef)
    assert text.status == "utkast"
    assert publish(client, cast, text).status_code == 200
    assert text.status == "utkast"


def test_publishing_needs_the_company_announcement_or_a_logged_reason(client, cast):
    text = approved_text(client, cast)
    response = publish(client, cast, text)
    assert response.status_code == 200
    assert "Kommunens information får inte föregå företagets egen." in response.text
    assert text.status == "godkand"

    reason = "Företaget nås inte och ryktet sprids på sociala medier."
    assert publish(client, cast, text, override_reason=reason).status_code == 302
    assert (text.status, text.override_reason, text.override_by) == (
        "publicerad",
        reason,
        cast.kommunikator,
    )
    assert reason in LogEntry.objects.filter(event=cast.event).first().text
    page = client.get(reverse("press_text_detail", args=[cast.event.pk, text.pk])).text
    assert "Publicerad före företagets eget besked." in page
    assert reason in page


def test_publishing_before_the_company_went_out_is_refused(client, cast):
    text = approved_text(client, cast)
    went_out = timezone.localtime() - timedelta(hours=1)
    client.post(
        reverse("company_announcement", args=[cast.event.pk]),
        {"state": "gatt-ut", "at": went_out.strftime("%Y-%m-%dT%H:%M"), "where": "Presskonferens"},
    )
    before = (went_out - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = publish(client, cast, text, at=before)
    assert response.status_code == 200
    assert "Företaget gick ut" in response.text
    assert text.status == "godkand"


def test_nothing_is_published_while_the_event_is_confidential(client, cast):
    cast.event.confidential = True
    cast.event.save(update_fields=["confidential"])
    text = approved_text(client, cast)
    response = publish(client, cast, text, override_reason="Vi vill ändå.")
    assert response.status_code == 200
    assert "Ärendet är konfidentiellt" in response.text
    assert text.status == "godkand"
    assert "Inget om ärendet får publiceras" in client.get(plan_url(cast)).text


def test_a_published_text_is_corrected_only_as_a_new_version(client, cast):
    text = approved_text(client, cast)
    publish(client, cast, text, override_reason="Akut.")
    edit = reverse("press_text_edit", args=[cast.event.pk, text.pk])
    response = client.post(edit, {"title": "Ändrad i efterhand", "body": "x", "contact": 1})
    assert response.status_code == 302
    text.refresh_from_db()
    assert text.title == "Kommunen stöttar de varslade på Granlunds"

    response = step(client, cast, text, "press_text_correct", cast.kommunikator)
    correction = PressText.objects.get(corrects=text)
    assert response["Location"] == reverse("press_text_edit", args=[cast.event.pk, correction.pk])
    assert (correction.version, correction.status, correction.body) == (2, "utkast", text.body)
    # One correction per version: a second one would fork the history.
    step(client, cast, text, "press_text_correct", cast.kommunikator)
    assert PressText.objects.count() == 2
    page = client.get(reverse("press_text_detail", args=[cast.event.pk, text.pk])).text
    assert "Den här versionen är rättad" in page


def test_editing_a_checked_text_sends_it_back_to_draft(client, cast):
    text = approved_text(client, cast)
    client.force_login(cast.kommunikator)
    url = reverse("press_text_edit", args=[cast.event.pk, text.pk])
    data = {"title": text.title, "lead": "", "body": "Ny siffra: 41.", "contact": text.contact_id}
    assert client.post(url, data).status_code == 302
    text.refresh_from_db()
    assert (text.status, text.fact_checked_by, text.approved_by) == ("utkast", None, None)
    assert "måste faktagranskas igen" in LogEntry.objects.first().text


def test_typed_html_is_shown_as_typed_and_markdown_makes_only_simple_formatting(client, cast):
    # Issue 13: nobody types HTML. What looks like HTML is the characters typed; Markdown
    # makes paragraphs, bold, italic and http(s) links, nothing a browser would run.
    body = (
        "<p onclick='steal()'>Stycke</p><script>alert('x')</script>"
        "<img src='http://evil.example/p.png'>\n\n"
        "Med **fet** och *kursiv* text, [js](javascript:alert(1)) och "
        "[norsjo.se](https://norsjo.se/)."
    )
    text = write_text(client, cast, body=body)
    assert text.body == body  # stored as typed
    page = client.get(reverse("press_text_detail", args=[cast.event.pk, text.pk])).text
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "<img src='http" not in page
    assert "<p onclick" not in page
    assert "<strong>fet</strong> och <em>kursiv</em> text" in page
    assert 'href="javascript' not in page
    assert '<a href="https://norsjo.se/" rel="noopener noreferrer">norsjo.se</a>' in page


def test_blank_lines_make_paragraphs_and_an_empty_body_keeps_what_was_typed(client, cast):
    text = write_text(client, cast)
    page = client.get(reverse("press_text_detail", args=[cast.event.pk, text.pk])).text
    assert (
        "<p>Norsjö kommun har fått besked om varslet.</p>\n"
        "<p>Vi träffar de anställda på måndag.</p>"
    ) in page
    row = text.row
    response = client.post(
        reverse("press_text_create", args=[cast.event.pk, row.pk]),
        {"title": "Min rubrik", "body": "  \n ", "contact": cast.kommunikator.pk},
    )
    assert response.status_code == 200
    assert "Skriv brödtexten." in response.text
    assert 'value="Min rubrik"' in response.text


def test_an_object_of_another_event_is_404(client, cast):
    text = write_text(client, cast)
    other = create_event_row("Konkurs vid Kusfors Plåt", cast.kommunchef)
    other.memberships.create(user=cast.kommunikator, group="startgrupp")
    for name, obj in (("press_text_detail", text), ("tidplan_row_edit", text.row)):
        response = client.get(reverse(name, args=[other.pk, obj.pk]))
        assert response.status_code == 404


def test_the_event_page_links_to_the_plan(client, cast):
    client.force_login(cast.lasare)
    page = client.get(reverse("event_detail", args=[cast.event.pk])).text
    assert f'href="{plan_url(cast)}"' in page


@pytest.mark.parametrize("texts", [1, 20])
def test_the_plan_page_runs_the_same_queries_however_many_texts(client, cast, texts):
    text = write_text(client, cast)
    PressText.objects.bulk_create(
        [
            PressText(
                row=text.row,
                title=f"Text {i}",
                body="<p>x</p>",
                contact=text.contact,
                author=text.author,
            )
            for i in range(texts - 1)
        ]
    )
    client.get(plan_url(cast))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(plan_url(cast)).status_code == 200
    # session, user, event with access, plan, unread count, rows, channels, target groups,
    # texts, the texts' channels.
    assert len(ctx.captured_queries) == 10


def test_two_people_editing_one_draft_do_not_overwrite_each_other(client, cast):
    text = write_text(client, cast)
    url = reverse("press_text_edit", args=[cast.event.pk, text.pk])
    form = client.get(url).context["form"]
    stale = {name: form[name].value() for name in form.fields}
    client.post(url, {**stale, "title": "Jonas rubrik"})
    client.force_login(cast.kommunchef)
    response = client.post(url, {**stale, "title": "Annas rubrik"})
    assert response.status_code == 200
    assert "Någon annan sparade texten medan du skrev." in response.text
    assert "Annas rubrik" in response.text  # what she typed, kept
    assert "Jonas rubrik" in response.text  # what is saved, beside it
    text.refresh_from_db()
    assert text.title == "Jonas rubrik"
    # Saved again from the page that showed her the conflict, it goes through.
    again = {
        **stale,
        "title": "Annas rubrik",
        "based_on": response.context["form"]["based_on"].value(),
    }
    assert client.post(url, again).status_code == 302
    text.refresh_from_db()
    assert text.title == "Annas rubrik"


def test_saving_the_plan_from_an_old_page_keeps_a_colleagues_answers(client, cast):
    client.force_login(cast.kommunikator)
    url = reverse("commsplan_edit", args=[cast.event.pk])
    form = client.get(url).context["form"]
    jonas = {name: form[name].value() for name in form.fields}
    client.force_login(cast.kommunchef)
    client.post(url, {**jonas, "purpose": "Annas syfte."})
    client.force_login(cast.kommunikator)
    assert client.post(url, {**jonas, "problem": "Jonas problem."}).status_code == 302
    plan = CommsPlan.objects.get(event=cast.event)
    assert (plan.problem, plan.purpose) == ("Jonas problem.", "Annas syfte.")
    # The same answer changed by both: refused with both texts, then saved knowingly.
    response = client.post(url, {**jonas, "purpose": "Jonas syfte."})
    assert "Någon annan ändrade också det här svaret" in response.text
    assert "Annas syfte." in response.text
    assert "Jonas syfte." in response.text
    assert client.post(url, response.context["form"].data).status_code == 302
    plan.refresh_from_db()
    assert (plan.problem, plan.purpose) == ("Jonas problem.", "Jonas syfte.")


def test_editing_a_tidplan_row_keeps_the_talking_points_saved_meanwhile(client, cast):
    client.force_login(cast.kommunikator)
    row = snarast(client, cast)
    url = reverse("tidplan_row_edit", args=[cast.event.pk, row.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    client.post(
        reverse("talking_points_edit", args=[cast.event.pk, row.pk]),
        {"talking_points": "Vi finns här för er."},
    )
    client.post(url, {**data, "message": "Nytt budskap."})
    row.refresh_from_db()
    assert row.message == "Nytt budskap."
    assert "Vi finns här för er." in row.talking_points


def test_whoever_rewrote_the_text_does_not_fact_check_it(client, cast):
    text = write_text(client, cast)
    client.force_login(cast.kso)
    url = reverse("press_text_edit", args=[cast.event.pk, text.pk])
    data = {"title": text.title, "lead": "", "body": "Eriks version.", "contact": text.contact_id}
    assert client.post(url, data).status_code == 302
    response = step(client, cast, text, "press_text_fact_check", cast.kso)
    assert text.status == "utkast"
    assert "Du ändrade texten senast." in client.get(response["Location"]).text
    step(client, cast, text, "press_text_fact_check", cast.kommunchef)
    assert text.status == "faktagranskad"
