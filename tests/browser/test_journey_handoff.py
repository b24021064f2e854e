"""The hand-offs of the plan, in a browser: each step that waits on a person reaches that
person through a notice that links to the exact page (handlingsplanen, "Arbetsgrupp":
"delegation att dela ut arbetsuppgifter till andra internt")."""

from playwright.sync_api import expect

from events.models import Event
from notices.models import Notice
from tests.browser.axe import assert_accessible
from tests.browser.test_journey_sheet import open_add_form
from tests.browser.test_login import log_in
from tests.personas import create_user


def log_out(page):
    page.get_by_role("button", name="Logga ut").click()


def open_notice(page, subject_start: str):
    """Open the reader's notices and follow the newest one whose subject starts so."""
    page.get_by_role("link", name="Notiser").click()
    assert_accessible(page)
    page.get_by_role("link", name=subject_start).first.click()
    assert_accessible(page)


def readers(kind: str, event: Event) -> set[str]:
    return {
        n.recipient.username
        for n in Notice.objects.filter(kind=kind, label=event.case_number).select_related(
            "recipient"
        )
    }


def test_every_hand_off_reaches_the_person_who_must_act(
    page, live_server, cast_live, municipality_defaults
):
    cast = cast_live
    per = create_user("per", "Per", "Andersson")

    # Anna logs a case: the rest of the startgrupp is convened at once.
    log_in(page, live_server, cast.kommunchef)
    page.get_by_role("link", name="Logga ny händelse").click()
    page.get_by_label("Rubrik").fill("Konkurs vid Norsjö Trä AB")
    page.get_by_label("Typ av förändring").select_option(label="Konkurs")
    page.get_by_role("group", name="Har det hänt?").get_by_label("Inträffad").check()
    page.get_by_role("textbox", name="Företag", exact=True).fill("Norsjö Trä AB")
    page.get_by_role("group", name="Individ").get_by_label("Hög").check()
    page.get_by_role("button", name="Spara och kalla startgruppen").click()
    expect(page.get_by_role("status")).to_contain_text("startgruppen är kallad")
    event = Event.objects.get(title="Konkurs vid Norsjö Trä AB")
    assert readers("convening", event) == {"erik", "maria", "jonas"}

    # The startgrupp answers and forms the arbetsgrupp: Sara and Per are told.
    page.get_by_role("link", name="Besvara de sex frågorna").click()
    page.get_by_label("Vad har hänt?").fill("Norsjö Trä AB är försatt i konkurs.")
    page.get_by_role("button", name="Spara nulägesbild").click()
    page.get_by_role("link", name="Besluta om politiken och arbetsgruppen").click()
    page.get_by_role("group", name="Ska politiken informeras löpande?").get_by_label("Nej").check()
    workgroup = page.get_by_role("group", name="Arbetsgrupp", exact=True)
    workgroup.get_by_label("Sara Eklund").check()
    workgroup.get_by_label("Per Andersson").check()
    page.get_by_label("Arbetsgruppens ledare").select_option(label="Sara Eklund")
    page.get_by_role("button", name="Spara beslut").click()
    expect(page.locator("#log")).to_contain_text("Med i arbetsgruppen")
    assert readers("member_added", event) == {"sara", "per"}
    assert per.notices.exists()
    log_out(page)

    # Sara opens her notice, writes a measure in the sheet and makes it a task for Lena,
    # who has an account and is not a member of the case.
    log_in(page, live_server, cast.arbetsgrupp)
    open_notice(page, "Tillagd i ärendet")
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    page.get_by_role("link", name="Bedömningsmall").click()
    add = open_add_form(page, "arbetsplan")
    add.get_by_label("Vad").fill("Ta fram underlag om lediga lokaler")
    add.get_by_label("Vem").fill("Lena Öberg")
    add.get_by_role("button", name="Lägg till rad").click()
    row = page.locator("tr", has_text="Ta fram underlag om lediga lokaler")
    row.get_by_role("link", name="Ändra").click()
    page.get_by_role("link", name="Gör till uppgift").click()
    assert_accessible(page)
    # The row's Vem is carried into the form and found among all staff.
    expect(page.get_by_label("Person med konto")).to_have_value("Lena Öberg (lena@norsjo.example)")
    page.get_by_role("button", name="Delegera uppgiften").click()
    assert readers("task_assigned", event) == {"lena"}
    log_out(page)

    # Lena follows the link in her mail: signed in, she lands on her task.
    notice = Notice.objects.get(kind="task_assigned", label=event.case_number)
    page.goto(f"{live_server.url}{notice.path}")
    page.get_by_label("Användarnamn").fill(cast.task_holder.username)
    page.get_by_label("Lösenord").fill("Rätt-lösenord-2026")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uppgift i")
    assert_accessible(page)
    card = page.locator(".task-card")
    card.get_by_label("Status").select_option(label="Klar")
    card.get_by_label("Återkoppling").fill("Tre lokaler lediga, lista i mejl.")
    card.get_by_role("button", name="Spara").click()
    expect(card.get_by_role("status")).to_have_text("Sparat.")
    page.get_by_role("link", name=f"Om ärendet {event.case_number}").click()
    assert_accessible(page)
    log_out(page)

    # Sara is told, with the återkoppling; the row says Klar.
    log_in(page, live_server, cast.arbetsgrupp)
    open_notice(page, "Uppgift klar")
    expect(page.get_by_text("Tre lokaler lediga, lista i mejl.")).to_be_visible()
    page.get_by_role("link", name="Bedömningsmall").first.click()
    row = page.locator("tr", has_text="Ta fram underlag om lediga lokaler")
    expect(row).to_contain_text("Klar")
    expect(row).not_to_contain_text("Ej påbörjad")
    log_out(page)

    # Jonas writes a press text and asks for a fact-check: Maria is told and checks.
    log_in(page, live_server, cast.kommunikator)
    page.goto(f"{live_server.url}/arenden/{event.pk}/")
    page.get_by_role("link", name="Kommunikationsplan").click()
    page.get_by_role("link", name="Skriv text för Snarast", exact=True).click()
    page.get_by_label("Rubrik").fill("Kommunen stöttar de som berörs av konkursen")
    page.get_by_label("Brödtext").fill("Norsjö kommun öppnar en träffpunkt på biblioteket.")
    page.get_by_role("button", name="Spara utkast").click()
    page.get_by_role("button", name="Be om faktagranskning").click()
    expect(page.get_by_text("Väntar på faktagranskning", exact=True)).to_be_visible()
    assert_accessible(page)
    assert "maria" in readers("text_fact_check", event)
    log_out(page)

    log_in(page, live_server, cast.utvecklingschef)
    open_notice(page, "Pressmeddelande väntar på faktagranskning")
    page.get_by_role("button", name="Markera som faktagranskad").click()
    expect(page.get_by_text("Faktagranskad av Maria Holm")).to_be_visible()
    assert "erik" in readers("text_approval", event)
    log_out(page)

    # Erik is told it waits for his approval, and approves.
    log_in(page, live_server, cast.kso)
    open_notice(page, "Pressmeddelande väntar på godkännande")
    page.get_by_role("button", name="Godkänn").click()
    expect(page.get_by_text("Godkänd av Erik Nordström")).to_be_visible()
    assert_accessible(page)
    assert readers("text_approved", event) >= {"jonas"}
