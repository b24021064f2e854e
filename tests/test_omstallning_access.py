"""The omställningsprogram's access rule (omstallning.access), walked for every programme
URL, persona and request kind (plain, htmx), as tests/test_access.py walks the event's.
The programme's members are the event's startgrupp (who started it) and Sara; Pia is
läsbehörig; Lena and Olle, and every member of the event who is not in the programme, get
404."""

import uuid

import pytest
from django.urls import get_resolver, reverse

from omstallning import services
from tests.personas import create_user
from tests.programmes import a_programme, a_target, an_area
from tests.test_access import call, url_name

# "read": members and läsbehöriga; "write": members (läsbehöriga 403, others 404).
PROGRAMME_URLS = {
    "programme_detail": ("GET", "read", {}),
    "programme_phase": ("POST", "write", {"phase": "strategi"}),
    "programme_link_event": ("POST", "write", {}),
    "programme_members": ("GET", "read", {}),
    "programme_members_post": ("POST", "write", {}),
    "programme_status_chart": ("GET", "read", {}),
    "plan_new_version": ("POST", "write", {}),
    "plan_compare": ("GET", "read", {}),
    "plan_detail": ("GET", "read", {}),
    "plan_edit": ("GET", "write", {}),
    "plan_edit_post": ("POST", "write", {}),
    "plan_budget_add": ("POST", "write", {"year": 2026, "source": "Region", "amount_kr": 5}),
    "plan_approve": ("POST", "write", {}),
    "plan_adopt": ("POST", "write", {"adopted_on": "2026-01-10", "paragraph": "§ 4"}),
    "focus_area_add": ("POST", "write", {"name": "Kompetens"}),
    "target_create": ("GET", "write", {}),
    "target_create_post": ("POST", "write", {}),
    "target_detail": ("GET", "read", {}),
    "measurement_add": ("POST", "write", {"value": "3", "measured_on": "2026-01-10"}),
    "target_colour": ("POST", "write", {"colour": ""}),
    "target_chart": ("GET", "read", {}),
    "programme_log": ("GET", "read", {}),
    # Each writer takes Stina out (the fixture adds her for every test).
    "programme_member_remove": ("POST", "write", {}),
    "focus_area_edit": ("GET", "write", {}),
    "focus_area_edit_post": ("POST", "write", {"name": "Näringsliv", "version": "0"}),
    "focus_area_end": ("POST", "write", {"end-ended": "avslutad", "end-reason": "Klart."}),
    "target_edit": ("GET", "write", {}),
    "target_edit_post": ("POST", "write", {"version": "0"}),
    "target_end": ("POST", "write", {"end-ended": "struken", "end-reason": "Fel."}),
    "measurement_edit": ("GET", "write", {}),
    "measurement_edit_post": (
        "POST",
        "write",
        {"value": "4", "measured_on": "2026-01-10", "source": "SCB", "version": "0"},
    ),
    "measurement_void": ("POST", "write", {"void-reason": "Inlagt av misstag."}),
    "budget_line_edit": ("GET", "write", {}),
    "budget_line_edit_post": (
        "POST",
        "write",
        {"year": "2026", "source": "Region", "amount_kr": "1 200 000 kr", "revision": "0"},
    ),
    "budget_line_remove": ("POST", "write", {}),
}
WRITERS = {"superuser", "kommunchef", "kso", "utvecklingschef", "kommunikator", "arbetsgrupp"}
READERS = {"lasare"}
PERSONAS = sorted(WRITERS | READERS | {"task_holder", "outsider"})


pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def programme(cast):
    programme = a_programme(cast)
    programme.area = an_area(programme, cast)
    programme.target = a_target(programme.area, cast)
    programme.measurement = services.add_measurement(
        programme.target,
        value=3,
        measured_on=programme.target.baseline_on,
        source="SCB",
        by=cast.arbetsgrupp,
    )
    services.add_budget_line(
        programme.versions.get(), year=2026, source="Region", amount_kr=5, by=cast.kommunchef
    )
    programme.budget_line = programme.versions.get().budget.get()
    # Stina, läsbehörig and no persona, is the one the matrix takes out.
    services.add_member(
        programme, create_user("stina", "Stina", "Berg"), "lasare", by=cast.kommunchef
    )
    return programme


def extra_args(name, programme):
    name = url_name(name)
    if name.startswith("plan_") and name not in ("plan_new_version", "plan_compare"):
        return [programme.versions.get().pk]
    if name in ("budget_line_edit", "budget_line_remove"):
        return [programme.versions.get().pk, programme.budget_line.pk]
    if name in ("target_create", "focus_area_edit", "focus_area_end"):
        return [programme.area.pk]
    if name in ("measurement_edit", "measurement_void"):
        return [programme.target.pk, programme.measurement.pk]
    if name in (
        "target_detail",
        "measurement_add",
        "target_colour",
        "target_chart",
        "target_edit",
        "target_end",
    ):
        return [programme.target.pk]
    if name == "programme_member_remove":
        return [programme.members.get(username="stina").pk]
    return []


def url_of(name, programme, programme_id=None):
    return reverse(
        url_name(name), args=[programme_id or programme.pk, *extra_args(name, programme)]
    )


def programme_url_names():
    return {
        sub.name
        for pattern in get_resolver().url_patterns
        for sub in getattr(pattern, "url_patterns", [pattern])
        if "programme_id" in str(sub.pattern)
    }


def test_every_programme_url_is_in_the_matrix():
    assert programme_url_names() == {url_name(name) for name in PROGRAMME_URLS}


def expected_status(persona, method, needs):
    if persona in WRITERS or (persona in READERS and needs == "read"):
        return {200, 302} if method == "POST" else {200}
    if persona in READERS:
        return {403}
    return {404}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("name", sorted(PROGRAMME_URLS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_programme_access_matrix(client, cast, programme, persona, name, htmx):
    method, needs, data = PROGRAMME_URLS[name]
    client.force_login(getattr(cast, persona))
    response = call(client, method, url_of(name, programme), data, htmx)
    assert response.status_code in expected_status(persona, method, needs)
    if response.status_code == 404:
        assert programme.title.encode() not in response.content


@pytest.mark.parametrize("name", sorted(PROGRAMME_URLS))
def test_anonymous_is_sent_to_login(client, programme, name):
    method, _, data = PROGRAMME_URLS[name]
    url = url_of(name, programme)
    response = call(client, method, url, data, False)
    # As for the event's URLs (tests/test_access.py): a plain form posted without a session
    # is answered with a link to log in, so what was typed is not lost.
    if method == "POST":
        assert response.status_code == 403
        assert reverse("login") in response.text
    else:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", sorted(PROGRAMME_URLS))
def test_a_programme_that_does_not_exist_is_404_even_for_a_superuser(
    client, cast, programme, name
):
    method, _, data = PROGRAMME_URLS[name]
    client.force_login(cast.superuser)
    response = call(client, method, url_of(name, programme, uuid.uuid4()), data, False)
    assert response.status_code == 404


def test_an_event_member_outside_the_programme_gets_404(client, cast, programme):
    # Being in the event gives nothing on the programme: Anna takes Sara out again.
    programme.memberships.filter(user=cast.arbetsgrupp).delete()
    client.force_login(cast.arbetsgrupp)
    assert client.get(reverse("programme_detail", args=[programme.pk])).status_code == 404


def test_the_programme_list_shows_only_the_users_programmes(client, cast, programme):
    client.force_login(cast.outsider)
    assert programme.title not in client.get(reverse("programme_list")).text
    client.force_login(cast.lasare)
    assert programme.title in client.get(reverse("programme_list")).text


def test_a_reader_is_refused_in_swedish(client, cast, programme):
    client.force_login(cast.lasare)
    response = client.post(reverse("focus_area_add", args=[programme.pk]), {"name": "X"})
    assert response.status_code == 403
    assert not services.FocusArea.objects.filter(name="X").exists()
