"""The per-event access rule, walked for every event URL, persona and request kind."""

import uuid

import pytest
from django.urls import get_resolver, reverse

from events.models import Phase

# Every URL that carries an event id, with how it is called and what it needs:
#   "read": members; "summary": members and task holders; "write": writers among members.
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
}

# What each persona may do on cast.event.
ALLOWED = {
    "superuser": {"read", "summary", "write"},
    "kommunchef": {"read", "summary", "write"},
    "kso": {"read", "summary", "write"},
    "utvecklingschef": {"read", "summary", "write"},
    "kommunikator": {"read", "summary", "write"},
    "arbetsgrupp": {"read", "summary", "write"},
    "lasare": {"read", "summary"},
    "task_holder": {"summary"},
    "outsider": set(),
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


def test_every_event_url_is_in_the_matrix():
    assert event_url_names() == {url_name(name) for name in EVENT_URLS}


def expected_status(persona, method, needs):
    allowed = ALLOWED[persona]
    if needs in allowed:
        # A page, or after a POST a redirect (htmx-aware views answer a fragment instead).
        return {200, 302} if method == "POST" else {200}
    if needs == "write" and allowed & {"read"}:
        return {403}  # may see the event, may not change it
    return {404}  # never learn that the event exists


def call(client, method, url, data, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    if method == "POST":
        return client.post(url, data, headers=headers)
    return client.get(url, headers=headers)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("name", sorted(EVENT_URLS))
@pytest.mark.parametrize("persona", sorted(ALLOWED))
def test_access_matrix(client, cast, persona, name, htmx):
    method, needs, data = EVENT_URLS[name]
    client.force_login(getattr(cast, persona))
    response = call(client, method, reverse(url_name(name), args=[cast.event.pk]), data, htmx)
    assert response.status_code in expected_status(persona, method, needs)
    if response.status_code == 404:
        assert cast.event.title.encode() not in response.content


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("name", sorted(EVENT_URLS))
def test_anonymous_is_sent_to_login(client, cast, name, htmx):
    method, _, data = EVENT_URLS[name]
    url = reverse(url_name(name), args=[cast.event.pk])
    response = call(client, method, url, data, htmx)
    login = f"{reverse('login')}?next={url}"
    if htmx:
        # htmx would swap a redirect's page into the fragment; it must load it whole.
        assert response.status_code == 204
        assert response["HX-Redirect"] == login
    else:
        assert response.status_code == 302
        assert response["Location"] == login


@pytest.mark.parametrize("name", sorted(EVENT_URLS))
def test_an_event_that_does_not_exist_is_404_even_for_a_superuser(client, cast, name):
    method, _, data = EVENT_URLS[name]
    client.force_login(cast.superuser)
    response = call(client, method, reverse(url_name(name), args=[uuid.uuid4()]), data, False)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", [n for n, (_, needs, _) in EVENT_URLS.items() if needs == "write"]
)
@pytest.mark.parametrize("persona", ["kommunchef", "arbetsgrupp", "superuser"])
def test_a_closed_event_is_read_only_for_everyone(client, cast, persona, name):
    cast.event.phase = Phase.AVSLUTAD
    cast.event.save(update_fields=["phase"])
    method, _, data = EVENT_URLS[name]
    client.force_login(getattr(cast, persona))
    assert (
        call(
            client, method, reverse(url_name(name), args=[cast.event.pk]), data, False
        ).status_code
        == 403
    )
    # ...and stays readable: public records are not hidden.
    assert client.get(reverse("event_detail", args=[cast.event.pk])).status_code == 200


def test_the_start_page_lists_only_the_users_own_events(client, cast):
    client.force_login(cast.outsider)
    assert cast.event.title not in client.get(reverse("start")).text
    client.force_login(cast.task_holder)
    assert cast.event.title not in client.get(reverse("start")).text
    client.force_login(cast.lasare)
    assert cast.event.title in client.get(reverse("start")).text


def test_a_task_holder_sees_only_their_own_tasks_in_the_summary(client, cast):
    cast.event.tasks.create(what="Hemlig uppgift för någon annan", assignee=cast.arbetsgrupp)
    client.force_login(cast.task_holder)
    page = client.get(reverse("event_summary", args=[cast.event.pk])).text
    assert "Ring omställningsfonden" in page
    assert "Hemlig uppgift" not in page


@pytest.mark.parametrize("name", sorted(EVENT_URLS))
def test_a_wrong_method_is_405(client, cast, name):
    method, _, _ = EVENT_URLS[name]
    if url_name(name) in {"event_edit", "picture_edit", "decisions"}:
        wrong = "put"  # these take GET and POST
    else:
        wrong = "get" if method == "POST" else "post"
    client.force_login(cast.kommunchef)
    url = reverse(url_name(name), args=[cast.event.pk])
    assert getattr(client, wrong)(url).status_code == 405
