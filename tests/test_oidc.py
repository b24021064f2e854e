"""Single sign-on with OpenID Connect, against a real provider process (tests/conftest.py
OidcProvider): sign-in, its refusals on the login page, sign-out, LOCAL_LOGIN=false.

Between our server and the provider sits a small recording proxy, in this process: the
provider names every endpoint after the host it was asked on, so through the proxy it is
the issuer, and the test can read the token request (PKCE's verifier) and put a token it
made itself into the provider's answer, as an attacker between the two would."""

import base64
import hashlib
import http.server
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import jwt
import pytest
import requests
import time_machine
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from accounts.models import OidcIdentity, User
from accounts.oidc import SignInRefused
from events.models import Task
from tests.conftest import free_port
from tests.personas import PASSWORD
from tests.test_settings import run_django

CALLBACK = "http://testserver/konto/oidc/svar/"
ARENDEN = "grp-arenden"  # may use the product
KOMMUNCHEF = "grp-kommunchef"  # may use it, as Kommunchef


class RecordingProxy:
    """Forwards every request to `upstream` with its own Host, keeps (method, path, body)
    of each, and hands the token endpoint's answer to `rewrite_tokens` if one is set."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.requests: list[tuple[str, str, bytes]] = []
        self.rewrite_tokens = None
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.requests.append((self.command, self.path, body))
                headers = {k: v for k, v in self.headers.items() if k.lower() != "content-length"}
                answer = requests.request(
                    self.command,
                    proxy.upstream + self.path,
                    headers=headers,
                    data=body,
                    allow_redirects=False,
                    timeout=10,
                )
                content = answer.content
                if self.path == "/oauth2/token" and proxy.rewrite_tokens and answer.ok:
                    content = json.dumps(proxy.rewrite_tokens(answer.json())).encode()
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in {"content-length", "transfer-encoding", "connection"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = _forward

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def posted_to(self, path: str) -> list[dict]:
        return [
            {k: v[0] for k, v in parse_qs(body.decode()).items()}
            for method, p, body in self.requests
            if method == "POST" and p == path
        ]


def configure(settings, provider, issuer: str, *redirect_uris: str) -> dict:
    """Settings as OIDC_* variables would give them, for a client newly registered at
    `provider`, which `issuer` reaches."""
    client = provider.register(*(redirect_uris or [CALLBACK]))
    settings.OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = client["client_id"]
    settings.OIDC_RP_CLIENT_SECRET = client["client_secret"]
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_ALLOWED_GROUPS = [ARENDEN, KOMMUNCHEF]
    settings.OIDC_GROUP_FUNCTIONS = {KOMMUNCHEF: "Kommunchef"}
    return client


@pytest.fixture
def proxy(oidc_provider):
    proxy = RecordingProxy(oidc_provider.url)
    yield proxy
    proxy.stop()


@pytest.fixture
def sso(settings, oidc_provider, proxy, cast):
    """OIDC configured against the provider, reached through the proxy."""
    return configure(settings, oidc_provider, proxy.url)


def authorization_request(client, next_url="/") -> str:
    response = client.get(reverse("oidc_authentication_init"), {"next": next_url})
    assert response.status_code == 302
    return response["Location"]


def with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def approve(authorize_url: str, sub: str) -> str:
    """The user signs in at the provider as `sub`: the callback URL it sends them to."""
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def callback(client, url: str):
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return client.get(parts.path, parse_qs(parts.query))


def sign_in(client, sub: str, **tamper):
    callback_url = approve(with_query(authorization_request(client), **tamper), sub)
    return callback(client, callback_url)


def refused_with(client, response, message: str):
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert message in page.text
    assert client.get(reverse("start")).status_code == 302  # not signed in


def token_claims(provider_url: str, client_id: str, nonce: str, **claims) -> dict:
    now = int(time.time())
    return {
        "iss": provider_url,
        "sub": "mallory",
        "aud": [client_id],
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "groups": [KOMMUNCHEF],
        **claims,
    }


def provider_kid(provider_url: str) -> str:
    return requests.get(f"{provider_url}/jwks", timeout=5).json()["keys"][0]["kid"]


def real_token(provider, client_id_redirect: dict, sub: str, nonce: str, **headers) -> str:
    """An ID token the provider itself signs, by the code flow, for the client given."""
    authorize = with_query(
        f"{provider.url}/oauth2/authorize",
        client_id=client_id_redirect["client_id"],
        redirect_uri=client_id_redirect["redirect_uris"][0],
        response_type="code",
        scope="openid email profile",
        nonce=nonce,
        state="x",
    )
    answer = requests.post(
        authorize, data={"sub": sub}, headers=headers, allow_redirects=False, timeout=10
    )
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    tokens = requests.post(
        f"{provider.url}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": client_id_redirect["redirect_uris"][0],
        },
        auth=(client_id_redirect["client_id"], client_id_redirect["client_secret"]),
        headers=headers,
        timeout=10,
    )
    return tokens.json()["id_token"]


# Signing in ---------------------------------------------------------------------------------


def test_first_sign_in_in_an_allowed_group_makes_the_user_with_the_mapped_function(
    client, sso, oidc_provider, cast
):
    oidc_provider.set_user(
        "sub-anna-2",
        email="anna.lindqvist@norsjo.se",
        given_name="Anna",
        family_name="Lindqvist",
        preferred_username="anna.lindqvist@norsjo.se",
        groups=[KOMMUNCHEF, "grp-annat"],
    )
    response = sign_in(client, "sub-anna-2")
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(oidc_identities__subject="sub-anna-2")
    assert user.function == cast.kommunchef.function
    assert (user.first_name, user.last_name) == ("Anna", "Lindqvist")
    assert user.email == "anna.lindqvist@norsjo.se"
    assert not user.has_usable_password()
    assert client.get(reverse("start")).context["user"] == user


def test_a_user_is_keyed_on_the_subject_never_on_the_address(client, sso, oidc_provider, cast):
    # The provider says Anna's address, for somebody else: Anna's local account is not theirs.
    oidc_provider.set_user("sub-other", email=cast.kommunchef.email, groups=[ARENDEN])
    sign_in(client, "sub-other")
    user = User.objects.get(oidc_identities__subject="sub-other")
    assert user != cast.kommunchef
    assert OidcIdentity.objects.filter(user=cast.kommunchef).count() == 0


def test_a_changed_address_keeps_the_same_account(client, sso, oidc_provider, cast):
    oidc_provider.set_user("sub-kim", email="kim@norsjo.se", groups=[ARENDEN])
    sign_in(client, "sub-kim")
    client.post(reverse("logout"))
    oidc_provider.set_user("sub-kim", email="kim.ek@norsjo.se", groups=[ARENDEN])
    assert sign_in(client, "sub-kim").status_code == 302
    assert User.objects.filter(oidc_identities__subject="sub-kim").count() == 1
    assert User.objects.get(oidc_identities__subject="sub-kim").email == "kim.ek@norsjo.se"


def test_the_group_is_checked_and_the_function_mapped_again_at_every_sign_in(
    client, sso, oidc_provider, cast
):
    oidc_provider.set_user("sub-bo", email="bo@norsjo.se", groups=[KOMMUNCHEF])
    sign_in(client, "sub-bo")
    bo = User.objects.get(oidc_identities__subject="sub-bo")
    assert bo.function.name == "Kommunchef"
    client.post(reverse("logout"))

    oidc_provider.set_user("sub-bo", email="bo@norsjo.se", groups=[ARENDEN])
    assert sign_in(client, "sub-bo").status_code == 302
    bo.refresh_from_db()
    assert bo.function is None
    client.post(reverse("logout"))

    oidc_provider.set_user("sub-bo", email="bo@norsjo.se", groups=["grp-annat"])
    refused_with(client, sign_in(client, "sub-bo"), SignInRefused.NOT_ALLOWED)


def test_a_user_outside_the_groups_is_refused_with_a_message(client, sso, oidc_provider, cast):
    oidc_provider.set_user("sub-ulla", email="ulla@norsjo.se", groups=["grp-ekonomi"])
    refused_with(client, sign_in(client, "sub-ulla"), SignInRefused.NOT_ALLOWED)
    assert not User.objects.filter(email="ulla@norsjo.se").exists()


def test_too_many_groups_for_the_token_is_refused_with_a_message(client, sso, oidc_provider, cast):
    # Entra ID's group overage: the groups are left out, and Graph named instead.
    oidc_provider.set_user(
        "sub-stina",
        email="stina@norsjo.se",
        _claim_names={"groups": "src1"},
        _claim_sources={
            "src1": {"endpoint": "https://graph.microsoft.com/v1.0/me/getMemberObjects"}
        },
    )
    refused_with(client, sign_in(client, "sub-stina"), SignInRefused.TOO_MANY_GROUPS)


def test_a_new_account_takes_over_the_tasks_given_to_its_address(client, sso, oidc_provider, cast):
    task = Task.objects.create(
        event=cast.event,
        what="Ring facket",
        assignee_name="Kim Ek",
        assignee_email="Kim.Ek@norsjo.se",
        delegated_by=cast.arbetsgrupp,
    )
    oidc_provider.set_user("sub-kim-ek", email="kim.ek@norsjo.se", groups=[ARENDEN])
    sign_in(client, "sub-kim-ek")
    task.refresh_from_db()
    assert task.assignee == User.objects.get(oidc_identities__subject="sub-kim-ek")


def test_an_account_switched_off_is_signed_out_and_refused_with_a_message(
    client, sso, oidc_provider, cast
):
    oidc_provider.set_user("sub-off", email="off@norsjo.se", groups=[ARENDEN])
    sign_in(client, "sub-off")
    User.objects.filter(oidc_identities__subject="sub-off").update(is_active=False)
    assert client.get(reverse("start")).status_code == 302
    refused_with(client, sign_in(client, "sub-off"), SignInRefused.INACTIVE)


def test_the_admin_shows_and_links_the_provider_identity(client, sso, oidc_provider, cast):
    oidc_provider.set_user("sub-adm", email="adm@norsjo.se", groups=[ARENDEN])
    sign_in(client, "sub-adm")
    user = User.objects.get(oidc_identities__subject="sub-adm")
    client.force_login(cast.superuser)
    page = client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert page.status_code == 200
    assert "Inloggningar med kommunens konto" in page.text
    assert "sub-adm" in page.text


# The protocol ---------------------------------------------------------------------------------


def test_the_authorization_request_carries_an_s256_challenge_and_the_token_request_its_verifier(
    client, sso, oidc_provider, proxy, cast
):
    oidc_provider.set_user("sub-pkce", email="pkce@norsjo.se", groups=[ARENDEN])
    authorize = authorization_request(client)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"][0]
    assert query["state"][0]
    assert callback(client, approve(authorize, "sub-pkce")).status_code == 302

    [token_request] = proxy.posted_to("/oauth2/token")
    digest = hashlib.sha256(token_request["code_verifier"].encode("ascii")).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == query["code_challenge"][0]
    assert 43 <= len(token_request["code_verifier"]) <= 128  # RFC 7636 §4.1


def test_a_tampered_state_is_refused(client, sso, oidc_provider, cast):
    oidc_provider.set_user("sub-s", email="s@norsjo.se", groups=[ARENDEN])
    callback_url = approve(authorization_request(client), "sub-s")
    refused_with(
        client,
        callback(client, with_query(callback_url, state="forged")),
        SignInRefused.NOT_VERIFIED,
    )


def test_a_callback_for_a_sign_in_this_browser_did_not_start_is_refused(
    client, sso, oidc_provider, cast
):
    oidc_provider.set_user("sub-s", email="s@norsjo.se", groups=[ARENDEN])
    callback_url = approve(authorization_request(client), "sub-s")
    other_browser = client.__class__()
    refused_with(other_browser, callback(other_browser, callback_url), SignInRefused.NOT_VERIFIED)


def test_a_tampered_nonce_is_refused(client, sso, oidc_provider, cast):
    # The provider issues a token for another nonce than the one this sign-in stored.
    oidc_provider.set_user("sub-n", email="n@norsjo.se", groups=[ARENDEN])
    refused_with(client, sign_in(client, "sub-n", nonce="forged"), SignInRefused.NOT_VERIFIED)


def test_an_expired_id_token_is_refused_on_the_login_page(
    client, settings, oidc_provider_short_lived, cast
):
    configure(settings, oidc_provider_short_lived, oidc_provider_short_lived.url)
    oidc_provider_short_lived.set_user("sub-e", email="e@norsjo.se", groups=[ARENDEN])
    callback_url = approve(authorization_request(client), "sub-e")
    # The token lives a second; our clock two minutes on is past it and the leeway.
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=2)):
        response = callback(client, callback_url)
    refused_with(client, response, SignInRefused.EXPIRED)


def nonce_of(authorize_url: str) -> str:
    return parse_qs(urlsplit(authorize_url).query)["nonce"][0]


def test_a_token_signed_by_another_key_is_refused(client, sso, oidc_provider, proxy, cast):
    oidc_provider.set_user("sub-k", email="k@norsjo.se", groups=[ARENDEN])
    authorize = authorization_request(client)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        token_claims(proxy.url, sso["client_id"], nonce_of(authorize)),
        key,
        algorithm="RS256",
        headers={"kid": provider_kid(oidc_provider.url)},
    )
    proxy.rewrite_tokens = lambda tokens: {**tokens, "id_token": forged}
    refused_with(client, callback(client, approve(authorize, "sub-k")), SignInRefused.NOT_VERIFIED)
    assert not OidcIdentity.objects.filter(subject="mallory").exists()


def test_a_token_for_another_client_is_refused(client, sso, oidc_provider, proxy, cast):
    # Signed by the provider's real key, nonce right, but issued to another application.
    oidc_provider.set_user("sub-a", email="a@norsjo.se", groups=[ARENDEN])
    authorize = authorization_request(client)
    other = oidc_provider.register("https://other.example/callback")
    foreign = real_token(
        oidc_provider, other, "sub-a", nonce_of(authorize), Host=urlsplit(proxy.url).netloc
    )
    assert jwt.decode(foreign, options={"verify_signature": False})["aud"] == [other["client_id"]]
    proxy.rewrite_tokens = lambda tokens: {**tokens, "id_token": foreign}
    refused_with(client, callback(client, approve(authorize, "sub-a")), SignInRefused.NOT_VERIFIED)


def test_a_token_from_another_issuer_is_refused(client, sso, oidc_provider, proxy, cast):
    # Signed by the provider's real key, for us, nonce right, but naming another issuer.
    oidc_provider.set_user("sub-i", email="i@norsjo.se", groups=[ARENDEN])
    authorize = authorization_request(client)
    ours = {**sso, "redirect_uris": [CALLBACK]}
    foreign = real_token(oidc_provider, ours, "sub-i", nonce_of(authorize), Host="evil.example")
    claims = jwt.decode(foreign, options={"verify_signature": False})
    assert (claims["iss"], claims["aud"]) == ("http://evil.example", [sso["client_id"]])
    proxy.rewrite_tokens = lambda tokens: {**tokens, "id_token": foreign}
    refused_with(client, callback(client, approve(authorize, "sub-i")), SignInRefused.NOT_VERIFIED)


def test_a_cancelled_sign_in_lands_on_the_login_page(client, sso, oidc_provider, cast):
    authorize = authorization_request(client)
    answer = requests.post(authorize, data={"action": "deny"}, allow_redirects=False, timeout=10)
    refused_with(client, callback(client, answer.headers["Location"]), SignInRefused.CANCELLED)


def test_an_unreachable_token_endpoint_lands_on_the_login_page(
    client, sso, oidc_provider, proxy, cast
):
    oidc_provider.set_user("sub-u", email="u@norsjo.se", groups=[ARENDEN])
    callback_url = approve(authorization_request(client), "sub-u")
    proxy.stop()
    refused_with(client, callback(client, callback_url), SignInRefused.UNREACHABLE)


def test_a_code_the_provider_refuses_says_so_not_that_the_provider_is_down(
    client, sso, oidc_provider, cast
):
    # A code used already, expired, or never issued: the token endpoint answers
    # invalid_grant (RFC 6749 5.2), which is not "svarar inte".
    oidc_provider.set_user("sub-g", email="g@norsjo.se", groups=[ARENDEN])
    callback_url = approve(authorization_request(client), "sub-g")
    response = callback(client, with_query(callback_url, code="en-kod-som-inte-finns"))
    refused_with(client, response, SignInRefused.CODE_REFUSED)
    assert SignInRefused.UNREACHABLE not in client.get(reverse("login")).text


# Signing out, the login page, local passwords -------------------------------------------------


def test_signing_out_ends_the_session_here_and_at_the_provider(client, sso, oidc_provider, proxy):
    oidc_provider.set_user("sub-out", email="out@norsjo.se", groups=[ARENDEN])
    sign_in(client, "sub-out")
    id_token = client.session["oidc_id_token"]
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    end_session = urlsplit(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == (
        f"{proxy.url}/oauth2/end_session"
    )
    query = parse_qs(end_session.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/konto/logga-in/"]
    assert client.get(reverse("start")).status_code == 302
    # The provider's sign-out page answers, and sends the browser back to us.
    page = requests.get(response["Location"], timeout=10)
    assert page.status_code == 200
    assert "http://testserver/konto/logga-in/" in page.text


def test_a_password_user_signs_out_to_the_login_page(client, sso, cast):
    client.force_login(cast.kommunchef)
    assert client.post(reverse("logout"))["Location"] == reverse("login")


def test_the_login_page_offers_the_municipality_s_account_first(client, sso):
    page = client.get(reverse("login"), {"next": "/arenden/"}).text
    assert page.index("Logga in med kommunens konto") < page.index("Användarnamn")
    assert 'href="/konto/oidc/logga-in/?next=/arenden/"' in page


def test_without_oidc_there_is_no_sign_in_button_and_its_urls_are_404(client, db):
    assert "kommunens konto" not in client.get(reverse("login")).text
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404


def test_local_login_false_refuses_a_password_login_but_the_administrator_s(
    client, sso, settings, cast
):
    settings.LOCAL_LOGIN = False
    response = client.post(reverse("login"), {"username": "anna", "password": PASSWORD})
    assert response.status_code == 200
    assert "bara administratören" in response.text
    assert "_auth_user_id" not in client.session
    admin = client.post(reverse("login"), {"username": "admin", "password": PASSWORD})
    assert admin.status_code == 302


def test_local_login_false_ends_an_earlier_password_session(client, sso, settings, cast):
    client.force_login(cast.kommunchef)
    settings.LOCAL_LOGIN = False
    assert client.get(reverse("start")).status_code == 302


# Configuration, read at start-up --------------------------------------------------------------

GOOD = {"OIDC_CLIENT_ID": "norsjo", "OIDC_CLIENT_SECRET": "s", "OIDC_ALLOWED_GROUPS": ARENDEN}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({**GOOD, "OIDC_ISSUER": "login.example"}, "OIDC_ISSUER='login.example'"),
        ({**GOOD, "OIDC_ISSUER": "http://127.0.0.1:1"}, "OIDC_ISSUER: cannot read"),
        ({"OIDC_ISSUER": "http://127.0.0.1:1"}, "OIDC_CLIENT_ID must be set"),
        (
            {**GOOD, "OIDC_ISSUER": "http://x", "OIDC_GROUP_FUNCTIONS": "kommunchef"},
            "OIDC_GROUP_FUNCTIONS: 'kommunchef' is not of the form key=value",
        ),
        (
            {**GOOD, "OIDC_ISSUER": "http://x", "OIDC_GROUP_FUNCTIONS": "grp-x=Kommunchef"},
            "OIDC_GROUP_FUNCTIONS: 'grp-x' is not in OIDC_ALLOWED_GROUPS",
        ),
        ({"LOCAL_LOGIN": "false"}, "LOCAL_LOGIN=false needs OIDC_ISSUER"),
        ({"LOCAL_LOGIN": "nej"}, "LOCAL_LOGIN='nej'"),
        (
            {**GOOD, "DEBUG": "false", "SECRET_KEY": "k" * 50, "OIDC_ISSUER": "http://x"},
            "OIDC_ISSUER='http://x': expected an absolute https://",
        ),
    ],
)
def test_a_malformed_oidc_setting_stops_start_up_naming_the_variable(env, message):
    result = run_django(env, "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_the_discovery_document_is_read_at_start_up(oidc_provider):
    code = (
        f"from accounts.oidc import _providers; p = _providers[{oidc_provider.url!r}]; "
        "print(p.token_endpoint, p.end_session_endpoint, len(p.keys))"
    )
    env = {**GOOD, "OIDC_ISSUER": oidc_provider.url}
    result = run_django(env, "shell", "--no-imports", "-c", code)
    assert result.stdout.split() == [
        f"{oidc_provider.url}/oauth2/token",
        f"{oidc_provider.url}/oauth2/end_session",
        "1",
    ], result.stderr


def test_an_issuer_whose_document_names_another_is_refused_at_start_up(oidc_provider):
    # Issuers are compared exactly (Discovery §4.3): the provider's has no final slash.
    env = {**GOOD, "OIDC_ISSUER": oidc_provider.url + "/"}
    result = run_django(env, "check")
    assert result.returncode != 0
    assert "the discovery document names the issuer" in result.stderr
