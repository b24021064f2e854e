"""An arbetsgrupp member delegates a task; the assignee reports it done from Mina uppgifter."""

from playwright.sync_api import expect

from events.models import LogEntry, Task
from tests.browser.axe import assert_accessible
from tests.browser.test_login import log_in


def test_a_task_is_delegated_and_reported_done_with_feedback(page, live_server, cast_live):
    log_in(page, live_server, cast_live.arbetsgrupp)
    page.get_by_role("link", name=cast_live.event.title).click()
    page.get_by_role("link", name="Arbetsuppgifter").click()
    assert_accessible(page)

    page.get_by_role("textbox", name="Vad ska göras", exact=True).fill(
        "Boka lokal för informationsmöte med de varslade"
    )
    # The matches come as she types (members of the case first); she picks him.
    page.get_by_label("Person med konto").fill("erik")
    page.get_by_role("radio", name="Erik Nordström").check()
    page.get_by_label("När (klart senast)").fill("2030-01-15T10:00")
    page.get_by_role("button", name="Delegera").click()
    expect(page.get_by_role("status")).to_contain_text("delegerad till Erik Nordström")
    expect(page.get_by_role("link", name="Boka lokal för informationsmöte")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Logga ut").click()

    log_in(page, live_server, cast_live.kso)
    page.get_by_role("link", name="Mina uppgifter").click()
    card = page.locator(".task-card", has_text="Boka lokal")
    expect(card).to_contain_text(cast_live.event.title)
    assert_accessible(page)

    # Done without saying how: refused in place, the choice kept.
    card.get_by_label("Status").select_option(label="Klar")
    card.get_by_role("button", name="Spara").click()
    expect(card.get_by_text("Skriv en kort återkoppling")).to_be_visible()
    expect(card.get_by_label("Status")).to_have_value("klar")
    card.get_by_label("Återkoppling").fill("Församlingshemmet bokat 2/12 kl 18, annons ute.")
    card.get_by_role("button", name="Spara").click()
    expect(card.get_by_role("status")).to_have_text("Sparat.")
    expect(card).to_contain_text("Klar")
    assert_accessible(page)

    task = Task.objects.get(what__startswith="Boka lokal")
    assert (task.status, task.feedback) == (
        "klar",
        "Församlingshemmet bokat 2/12 kl 18, annons ute.",
    )
    assert LogEntry.objects.filter(kind="task", text__contains="Ny → Klar").exists()
