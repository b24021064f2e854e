"""A member corrects what was entered in an omställningsprogram: takes a baseline from the
event with one click, corrects a measurement's typo, strikes one entered in error, edits the
target and the insatsområde, corrects a budget line, and reads the log; axe checks every
new page, and any Content-Security-Policy violation fails it."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from omstallning import services
from omstallning.models import BudgetLine, Measurement, Target
from tests.browser.axe import assert_accessible
from tests.browser.test_journey_omstallning import LISTEN
from tests.browser.test_login import log_in


def test_a_member_corrects_what_was_entered(page, live_server, cast_live):
    cast = cast_live
    today = timezone.localdate()
    cast.event.affected_employees = 38
    cast.event.announced_on = today - timedelta(days=300)
    cast.event.save()
    programme = services.start_programme(
        cast.event,
        title="Omställning Norsjö",
        started_on=today - timedelta(days=400),
        planned_end_on=today + timedelta(days=1500),
        by=cast.utvecklingschef,
    )
    services.add_focus_area(programme, name="Nya jobb", description="", by=cast.utvecklingschef)
    services.add_budget_line(
        programme.versions.get(),
        year=today.year,
        source="Region",
        amount_kr=Decimal(500_000),
        by=cast.utvecklingschef,
    )
    violations = []
    page.expose_function("reportViolation", lambda text: violations.append(text))
    page.add_init_script(LISTEN)
    base = f"{live_server.url}/omstallning/{programme.pk}/"

    log_in(page, live_server, cast.utvecklingschef)
    page.goto(base)
    page.get_by_role("link", name="Nytt mål inom Nya jobb").click()
    page.get_by_role("link", name="Använd som utgångsvärde").first.click()
    expect(page.get_by_text("ifyllt nedan")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Indikator").fill("Sysselsatta från Granlunds")
    page.get_by_label("Högre är bättre").check()
    page.get_by_label("Målvärde").fill("60")
    page.get_by_label("Måldatum").fill(str(today + timedelta(days=700)))
    page.get_by_label("Styrgräns").fill("40")
    page.get_by_role("button", name="Spara målet").click()
    target = Target.objects.get()
    assert target.baseline_value == 38
    assert target.baseline_source.startswith(f"Händelse {cast.event.case_number}: ")

    for days_ago, value in [(60, "45"), (5, "4")]:
        page.get_by_role("textbox", name="Värde", exact=True).fill(value)
        page.get_by_label("Mätdatum").fill(str(today - timedelta(days=days_ago)))
        page.get_by_label("Källa").fill("Arbetsförmedlingen")
        page.get_by_role("button", name="Spara mätvärdet").click()
        expect(page.get_by_role("status")).to_contain_text("Mätvärdet är sparat.")
    expect(page.get_by_text("Status: Röd")).to_be_visible()

    # The typo: 4 should have been 49.
    page.get_by_role("link", name="Rätta eller stryk").last.click()
    assert_accessible(page)
    page.get_by_role("textbox", name="Värde", exact=True).fill("49")
    page.get_by_role("button", name="Spara rättelsen").click()
    expect(page.get_by_role("status")).to_contain_text("Mätvärdet är rättat.")
    expect(page.get_by_text("Status: Grön")).to_be_visible()
    # The first was entered in error: struck, kept, not counted.
    page.get_by_role("link", name="Rätta eller stryk").first.click()
    page.get_by_label("Skäl").fill("Gällde en annan kommun.")
    page.get_by_role("button", name="Stryk mätvärdet").click()
    expect(page.get_by_text("Gällde en annan kommun.")).to_be_visible()
    assert_accessible(page)
    assert Measurement.objects.filter(voided_at__isnull=False).count() == 1

    page.get_by_role("link", name="Ändra, avsluta eller stryk målet").click()
    assert_accessible(page)
    page.get_by_label("Målvärde").fill("70")
    page.get_by_role("button", name="Spara målet").click()
    expect(page.get_by_role("status")).to_contain_text("Målet är sparat.")

    page.goto(base)
    page.get_by_role("link", name="Ändra, avsluta eller stryk insatsområdet Nya jobb").click()
    assert_accessible(page)
    page.get_by_label("Namn").fill("Nya jobb i Norsjö")
    page.get_by_role("button", name="Spara insatsområdet").click()
    expect(page.get_by_role("heading", name="Nya jobb i Norsjö")).to_be_visible()

    page.get_by_role("link", name="Omställningsplan, version 1 (utkast)").click()
    page.get_by_role("link", name=f"Ändra {today.year} Region").click()
    assert_accessible(page)
    page.get_by_label("Belopp (kr)").fill("1 200 000,50 kr")
    page.get_by_role("button", name="Spara beloppet").click()
    expect(page.get_by_role("cell", name="1 200 000,50 kr")).to_be_visible()
    assert BudgetLine.objects.get().amount_kr == Decimal("1200000.50")

    page.goto(base + "logg/")
    expect(page.get_by_text("Mätvärdet för Sysselsatta från Granlunds rättades")).to_be_visible()
    assert_accessible(page)
    page.goto(base + "medlemmar/")
    assert_accessible(page)
    assert violations == []
