"""The guards of a case over time, in a browser: the startgrupp moves its meeting, the case is
closed with a reason and reopened by the startgrupp; axe on every page on the way."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from commsplan.services import (
    approve,
    create_text,
    fact_check,
    plan_for,
    record_company_announcement,
)
from events.models import Convening, Event
from notices.models import Notice
from tests.browser.axe import assert_accessible
from tests.browser.test_login import log_in


def log_out(page):
    page.get_by_role("button", name="Logga ut").click()


def test_the_meeting_is_moved_and_the_case_closed_and_reopened(page, live_server, cast_live):
    cast = cast_live
    event = cast.event
    Convening.objects.create(
        event=event,
        meeting_at=timezone.now() + timedelta(days=1),
        convened_by=cast.kommunchef,
        location="KS-salen",
    )
    log_in(page, live_server, cast.kommunchef)
    page.goto(f"{live_server.url}/arenden/{event.pk}/")

    page.get_by_role("link", name="Flytta eller ställ in mötet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Startgruppens möte")
    assert_accessible(page)
    later = timezone.localtime() + timedelta(days=2)
    page.get_by_label("Ny tid").fill(later.strftime("%Y-%m-%dT10:00"))
    page.get_by_role("button", name="Flytta mötet").click()
    assert_accessible(page)
    moved = Notice.objects.filter(kind="convening_moved")
    assert {n.recipient.username for n in moved.select_related("recipient")} == {
        "erik",
        "maria",
        "jonas",
    }

    page.goto(f"{live_server.url}/arenden/{event.pk}/")
    page.get_by_role("link", name="Avsluta ärendet").click()
    assert_accessible(page)
    # A reason is asked for first: nothing is closed without one.
    page.get_by_role("button", name="Avsluta ärendet").click()
    assert_accessible(page)
    assert not Event.objects.get(pk=event.pk).is_closed
    page.get_by_label("Varför avslutas ärendet?").fill("Varslet drogs tillbaka.")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Avsluta ärendet").click()
    expect(page.get_by_role("status")).to_contain_text("Ärendet är avslutat.")
    assert_accessible(page)

    page.get_by_role("link", name="Öppna ärendet igen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Öppna ärendet igen")
    assert_accessible(page)
    page.get_by_label("Varför öppnas ärendet igen?").fill("Nytt varsel i dag.")
    page.get_by_role("button", name="Öppna ärendet igen").click()
    assert_accessible(page)
    assert not Event.objects.get(pk=event.pk).is_closed
    expect(page.locator("#log")).to_contain_text("Nytt varsel i dag.")


def test_a_quoted_person_outside_the_case_reads_and_approves_their_quote(
    page, live_server, cast_live, municipality_defaults
):
    cast = cast_live
    plan = plan_for(cast.event)
    text = create_text(
        plan.rows.get(position=0),
        {
            "title": "Kommunen stöttar de varslade",
            "lead": "",
            "body": "Första stycket.\n\n- En punkt\n\nAndra stycket, säger Olle Nilsson.",
            "contact": cast.kommunikator,
            "quoted": [cast.outsider],
        },
        by=cast.kommunikator,
    )
    log_in(page, live_server, cast.outsider)
    page.get_by_role("link", name="Notiser").click()
    page.get_by_role("link", name="Pressmeddelande citerar dig").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ditt citat")
    expect(page.locator(".press-text p")).to_contain_text(["Första stycket."])
    assert_accessible(page)
    page.get_by_role("button", name="Godkänn mitt citat").click()
    assert_accessible(page)
    assert text.quotes.get(person=cast.outsider).approved_at is not None
    log_out(page)

    # Checked and approved by others; the company has gone out; Jonas publishes in two channels.
    fact_check(text, by=cast.utvecklingschef)
    text.refresh_from_db()
    approve(text, by=cast.kommunchef)
    record_company_announcement(
        plan, at=timezone.now() - timedelta(hours=1), where="Personalmöte", by=cast.kommunikator
    )
    log_in(page, live_server, cast.kommunikator)
    page.goto(live_server.url + reverse("press_text_detail", args=[cast.event.pk, text.pk]))
    page.get_by_role("link", name="Registrera publicering").click()
    assert_accessible(page)
    channels = page.get_by_role("group", name="Kanaler")
    channels.get_by_label("Webbplats (norsjo.se)").check()
    channels.get_by_label("Lokaltidning").check()
    page.get_by_role("button", name="Registrera publicering").click()
    expect(page.get_by_text("Webbplats (norsjo.se), Lokaltidning")).to_be_visible()
    assert_accessible(page)
