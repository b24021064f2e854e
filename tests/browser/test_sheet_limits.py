"""A sheet row's text is exported to Excel and must come back whole (issue 14, item 7): near
its field's limit the count shows while typing, a longer paste is kept whole (no browser
cuts it), and saving it is refused on the field with the count."""

from playwright.sync_api import expect

from assessment.models import Row
from tests.browser.axe import assert_accessible
from tests.browser.test_journey_sheet import open_add_form
from tests.browser.test_login import log_in


def test_the_count_shows_near_the_limit_and_a_longer_text_is_kept_and_refused(
    page, live_server, cast_live
):
    log_in(page, live_server, cast_live.arbetsgrupp)
    page.goto(f"{live_server.url}/arenden/{cast_live.event.pk}/bedomning/")
    form = open_add_form(page, "fakta")
    form.get_by_label("Vad").fill("Varsel om 38 anställda")
    who = form.get_by_label("Vem")
    who.fill("Sara Eklund")
    expect(form.locator(".char-count")).to_have_count(0)
    who.fill("x" * 170)
    expect(form.locator("#id_fakta-who_count")).to_have_text("170 av högst 200 tecken.")
    pasted = "Sara Eklund, " * 17  # 221 characters
    who.fill(pasted)
    expect(who).to_have_value(pasted)  # nothing cut
    expect(form.locator("#id_fakta-who_count")).to_have_text(
        "Texten är 221 tecken, högst 200 får plats: korta den med 21."
    )
    assert_accessible(page)
    form.get_by_role("button", name="Lägg till rad").click()
    expect(page.locator(".errorlist")).to_contain_text(
        "Vem får vara högst 200 tecken, och texten har 220."
    )
    expect(page.locator("#id_fakta-who")).to_have_value(pasted)
    assert not Row.objects.exists()
