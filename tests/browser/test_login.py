import re

from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.personas import PASSWORD


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(user.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def test_it_logs_in_to_an_accessible_start_page(page, live_server, cast_live):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/konto/logga-in/\?next=/$"))
    assert_accessible(page)

    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill("fel")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_contain_text("Fel användarnamn eller lösenord")
    expect(page.get_by_label("Användarnamn")).to_have_value("anna")
    assert_accessible(page)

    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina ärenden")
    expect(page.get_by_role("link", name=cast_live.event.title)).to_be_visible()
    assert_accessible(page)


def test_htmx_works_under_the_content_security_policy(page, live_server, cast_live):
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    log_in(page, live_server, cast_live.arbetsgrupp)
    page.get_by_role("link", name=cast_live.event.title).click()
    assert_accessible(page)

    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Ny loggpost").fill("Facket har begärt möte.")
    page.get_by_role("button", name="Lägg till i loggen").click()
    expect(page.locator("#log .timeline")).to_contain_text("Facket har begärt möte.")
    expect(page.get_by_label("Ny loggpost")).to_have_value("")
    # Swapped in by htmx, not by a page load.
    assert page.evaluate("window.stillTheSamePage") is True
    assert violations == []
