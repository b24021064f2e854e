"""Journey 3: the kommunikatör writes a press text for a tidplan row, a colleague
fact-checks it, it is approved, and it goes out as a PDF."""

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from commsplan.models import PressText
from tests.browser.axe import assert_accessible
from tests.browser.test_login import log_in


def log_out(page):
    page.get_by_role("button", name="Logga ut").click()


def test_the_kommunikator_writes_a_press_text_that_is_checked_approved_and_exported(
    page, live_server, cast_live, municipality_defaults
):
    cast = cast_live
    log_in(page, live_server, cast.kommunikator)
    page.get_by_role("link", name=cast.event.title).click()
    page.get_by_role("link", name="Kommunikationsplan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kommunikationsplan")
    assert_accessible(page)

    page.get_by_role("link", name="Skriv text för Snarast", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Rubrik").fill("Norsjö kommun stöttar de varslade på Granlunds")
    page.get_by_label("Ingress").fill("Kommunen öppnar en träffpunkt för de berörda.")
    # Markdown, no HTML: two paragraphs with a list between them.
    page.get_by_label("Brödtext").fill(
        "Granlunds Snickeri AB har varslat 38 anställda.\n\n"
        "- Träffpunkt på biblioteket\n- Rådgivning om omställning\n\n"
        "– Vi står bakom de drabbade, säger Erik Nordström."
    )
    # The live preview, as it will look.
    preview = page.locator("#preview")
    expect(preview.get_by_role("listitem")).to_have_count(2)
    expect(preview.locator("p")).to_have_count(2)
    expect(page.get_by_label("Kontaktperson")).to_have_value(str(cast.kommunikator.pk))
    page.get_by_role("group", name="Citerade personer").get_by_label(
        "Erik Nordström – Kommunstyrelsens ordförande"
    ).check()
    assert_accessible(page)
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_role("status")).to_contain_text("Be en kollega faktagranska det.")
    expect(page.get_by_text("Någon annan än du måste faktagranska texten.")).to_be_visible()
    expect(page.locator(".press-text p")).to_have_count(4)  # lead, two paragraphs, contact
    assert_accessible(page)
    text_url = page.url
    log_out(page)

    # Erik checks the facts and approves his quote; he is not the one to approve the text.
    log_in(page, live_server, cast.kso)
    page.goto(text_url)
    page.get_by_role("button", name="Markera som faktagranskad").click()
    expect(page.get_by_text("Faktagranskad av Erik Nordström")).to_be_visible()
    page.get_by_role("button", name="Godkänn mitt citat").click()
    expect(page.get_by_role("status")).to_contain_text("Ditt citat är godkänt.")
    page.goto(text_url)
    expect(page.get_by_text("Du faktagranskade texten.")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    log_in(page, live_server, cast.kommunchef)
    page.goto(text_url)
    page.get_by_role("button", name="Godkänn", exact=True).click()
    expect(page.get_by_text("Godkänd av Anna Lindqvist")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    log_in(page, live_server, cast.kommunikator)
    page.goto(text_url)
    page.get_by_role("link", name="Kommunikationsplan, KS 2026/0001").click()
    page.get_by_role("link", name="Registrera företagets besked").click()
    assert_accessible(page)
    page.get_by_label("Ja, företaget har gått ut med informationen").check()
    page.get_by_label("När?").fill("2026-11-20T09:30")
    page.get_by_label("Var?").fill("Personalmöte och pressmeddelande från företaget")
    page.get_by_role("button", name="Registrera beskedet").click()
    expect(page.get_by_text("Personalmöte och pressmeddelande från företaget")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Norsjö kommun stöttar de varslade på Granlunds").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner som PDF").click()
    content = download.value.path().read_bytes()
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    lines = reader.pages[0].extract_text().splitlines()
    # The title may wrap (the shipped font is set large); its words come in order.
    assert "Norsjö kommun stöttar de varslade på Granlunds" in " ".join(lines)
    # Both paragraphs whole and apart, the list between them.
    assert "Granlunds Snickeri AB har varslat 38 anställda." in lines
    assert "– Vi står bakom de drabbade, säger Erik Nordström." in lines
    assert any(line.endswith("Träffpunkt på biblioteket") for line in lines)
    assert PressText.objects.get().status == "godkand"
