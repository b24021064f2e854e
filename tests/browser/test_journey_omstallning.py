"""A startgrupp member starts an omställningsprogram from a closed event, adds an
insatsområde and a target with a baseline and two measurements, and sees the chart and the
colour; axe checks every new page, and any Content-Security-Policy violation fails it."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from events.models import Phase
from omstallning.models import Measurement, Programme
from tests.browser.axe import assert_accessible
from tests.browser.test_login import log_in

# Reports every securitypolicyviolation of every document the page loads to the test.
LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.reportViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def assert_drawn(page, img):
    """The SVG loaded and was drawn: an <img> that failed is complete with no natural width."""
    page.wait_for_function("img => img.complete", arg=img.element_handle())
    assert img.evaluate("img => img.naturalWidth") > 0


def test_a_programme_is_started_and_a_target_followed_up(page, live_server, cast_live):
    cast = cast_live
    cast.event.phase = Phase.AVSLUTAD
    cast.event.affected_employees = 38
    cast.event.employees_local = 120
    cast.event.save()
    violations = []
    page.expose_function("reportViolation", lambda text: violations.append(text))
    page.add_init_script(LISTEN)
    today = timezone.localdate()

    log_in(page, live_server, cast.utvecklingschef)
    page.get_by_role("link", name="Omställning", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name=f"Starta program från {cast.event.case_number}").click()
    assert_accessible(page)
    page.get_by_label("Namn").fill("Omställning Norsjö 2026–2031")
    page.get_by_label("Start").fill(str(today - timedelta(days=365)))
    page.get_by_label("Planerat slut").fill(str(today + timedelta(days=5 * 365)))
    page.get_by_role("button", name="Starta programmet").click()
    expect(page.get_by_role("heading", name="Omställning Norsjö 2026–2031")).to_be_visible()
    expect(page.get_by_text("Inga mål än")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Namn").fill("Nya arbetsplatser")
    page.get_by_role("button", name="Lägg till insatsområdet").click()
    expect(page.get_by_role("heading", name="Nya arbetsplatser")).to_be_visible()
    # One insatsområde: the seed says three to four.
    expect(page.get_by_text("rekommenderar normalt tre till fyra")).to_be_visible()
    page.get_by_role("link", name="Nytt mål inom Nya arbetsplatser").click()
    assert_accessible(page)
    # The company's share of the local jobs, from the jobs entered with their source.
    page.get_by_label("Arbetstillfällen i kommunen").fill("1 850")
    page.get_by_label("Källa för antalet").fill("SCB, 2025")
    page.get_by_role("button", name="Räkna ut andelen").click()
    expect(page.get_by_role("status")).to_contain_text("Andelen är 6,5 procent")
    expect(page.get_by_label(re.compile(r"^Utgångsvärde\b(?!s)"))).to_have_value("6,5")
    assert_accessible(page)
    page.get_by_label("Indikator").fill("Nya arbetstillfällen")
    page.get_by_label("Enhet").fill("st")
    page.get_by_label("Högre är bättre").check()
    # Its label is followed by the required mark: not the two labels that begin the same.
    page.get_by_label(re.compile(r"^Utgångsvärde\b(?!s)")).fill("100")
    page.get_by_label("Utgångsvärdets datum").fill(str(today - timedelta(days=365)))
    page.get_by_label("Utgångsvärdets källa").fill("Ärendets berörda anställda")
    page.get_by_label("Målvärde").fill("200")
    page.get_by_label("Måldatum").fill(str(today + timedelta(days=365)))
    page.get_by_label("Styrgräns").fill("120")
    page.get_by_role("button", name="Spara målet").click()
    expect(page.get_by_text("Status: Ej mätt")).to_be_visible()
    assert_accessible(page)

    for days_ago, value in [(180, "130"), (10, "190,5")]:
        page.get_by_role("textbox", name="Värde", exact=True).fill(value)
        page.get_by_label("Mätdatum").fill(str(today - timedelta(days=days_ago)))
        page.get_by_label("Källa").fill("SCB")
        page.get_by_role("button", name="Spara mätvärdet").click()
        expect(page.get_by_role("status")).to_contain_text("Mätvärdet är sparat.")
    expect(page.get_by_text("Status: Grön")).to_be_visible()
    chart = page.get_by_role("img", name="Linjediagram")
    expect(chart).to_be_visible()
    assert_drawn(page, chart)
    expect(page.get_by_role("cell", name="190,5")).to_be_visible()
    assert_accessible(page)
    assert Measurement.objects.count() == 2

    page.get_by_role("link", name="Omställning Norsjö 2026–2031").click()
    expect(page.get_by_text("Av 1 mål är 1 grönt (100 %), 0 gula, 0 röda")).to_be_visible()
    status_chart = page.get_by_role("img", name="Stapeldiagram")
    assert_drawn(page, status_chart)
    assert_accessible(page)
    for link in ("Omställningsplan, version 1 (utkast)", "Medlemmar"):
        page.get_by_role("link", name=link).click()
        assert_accessible(page)
        page.go_back()
    programme = Programme.objects.get()
    page.goto(
        f"{live_server.url}/omstallning/{programme.pk}/plan/{programme.versions.get().pk}/andra/"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Spara utkastet").click()
    page.get_by_role("button", name="Registrera styrgruppens godkännande").click()
    page.get_by_role("button", name="Gör en ny version").click()
    page.get_by_role("link", name="Omställningsplan, version 2").click()
    page.get_by_role("button", name="Jämför sida vid sida").click()
    expect(
        page.get_by_role("heading", name="Jämför omställningsplanens versioner")
    ).to_be_visible()
    assert_accessible(page)
    assert violations == []
