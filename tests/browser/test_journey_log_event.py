"""Journey 1: a startgrupp member logs a new event and the startgrupp gets going."""

from playwright.sync_api import expect

from events.models import Event
from notices.models import Notice
from tests.browser.axe import assert_accessible
from tests.browser.test_login import log_in


def test_a_startgrupp_member_logs_an_event_answers_and_forms_the_arbetsgrupp(
    page, live_server, cast_live
):
    log_in(page, live_server, cast_live.utvecklingschef)
    page.get_by_role("link", name="Logga ny händelse").click()
    assert_accessible(page)

    # Saving with nothing marked shows the rule on its field and keeps what was typed.
    page.get_by_label("Rubrik").fill("Konkurs vid Norsjö Mekaniska AB")
    page.get_by_label("Typ av förändring").select_option(label="Konkurs")
    page.get_by_role("group", name="Har det hänt?").get_by_label("Inträffad").check()
    page.get_by_role("textbox", name="Företag", exact=True).fill("Norsjö Mekaniska AB")
    page.get_by_role("button", name="Spara och kalla startgruppen").click()
    expect(page.get_by_text("Markera påverkan på minst en av")).to_be_visible()
    expect(page.get_by_label("Rubrik")).to_have_value("Konkurs vid Norsjö Mekaniska AB")
    assert_accessible(page)

    page.get_by_role("group", name="Individ").get_by_label("Hög").check()
    page.get_by_role("button", name="Spara och kalla startgruppen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Konkurs vid Norsjö Mekaniska AB")
    expect(page.get_by_role("status")).to_contain_text("startgruppen är kallad")
    assert_accessible(page)
    event = Event.objects.get(title="Konkurs vid Norsjö Mekaniska AB")
    # Maria logged it: the three others are invited.
    assert Notice.objects.filter(label=event.case_number).count() == 3

    page.get_by_role("link", name="Mina ärenden").first.click()
    expect(page.get_by_role("link", name="Konkurs vid Norsjö Mekaniska AB")).to_be_visible()
    page.get_by_role("link", name="Konkurs vid Norsjö Mekaniska AB").click()

    page.get_by_role("link", name="Besvara de sex frågorna").click()
    assert_accessible(page)
    page.get_by_label("Vad har hänt?").fill("Företaget har försatts i konkurs i dag.")
    page.get_by_label("Hur många individer omfattas av förändringen?").fill("22 anställda.")
    page.get_by_role("button", name="Spara nulägesbild").click()
    expect(page.get_by_text("22 anställda.")).to_be_visible()

    page.get_by_role("link", name="Besluta om politiken och arbetsgruppen").click()
    assert_accessible(page)
    page.get_by_role("group", name="Ska politiken informeras löpande?").get_by_label("Ja").check()
    page.get_by_label("Hur ofta (antal dagar)").fill("7")
    page.get_by_role("group", name="Arbetsgrupp", exact=True).get_by_label("Sara Eklund").check()
    page.get_by_label("Arbetsgruppens ledare").select_option(label="Sara Eklund")
    page.get_by_label("Informerar startgruppen").select_option(label="Sara Eklund")
    page.get_by_label("Rapporterar var (antal dagar)").fill("3")
    page.get_by_role("button", name="Spara beslut").click()
    expect(page.get_by_text("Politiken informeras löpande: ja, var 7:e dag.")).to_be_visible()
    expect(page.locator("#log")).to_contain_text("Med i arbetsgruppen: Sara Eklund.")
    assert_accessible(page)
