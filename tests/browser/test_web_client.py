"""The web client in a browser (issue 14, items 17 and 18): a stale page or an ended session
loses nothing typed, background polls never leave the page, and Back shows whole pages,
from the browser's cache and from htmx's history cache, hit and missed. The HTTP side is in
tests/test_web_client.py."""

import re

import pytest
from django.db import transaction
from django.urls import reverse
from playwright.sync_api import expect

from assessment import services
from events.models import LogEntry
from tests import sheets
from tests.browser.axe import assert_accessible
from tests.browser.test_journey_sheet import open_add_form
from tests.browser.test_login import log_in
from tests.personas import PASSWORD

# sheet.js asks every half second; the notice comes within a few polls.
WITHIN = 3000


def in_another_tab(page, live_server, *, log_in_again_as=None):
    """Log out in a second tab of the same browser, and log in again there if asked to
    (which renews the token the first tab's page holds)."""
    other = page.context.new_page()
    other.goto(f"{live_server.url}/")
    other.get_by_role("button", name="Logga ut").click()
    # Closing a tab while its redirect commits leaves Chromium reporting it closed and
    # Playwright waiting forever (Chromium 536385539, Playwright #41900): wait for the page.
    expect(other.get_by_role("button", name="Logga in")).to_be_visible()
    if log_in_again_as:
        log_in(other, live_server, log_in_again_as)
        expect(other.get_by_role("heading", level=1)).to_have_text("Mina ärenden")
    other.close()


def notice(page):
    return page.locator(".page-notice[role=alert]")


def test_a_stale_page_keeps_the_text_and_saves_it_on_the_second_press(
    page, live_server, cast_live
):
    cast = cast_live
    log_in(page, live_server, cast.arbetsgrupp)
    page.goto(f"{live_server.url}{reverse('event_detail', args=[cast.event.pk])}")
    page.evaluate("window.stillTheSamePage = true")
    in_another_tab(page, live_server, log_in_again_as=cast.arbetsgrupp)

    field = page.get_by_label("Ny loggpost")
    field.fill("Facket har begärt möte på fredag.")
    page.get_by_role("button", name="Lägg till i loggen").click()
    expect(notice(page)).to_contain_text("Sidan hade hunnit bli för gammal")
    expect(field).to_have_value("Facket har begärt möte på fredag.")
    assert not LogEntry.objects.filter(text="Facket har begärt möte på fredag.").exists()
    assert_accessible(page)

    page.get_by_role("button", name="Lägg till i loggen").click()
    expect(page.locator("#log .timeline")).to_contain_text("Facket har begärt möte på fredag.")
    expect(notice(page)).to_have_count(0)
    assert page.evaluate("window.stillTheSamePage") is True


def test_a_stale_plain_form_is_sent_again_with_what_was_typed(page, live_server, cast_live):
    """A form without htmx (the six questions): the stale page's answer offers to send what
    was typed again, with a fresh token."""
    cast = cast_live
    log_in(page, live_server, cast.kommunchef)
    page.goto(f"{live_server.url}{reverse('picture_edit', args=[cast.event.pk])}")
    in_another_tab(page, live_server, log_in_again_as=cast.kommunchef)

    answer = "Granlunds varslar 38 anställda.\nFacket är underrättat."
    page.get_by_label("Vad har hänt?").fill(answer)
    page.get_by_role("button", name="Spara nulägesbild").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Det du skickade är inte sparat än")
    assert not cast.event.pictures.exists()
    assert_accessible(page)

    page.get_by_role("button", name="Skicka igen").click()
    expect(page.get_by_text("Facket är underrättat.")).to_be_visible()
    assert cast.event.pictures.get().what_happened == answer


def test_the_sheet_poll_stays_on_the_page_when_the_session_ends(page, live_server, cast_live):
    cast = cast_live
    log_in(page, live_server, cast.arbetsgrupp)
    sheet = f"{live_server.url}{reverse('sheet', args=[cast.event.pk])}"
    page.goto(sheet)
    page.evaluate("window.stillTheSamePage = true")
    what = open_add_form(page, "fakta").get_by_label("Vad")
    what.fill("Granlunds varslar 38 anst")

    in_another_tab(page, live_server)
    expect(notice(page)).to_contain_text("Du är utloggad", timeout=WITHIN)
    what.press_sequentially("ällda.")
    page.wait_for_timeout(1000)  # more polls: none of them leaves the page
    expect(page).to_have_url(sheet)
    expect(what).to_have_value("Granlunds varslar 38 anställda.")
    assert page.evaluate("window.stillTheSamePage") is True
    assert_accessible(page)

    # The notice's link logs in in a new tab, which lands on the sheet, not a fragment.
    with page.context.expect_page() as opened:
        notice(page).get_by_role("link", name="logga in i en ny flik").click()
    login = opened.value
    login.get_by_label("Användarnamn").fill(cast.arbetsgrupp.username)
    login.get_by_label("Lösenord").fill(PASSWORD)
    login.get_by_role("button", name="Logga in").click()
    expect(login).to_have_url(sheet)
    expect(login.get_by_role("heading", level=1)).to_have_text("Bedömningsmall")
    login.close()

    # Logging in renewed the token: the first press renews the page, the second saves.
    add = page.locator("#add-fakta").get_by_role("button", name="Lägg till rad")
    add.click()
    expect(notice(page)).to_contain_text("tryck på knappen igen")
    page.locator("#add-fakta").get_by_role("button", name="Lägg till rad").click()
    expect(page.locator("#tbody-fakta")).to_contain_text("Granlunds varslar 38 anställda.")
    expect(notice(page)).to_have_count(0)
    assert page.evaluate("window.stillTheSamePage") is True


def test_the_presence_poll_stays_on_the_page_when_the_session_ends(page, live_server, cast_live):
    """The htmx poll (hx-trigger="every 10s"), with sheet.js's poll kept away."""
    cast = cast_live
    page.clock.install()
    page.route(re.compile(r"/andringar/"), lambda route: route.abort())
    log_in(page, live_server, cast.arbetsgrupp)
    sheet = f"{live_server.url}{reverse('sheet', args=[cast.event.pk])}"
    page.goto(sheet)
    page.evaluate("window.stillTheSamePage = true")

    in_another_tab(page, live_server)
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/narvaro/" in r.url else None)
    page.clock.run_for(11_000)
    expect(notice(page)).to_contain_text("Du är utloggad")
    page.clock.run_for(30_000)
    expect(page).to_have_url(sheet)
    assert page.evaluate("window.stillTheSamePage") is True
    assert len(polls) == 1  # the polls pause until the user is back


def test_a_click_with_nothing_typed_goes_to_log_in_and_back_to_the_page(
    page, live_server, cast_live
):
    cast = cast_live
    row = sheets.a_row(cast)
    log_in(page, live_server, cast.arbetsgrupp)
    sheet = f"{live_server.url}{reverse('sheet', args=[cast.event.pk])}"
    page.goto(sheet)

    in_another_tab(page, live_server)
    # "Ändra" asks for the row's form, a fragment: the login leads back to the sheet.
    page.locator(f"#row-{row.pk}").get_by_role("link", name="Ändra").click()
    expect(page).to_have_url(re.compile(r"/konto/logga-in/\?next="))
    page.get_by_label("Användarnamn").fill(cast.arbetsgrupp.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(sheet)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedömningsmall")


def test_a_sheet_far_behind_is_reloaded_only_once_nothing_typed_is_lost(
    page, live_server, cast_live
):
    cast = cast_live
    log_in(page, live_server, cast.arbetsgrupp)
    page.goto(f"{live_server.url}{reverse('sheet', args=[cast.event.pk])}")
    page.evaluate("window.stillTheSamePage = true")
    what = open_add_form(page, "initiala").get_by_label("Vad")
    what.fill("Boka möte med Arbetsförmedlingen")

    # More changes at once than the poll hands out row by row (assessment.views.MAX_CHANGES).
    sheet = services.sheet_of(cast.event)
    with transaction.atomic():
        for n in range(201):
            services.add_row(sheet, "fakta", {"what": f"Fakta {n}"}, by=cast.kommunchef)
    expect(notice(page)).to_contain_text("Mallen har ändrats mycket", timeout=WITHIN)
    expect(what).to_have_value("Boka möte med Arbetsförmedlingen")
    assert page.evaluate("window.stillTheSamePage") is True

    # Saved: nothing typed is left, so the sheet reloads and shows everything.
    page.locator("#add-initiala").get_by_role("button", name="Lägg till rad").click()
    expect(page.locator("#tbody-fakta tr")).to_have_count(201, timeout=WITHIN)
    expect(page.locator("#tbody-initiala")).to_contain_text("Boka möte med Arbetsförmedlingen")
    assert page.evaluate("window.stillTheSamePage") is None


def edit_inline(line):
    """Click the row's Ändra and wait until htmx has taken over the form it swapped in: a
    click before that would follow the link's plain href."""
    line.get_by_role("link", name="Ändra").click()
    expect(line).to_have_class(re.compile(r"\bediting\b"))
    expect(line).not_to_have_class(re.compile(r"\bhtmx-(added|settling)\b"))


def expect_a_whole_page(page, heading):
    expect(page.locator("body > header.site-header")).to_be_visible()
    expect(page.locator("main h1")).to_have_count(1)
    expect(page.locator("main h1")).to_contain_text(heading)
    assert page.locator("body > tr, body > td").count() == 0


def test_back_after_an_inline_edit_form_shows_the_whole_page(page, live_server, cast_live):
    """The browser's own cache, which Back and Forward use without asking the server: the
    row's page, then the same address fetched by htmx as a fragment (Ändra on the sheet,
    then Avbryt; a save would post to the address, and a post empties its cache entry).
    Back to the row's page must not show that fragment."""
    cast = cast_live
    row = sheets.a_row(cast)
    log_in(page, live_server, cast.arbetsgrupp)
    row_page = f"{live_server.url}{reverse('row_edit', args=[cast.event.pk, row.pk])}"
    page.goto(row_page)
    expect_a_whole_page(page, "ändra rad")
    page.get_by_role("link", name="Bedömningsmall").click()
    page.wait_for_load_state()  # htmx set up: Ändra is its request, not a link to follow

    line = page.locator(f"#row-{row.pk}")
    edit_inline(line)
    line.get_by_label("Vad").fill("Granlunds varslar 40 anställda.")
    line.get_by_role("link", name="Avbryt").click()
    expect(line.get_by_role("link", name="Ändra")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(row_page)
    expect_a_whole_page(page, "ändra rad")
    assert_accessible(page)


@pytest.mark.parametrize("cache", ["hit", "miss"])
def test_back_and_forward_through_htmx_history_show_whole_pages(
    page, live_server, cast_live, cache
):
    """htmx's own history: nothing of ours pushes a URL today, so the test gives the row's
    "Ändra" the hx-push-url any template may add. Back restores the sheet, Forward the
    row's address: from htmx's snapshot (hit), or, with historyCacheSize 0, from the server
    with HX-Request and HX-History-Restore-Request (miss), which must answer the page."""
    cast = cast_live
    row = sheets.a_row(cast)
    log_in(page, live_server, cast.arbetsgrupp)
    sheet = f"{live_server.url}{reverse('sheet', args=[cast.event.pk])}"
    row_page = f"{live_server.url}{reverse('row_edit', args=[cast.event.pk, row.pk])}"
    page.goto(sheet)
    if cache == "miss":
        page.evaluate("htmx.config.historyCacheSize = 0")
    # htmx tells when a restore is done (a miss waits for the server's answer).
    page.evaluate(
        "document.body.addEventListener('htmx:historyRestore', event => {"
        "  event.target.dataset.restored = Number(event.target.dataset.restored || 0) + 1;"
        "})"
    )
    restores = []
    page.on(
        "request",
        lambda r: restores.append(r.url) if r.headers.get("hx-history-restore-request") else None,
    )

    line = page.locator(f"#row-{row.pk}")
    line.get_by_role("link", name="Ändra").evaluate(
        "link => link.setAttribute('hx-push-url', 'true')"
    )
    edit_inline(line)
    expect(page).to_have_url(row_page)
    line.get_by_label("Vad").fill("Granlunds varslar 40 anställda.")
    line.get_by_role("button", name="Spara").click()
    expect(line).to_contain_text("Granlunds varslar 40 anställda.")

    page.go_back()
    expect(page.locator("body")).to_have_attribute("data-restored", "1")
    expect(page).to_have_url(sheet)
    expect_a_whole_page(page, "Bedömningsmall")
    page.go_forward()
    expect(page.locator("body")).to_have_attribute("data-restored", "2")
    expect(page).to_have_url(row_page)
    if cache == "miss":
        expect_a_whole_page(page, "ändra rad")
        assert restores == [sheet, row_page]
    else:
        # The snapshot htmx took of the page as it was at this address.
        expect_a_whole_page(page, "Bedömningsmall")
        expect(line).to_contain_text("Granlunds varslar 40 anställda.")
        assert restores == []
    assert_accessible(page)
