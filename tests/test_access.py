"""The per-event access rule, walked for every event URL, persona and request kind."""

import html
import re
import secrets
import uuid
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.views.defaults import server_error

from commsplan.models import PressText
from commsplan.services import plan_for
from events.models import Convening, Membership, Phase
from guests.models import GuestRequest, token_hash
from reports.services import create_draft
from tests import sheets
from tests.personas import create_event_row

# Every URL that carries an event id, with how it is called and what it needs:
#   "read": members; "summary": members and task holders; "write": writers among members;
#   "task"/"task_write": seeing/reporting on Lena's task: members/writers, and Lena;
#   "reopen": the startgrupp (and a superuser), the one change a closed event takes;
#   "meeting": moving or cancelling the startgrupp's meeting: the startgrupp (and a superuser);
#   "quoted": a quote in a press text: the people quoted, members or not (commsplan.access);
#   "programme": starting an omställningsprogram from the event: its startgrupp (and a
#   superuser), open or closed (omstallning.access.may_start_from).
# A new event URL fails test_every_event_url_is_in_the_matrix until it is classified here.
EVENT_URLS = {
    "event_detail": ("GET", "read", {}),
    "event_summary": ("GET", "summary", {}),
    "event_log": ("GET", "read", {}),
    "log_entry_add": ("POST", "write", {"text": "Möte med facket bokat."}),
    "event_edit": ("GET", "write", {}),
    "picture_edit": ("GET", "read", {}),
    "picture_edit_post": ("POST", "write", {"what_happened": "Varsel om 38.", "based_on": 0}),
    "picture_history": ("GET", "read", {}),
    "decisions": ("GET", "read", {}),
    "decisions_post": ("POST", "write", {}),
    "phase_change": ("POST", "write", {"phase": "analysera"}),
    "event_close": ("GET", "write", {}),
    "event_close_post": ("POST", "write", {"reason": "Omställningen är klar.", "confirm": "on"}),
    # On cast.event, which is open: the page says so (test_close_reopen walks a closed one).
    "event_reopen": ("GET", "reopen", {}),
    "event_reopen_post": ("POST", "reopen", {"reason": "Företaget varslar igen."}),
    "startgroup_edit": ("GET", "write", {}),
    "meeting_edit": ("GET", "meeting", {}),
    "meeting_edit_post": ("POST", "meeting", {}),
    "meeting_cancel": ("POST", "meeting", {}),
    "task_list": ("GET", "read", {}),
    "task_list_post": ("POST", "write", {"what": "Boka lokal", "assignee_name": "Kim"}),
    # Lena's task: she sees it and reports on it, like the writers.
    "task_detail": ("GET", "task", {}),
    "task_detail_post": ("POST", "task_write", {"status": "pagar", "version": 1}),
    "task_edit": ("GET", "write", {}),
    "commsplan": ("GET", "read", {}),
    "commsplan_edit": ("GET", "write", {}),
    "commsplan_edit_post": ("POST", "write", {"problem": "Varsel."}),
    "company_announcement": ("GET", "write", {}),
    "company_announcement_post": ("POST", "write", {"at": "2026-11-20T10:00", "where": "Webb"}),
    "tidplan_row_edit": ("GET", "write", {}),
    "tidplan_row_edit_post": ("POST", "write", {"status": "pagar"}),
    "talking_points_edit": ("GET", "write", {}),
    "talking_points_edit_post": ("POST", "write", {"talking_points": "Vi finns här."}),
    "talking_points_pdf": ("GET", "read", {}),
    "press_text_create": ("GET", "write", {}),
    "press_text_create_post": ("POST", "write", {"title": "Varsel"}),
    "press_text_detail": ("GET", "read", {}),
    "press_text_edit": ("GET", "write", {}),
    "press_text_edit_post": ("POST", "write", {"title": "Varsel"}),
    "press_text_quote": ("GET", "quoted", {}),
    "press_text_quote_post": ("POST", "quoted", {}),
    "press_text_request_fact_check": ("POST", "write", {}),
    "press_text_fact_check": ("POST", "write", {}),
    "press_text_send_back": ("POST", "write", {"reason": "Siffran stämmer inte."}),
    "press_text_approve": ("POST", "write", {}),
    "press_text_publish": ("GET", "write", {}),
    "press_text_publish_post": ("POST", "write", {}),
    "press_text_correct": ("POST", "write", {}),
    "press_text_pdf": ("GET", "read", {}),
    "sheet": ("GET", "read", {}),
    "sheet_changes": ("GET", "read", {}),
    "sheet_presence": ("GET", "read", {}),
    "row_add": ("POST", "write", {"section": "fakta", "fakta-what": "Facket är kontaktat."}),
    "row_edit": ("GET", "read", {}),
    "row_edit_post": ("POST", "write", {"what": "Ändrad fakta.", "version": 1}),
    "row_move": ("POST", "write", {"direction": "upp"}),
    "row_remove": ("POST", "write", {"version": 1}),
    "row_restore": ("POST", "write", {"version": 1}),
    "row_delegate": ("GET", "write", {}),
    "row_delegate_post": ("POST", "write", {}),
    "row_history": ("GET", "read", {}),
    "sheet_history": ("GET", "read", {}),
    "snapshot_create": ("POST", "write", {"label": "Lägesbild 14.00"}),
    "snapshot_detail": ("GET", "read", {}),
    "sheet_export": ("GET", "read", {}),
    "sheet_import": ("GET", "read", {}),
    "sheet_import_post": ("POST", "write", {}),
    "import_confirm": ("POST", "write", {}),
    "parties": ("GET", "read", {}),
    "parties_post": ("POST", "write", {}),
    "party_detail": ("GET", "read", {}),
    "party_detail_post": ("POST", "write", {}),
    "contact_add": ("POST", "write", {}),
    # Requests to a party by link (guests/); the guest's own page: the block at the end.
    "guest_requests": ("GET", "read", {}),
    "guest_requests_post": ("POST", "write", {}),
    "guest_request_revoke": ("POST", "write", {}),
    "varsel_clock": ("GET", "read", {}),
    "varsel_clock_post": ("POST", "write", {"reason": "Varslet daterat en dag senare."}),
    "varsel_tasks": ("POST", "write", {}),
    # Whom a task can go to: names and addresses of colleagues, for writers only.
    "person_search": ("GET", "write", {"vem": "a"}),
    "report_list": ("GET", "read", {}),
    "report_create": ("GET", "write", {}),
    "report_create_post": ("POST", "write", {"summary": "Läget är lugnt."}),
    "report_detail": ("GET", "read", {}),
    "report_detail_post": ("POST", "write", {"summary": "Läget är lugnt."}),
    "report_request_approval": ("POST", "write", {}),
    "report_approve": ("POST", "write", {}),
    "report_send": ("POST", "write", {}),
    "report_pdf": ("GET", "read", {}),
    # Omställning (issue 15): the programme's own URLs are walked in test_omstallning_access.
    "programme_start": ("GET", "programme", {}),
    "programme_start_post": (
        "POST",
        "programme",
        {"title": "Omställning", "started_on": "2026-02-01", "planned_end_on": "2030-12-31"},
    ),
}


def _first_row(cast):
    return plan_for(cast.event).rows.get(position=0)


def _text(cast):
    return PressText.objects.create(
        row=_first_row(cast),
        title="Varslet",
        body="<p>Text</p>",
        contact=cast.kommunikator,
        author=cast.kommunikator,
    )


def _quoting_text(cast):
    # Quotes a startgrupp member, a läsbehörig and somebody outside the case.
    text = _text(cast)
    for person in (cast.kso, cast.lasare, cast.outsider):
        text.quotes.create(person=person)
    return text


# The bedömningsmall's URLs with more than the event id: the other ids, made on cast.event.
SHEET_ARGS = {
    # Not an id: a change for the poll to report (with none it answers 204).
    "sheet_changes": lambda cast: sheets.a_row(cast) and [],
    "row_edit": lambda cast: [sheets.a_row(cast).pk],
    "row_move": lambda cast: [sheets.a_row(cast).pk],
    "row_remove": lambda cast: [sheets.a_row(cast).pk],
    "row_restore": lambda cast: [sheets.a_row(cast).pk],
    "row_delegate": lambda cast: [sheets.a_row(cast).pk],
    "row_history": lambda cast: [sheets.a_row(cast).pk],
    "snapshot_detail": lambda cast: [sheets.a_snapshot(cast).pk],
    "import_confirm": lambda cast: [sheets.a_draft(cast).pk],
    "party_detail": lambda cast: [sheets.a_party(cast).pk],
    "contact_add": lambda cast: [sheets.a_party(cast).pk],
    "guest_requests": lambda cast: [sheets.a_party(cast).pk],
    "guest_request_revoke": lambda cast: [(r := _guest_request(cast)).party_id, r.pk],
}
SHEET_TWO_METHODS = {"row_edit", "row_delegate", "sheet_import", "parties", "party_detail"}


def _report(cast):
    return create_draft(
        cast.event, summary="Läget.", decisions_needed="", hidden=[], by=cast.arbetsgrupp
    )


def _meeting(cast):
    return Convening.objects.create(
        event=cast.event, meeting_at=timezone.now(), convened_by=cast.kommunchef
    )


# URLs that name an object of the event besides the event: how to make one on cast.event.
OBJECT_ARGS = {
    **dict.fromkeys(["meeting_edit", "meeting_cancel"], lambda cast: [_meeting(cast).pk]),
    **dict.fromkeys(["task_detail", "task_edit"], lambda cast: [cast.task.pk]),
    **SHEET_ARGS,
    **dict.fromkeys(
        ["tidplan_row_edit", "talking_points_edit", "talking_points_pdf", "press_text_create"],
        lambda cast: [_first_row(cast).pk],
    ),
    **dict.fromkeys(
        [name for name in EVENT_URLS if name.startswith("press_text_") and "create" not in name],
        lambda cast: [_text(cast).pk],
    ),
    "press_text_quote": lambda cast: [_quoting_text(cast).pk],
    **dict.fromkeys(
        [
            "report_detail",
            "report_request_approval",
            "report_approve",
            "report_send",
            "report_pdf",
        ],
        lambda cast: [_report(cast).pk],
    ),
}

# Views that take both GET and POST.
GET_AND_POST = {
    "event_edit",
    "startgroup_edit",
    "meeting_edit",
    "picture_edit",
    "event_close",
    "event_reopen",
    "decisions",
    "task_list",
    "task_detail",
    "task_edit",
    "commsplan_edit",
    "company_announcement",
    "tidplan_row_edit",
    "talking_points_edit",
    "press_text_create",
    "press_text_edit",
    "press_text_quote",
    "press_text_publish",
    "varsel_clock",
    "report_create",
    "report_detail",
    "programme_start",
    "guest_requests",
    *SHEET_TWO_METHODS,
}

# Documents on a case (documents/, issue 18) ------------------------------------------------
# Only members: a task holder does not see the case's documents (404), like its log.
EVENT_URLS |= {
    "document_list": ("GET", "read", {}),
    "document_upload": ("GET", "write", {}),
    "document_upload_post": ("POST", "write", {}),
    "document_register_export": ("GET", "read", {}),
    "document_detail": ("GET", "read", {}),
    "document_download": ("GET", "read", {}),
    "document_version_add": ("POST", "write", {}),
    "document_mark_secret": ("POST", "write", {"provision": "OSL 31 kap. 16 §"}),
    "document_void": ("POST", "write", {"reason": "Hörde till ett annat ärende."}),
    "document_link": ("POST", "write", {}),
    "document_unlink": ("POST", "write", {}),
}


def _document(cast):
    from documents.services import register

    data = {
        "title": "Konkursförvaltarens yttrande",
        "public_description": "Yttrande",
        "document_date": timezone.localdate(),
        "direction": "inkommande",
        "counterpart": "Advokatfirman Lindh",
    }
    return register(cast.event, data, file=("y.pdf", "pdf", b"%PDF-1.7\n"), by=cast.arbetsgrupp)


def _document_link(cast):
    from documents.services import link

    return link(_document(cast), "task", cast.task, by=cast.arbetsgrupp)


OBJECT_ARGS |= {
    **dict.fromkeys(
        [
            "document_detail",
            "document_version_add",
            "document_mark_secret",
            "document_void",
            "document_link",
        ],
        lambda cast: [_document(cast).pk],
    ),
    "document_download": lambda cast: [
        (document := _document(cast)).pk,
        document.versions.get().pk,
    ],
    "document_unlink": lambda cast: [(link := _document_link(cast)).document_id, link.pk],
}
GET_AND_POST |= {"document_upload"}
# ---------------------------------------------------------------------------------------------


# What each persona may do on cast.event.
WRITER = {"read", "summary", "write", "task", "task_write"}
STARTGRUPP = WRITER | {"reopen", "meeting", "programme"}
ALLOWED = {
    "superuser": STARTGRUPP,
    "kommunchef": STARTGRUPP,
    "kso": STARTGRUPP | {"quoted"},
    "utvecklingschef": STARTGRUPP,
    "kommunikator": STARTGRUPP,
    "arbetsgrupp": WRITER,
    "lasare": {"read", "summary", "task", "quoted"},
    "task_holder": {"summary", "task", "task_write"},
    "outsider": {"quoted"},
}


def event_url_names():
    names = set()
    for pattern in get_resolver().url_patterns:
        for sub in getattr(pattern, "url_patterns", [pattern]):
            if "event_id" in str(sub.pattern):
                names.add(sub.name)
    return names


def url_name(name):
    # "<name>_post" is the same URL called with POST.
    return name.removesuffix("_post")


def url_of(name, cast, event_id=None):
    extra = OBJECT_ARGS.get(url_name(name))
    return reverse(
        url_name(name), args=[event_id or cast.event.pk, *(extra(cast) if extra else [])]
    )


def test_every_event_url_is_in_the_matrix():
    assert event_url_names() == {url_name(name) for name in EVENT_URLS}


def expected_status(persona, method, needs):
    allowed = ALLOWED[persona]
    if needs in allowed:
        # A page, or after a POST a redirect (htmx-aware views answer a fragment instead).
        return {200, 302} if method == "POST" else {200}
    # May see it, may not change it.
    changes = needs in ("write", "reopen", "meeting", "programme")
    if (changes and "read" in allowed) or (needs == "task_write" and "task" in allowed):
        return {403}
    return {404}  # never learn that the event exists


def call(client, method, url, data, htmx):
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"} if htmx else {}
    if method == "POST":
        return client.post(url, data, headers=headers)
    return client.get(url, headers=headers)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("name", sorted(EVENT_URLS))
@pytest.mark.parametrize("persona", sorted(ALLOWED))
def test_access_matrix(client, cast, persona, name, htmx):
    method, needs, data = EVENT_URLS[name]
    client.force_login(getattr(cast, persona))
    response = call(client, method, url_of(name, cast), data, htmx)
    assert response.status_code in expected_status(persona, method, needs)
    if response.status_code == 404:
        assert cast.event.title.encode() not in response.content


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("name", sorted(EVENT_URLS))
def test_anonymous_is_sent_to_login(client, cast, name, htmx):
    method, _, data = EVENT_URLS[name]
    url = url_of(name, cast)
    response = call(client, method, url, data, htmx)
    # An htmx request: back to the page it was made from (HX-Current-URL), never to a
    # fragment. A plain form posted after the session ended is not redirected (what was
    # typed would be lost): tests/test_web_client.py.
    login = f"{reverse('login')}?next={url if method == 'GET' and not htmx else '/'}"
    if htmx:
        # htmx would swap a redirect's page into the fragment; it must load it whole.
        assert response.status_code == 204
        assert response["HX-Redirect"] == login
    elif method == "POST":
        assert response.status_code == 403
        assert f'href="{html.escape(login)}"' in response.text
    else:
        assert response.status_code == 302
        assert response["Location"] == login


def test_a_form_posted_after_the_session_ended_leads_back_to_its_page(client, cast):
    page = reverse("event_detail", args=[cast.event.pk])
    post = reverse("log_entry_add", args=[cast.event.pk])
    for referer, back in [
        (f"http://testserver{page}?visa=alla", f"{page}?visa=alla"),
        ("https://elsewhere.example/arenden/", "/"),
        ("", "/"),
    ]:
        response = client.post(post, {"text": "Ringde facket."}, headers={"Referer": referer})
        login = f"{reverse('login')}?next={quote(back, safe='/')}"
        assert f'href="{html.escape(login)}" target="_blank"' in response.text
        assert f'<a href="{html.escape(back)}">Tillbaka till sidan</a>' in response.text


@pytest.mark.parametrize("name", sorted(EVENT_URLS))
def test_an_event_that_does_not_exist_is_404_even_for_a_superuser(client, cast, name):
    method, _, data = EVENT_URLS[name]
    client.force_login(cast.superuser)
    response = call(client, method, url_of(name, cast, uuid.uuid4()), data, False)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", [n for n, (_, needs, _) in EVENT_URLS.items() if needs in ("write", "meeting")]
)
@pytest.mark.parametrize("persona", ["kommunchef", "arbetsgrupp", "superuser"])
def test_a_closed_event_is_read_only_for_everyone(client, cast, persona, name):
    cast.event.phase = Phase.AVSLUTAD
    cast.event.save(update_fields=["phase"])
    method, _, data = EVENT_URLS[name]
    client.force_login(getattr(cast, persona))
    assert call(client, method, url_of(name, cast), data, False).status_code == 403
    # ...and stays readable: public records are not hidden.
    assert client.get(reverse("event_detail", args=[cast.event.pk])).status_code == 200


def listed(client, user) -> list[str]:
    client.force_login(user)
    return [event.title for event in client.get(reverse("start")).context["events"]]


def test_the_start_page_lists_only_the_users_own_events(client, cast):
    assert cast.event.title not in listed(client, cast.outsider)
    assert cast.event.title not in client.get(reverse("start")).text
    assert cast.event.title not in listed(client, cast.task_holder)
    # Her task waits for her there, named by its case, as on Mina uppgifter.
    [task] = client.get(reverse("start")).context["waiting"]
    assert (task.case_number, task.title) == (cast.event.case_number, cast.event.title)
    assert cast.event.title in listed(client, cast.lasare)


def test_a_task_holder_sees_only_their_own_tasks_in_the_summary(client, cast):
    cast.event.tasks.create(what="Hemlig uppgift för någon annan", assignee=cast.arbetsgrupp)
    client.force_login(cast.task_holder)
    page = client.get(reverse("event_summary", args=[cast.event.pk])).text
    assert "Ring omställningsfonden" in page
    assert "Hemlig uppgift" not in page


@pytest.mark.parametrize("name", sorted(EVENT_URLS))
def test_a_wrong_method_is_405(client, cast, name):
    method, _, _ = EVENT_URLS[name]
    # Views in GET_AND_POST take both: PUT is their wrong method.
    wrong = "put" if url_name(name) in GET_AND_POST else "get" if method == "POST" else "post"
    client.force_login(cast.kommunchef)
    assert getattr(client, wrong)(url_of(name, cast)).status_code == 405


def test_refusals_are_explained_in_swedish(client, cast):
    client.force_login(cast.outsider)
    response = client.get(reverse("event_detail", args=[cast.event.pk]))
    assert response.status_code == 404
    assert "Sidan finns inte" in response.text
    client.force_login(cast.lasare)
    response = client.post(reverse("log_entry_add", args=[cast.event.pk]), {"text": "Hej"})
    assert response.status_code == 403
    assert "Ingenting är sparat" in response.text


def test_no_page_offers_an_english_placeholder_choice(client, cast):
    client.force_login(cast.superuser)
    pages = [url_of(name, cast) for name, (method, _, _) in EVENT_URLS.items() if method == "GET"]
    pages += [reverse("event_create"), reverse("account_settings")]
    english = [url for url in pages if b"Select an option" in client.get(url).content]
    assert english == []


def test_no_radio_group_offers_a_button_for_nothing(client, cast):
    client.force_login(cast.superuser)
    pages = [url_of(name, cast) for name, (method, _, _) in EVENT_URLS.items() if method == "GET"]
    pages += [reverse("event_create"), reverse("account_settings")]
    # "Inte beslutat än" is a real answer; a bare "Välj" button is not.
    blank_radio = re.compile('type="radio" name="[^"]+" value=""[^>]*>\\s*– Välj –')
    pages = {url: client.get(url).content.decode(errors="replace") for url in pages}
    assert [url for url, page in pages.items() if blank_radio.search(page)] == []


def test_the_server_error_page_is_swedish_and_needs_no_request_context(rf):
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Ett fel uppstod" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("decisions_post", "workgroup"),
        ("startgroup_edit", "members"),
        ("picture_edit_post", "attendees"),
        ("tidplan_row_edit_post", "channels"),
    ],
)
def test_an_id_too_large_for_the_database_is_refused_on_its_field(client, cast, name, field):
    client.force_login(cast.kommunchef)
    data = {**EVENT_URLS[name][2], field: "9" * 30}
    response = client.post(url_of(name, cast), data)
    assert response.status_code == 200
    assert "9" * 30 in response.text  # named in the field's message


# Guest links (guests/, issue 17) ------------------------------------------------------------
# The guest page is opened by its token alone: the same for every persona and for nobody
# signed in, and no other id (the request's, the party's, the event's) opens it.


def _guest_request(cast, question="Hur många berörs?", party=None):
    """A request on cast.event (or to `party`), with its link's path as `.path`; the token
    is made here as guests.services makes it, since these tests mail nothing."""
    token = secrets.token_urlsafe(32)
    request = GuestRequest.objects.create(
        party=party or sheets.a_party(cast),
        question=question,
        due_at=timezone.now() + timedelta(days=3),
        email="bo@gs.example",
        token_hash=token_hash(token),
        expires_at=timezone.now() + timedelta(days=14),
        created_by=cast.arbetsgrupp,
    )
    request.path = reverse("guest_page", args=[token])
    return request


@pytest.mark.parametrize("persona", [None, *sorted(ALLOWED)])
def test_a_guest_link_shows_the_same_page_to_everyone(client, cast, persona):
    request = _guest_request(cast)
    if persona:
        client.force_login(getattr(cast, persona))
    response = client.get(request.path)
    assert response.status_code == 200
    assert "Hur många berörs?" in response.text
    assert cast.event.title not in response.text
    # Nothing of whoever is signed in: the page reads no session.
    assert "Logga ut" not in response.text


def test_no_other_id_opens_a_guest_page(client, cast):
    request = _guest_request(cast)
    for other in (request.pk, request.party_id, cast.event.pk, request.token_hash):
        assert client.get(reverse("guest_page", args=[other])).status_code == 404


@pytest.mark.parametrize("persona", sorted(ALLOWED))
def test_a_request_is_reached_only_through_its_own_event_and_party(client, cast, persona):
    """IDOR: cast.event's URLs naming a party or request of another event, or another
    party's request: 404 for everyone, and nothing is revoked."""
    other_event = create_event_row("Ett annat ärende", cast.kommunchef)
    Membership.objects.create(event=other_event, user=cast.kommunchef, group="startgrupp")
    other_party = other_event.external_parties.create(
        type="fack", organisation="Annan part", created_by=cast.kommunchef
    )
    elsewhere = _guest_request(cast, party=other_party)
    mine = sheets.a_party(cast)
    client.force_login(getattr(cast, persona))
    listed = client.get(reverse("guest_requests", args=[cast.event.pk, other_party.pk]))
    assert listed.status_code == 404
    revokes = [
        reverse("guest_request_revoke", args=[cast.event.pk, other_party.pk, elsewhere.pk]),
        reverse("guest_request_revoke", args=[cast.event.pk, mine.pk, elsewhere.pk]),
    ]
    # Pia reads cast.event and may not write: refused before any id is looked at.
    refused = 403 if persona == "lasare" else 404
    assert [client.post(url).status_code for url in revokes] == [refused, refused]
    elsewhere.refresh_from_db()
    assert elsewhere.revoked_at is None
