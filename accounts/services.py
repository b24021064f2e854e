import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Function, LoginThrottle, OidcIdentity, User
from accounts.oidc import SignInRefused

logger = logging.getLogger(__name__)


def purge_expired() -> int:
    """Delete expired sessions and login throttles whose window and cool-off are over."""
    now = timezone.now()
    stale = now - timedelta(minutes=settings.LOGIN_COOL_OFF_MINUTES)
    throttles, _ = LoginThrottle.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now), first_failure_at__lt=stale
    ).delete()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    return throttles + sessions


def groups_in(claims: dict) -> list[str]:
    """The groups (or app roles) the verified ID token lists in OIDC_GROUPS_CLAIM; a single
    string counts as one. SignInRefused if the token says they did not fit: Entra ID then
    leaves the claim out and points to Microsoft Graph instead (`_claim_names`, "group
    overage", over 200 groups), or says only `hasgroups`."""
    name = settings.OIDC_GROUPS_CLAIM
    if name in (claims.get("_claim_names") or {}) or claims.get("hasgroups"):
        raise SignInRefused(SignInRefused.TOO_MANY_GROUPS)
    value = claims.get(name, [])
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def mapped_function(groups: list[str]) -> Function | None:
    """The function OIDC_GROUP_FUNCTIONS gives the first of its groups the user is in; None
    when it names none of them. SignInRefused (and an error in the log) if the function it
    names does not exist."""
    for group, name in settings.OIDC_GROUP_FUNCTIONS.items():
        if group in groups:
            function = Function.objects.filter(name=name).first()
            if function is None:
                logger.error("OIDC_GROUP_FUNCTIONS: there is no function named %r", name)
                raise SignInRefused(SignInRefused.NOT_SET_UP)
            return function
    return None


@transaction.atomic
def sign_in_with_id_token(claims: dict, *, issuer: str) -> User:
    """The account for a verified ID token's `claims` (accounts.oidc.verify_id_token) from
    `issuer`, found by (issuer, `sub`), never by e-mail.

    At every sign-in the user must be in one of OIDC_ALLOWED_GROUPS (else SignInRefused,
    also for an existing account), and the function, name and e-mail are set from the
    token: the provider is where they are kept (a function given by hand in the admin is
    replaced at the next sign-in). A first sign-in makes the account, without a usable
    password; an account given a new address takes over the open tasks given to that
    address by name (events listens to the save)."""
    groups = groups_in(claims)
    if not set(groups) & set(settings.OIDC_ALLOWED_GROUPS):
        logger.info("OIDC: %s at %s is in none of the allowed groups", claims["sub"], issuer)
        raise SignInRefused(SignInRefused.NOT_ALLOWED)
    details = {
        "function": mapped_function(groups),
        "first_name": str(claims.get("given_name") or claims.get("name") or "")[:150],
        "last_name": str(claims.get("family_name") or "")[:150],
        "email": _address(claims),
    }
    identities = OidcIdentity.objects.select_related("user").filter(
        issuer=issuer, subject=claims["sub"]
    )
    identity = identities.select_for_update().first()
    if identity is None:
        try:
            with transaction.atomic():
                user = User(username=_free_username(claims), **details)
                user.set_unusable_password()
                user.save()
                OidcIdentity.objects.create(user=user, issuer=issuer, subject=claims["sub"])
            return user
        except IntegrityError:
            # The same person's sign-in in another tab made the account meanwhile.
            identity = identities.select_for_update().get()
    user = identity.user
    changed = [name for name, value in details.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, details[name])
    if changed:
        user.save(update_fields=changed)
    identity.signed_in_at = timezone.now()
    identity.save(update_fields=["signed_in_at"])
    return user


def _address(claims: dict) -> str:
    # An address the provider says it has not verified is not one to send case mail to.
    if claims.get("email_verified") is False:
        return ""
    address = claims.get("email")
    if not isinstance(address, str):
        return ""
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def _free_username(claims: dict) -> str:
    """A username for a new account: the provider's own (Entra ID: the UPN), else the
    address, else the subject; with a number after it if another account has it."""
    base = str(claims.get("preferred_username") or claims.get("email") or claims["sub"])[:140]
    username, number = base, 1
    while User.objects.filter(username=username).exists():
        number += 1
        username = f"{base}-{number}"
    return username
