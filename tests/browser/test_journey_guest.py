"""An external party answers by link (issue 17): Sara sends a question from the party's
page, the konkursförvaltare opens the mail's link in a browser of their own, without an
account, and answers; the answer is in the contact log. axe at desktop and phone width."""

import re

from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from assessment.models import ExternalParty
from tests.browser import BROWSER_TIMEOUT_MS
from tests.browser.axe import assert_accessible
from tests.browser.test_login import log_in
from tests.test_guests import in_days

PHONE = {"width": 375, "height": 740}


def test_a_guest_answers_the_question_sent_from_the_party_page(
    page, browser, live_server, cast_live, municipality_defaults, mailoutbox, settings
):
    cast = cast_live
    settings.SITE_URL = live_server.url
    party = ExternalParty.objects.create(
        event=cast.event,
        type=ExternalParty.Type.KONKURSFORVALTARE,
        organisation="Advokatfirman Ek",
        contact_person="Eva Ek",
        email="eva@ek.example",
        created_by=cast.arbetsgrupp,
    )

    party_page = live_server.url + reverse("party_detail", args=[cast.event.pk, party.pk])

    # Sara sends a question from the party's page.
    log_in(page, live_server, cast.arbetsgrupp)
    page.goto(party_page)
    page.get_by_role("link", name="Skicka fråga").click()
    assert_accessible(page)
    page.get_by_label("Svara på en fråga").check()
    page.get_by_label("Frågan till mottagaren").fill("Hur många anställda berörs av konkursen?")
    page.get_by_label("Svar senast").fill(in_days(3))
    page.get_by_role("button", name="Skicka fråga").click()
    expect(page.get_by_role("status")).to_contain_text("Förfrågan är skickad till eva@ek.example")
    expect(page.get_by_text("Väntar på svar")).to_be_visible()
    assert_accessible(page)

    # Eva opens the link in her own browser: no account, no cookie of ours.
    [invitation] = mail.outbox
    link = re.search(r"https?://\S+/gast/\S+/", invitation.body).group(0)
    guest = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    eva = guest.new_page()
    eva.set_default_timeout(BROWSER_TIMEOUT_MS)
    eva.goto(link)
    expect(eva.get_by_role("heading", level=1)).to_have_text("Förfrågan från Norsjö kommun")
    expect(eva.get_by_text("Hur många anställda berörs av konkursen?")).to_be_visible()
    expect(eva.get_by_text(cast.event.title)).to_have_count(0)
    assert_accessible(eva)
    eva.set_viewport_size(PHONE)
    assert_accessible(eva)
    eva.get_by_label("Ditt svar").fill("38 anställda, varav 12 bor i Norsjö.")
    eva.get_by_role("button", name="Skicka svaret").click()
    expect(eva.get_by_text("38 anställda, varav 12 bor i Norsjö.")).to_be_visible()
    expect(eva.get_by_role("button")).to_have_count(0)
    assert_accessible(eva)
    assert guest.cookies() == []
    guest.close()

    # Sara finds the answer in the contact log.
    page.goto(party_page)
    expect(page.get_by_text("38 anställda, varav 12 bor i Norsjö.")).to_be_visible()
