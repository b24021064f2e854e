"""Four eyes, decided once (commsplan.access, reports.access): a page offers a step to exactly
those its service lets take it, and tells the others why not."""

import pytest
from django.urls import reverse

from tests.test_commsplan import step, write_text
from tests.test_handoff_texts import draft, report_step, rewrite, text_url

# A text by Jonas, rewritten by Anna; a report by Sara, rewritten by Anna.
FACT_CHECK = [
    ("kommunikator", "Du skrev texten själv. Någon annan måste faktagranska den."),
    ("kommunchef", "Du ändrade texten senast. Någon annan måste faktagranska den."),
    ("kso", ""),
    ("arbetsgrupp", ""),
]
APPROVAL = [
    ("arbetsgrupp", "Någon annan än författaren måste godkänna rapporten."),
    ("kommunchef", "Du ändrade utkastet senast. Någon annan måste godkänna rapporten."),
    ("kso", ""),
    ("utvecklingschef", ""),
]


@pytest.mark.parametrize(("persona", "why_not"), FACT_CHECK)
def test_the_fact_check_is_offered_to_exactly_those_who_may_make_it(
    client, cast, persona, why_not
):
    text = write_text(client, cast)
    rewrite(client, cast, text, cast.kommunchef)
    user = getattr(cast, persona)
    client.force_login(user)
    page = client.get(text_url(cast, text)).text
    assert ("Markera som faktagranskad" in page) == (not why_not)
    assert ("Någon annan än du måste faktagranska texten." in page) == bool(why_not)
    response = step(client, cast, text, "press_text_fact_check", user)
    assert text.status == ("utkast" if why_not else "faktagranskad")
    if why_not:
        assert why_not in client.get(response["Location"]).text


@pytest.mark.parametrize(("persona", "why_not"), APPROVAL)
def test_the_approval_of_a_report_is_offered_to_exactly_those_who_may_give_it(
    client, cast, persona, why_not
):
    report = draft(client, cast)
    detail = reverse("report_detail", args=[cast.event.pk, report.pk])
    client.force_login(cast.kommunchef)
    assert client.post(detail, {"summary": "Annas version."}).status_code == 302
    user = getattr(cast, persona)
    client.force_login(user)
    page = client.get(detail).text
    assert ("Godkänn rapporten" in page) == (not why_not)
    if why_not:
        assert why_not in page
    report_step(client, cast, report, "report_approve", user)
    assert report.status == ("utkast" if why_not else "godkand")
