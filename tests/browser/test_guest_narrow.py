"""The guest page at a phone's 360 px with a long unbroken URL in the question: nothing
scrolls sideways; and the browser's own requests (the icon) leave no cookie either."""

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from assessment.models import ExternalParty
from guests import services
from guests.models import GuestRequest

NARROW = {"width": 360, "height": 740}


def test_a_long_url_in_the_question_wraps_at_360_px(
    browser, live_server, cast_live, municipality_defaults, mailoutbox, settings
):
    cast = cast_live
    settings.SITE_URL = live_server.url
    party = ExternalParty.objects.create(
        event=cast.event,
        type=ExternalParty.Type.KONKURSFORVALTARE,
        organisation="Advokatfirman Ek",
        email="eva@ek.example",
        created_by=cast.arbetsgrupp,
    )
    long_url = "https://www.bolagsverket.se/" + "konkursbeslut-" * 20 + "Granlunds"
    data = {
        "kind": GuestRequest.Kind.QUESTION,
        "question": f"Stämmer uppgifterna på {long_url}?",
        "due_at": timezone.now() + timedelta(days=3),
    }
    services.send_request(party, data, by=cast.arbetsgrupp)
    link = re.search(r"https?://\S+/gast/\S+/", mail.outbox[-1].body).group(0)

    guest = browser.new_context(locale="sv-SE", viewport=NARROW)
    eva = guest.new_page()
    eva.goto(link)
    eva.wait_for_load_state("networkidle")
    assert eva.get_by_text("konkursbeslut-konkursbeslut").is_visible()
    assert eva.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    assert guest.cookies() == []
    guest.close()
