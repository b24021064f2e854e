"""Single sign-on with the municipality's OpenID Connect provider: what mozilla-django-oidc
leaves to us.

- The provider's endpoints and signing keys come from its discovery document (OpenID
  Connect Discovery 1.0 §4), read once per process at start-up (accounts.apps), not typed
  into settings; the keys are read again only when a token names a key not seen before
  (the provider has rotated them).
- The ID token is verified here in full (OpenID Connect Core 1.0 §3.1.3.7): signature with
  the provider's key, `iss` and `aud` (which the library leaves unchecked), `exp` and `iat`
  with at most LEEWAY_S of clock difference, and the `nonce` of this browser's sign-in.
- Every refusal is a SignInRefused carrying the Swedish sentence the login page shows.
"""

import logging
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.crypto import constant_time_compare

logger = logging.getLogger(__name__)

# The clock difference tolerated between the provider and us, in seconds, for `exp`/`iat`.
LEEWAY_S = 60
# The one signature algorithm every provider must offer (OpenID Connect Core §15.1).
ALGORITHM = "RS256"
# An unknown key id makes us read the provider's keys again, at most this often: a flood of
# forged tokens must not become a flood of requests to the provider.
KEYS_REFETCH_AFTER_S = 300


class SignInRefused(Exception):
    """A sign-in that must not go on; `message` is what the login page says (Swedish)."""

    NOT_ALLOWED = (
        "Ditt konto i kommunens inloggning ger inte tillgång till ärendehanteringen. "
        "Kontakta kommunens IT-stöd om du behöver den i ditt arbete."
    )
    TOO_MANY_GROUPS = (
        "Ditt konto är med i så många grupper att inloggningen inte kan räkna upp dem. "
        "Kontakta kommunens IT-stöd: appen behöver få bara sina egna grupper eller roller."
    )
    EXPIRED = "Inloggningen hann gå ut innan den blev klar. Försök igen."
    NOT_VERIFIED = (
        "Inloggningen kunde inte bekräftas och avbröts. Börja om med knappen nedan; "
        "händer det igen, kontakta kommunens IT-stöd."
    )
    UNREACHABLE = "Kommunens inloggningstjänst svarar inte just nu. Försök igen om en stund."
    CODE_REFUSED = (
        "Inloggningen hade redan använts eller hann gå ut innan den blev klar. Börja om med "
        "knappen nedan."
    )
    CANCELLED = "Inloggningen avbröts."
    INACTIVE = "Kontot är avstängt. Kontakta kommunens IT-stöd."
    NOT_SET_UP = "Inloggningen är inte färdiginställd för din grupp. Kontakta kommunens IT-stöd."

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Provider:
    """The provider as its discovery document describes it; `keys` by key id."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str  # "" when the provider offers no RP-initiated logout
    keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    keys_read_at: float = 0.0  # time.monotonic()


_providers: dict[str, Provider] = {}


def provider() -> Provider:
    """The configured provider (settings.OIDC_ISSUER), discovered on first use in this
    process. Raises ImproperlyConfigured naming OIDC_ISSUER if it cannot be discovered."""
    issuer = settings.OIDC_ISSUER
    if issuer not in _providers:
        _providers[issuer] = discover(issuer)
    return _providers[issuer]


def discover(issuer: str) -> Provider:
    """Read `issuer`'s discovery document and keys. Its `issuer` must be exactly ours
    (Discovery §4.3): a document from elsewhere would point us at another provider's keys."""
    # Discovery §4: a terminating "/" is removed before the well-known path is appended.
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = _get_json(url, "OIDC_ISSUER")
    if document.get("issuer") != issuer:
        raise ImproperlyConfigured(
            f"OIDC_ISSUER={issuer!r}: the discovery document names the issuer "
            f"{document.get('issuer')!r}; they must be identical"
        )
    missing = [
        name
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if not isinstance(document.get(name), str)
    ]
    if missing:
        raise ImproperlyConfigured(f"OIDC_ISSUER={issuer!r}: {url} lacks {', '.join(missing)}")
    if ALGORITHM not in document.get("id_token_signing_alg_values_supported", [ALGORITHM]):
        raise ImproperlyConfigured(f"OIDC_ISSUER={issuer!r}: the provider does not sign RS256")
    found = Provider(
        issuer=issuer,
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        jwks_uri=document["jwks_uri"],
        end_session_endpoint=document.get("end_session_endpoint") or "",
    )
    _read_keys(found, what="OIDC_ISSUER")
    return found


def _get_json(url: str, what: str) -> dict:
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as e:
        raise ImproperlyConfigured(f"{what}: cannot read {url} ({e})") from None
    if not isinstance(document, dict):
        raise ImproperlyConfigured(f"{what}: {url} is not a JSON object")
    return document


def _read_keys(found: Provider, *, what: str):
    keys = {}
    for entry in _get_json(found.jwks_uri, what).get("keys", []):
        # Only signing keys for our algorithm; a provider may also publish encryption keys.
        if entry.get("use", "sig") != "sig" or entry.get("alg", ALGORITHM) != ALGORITHM:
            continue
        try:
            keys[entry.get("kid", "")] = jwt.PyJWK(entry, algorithm=ALGORITHM)
        except jwt.PyJWKError:
            logger.warning("OIDC: skipped a key the provider publishes: %s", entry.get("kid"))
    found.keys, found.keys_read_at = keys, time.monotonic()


def _signing_key(kid: str) -> jwt.PyJWK:
    found = provider()
    if kid not in found.keys and time.monotonic() - found.keys_read_at > KEYS_REFETCH_AFTER_S:
        try:
            _read_keys(found, what="OIDC keys")
        except ImproperlyConfigured as e:
            logger.warning("OIDC: %s", e)
            raise SignInRefused(SignInRefused.UNREACHABLE) from None
    if kid not in found.keys:
        logger.warning("OIDC: an ID token signed with an unknown key %r was refused", kid)
        raise SignInRefused(SignInRefused.NOT_VERIFIED)
    return found.keys[kid]


def verify_id_token(token: object, *, nonce: str | None) -> dict:
    """The claims of `token` (a compact JWS) if it is an ID token the configured provider
    issued to us for this sign-in (OpenID Connect Core 1.0 §3.1.3.7): RS256 signature by one
    of the provider's keys, `iss` our issuer, `aud` our client id (and `azp` ours when there
    are several audiences), `exp` not passed and `iat` not ahead, each within LEEWAY_S
    seconds, and `nonce` the one stored for this browser's sign-in. Else SignInRefused."""
    if not isinstance(token, str) or not nonce:
        raise SignInRefused(SignInRefused.NOT_VERIFIED)
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise jwt.InvalidAlgorithmError(f"alg {header.get('alg')!r}")
        claims = jwt.decode(
            token,
            _signing_key(str(header.get("kid", ""))).key,
            algorithms=[ALGORITHM],
            audience=settings.OIDC_RP_CLIENT_ID,
            issuer=provider().issuer,
            leeway=LEEWAY_S,
            options={"require": ["iss", "sub", "aud", "exp", "iat", "nonce"]},
        )
    except jwt.ExpiredSignatureError:
        raise SignInRefused(SignInRefused.EXPIRED) from None
    except jwt.InvalidTokenError as e:
        logger.warning("OIDC: an ID token was refused: %s", e)
        raise SignInRefused(SignInRefused.NOT_VERIFIED) from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != settings.OIDC_RP_CLIENT_ID:
        logger.warning("OIDC: an ID token for several audiences was not authorised for us")
        raise SignInRefused(SignInRefused.NOT_VERIFIED)
    if not constant_time_compare(str(claims["nonce"]), nonce):
        logger.warning("OIDC: an ID token with another sign-in's nonce was refused")
        raise SignInRefused(SignInRefused.NOT_VERIFIED)
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise SignInRefused(SignInRefused.NOT_VERIFIED)
    return claims


def logout_url(request) -> str:
    """Where signing out sends the browser (mozilla-django-oidc's OIDC_OP_LOGOUT_URL_METHOD,
    called before the local session ends): the provider's end_session_endpoint when the user
    signed in there and it offers one (OpenID Connect RP-Initiated Logout 1.0 §2), coming
    back to our login page; else straight to the login page."""
    login = reverse(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if not settings.OIDC_ISSUER or not id_token or not provider().end_session_endpoint:
        return login
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(login),
        }
    )
    return f"{provider().end_session_endpoint}?{query}"
