from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginThrottle
from accounts.services import purge_expired
from tests.personas import PASSWORD

LOGIN = "/konto/logga-in/"


def attempt(client, username, password, ip="10.0.0.5"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_login_page_is_in_swedish(client, db):
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert '<html lang="sv">' in page.text
    assert "Användarnamn" in page.text
    assert "Lösenord" in page.text


def test_it_logs_in_and_goes_to_the_start_page(client, cast):
    response = attempt(client, "anna", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("start")
    assert client.get(reverse("start")).context["user"] == cast.kommunchef


def test_a_wrong_password_says_so_in_swedish_and_keeps_the_username(client, cast):
    response = attempt(client, "anna", "fel")
    assert response.status_code == 200
    assert "Fel användarnamn eller lösenord" in response.text
    assert 'value="anna"' in response.text


def test_it_follows_next_but_only_to_our_own_site(client, cast):
    url = f"{LOGIN}?next=/arenden/"
    response = client.post(url, {"username": "anna", "password": PASSWORD, "next": "/arenden/"})
    assert response["Location"] == "/arenden/"
    client.logout()
    evil = {"username": "anna", "password": PASSWORD, "next": "https://evil.example/"}
    assert client.post(LOGIN, evil)["Location"] == reverse("start")


def test_logout_is_a_post_and_ends_the_session(client, cast):
    client.force_login(cast.kommunchef)
    assert client.get("/konto/logga-ut/").status_code == 405
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("start")).status_code == 302


def test_five_failures_lock_that_username_from_that_address_only(client, cast):
    for _ in range(5):
        attempt(client, "anna", "gissning")
    # Locked: even the right password is refused from here...
    response = attempt(client, "anna", PASSWORD)
    assert response.status_code == 200
    assert "För många misslyckade försök" in response.text
    # ...but Anna at her own desk still gets in, and so does Erik from the attacker's address.
    assert attempt(client, "anna", PASSWORD, ip="10.0.0.99").status_code == 302
    client.logout()
    assert attempt(client, "erik", PASSWORD).status_code == 302


def test_the_lock_counts_the_username_case_insensitively(client, cast):
    for name in ["anna", "ANNA", "Anna", "aNNa", "annA"]:
        attempt(client, name, "gissning")
    assert "För många misslyckade försök" in attempt(client, "anna", PASSWORD).text


def test_the_cool_off_ends_by_itself(client, cast):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            attempt(client, "anna", "gissning")
        traveller.shift(timedelta(minutes=14))
        assert "För många misslyckade försök" in attempt(client, "anna", PASSWORD).text
        traveller.shift(timedelta(minutes=2))
        assert attempt(client, "anna", PASSWORD).status_code == 302


def test_a_success_forgets_earlier_failures(client, cast):
    for _ in range(4):
        attempt(client, "anna", "gissning")
    assert attempt(client, "anna", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, "anna", "gissning")
    assert attempt(client, "anna", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, cast):
    for _ in range(5):
        client.post(
            "/admin/login/", {"username": "admin", "password": "x"}, REMOTE_ADDR="10.0.0.7"
        )
    response = client.post(
        "/admin/login/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    assert "För många misslyckade försök" in response.text


def test_purge_removes_only_throttles_that_are_over(cast):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            LoginThrottle.record_failure(
                "anna",
                "10.0.0.5",
                max_failures=5,
                window=timedelta(minutes=15),
                cool_off=timedelta(minutes=15),
            )
        purge_expired()
        assert LoginThrottle.objects.count() == 1
        traveller.shift(timedelta(minutes=16))
        purge_expired()
        assert LoginThrottle.objects.count() == 0


@pytest.mark.parametrize(("minutes", "logged_in"), [(119, True), (121, False)])
def test_a_session_expires_after_idle_time(client, cast, minutes, logged_in):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(cast.kommunchef)
        assert client.get(reverse("start")).status_code == 200
        traveller.shift(timedelta(minutes=minutes))
        assert (client.get(reverse("start")).status_code == 200) is logged_in


def test_activity_keeps_the_session_alive(client, cast):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(cast.kommunchef)
        for _ in range(4):
            traveller.shift(timedelta(minutes=100))
            assert client.get(reverse("start")).status_code == 200


def test_passwords_are_hashed_with_argon2(db):
    from django.conf import settings as real_settings
    from django.contrib.auth.hashers import make_password
    from django.test import override_settings

    from norsjo import settings as configured

    with override_settings(PASSWORD_HASHERS=configured.PASSWORD_HASHERS):
        assert make_password("hemligt").startswith("argon2$")
    assert real_settings.PASSWORD_HASHERS != configured.PASSWORD_HASHERS  # only sped up in tests


def test_an_empty_login_form_asks_for_what_is_missing(client, db):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    assert response.status_code == 200
    assert "Detta fält måste fyllas i." in response.text
