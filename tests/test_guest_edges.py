"""The guest links' edges (issue 17, second round), through HTTP: who is told of an answer
once the requester has left the case; every response under /gast/ in the guest frame with
its headers and no cookie, Django's own errors too; no token in the log; the rate limit
writes nothing once exceeded; typed times at the ends of the calendar; a requester without
a name; text that shows nothing or reorders itself."""

import logging
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from assessment.models import Contact
from events.models import Event, Membership, Phase, Task
from guests import reminders
from guests.forms import QUESTION_MAX
from guests.models import GuestRequest, RateWindow
from notices.models import Notice
from tests.test_event_create import URL as EVENT_CREATE
from tests.test_event_create import minimal
from tests.test_guests import ORIGIN, a_party, sent_link

GUEST_HEADERS = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


@pytest.fixture
def party(cast):
    return a_party(cast.event, cast.arbetsgrupp)


def leaves_the_case(user, event):
    Membership.objects.filter(event=event, user=user).delete()


def answer_as_guest(client, path, text="Tolv av trettio."):
    client.logout()
    client.cookies.clear()
    return client.post(path, {"answer": text}, headers=ORIGIN)


def told(kind: str) -> set:
    return {notice.recipient for notice in Notice.objects.filter(kind=kind)}


# 1. Only someone who may still read the case is told ------------------------------------------


def test_a_requester_still_on_the_case_is_told(client, cast, party, mailoutbox):
    path = sent_link(client, cast, party, mailoutbox)
    answer_as_guest(client, path)
    assert told("guest_answered") == {cast.arbetsgrupp}
    assert "din förfrågan" in Notice.objects.get(kind="guest_answered").body


def test_a_requester_taken_off_the_case_is_not_told_but_the_arbetsgrupp_s_lead(
    client, cast, party, mailoutbox
):
    path = sent_link(client, cast, party, mailoutbox)
    leaves_the_case(cast.arbetsgrupp, cast.event)
    Event.objects.filter(pk=cast.event.pk).update(workgroup_lead=cast.kommunchef)
    mails_before = len(mailoutbox)
    assert answer_as_guest(client, path).status_code == 302
    assert told("guest_answered") == {cast.kommunchef}
    notice = Notice.objects.get(kind="guest_answered")
    assert "förfrågan från Sara Eklund" in notice.body
    # The answer still lands in the contact log.
    assert Contact.objects.filter(party=party, text__contains="Tolv av trettio.").exists()
    assert all(cast.arbetsgrupp.email not in m.to for m in mailoutbox[mails_before:])


def test_without_a_lead_on_the_case_the_arbetsgrupp_is_told(client, cast, party, mailoutbox):
    path = sent_link(client, cast, party, mailoutbox)
    leaves_the_case(cast.arbetsgrupp, cast.event)
    Membership.objects.create(event=cast.event, user=cast.task_holder, group="arbetsgrupp")
    # A lead who has left the case too is passed over.
    Event.objects.filter(pk=cast.event.pk).update(workgroup_lead=cast.arbetsgrupp)
    answer_as_guest(client, path)
    assert told("guest_answered") == {cast.task_holder}


def test_a_reader_only_is_never_told_in_the_requester_s_stead(client, cast, party, mailoutbox):
    path = sent_link(client, cast, party, mailoutbox)
    leaves_the_case(cast.arbetsgrupp, cast.event)
    Event.objects.filter(pk=cast.event.pk).update(workgroup_lead=cast.lasare)
    answer_as_guest(client, path)
    # Nobody left in the arbetsgrupp: the answer waits in the contact log.
    assert told("guest_answered") == set()
    assert GuestRequest.objects.get().answered_at is not None


def test_the_overdue_reminder_goes_to_the_lead_once_the_requester_has_left(
    client, cast, party, mailoutbox
):
    sent_link(client, cast, party, mailoutbox)
    leaves_the_case(cast.arbetsgrupp, cast.event)
    Event.objects.filter(pk=cast.event.pk).update(workgroup_lead=cast.utvecklingschef)
    assert reminders.scan(timezone.now() + timedelta(days=4)) == 1
    assert told("guest_overdue") == {cast.utvecklingschef}


# 2. Every response under /gast/ in the guest frame, no cookie, the guest headers --------------


def assert_guest_frame(response, status: int):
    assert response.status_code == status
    assert not response.cookies
    assert "Set-Cookie" not in response.headers
    for name, value in GUEST_HEADERS.items():
        assert response[name] == value
    assert "no-store" in response["Cache-Control"]
    if response.content:
        page = response.content.decode()
        assert "Mina ärenden" not in page
        assert "csrf" not in page.lower()
        assert 'content="noindex"' in page


@pytest.fixture
def guest_link(client, cast, party, mailoutbox):
    path = sent_link(client, cast, party, mailoutbox)
    client.logout()
    client.cookies.clear()
    return path


def test_a_post_over_the_size_limit_is_refused_in_the_guest_frame(client, guest_link, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(guest_link, {"answer": "x" * 2000}, headers=ORIGIN)
    assert_guest_frame(response, 400)
    assert "togs inte emot" in response.text


def test_a_post_with_too_many_fields_is_refused_in_the_guest_frame(client, guest_link, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"f{n}": "x" for n in range(20)} | {"answer": "Ja."}
    assert_guest_frame(client.post(guest_link, fields, headers=ORIGIN), 400)


def test_a_multipart_post_without_a_boundary_is_refused_in_the_guest_frame(client, guest_link):
    response = client.post(
        guest_link, b"answer=Ja", content_type="multipart/form-data", headers=ORIGIN
    )
    assert_guest_frame(response, 400)
    assert GuestRequest.objects.get().answered_at is None


def test_head_and_other_methods_are_refused_in_the_guest_frame(client, guest_link):
    assert_guest_frame(client.head(guest_link), 405)
    response = client.put(guest_link)
    assert_guest_frame(response, 405)
    assert "Sidan kan inte användas så" in response.text
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_the_guest_s_own_pages_keep_their_frame_and_headers(client, guest_link, settings):
    assert_guest_frame(client.get(guest_link), 200)
    assert_guest_frame(client.get("/gast/gissning/"), 404)
    assert_guest_frame(client.post(guest_link, {"answer": "Ja."}), 403)
    settings.GUEST_RATE_PER_TOKEN = 1
    assert_guest_frame(client.get(guest_link), 429)


def test_a_member_s_session_outlives_a_guest_error(client, cast, guest_link):
    client.force_login(cast.arbetsgrupp)
    assert_guest_frame(client.head(guest_link), 405)
    assert client.get(reverse("start")).status_code == 200


# 3. The icon, and the site's 404 sets no cookie for nobody --------------------------------------


def test_the_guest_page_names_its_icon_and_the_site_s_404_sets_no_cookie(client, guest_link):
    page = client.get(guest_link).text
    assert '<link rel="icon" href="/static/img/norsjo-logo.svg"' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 404
    assert not response.cookies


def test_the_site_s_pages_for_a_member_still_carry_the_token_for_htmx(client, cast):
    client.force_login(cast.arbetsgrupp)
    assert "X-CSRFToken" in client.get(reverse("start")).text


# 4. No token in the log ------------------------------------------------------------------------


def test_no_logged_record_holds_a_guest_token(client, guest_link, settings, caplog):
    token = guest_link.split("/")[2]
    caplog.set_level(logging.INFO)
    client.head(guest_link)  # Method Not Allowed (HEAD)
    client.get("/gast/en-gissad-nyckel/")  # Not Found
    client.post(guest_link, {"answer": "Ja."})  # Forbidden
    settings.GUEST_RATE_PER_TOKEN = 1
    client.get(guest_link)  # Too Many Requests
    messages = [record.getMessage() for record in caplog.records]
    assert len([m for m in messages if "/gast/…/" in m]) >= 4
    assert not [m for m in messages if token in m or "en-gissad-nyckel" in m]


def test_the_development_server_s_request_line_holds_no_token(caplog):
    server = logging.getLogger("django.server")
    server.addHandler(caplog.handler)
    try:
        server.warning('"%s" %s %s', "GET /gast/hemlig-nyckel/ HTTP/1.1", "404", "120")
    finally:
        server.removeHandler(caplog.handler)
    [record] = caplog.records
    assert record.getMessage() == '"GET /gast/…/ HTTP/1.1" 404 120'


def test_gunicorn_s_access_log_holds_no_token():
    from datetime import timedelta as span
    from types import SimpleNamespace

    from gunicorn.config import Config

    from norsjo.gunicorn_logger import GuestSafeLogger

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/gast/hemlig-nyckel/?x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/gast/hemlig-nyckel/",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = GuestSafeLogger(Config()).atoms(response, [], environ, span(seconds=1))
    assert atoms["r"] == "GET /gast/…/?x=1 HTTP/1.1"
    assert atoms["U"] == "/gast/…/"


# 5. Typed times at the ends of the calendar --------------------------------------------------

EXTREMES = ["0001-01-01T00:00", "9999-12-31T23:59", "1899-12-31T23:59", "3000-01-01T00:00"]
REFUSED = "går inte att använda: skriv en tid mellan år 1900 och 2999"


@pytest.mark.parametrize("typed", EXTREMES)
def test_a_guest_request_due_at_the_end_of_time_is_refused_in_its_field(
    client, cast, party, typed
):
    client.force_login(cast.arbetsgrupp)
    url = reverse("guest_requests", args=[cast.event.pk, party.pk])
    data = {"kind": "question", "question": "Hur många?", "due_at": typed}
    response = client.post(url, data)
    assert response.status_code == 200
    assert f"”{typed}” {REFUSED}" in response.text
    assert f'value="{typed}"' in response.text
    assert not GuestRequest.objects.exists()


@pytest.mark.parametrize("typed", EXTREMES)
def test_a_task_due_at_the_end_of_time_is_refused_in_its_field(client, cast, typed):
    client.force_login(cast.arbetsgrupp)
    data = {"what": "Ring facket", "assignee": cast.kso.pk, "due_at": typed}
    response = client.post(reverse("task_list", args=[cast.event.pk]), data)
    assert response.status_code == 200
    assert REFUSED in response.text
    assert not Task.objects.filter(what="Ring facket").exists()


@pytest.mark.parametrize("typed", EXTREMES[:2])
def test_a_meeting_at_the_end_of_time_is_refused_in_its_field(client, cast, typed):
    client.force_login(cast.kommunchef)
    response = client.post(EVENT_CREATE, minimal(meeting_at=typed))
    assert response.status_code == 200
    assert f"”{typed}” {REFUSED}" in response.text
    assert not Event.objects.filter(title=minimal()["title"]).exists()


# 6. A refused request writes nothing ---------------------------------------------------------


def rate_rows():
    return RateWindow.objects.count(), RateWindow.objects.aggregate(Sum("hits"))["hits__sum"]


def test_once_the_address_limit_is_exceeded_nothing_more_is_written(client, cast, settings):
    settings.GUEST_RATE_PER_ADDRESS = 3
    assert [client.get(f"/gast/gissning{n}/").status_code for n in range(3)] == [404] * 3
    counted = rate_rows()
    assert counted == (4, 6)  # one address window, three token windows
    assert [client.get(f"/gast/annan{n}/").status_code for n in range(10)] == [429] * 10
    assert rate_rows() == counted


def test_once_the_link_limit_is_exceeded_nothing_more_is_written(client, guest_link, settings):
    settings.GUEST_RATE_PER_TOKEN = 2
    assert [client.get(guest_link).status_code for _ in range(2)] == [200, 200]
    rows = RateWindow.objects.count()
    assert [client.get(guest_link).status_code for _ in range(5)] == [429] * 5
    # The address goes on counting the requests it sends; the full link's row is only read.
    assert RateWindow.objects.count() == rows
    assert RateWindow.objects.get(bucket__startswith="token:").hits == 2


# 7. A requester without a name ----------------------------------------------------------------


def test_a_requester_without_a_name_is_named_by_address(client, cast, party, mailoutbox):
    cast.arbetsgrupp.first_name = cast.arbetsgrupp.last_name = ""
    cast.arbetsgrupp.save()
    path = sent_link(client, cast, party, mailoutbox)
    address = cast.arbetsgrupp.email
    assert mailoutbox[-1].body.startswith(f"{address}, Norsjö kommun, har en fråga")
    client.logout()
    assert f"{address}, Norsjö kommun" in client.get(path).text
    page = answer_as_guest(client, path)
    page = client.get(path).text
    assert f"kontakta {address} om" in page
    assert "kontakta  om" not in page


def test_a_requester_without_a_name_or_address_is_named_by_username(
    client, cast, party, mailoutbox
):
    cast.arbetsgrupp.first_name = cast.arbetsgrupp.last_name = cast.arbetsgrupp.email = ""
    cast.arbetsgrupp.save()
    sent_link(client, cast, party, mailoutbox)
    assert mailoutbox[-1].body.startswith("sara, Norsjö kommun, har en fråga")


# 8. A long unbroken URL wraps -----------------------------------------------------------------


def test_the_guest_content_wraps_a_long_unbroken_url(client, cast, party, mailoutbox):
    long_url = "https://example.se/" + "a" * 300
    path = sent_link(client, cast, party, mailoutbox, question=f"Se {long_url}")
    client.logout()
    page = client.get(path).text
    assert 'class="wrap guest-content"' in page
    css = client.get("/static/css/site.css")
    css = b"".join(css.streaming_content) if css.streaming else css.content
    assert b".guest-content { overflow-wrap: anywhere; }" in css


# Smaller: text that shows nothing, too long, or reorders itself; a closed case's list ----------

INVISIBLE = ["\u200b", "\u200b\u200d\ufeff", " \u2060 \u00ad ", "\x00\x07"]


@pytest.mark.parametrize("question", INVISIBLE)
def test_a_question_of_nothing_visible_is_refused_as_empty(client, cast, party, question):
    client.force_login(cast.arbetsgrupp)
    url = reverse("guest_requests", args=[cast.event.pk, party.pk])
    data = {"kind": "question", "question": question, "due_at": "2026-01-16T12:00"}
    response = client.post(url, data)
    assert "Skriv frågan till mottagaren." in response.text
    assert not GuestRequest.objects.exists()


@pytest.mark.parametrize("answer", INVISIBLE)
def test_an_answer_of_nothing_visible_is_refused_as_empty(client, guest_link, answer):
    response = client.post(guest_link, {"answer": answer}, headers=ORIGIN)
    assert response.status_code == 200
    assert "Skriv ditt svar." in response.text
    assert GuestRequest.objects.get().answered_at is None


def test_a_question_too_long_is_refused_keeping_the_text(client, cast, party):
    client.force_login(cast.arbetsgrupp)
    url = reverse("guest_requests", args=[cast.event.pk, party.pk])
    question = "ord " * (QUESTION_MAX // 4) + "sista"
    data = {"kind": "question", "question": question, "due_at": "2026-01-16T12:00"}
    response = client.post(url, data)
    assert f"Frågan får vara högst {QUESTION_MAX} tecken" in response.text
    assert "sista</textarea>" in response.text
    assert not GuestRequest.objects.exists()


def test_bidi_overrides_in_an_answer_are_dropped(client, guest_link):
    answer_as_guest(client, guest_link, "Ja\u202e ,tnemelppus\u202c och \u2067isolat\u2069.")
    request = GuestRequest.objects.get()
    assert request.answer == "Ja ,tnemelppus och isolat."
    assert not any(c in request.contact.text for c in "\u202a\u202b\u202c\u202d\u202e\u2066")


def test_a_closed_case_s_request_list_says_the_link_no_longer_works(
    client, cast, party, mailoutbox
):
    sent_link(client, cast, party, mailoutbox)
    Event.objects.filter(pk=cast.event.pk).update(phase=Phase.AVSLUTAD)
    page = client.get(reverse("guest_requests", args=[cast.event.pk, party.pk])).text
    assert "Väntar på svar" not in page
    assert "länken fungerar inte längre" in page
