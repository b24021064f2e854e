"""Signing in with the municipality's account in a real browser, through the real provider's
own page (tests/conftest.py OidcProvider)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.oidc import SignInRefused
from tests.browser.axe import assert_accessible
from tests.test_oidc import KOMMUNCHEF, configure


@pytest.fixture
def sso_live(settings, live_server, oidc_provider, cast_live):
    return configure(
        settings, oidc_provider, oidc_provider.url, f"{live_server.url}/konto/oidc/svar/"
    )


@pytest.fixture
def provider_page(page):
    # The provider's page asks a CDN for its stylesheet; nothing here reaches the internet.
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    return page


def sign_in_at_provider(page, sub: str):
    page.get_by_role("link", name="Logga in med kommunens konto").click()
    page.get_by_label("Subject").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()


def test_it_signs_in_through_the_provider_to_the_start_page(
    provider_page, live_server, oidc_provider, sso_live, cast_live
):
    page = provider_page
    oidc_provider.set_user(
        "sub-anna-browser",
        email="anna.lindqvist@norsjo.se",
        given_name="Anna",
        family_name="Lindqvist",
        groups=[KOMMUNCHEF],
    )
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/konto/logga-in/\?next=/$"))
    expect(page.get_by_role("link", name="Logga in med kommunens konto")).to_be_visible()
    assert_accessible(page)

    sign_in_at_provider(page, "sub-anna-browser")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina ärenden")
    expect(page.get_by_role("button", name=re.compile("Logga ut"))).to_contain_text("Anna")


def test_a_refusal_is_shown_on_an_accessible_login_page(
    provider_page, live_server, oidc_provider, sso_live, settings
):
    page = provider_page
    settings.LOCAL_LOGIN = False
    oidc_provider.set_user("sub-outside", email="ulla@norsjo.se", groups=["grp-ekonomi"])
    page.goto(f"{live_server.url}/konto/logga-in/")
    # Passwords are the administrator's only: folded away below the button.
    expect(page.get_by_label("Användarnamn")).to_be_hidden()
    assert_accessible(page)

    sign_in_at_provider(page, "sub-outside")
    expect(page).to_have_url(f"{live_server.url}/konto/logga-in/")
    expect(page.get_by_role("status")).to_contain_text(SignInRefused.NOT_ALLOWED)
    assert_accessible(page)

    page.get_by_text("Administratör: logga in med lösenord").click()
    expect(page.get_by_label("Användarnamn")).to_be_visible()
