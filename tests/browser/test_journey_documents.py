"""A member drops a document on the case's upload form and sees it registered."""

from playwright.sync_api import expect

from documents.models import Document
from tests.browser.axe import assert_accessible
from tests.browser.test_login import log_in
from tests.test_documents import PDF, document_store  # noqa: F401 (the fixture)


def test_a_document_dropped_on_the_form_is_registered(page, live_server, cast_live):
    cast = cast_live
    log_in(page, live_server, cast.arbetsgrupp)
    page.get_by_role("link", name=cast.event.title).click()
    page.get_by_role("link", name="Handlingar").click()
    expect(page.get_by_role("heading", name="Handlingar och diarieblad")).to_be_visible()
    expect(page.get_by_text("…eller dra filen hit.")).to_be_visible()
    assert_accessible(page)

    # What a browser hands the page when a file from the desktop is dropped on it.
    dropped = page.evaluate_handle(
        """(bytes) => {
            const transfer = new DataTransfer();
            const content = new Uint8Array(bytes);
            transfer.items.add(new File([content], "yttrande.pdf", {type: "application/pdf"}));
            return transfer;
        }""",
        list(PDF),
    )
    zone = page.locator("[data-drop-zone]")
    zone.dispatch_event("dragenter", {"dataTransfer": dropped})
    zone.dispatch_event("dragover", {"dataTransfer": dropped})
    expect(zone).to_have_class("drop-zone drop-active")
    zone.dispatch_event("drop", {"dataTransfer": dropped})
    expect(page.get_by_text("Vald fil: yttrande.pdf")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("textbox", name="Rubrik").fill("Konkursförvaltarens yttrande")
    page.get_by_role("textbox", name="Ärendemening").fill("Yttrande från konkursförvaltare")
    page.get_by_role("radio", name="Inkommande").check()
    page.get_by_role("textbox", name="Avsändare eller upprättad av").fill("Advokatfirman Lindh")
    page.get_by_role("button", name="Registrera").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Handlingen är registrerad som KS 2026/0001-1."
    )
    expect(page.get_by_role("link", name="yttrande.pdf")).to_be_visible()
    assert_accessible(page)
    assert Document.objects.get().versions.get().original_name == "yttrande.pdf"

    page.get_by_role("link", name="Handlingar").click()
    expect(page.get_by_role("cell", name="Yttrande från konkursförvaltare")).to_be_visible()
    assert_accessible(page)


def test_a_document_linked_from_a_task_is_listed_there_and_unlinked(page, live_server, cast_live):
    from django.utils import timezone

    from documents.services import register

    cast = cast_live
    document = register(
        cast.event,
        {
            "title": "Konkursförvaltarens yttrande",
            "public_description": "Yttrande från konkursförvaltare",
            "document_date": timezone.localdate(),
            "direction": "inkommande",
            "counterpart": "Advokatfirman Lindh",
        },
        file=("yttrande.pdf", "pdf", PDF),
        by=cast.arbetsgrupp,
    )
    log_in(page, live_server, cast.arbetsgrupp)
    page.goto(f"{live_server.url}/arenden/{cast.event.pk}/handlingar/{document.pk}/")
    page.get_by_label("Koppla från").select_option(label="Ring omställningsfonden")
    page.get_by_role("button", name="Koppla", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        "Handlingen är kopplad till: Ring omställningsfonden."
    )
    assert_accessible(page)

    page.get_by_role("link", name="Ring omställningsfonden").click()
    expect(page.get_by_role("heading", name="Handlingar")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="KS 2026/0001-1 Konkursförvaltarens yttrande").click()

    page.get_by_role("button", name="Ta bort kopplingen till Ring omställningsfonden").click()
    expect(page.get_by_role("status")).to_contain_text("Kopplingen är borttagen.")
    expect(page.get_by_role("heading", name="Kopplad till")).to_have_count(0)
    assert_accessible(page)


def test_a_file_dropped_beside_the_zone_does_not_leave_the_page(page, live_server, cast_live):
    cast = cast_live
    log_in(page, live_server, cast.arbetsgrupp)
    page.goto(f"{live_server.url}/arenden/{cast.event.pk}/handlingar/")
    page.get_by_role("textbox", name="Rubrik").fill("Skrivet innan")
    # A drop on the page outside the zone: the browser's default (open the file in place
    # of the page) is prevented; a drag of text is left alone.
    prevented = page.evaluate(
        """() => {
            const files = new DataTransfer();
            files.items.add(new File(["%PDF-1.7"], "yttrande.pdf", {type: "application/pdf"}));
            const text = new DataTransfer();
            text.setData("text/plain", "ord");
            const outcome = (type, dataTransfer) => {
                const event = new DragEvent(type, {dataTransfer, bubbles: true, cancelable: true});
                document.querySelector("h1").dispatchEvent(event);
                return event.defaultPrevented;
            };
            return [outcome("dragover", files), outcome("drop", files), outcome("drop", text)];
        }"""
    )
    assert prevented == [True, True, False]
    expect(page.get_by_text("Vald fil:")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Rubrik")).to_have_value("Skrivet innan")


def test_a_file_over_the_limit_is_refused_when_chosen_not_after_its_upload(
    page, live_server, cast_live
):
    cast = cast_live
    log_in(page, live_server, cast.arbetsgrupp)
    page.goto(f"{live_server.url}/arenden/{cast.event.pk}/handlingar/")
    # 26 MB chosen in the file dialog, over the default limit of 25 MB.
    page.locator('input[type="file"]').evaluate(
        """(input) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(26 * 1048576)], "inskanning.pdf"));
            input.files = transfer.files;
            input.dispatchEvent(new Event("change", {bubbles: true}));
        }"""
    )
    expect(page.locator("[data-drop-chosen]")).to_have_text(
        "Filen inskanning.pdf är 26,0 MB; högst 25 MB tas emot. Välj en mindre fil."
    )
    assert page.locator('input[type="file"]').evaluate("(input) => input.files.length") == 0
    assert_accessible(page)
