"""The appointed reporter drafts a lägesrapport, a startgrupp member approves it, and it is
sent to the startgrupp."""

from datetime import date

from playwright.sync_api import expect

from notices.models import Notice
from reports.models import Report
from tests.browser.axe import assert_accessible
from tests.browser.test_journey_press_text import log_out
from tests.browser.test_login import log_in


def test_the_reporter_drafts_a_startgrupp_member_approves_and_it_is_sent(
    page, live_server, cast_live, municipality_defaults
):
    cast = cast_live
    cast.event.reporter = cast.arbetsgrupp
    cast.event.report_interval_days = 7
    cast.event.announced_on = date(2026, 11, 20)
    cast.event.affected_employees = 38
    cast.event.save()
    log_in(page, live_server, cast.arbetsgrupp)
    page.get_by_role("link", name=cast.event.title).click()
    expect(page.get_by_role("heading", name="Varselklockan")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Lägesrapporter").click()
    assert_accessible(page)
    page.get_by_role("link", name="Ny lägesrapport").click()
    assert_accessible(page)
    page.get_by_role("textbox", name="Sammanfattning").fill(
        "Läget är stabilt. Träffpunkten öppnar på måndag."
    )
    page.get_by_role("checkbox", name="Fakta", exact=True).check()
    page.get_by_role("button", name="Skapa utkast").click()
    expect(page.get_by_role("status")).to_contain_text("Be en ledamot av startgruppen")
    expect(
        page.get_by_text("Någon annan än författaren måste godkänna rapporten.")
    ).to_be_visible()
    assert_accessible(page)
    report_url = page.url
    log_out(page)

    log_in(page, live_server, cast.kso)
    page.goto(report_url)
    page.get_by_role("button", name="Godkänn rapporten").click()
    expect(page.get_by_text("Godkänd av Erik Nordström")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Skicka rapporten").click()
    expect(page.get_by_role("status")).to_contain_text("skickas till 3 mottagare")
    expect(page.get_by_role("heading", name="Mottagare")).to_be_visible()
    assert_accessible(page)
    assert Report.objects.get().status == "skickad"
    # Erik sent it: the other three of the startgrupp get it.
    assert Notice.objects.filter(kind="report").count() == 3
