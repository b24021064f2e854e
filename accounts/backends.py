"""How people sign in: a local password (PasswordBackend) or the municipality's OpenID
Connect provider (OidcBackend, mozilla-django-oidc's backend with what it leaves open
closed: accounts.oidc verifies the ID token, accounts.services.sign_in_with_id_token finds
or makes the account)."""

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts import oidc
from accounts.services import sign_in_with_id_token


class PasswordBackend(ModelBackend):
    """Local passwords; with LOCAL_LOGIN=false for superusers only (the break-glass
    administrator). Also ends a password session of anyone else once they are switched off,
    since Django asks `user_can_authenticate` on every request's `get_user`."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and (settings.LOCAL_LOGIN or user.is_superuser)


class OidcBackend(OIDCAuthenticationBackend):
    """The authorization code flow's last steps: code → tokens at the provider's token
    endpoint, the ID token verified (accounts.oidc.verify_id_token), the account found by
    (issuer, subject). Raises oidc.SignInRefused, which the callback view shows on the login
    page; answers None to a password login."""

    def __init__(self, *args, **kwargs):
        # Django makes a backend for every authenticate() and every request's get_user(),
        # with OIDC off too; the library would read endpoints from settings, which we
        # discover instead.
        self.UserModel = get_user_model()
        if settings.OIDC_ISSUER:
            found = oidc.provider()
            self.OIDC_OP_TOKEN_ENDPOINT = found.token_endpoint
            self.OIDC_OP_JWKS_ENDPOINT = found.jwks_uri
            self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
            self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
            self.OIDC_RP_SIGN_ALGO = oidc.ALGORITHM

    def authenticate(self, request, **kwargs):
        # Only from the callback view, which passes the stored nonce: a password login's
        # request carries no authorization code of ours, whatever its query string says.
        if not settings.OIDC_ISSUER or "nonce" not in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as e:
            oidc.logger.warning("OIDC: token request failed: %s", e)
            raise oidc.SignInRefused(_token_refusal(e)) from None

    def get_user(self, user_id):
        # ModelBackend's, not the library's: an account switched off in the admin ends its
        # sessions at their next request.
        return ModelBackend.get_user(self, user_id)

    def verify_token(self, token, **kwargs):
        return oidc.verify_id_token(token, nonce=kwargs.get("nonce"))

    def get_or_create_user(self, access_token, id_token, payload):
        # From the verified ID token alone: the userinfo endpoint's answer is not signed.
        return sign_in_with_id_token(payload, issuer=oidc.provider().issuer)


def _token_refusal(error: requests.RequestException) -> str:
    """What the login page says when the token endpoint did not give tokens: the provider
    answered `invalid_grant` (RFC 6749 5.2: the code expired, was used already, or was not
    issued for us), or the provider did not answer, or answered with another error."""
    response = error.response
    if response is None or response.status_code >= 500:
        return oidc.SignInRefused.UNREACHABLE
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("error") == "invalid_grant":
        return oidc.SignInRefused.CODE_REFUSED
    # invalid_client, unauthorized_client…: the app's registration at the provider.
    return oidc.SignInRefused.NOT_SET_UP
