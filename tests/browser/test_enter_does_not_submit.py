"""Enter in a one-line field does not log a new event (issue 13): a browser would submit the
form, convening the startgrupp with half of it unread. A disabled first submit button stops
it without JavaScript (templates/no_enter_submit.html); static/js/forms.js does the rest."""

import re

from playwright.sync_api import expect

from events.models import Event
from notices.models import Notice
from tests.browser.axe import assert_accessible
from tests.browser.test_login import log_in


def test_enter_in_the_title_does_not_log_the_event_and_the_button_still_does(
    page, live_server, cast_live
):
    enter_does_not_log_but_the_button_does(page, live_server, cast_live)


def enter_does_not_log_but_the_button_does(page, live_server, cast_live):
    log_in(page, live_server, cast_live.kommunchef)
    page.get_by_role("link", name="Logga ny händelse").click()
    assert_accessible(page)
    # Everything the form needs: Enter would otherwise have logged the case.
    page.get_by_label("Typ av förändring").select_option(label="Konkurs")
    page.get_by_role("group", name="Har det hänt?").get_by_label("Inträffad").check()
    page.get_by_role("textbox", name="Företag", exact=True).fill("Norsjö Mekaniska AB")
    page.get_by_role("group", name="Individ").get_by_label("Hög").check()
    page.get_by_label("Rubrik").fill("Konkurs vid Norsjö Mekaniska AB")
    page.get_by_label("Rubrik").press("Enter")
    # A submitted form would have left this page within this time.
    page.wait_for_timeout(700)
    expect(page).to_have_url(re.compile(r"/arenden/ny/$"))
    expect(page.get_by_label("Rubrik")).to_have_value("Konkurs vid Norsjö Mekaniska AB")
    assert not Event.objects.filter(title="Konkurs vid Norsjö Mekaniska AB").exists()
    assert not Notice.objects.exists()

    page.get_by_role("button", name="Spara och kalla startgruppen").click()
    expect(page.get_by_role("status")).to_contain_text("startgruppen är kallad")
    assert Event.objects.filter(title="Konkurs vid Norsjö Mekaniska AB").count() == 1
