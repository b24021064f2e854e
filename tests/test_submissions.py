"""A create form posted twice makes one thing and sends one set of notices (issue 13): a
double click during a slow save, or the browser's back button and the button again, posts
the same rendered form, with the same one-time key (events.submissions)."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from assessment.models import Row
from commsplan.models import CommsPlan, PressText
from events.models import Convening, Event, LogEntry, Submission, Task
from events.submissions import ALREADY_SAVED
from notices.models import Notice
from reports.models import Report
from tests import sheets
from tests.test_event_create import URL as NEW_EVENT
from tests.test_event_create import minimal

HTMX = {"HX-Request": "true"}


def rendered_key(response) -> str:
    """The one-time key of the one create form on the page."""
    assert response.status_code == 200
    [key] = re.findall(r'name="submission" value="([0-9a-f-]{36})"', response.text)
    return key


def post_twice(client, url, data, **kwargs):
    first = client.post(url, data, **kwargs)
    notices = Notice.objects.count()
    second = client.post(url, data, **kwargs)
    # The second post told nobody anything.
    assert Notice.objects.count() == notices
    return first, second


def assert_led_where_the_first_went(client, first, second):
    assert first.status_code == 302, first.text
    assert second.status_code == 302
    assert second["Location"].split("#")[0] == first["Location"].split("#")[0]
    assert ALREADY_SAVED in client.get(second["Location"]).text


def test_a_new_event_posted_twice_is_one_case_with_one_number_and_one_set_of_invitations(
    client, cast
):
    client.force_login(cast.kommunchef)
    year = timezone.localdate().year
    this_year = Event.objects.filter(case_number__startswith=f"KS {year}/").count()
    key = rendered_key(client.get(NEW_EVENT))
    data = minimal(startgroup=[user.pk for user in cast.startgrupp], submission=key)
    first, second = post_twice(client, NEW_EVENT, data)
    assert_led_where_the_first_went(client, first, second)
    event = Event.objects.get(title=data["title"])
    assert Convening.objects.filter(event=event).count() == 1
    # Erik, Maria and Jonas are invited once each; no second diarienummer was handed out.
    assert Notice.objects.count() == 3
    assert event.case_number == f"KS {year}/{this_year + 1:04d}"


def test_a_form_refused_on_a_field_made_nothing_and_its_corrected_post_goes_through(client, cast):
    client.force_login(cast.kommunchef)
    key = rendered_key(client.get(NEW_EVENT))
    refused = client.post(NEW_EVENT, minimal(title="", submission=key))
    assert refused.status_code == 200
    # Shown again with a key of its own; the refused one recorded nothing either.
    assert rendered_key(refused) != key
    assert client.post(NEW_EVENT, minimal(submission=key)).status_code == 302
    assert Event.objects.filter(title=minimal()["title"]).count() == 1
    assert Submission.objects.count() == 1


def test_a_second_form_of_the_same_page_is_a_new_event(client, cast):
    client.force_login(cast.kommunchef)
    for company in ("A AB", "B AB"):
        data = minimal(title=f"Konkurs vid {company}", company_name=company)
        key = rendered_key(client.get(NEW_EVENT))
        assert client.post(NEW_EVENT, {**data, "submission": key}).status_code == 302
    assert Event.objects.filter(title__startswith="Konkurs vid").count() == 2


def test_a_task_delegated_twice_is_one_task_and_one_notice(client, cast):
    client.force_login(cast.arbetsgrupp)
    url = reverse("task_list", args=[cast.event.pk])
    data = {
        "what": "Boka lokal för informationsmötet",
        "vem": "olle",
        "assignee": cast.outsider.pk,
        "submission": rendered_key(client.get(url)),
    }
    first, second = post_twice(client, url, data)
    assert_led_where_the_first_went(client, first, second)
    task = Task.objects.get(what="Boka lokal för informationsmötet")
    assert Notice.objects.about(task).count() == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_sheet_row_added_twice_is_one_row(client, cast, htmx):
    client.force_login(cast.arbetsgrupp)
    sheet = client.get(reverse("sheet", args=[cast.event.pk])).text
    form = re.search(r'<form id="add-fakta".*?</form>', sheet, re.S).group(0)
    key = re.search(r'name="submission" value="([0-9a-f-]{36})"', form).group(1)
    data = {"section": "fakta", "fakta-what": "Granlunds varslar 38.", "submission": key}
    headers = {"HX-Request": "true"} if htmx else {}
    url = reverse("row_add", args=[cast.event.pk])
    first = client.post(url, data, headers=headers)
    second = client.post(url, data, headers=headers)
    assert first.status_code in (200, 302)
    assert Row.objects.filter(what="Granlunds varslar 38.").count() == 1
    led = second["HX-Redirect"] if htmx else second["Location"]
    assert led.startswith(reverse("sheet", args=[cast.event.pk]) + "#row-")


def test_a_sheet_row_delegated_twice_is_one_task_and_one_notice(client, cast):
    row = sheets.a_row(cast, what="Ring facket", section="initiala")
    client.force_login(cast.arbetsgrupp)
    url = reverse("row_delegate", args=[cast.event.pk, row.pk])
    data = {
        "what": "Ring facket",
        "vem": "Olle Nilsson (olle@norsjo.example)",
        "version": row.version,
        "submission": rendered_key(client.get(url)),
    }
    first, second = post_twice(client, url, data)
    assert_led_where_the_first_went(client, first, second)
    task = Task.objects.get(what="Ring facket")
    assert Notice.objects.about(task).count() == 1
    assert Row.objects.get(pk=row.pk).task == task


def test_a_log_entry_added_twice_is_one_entry(client, cast):
    client.force_login(cast.arbetsgrupp)
    url = reverse("log_entry_add", args=[cast.event.pk])
    key = rendered_key(client.get(reverse("event_detail", args=[cast.event.pk])))
    data = {"text": "Facket har begärt möte.", "submission": key}
    first, second = post_twice(client, url, data)
    assert_led_where_the_first_went(client, first, second)
    assert LogEntry.objects.filter(text="Facket har begärt möte.").count() == 1


def test_a_log_entry_added_twice_through_htmx_is_one_entry_and_the_page_is_loaded(client, cast):
    client.force_login(cast.arbetsgrupp)
    url = reverse("log_entry_add", args=[cast.event.pk])
    key = rendered_key(client.get(reverse("event_detail", args=[cast.event.pk])))
    data = {"text": "Facket har begärt möte.", "submission": key}
    first, second = post_twice(client, url, data, headers=HTMX)
    # The fragment comes back with a fresh form, and a fresh key for the next entry.
    assert first.status_code == 200
    assert rendered_key(first) != key
    # The second post gets no fragment holding a whole page: htmx loads the event's page.
    assert second["HX-Redirect"] == reverse("event_detail", args=[cast.event.pk]) + "#log"
    assert LogEntry.objects.filter(text="Facket har begärt möte.").count() == 1


def test_a_press_text_saved_twice_is_one_draft(client, cast):
    client.force_login(cast.kommunikator)
    client.get(reverse("commsplan", args=[cast.event.pk]))  # makes the plan and its rows
    row = CommsPlan.objects.get(event=cast.event).rows.get(when="Snarast")
    url = reverse("press_text_create", args=[cast.event.pk, row.pk])
    data = {
        "title": "Kommunen stöttar de varslade på Granlunds",
        "lead": "Norsjö kommun samlar krafterna efter varslet.",
        "body": "Norsjö kommun har fått besked om varslet.",
        "contact": cast.kommunikator.pk,
        "submission": rendered_key(client.get(url)),
    }
    first, second = post_twice(client, url, data)
    assert_led_where_the_first_went(client, first, second)
    assert PressText.objects.filter(row=row).count() == 1
    assert LogEntry.objects.filter(text__startswith="Pressmeddelandet").count() == 1


def test_a_report_created_twice_is_one_draft(client, cast):
    client.force_login(cast.arbetsgrupp)
    url = reverse("report_create", args=[cast.event.pk])
    data = {"summary": "Läget är lugnt.", "submission": rendered_key(client.get(url))}
    first, second = post_twice(client, url, data)
    assert_led_where_the_first_went(client, first, second)
    assert Report.objects.filter(event=cast.event).count() == 1


@time_machine.travel("2026-11-21 09:00 +01:00")
def test_varsel_milestones_made_tasks_twice_are_made_once_and_told_once(client, cast):
    cast.event.announced_on = date(2026, 11, 20)
    cast.event.affected_employees = 38
    cast.event.workgroup_lead = cast.arbetsgrupp
    cast.event.save()
    client.force_login(cast.kommunchef)
    key = rendered_key(client.get(reverse("varsel_clock", args=[cast.event.pk])))
    url = reverse("varsel_tasks", args=[cast.event.pk])
    first, second = post_twice(client, url, {"submission": key})
    assert_led_where_the_first_went(client, first, second)
    tasks = Task.objects.filter(assignee=cast.arbetsgrupp)
    assert tasks.count() == 3
    assert Notice.objects.filter(kind="task_assigned").count() == 3


def test_every_create_form_carries_a_key_and_keeps_enter_from_sending_it(client, cast):
    """The forms that make something or send mail: the key against a second post, and
    data-no-enter-submit against Enter in a one-line field (a disabled first submit
    button, templates/no_enter_submit.html; static/js/forms.js)."""
    client.force_login(cast.kommunchef)
    client.get(reverse("commsplan", args=[cast.event.pk]))
    row = CommsPlan.objects.get(event=cast.event).rows.get(when="Snarast")
    sheet_row = sheets.a_row(cast)
    event = cast.event.pk
    pages = [
        reverse("event_create"),
        reverse("event_detail", args=[event]),
        reverse("task_list", args=[event]),
        reverse("row_delegate", args=[event, sheet_row.pk]),
        reverse("press_text_create", args=[event, row.pk]),
        reverse("report_create", args=[event]),
    ]
    for url in pages:
        page = client.get(url)
        rendered_key(page)
        assert re.search(r'<form method="post"[^>]*data-no-enter-submit', page.text), url
        # Without JavaScript too: HTML submits on Enter through the form's first submit
        # button, and does nothing when that button is disabled.
        for form in re.findall(
            r"<form[^>]*data-no-enter-submit[^>]*>(.*?)</form>", page.text, re.S
        ):
            first = re.search(r"<button[^>]*>", form).group(0)
            assert 'type="submit"' in first, url
            assert "disabled" in first, url


# Save, Back, Save again: the browser fetches the form anew, with a new key, and refills
# the fields the user typed (services.PossiblySameEvent).
BACK_AGAIN = "Är det samma händelse?"


def new_cases(cast):
    """The cases logged in the test, not the cast's own."""
    return Event.objects.exclude(pk=cast.event.pk)


def log_from_a_fresh_form(client, **data):
    """Fetch the form, as the browser's Back does, and post `data` with its new key."""
    key = rendered_key(client.get(NEW_EVENT))
    return client.post(NEW_EVENT, minimal(**data, submission=key))


def test_save_back_save_again_warns_instead_of_a_second_case_and_second_invitations(client, cast):
    client.force_login(cast.utvecklingschef)
    ids = [user.pk for user in cast.startgrupp]
    first = log_from_a_fresh_form(client, startgroup=ids, description="Tingsrätten beslutade.")
    assert first.status_code == 302
    event = new_cases(cast).get()
    convenings = Notice.objects.filter(kind="convening").count()

    again = log_from_a_fresh_form(client, startgroup=ids, description="Tingsrätten beslutade.")

    assert again.status_code == 200
    assert new_cases(cast).count() == 1
    assert Notice.objects.filter(kind="convening").count() == convenings
    page = again.text
    assert "Du registrerade nyss" in page
    assert BACK_AGAIN in page
    link = reverse("event_detail", args=[event.pk])
    assert f'<a href="{link}">{event.case_number} ”{event.title}”</a>' in page
    assert 'name="same_event_confirmed"' in page
    # Everything Maria typed is still there.
    form = again.context["form"]
    assert form["title"].value() == event.title
    assert form["description"].value() == "Tingsrätten beslutade."
    assert [int(pk) for pk in form["startgroup"].value()] == ids


def test_ticking_that_it_is_a_new_case_makes_a_second_case(client, cast):
    client.force_login(cast.utvecklingschef)
    log_from_a_fresh_form(client)
    warned = log_from_a_fresh_form(client)
    assert BACK_AGAIN in warned.text
    confirmed = log_from_a_fresh_form(client, same_event_confirmed="on")
    assert confirmed.status_code == 302
    assert new_cases(cast).count() == 2
    assert Convening.objects.count() == 2


def test_the_same_title_folded_is_the_same_event_and_the_same_company_and_kind_too(client, cast):
    client.force_login(cast.utvecklingschef)
    log_from_a_fresh_form(client)
    # Full-width letters, other case and spacing: the same title once folded.
    same_title = log_from_a_fresh_form(
        client, title="  KONKURS vid  Ｎｏｒｓｊö mekaniska ab ", company_name="Annat AB"
    )
    assert BACK_AGAIN in same_title.text
    same_company = log_from_a_fresh_form(client, title="Mekaniska går i konkurs")
    assert BACK_AGAIN in same_company.text
    assert new_cases(cast).count() == 1


def test_another_title_and_company_or_another_kind_is_no_warning(client, cast):
    client.force_login(cast.utvecklingschef)
    log_from_a_fresh_form(client)
    other = log_from_a_fresh_form(client, title="Varsel vid Granlunds", company_name="Granlunds")
    assert other.status_code == 302
    # The same company, but a sale, not the bankruptcy: another event.
    sold = log_from_a_fresh_form(client, title="Mekaniska säljs", kind="forsaljning")
    assert sold.status_code == 302
    assert new_cases(cast).count() == 3


def test_a_case_registered_over_half_an_hour_ago_is_no_warning(client, cast):
    client.force_login(cast.utvecklingschef)
    with time_machine.travel(timezone.now() - timedelta(minutes=31)):
        log_from_a_fresh_form(client)
    assert log_from_a_fresh_form(client).status_code == 302
    assert new_cases(cast).count() == 2


def test_the_same_event_logged_by_another_startgrupp_member_is_warned_of_by_name(client, cast):
    """Two startgrupp members who heard the same news would otherwise make two cases and
    convene the startgrupp twice."""
    client.force_login(cast.utvecklingschef)
    log_from_a_fresh_form(client, startgroup=[user.pk for user in cast.startgrupp])
    client.force_login(cast.kommunchef)
    warned = log_from_a_fresh_form(client)
    assert f"{cast.utvecklingschef} registrerade nyss" in warned.text
    assert new_cases(cast).count() == 1


def test_a_look_alike_case_the_user_may_not_open_is_not_revealed(client, cast):
    client.force_login(cast.utvecklingschef)
    # Maria logs it with herself alone: Anna is no member of it.
    log_from_a_fresh_form(client, startgroup=[cast.utvecklingschef.pk], confidential="on")
    client.force_login(cast.kommunchef)
    page = log_from_a_fresh_form(client)
    assert page.status_code == 302
    assert new_cases(cast).count() == 2
