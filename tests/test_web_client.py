"""The web client over HTTP (issue 14, items 17 and 18): a stale token or an ended session
loses nothing typed (a plain form is offered again, htmx keeps the form) and leads back to
the page, never to a fragment; a URL that answers a fragment and a page keeps the two
apart for caches and for htmx's history.

The browser side (what htmx and static/js/answers.js make of these answers) is in
tests/browser/test_web_client.py."""

import html
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import LogEntry
from norsjo.csrf import STALE_PAGE
from tests.personas import PASSWORD
from tests.test_access import EVENT_URLS, call, url_of

LOGIN = reverse("login")


def token_in(page) -> str:
    """The token a page gave htmx (the body's hx-headers)."""
    return re.search(r'"X-CSRFToken": "(\w+)"', page.text)[1]


def log_in(client, user):
    """Log in through the login form, as a browser does (it renews the token)."""
    form = client.get(LOGIN)
    return client.post(
        LOGIN,
        {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token_in(form)},
    )


@pytest.fixture
def stale(cast):
    """Anna, with the event's page open in one tab (its token); meanwhile she logged out and
    in again in another tab, which renewed the token: the page's is stale."""
    browser = Client(enforce_csrf_checks=True)
    log_in(browser, cast.kommunchef)
    page = browser.get(reverse("event_detail", args=[cast.event.pk]))
    browser.post(reverse("logout"), {"csrfmiddlewaretoken": token_in(page)})
    log_in(browser, cast.kommunchef)
    browser.old_token = token_in(page)
    return browser


def htmx_headers(cast, token):
    page = f"http://testserver{reverse('event_detail', args=[cast.event.pk])}"
    return {"HX-Request": "true", "HX-Current-URL": page, "X-CSRFToken": token}


POSTS = sorted(name for name, (method, _, _) in EVENT_URLS.items() if method == "POST")


@pytest.mark.parametrize("name", POSTS)
def test_a_stale_token_on_any_htmx_post_is_answered_in_swedish_with_a_fresh_one(stale, cast, name):
    _, _, data = EVENT_URLS[name]
    url = url_of(name, cast)
    refused = stale.post(url, data, headers=htmx_headers(cast, stale.old_token))
    # htmx swaps no 403, so the form stays as typed; answers.js shows the text.
    assert refused.status_code == 403
    assert refused["Content-Type"] == "text/plain; charset=utf-8"
    assert refused.text == STALE_PAGE
    fresh = refused["X-CSRFToken"]
    again = stale.post(url, data, headers=htmx_headers(cast, fresh))
    assert again.text != STALE_PAGE
    assert again.status_code != 403


def test_nothing_is_saved_from_a_stale_page_and_pressing_again_saves_it(stale, cast):
    url = reverse("log_entry_add", args=[cast.event.pk])
    typed = {"text": "Facket har begärt möte på fredag."}
    refused = stale.post(url, typed, headers=htmx_headers(cast, stale.old_token))
    assert not LogEntry.objects.filter(text=typed["text"]).exists()
    saved = stale.post(url, typed, headers=htmx_headers(cast, refused["X-CSRFToken"]))
    assert saved.status_code == 200
    assert LogEntry.objects.filter(text=typed["text"]).count() == 1


def resend_form(page) -> dict:
    """The "Skicka igen" form of the stale-token page: its action and fields."""
    form = re.search(r'<form method="post" action="([^"]*)">(.*?)</form>', page.text, re.S)
    fields = re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', form[2])
    return {"action": html.unescape(form[1]), "data": [(n, html.unescape(v)) for n, v in fields]}


def test_a_stale_token_on_a_plain_form_offers_to_send_what_was_typed_again(stale, cast):
    url = reverse("log_entry_add", args=[cast.event.pk])
    text = 'Facket: "möte" <fredag> & 38 varsel.\nÅsa ringer Örjan.'
    refused = stale.post(
        url,
        {"text": text, "csrfmiddlewaretoken": stale.old_token},
        headers={"Origin": "http://testserver"},
    )
    assert refused.status_code == 403
    assert "Det du skickade är inte sparat än" in refused.text
    assert "no-store" in refused["Cache-Control"]
    form = resend_form(refused)
    assert form["action"] == url
    assert ("text", text) in form["data"]
    assert not LogEntry.objects.filter(text=text).exists()

    sent = stale.post(form["action"], dict(form["data"]))
    assert sent.status_code == 302
    assert LogEntry.objects.get(text=text).author == cast.kommunchef


@pytest.mark.parametrize(
    "origin",
    [
        {"Origin": "https://angripare.example"},
        {"Origin": "null"},  # a sandboxed frame
        {"Referer": "http://angripare.example/sida"},
        {},
    ],
    ids=["other-site", "null", "other-referer", "none"],
)
def test_a_post_from_elsewhere_is_never_offered_to_be_sent_again(stale, cast, origin):
    url = reverse("log_entry_add", args=[cast.event.pk])
    refused = stale.post(url, {"text": "Överför pengar."}, headers=origin)
    assert refused.status_code == 403
    assert "Överför pengar." not in refused.text
    assert "Skicka igen" not in refused.text


def test_a_password_is_never_written_into_the_page(cast):
    browser = Client(enforce_csrf_checks=True)
    browser.get(LOGIN)
    refused = browser.post(
        LOGIN,
        {"username": "anna", "password": PASSWORD, "csrfmiddlewaretoken": "x" * 64},
        headers={"Origin": "http://testserver"},
    )
    assert refused.status_code == 403
    assert PASSWORD not in refused.text
    assert "Gå tillbaka i webbläsaren" in refused.text


def test_a_stale_htmx_post_without_a_session_is_told_to_log_in(cast):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(LOGIN)
    url = reverse("log_entry_add", args=[cast.event.pk])
    response = browser.post(url, {"text": "x"}, headers=htmx_headers(cast, "y" * 64))
    event_page = reverse("event_detail", args=[cast.event.pk])
    assert token_in(page)  # the browser had a token, just not this one
    assert response.status_code == 204
    assert response["X-Signed-Out"] == "1"
    assert response["HX-Redirect"] == f"{LOGIN}?next={quote(event_page)}"


# An ended session -------------------------------------------------------------------------

# What htmx asks in the background or on a click, each answering a fragment when signed in.
FRAGMENTS = ["sheet_presence", "sheet_changes", "row_edit", "log_entry_add", "row_add"]


@pytest.mark.parametrize("name", FRAGMENTS)
def test_after_the_session_ended_htmx_is_sent_to_log_in_and_back_to_the_page(client, cast, name):
    sheet = reverse("sheet", args=[cast.event.pk])
    method, _, data = EVENT_URLS[name]
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{sheet}?borttagna=1"}
    response = (client.post if method == "POST" else client.get)(
        url_of(name, cast), data, headers=headers
    )
    login = f"{LOGIN}?next={quote(sheet + '?borttagna=1', safe='/')}"
    assert response.status_code == 204  # nothing swapped into the fragment's place
    assert response["HX-Redirect"] == login
    assert response["X-Signed-Out"] == "1"

    signed_in = client.post(
        login, {"username": "anna", "password": PASSWORD, "next": f"{sheet}?borttagna=1"}
    )
    assert signed_in["Location"] == f"{sheet}?borttagna=1"
    assert client.get(signed_in["Location"]).status_code == 200


@pytest.mark.parametrize(
    "current",
    [
        "https://angripare.example/arenden/",
        "//angripare.example/arenden/",
        "http://testserver.angripare.example/",
        "javascript:alert(1)",
        "null",
        "",
    ],
)
def test_the_page_to_return_to_is_never_another_site(client, cast, current):
    url = reverse("sheet_presence", args=[cast.event.pk])
    response = client.get(url, headers={"HX-Request": "true", "HX-Current-URL": current})
    assert response["HX-Redirect"] == f"{LOGIN}?next=/"


def test_the_sheet_poll_after_the_session_ended_is_answered_like_htmx(client, cast):
    """static/js/sheet.js asks with htmx's headers: it must not get a 302 to follow."""
    sheet = reverse("sheet", args=[cast.event.pk])
    response = client.get(
        reverse("sheet_changes", args=[cast.event.pk]) + "?sedan=0",
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{sheet}"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{LOGIN}?next={quote(sheet)}"


# A plain form posted after the session ended ---------------------------------------------

PLAIN_POSTS = [name for name in POSTS if EVENT_URLS[name][2]]
OURS = {"Origin": "http://testserver"}


def end_session():
    """The session ends as it does after SESSION_IDLE_MINUTES without activity."""
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))


@pytest.mark.parametrize("name", PLAIN_POSTS)
def test_any_form_posted_after_the_session_ended_keeps_what_was_typed(client, cast, name):
    _, _, data = EVENT_URLS[name]
    url, event_page = url_of(name, cast), reverse("event_detail", args=[cast.event.pk])
    refused = client.post(url, data, headers={**OURS, "Referer": f"http://testserver{event_page}"})
    assert refused.status_code == 403
    assert "Du hade blivit utloggad" in refused.text
    assert "no-store" in refused["Cache-Control"]
    login = html.escape(f"{LOGIN}?next={quote(event_page)}")
    assert f'<a href="{login}" target="_blank" rel="noopener">Logga in i en ny flik</a>' in (
        refused.text
    )
    form = resend_form(refused)
    assert form["action"] == url
    typed = [field for field in form["data"] if field[0] != "csrfmiddlewaretoken"]
    assert sorted(typed) == sorted((key, str(value)) for key, value in data.items())


def test_a_form_sent_again_after_logging_in_in_another_tab_is_saved(cast):
    browser = Client(enforce_csrf_checks=True)
    log_in(browser, cast.kommunchef)
    page = browser.get(reverse("event_detail", args=[cast.event.pk]))
    end_session()
    url = reverse("log_entry_add", args=[cast.event.pk])
    text = 'Facket: "möte" <fredag> & 38 varsel.\nÅsa ringer Örjan.'
    shown = browser.post(url, {"text": text, "csrfmiddlewaretoken": token_in(page)}, headers=OURS)
    assert ("text", text) in resend_form(shown)["data"]
    assert not LogEntry.objects.filter(text=text).exists()

    log_in(browser, cast.kommunchef)  # in the other tab: the token is renewed
    presses = 0
    while shown.status_code == 403 and presses < 2:
        form = resend_form(shown)
        shown = browser.post(form["action"], dict(form["data"]), headers=OURS)
        presses += 1
    assert shown.status_code == 302
    assert LogEntry.objects.get(text=text).author == cast.kommunchef


@pytest.mark.parametrize(
    ("headers", "data"),
    [
        ({"Origin": "https://angripare.example"}, {"text": "Överför pengar."}),
        ({"Origin": "null"}, {"text": "Överför pengar."}),
        ({}, {"text": "Överför pengar."}),
        (OURS, {"text": "Överför pengar.", "new_password": "hemligt-ord-42"}),
    ],
    ids=["other-site", "null", "no-origin", "password"],
)
def test_a_post_after_the_session_ended_is_offered_again_only_from_our_pages(
    client, cast, headers, data
):
    refused = client.post(reverse("log_entry_add", args=[cast.event.pk]), data, headers=headers)
    assert refused.status_code == 403
    assert "Logga in i en ny flik" in refused.text
    assert "Överför pengar." not in refused.text
    assert "hemligt-ord-42" not in refused.text
    assert "Skicka igen" not in refused.text


def test_a_file_posted_after_the_session_ended_is_not_offered_again(client, cast):
    url = reverse("sheet_import", args=[cast.event.pk])
    upload = SimpleUploadedFile("mall.xlsx", b"PK\x03\x04", content_type="application/zip")
    refused = client.post(url, {"file": upload, "note": "Bjurträsk"}, headers=OURS)
    assert refused.status_code == 403
    assert "Bjurträsk" not in refused.text
    assert "Gå tillbaka i webbläsaren" in refused.text


# A fragment and a page at one address ---------------------------------------------------


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",")}


GETS = sorted(name for name, (method, _, _) in EVENT_URLS.items() if method == "GET")


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("name", sorted(EVENT_URLS))
def test_every_answer_varies_on_hx_request(client, cast, name, htmx):
    method, _, data = EVENT_URLS[name]
    client.force_login(cast.kommunchef)
    response = call(client, method, url_of(name, cast), data, htmx)
    assert {"hx-request", "hx-history-restore-request"} <= vary(response)


def is_page(response) -> bool:
    html_answer = response["Content-Type"].startswith("text/html")
    return html_answer and response.text.lstrip().lower().startswith("<!doctype html>")


def test_a_history_restore_gets_the_whole_page_where_htmx_gets_a_fragment(client, cast):
    """htmx 2 asks for a page missing from its history cache with HX-Request too, and puts
    the answer in as the whole body: every URL that answers htmx with a fragment answers
    that request with its page."""
    client.force_login(cast.kommunchef)
    fragments = []
    for name in GETS:
        url, data = url_of(name, cast), EVENT_URLS[name][2]
        htmx = client.get(url, data, headers={"HX-Request": "true"})
        if is_page(htmx) or not is_page(client.get(url, data)):
            continue
        fragments.append(name)
        restore = client.get(
            url, data, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
        )
        assert restore.status_code == 200, name
        assert is_page(restore), name
        assert "Hoppa till huvudinnehållet" in restore.text, name
    # The members of the kind today; a new one is checked by the loop above as well.
    assert {"row_edit", "task_detail", "person_search"} <= set(fragments)
