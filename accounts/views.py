import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods
from mozilla_django_oidc import views as oidc_views

from accounts import oidc
from accounts.forms import LoginForm
from accounts.http import AuthenticatedHttpRequest
from accounts.models import User

logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    """The login page: "Logga in med kommunens konto" first when OIDC is configured, and
    the password form (with LOCAL_LOGIN=false folded away, for the administrator)."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "oidc": bool(settings.OIDC_ISSUER),
            "local_login": settings.LOCAL_LOGIN,
        }


def _require_oidc():
    if not settings.OIDC_ISSUER:
        raise Http404


@method_decorator(login_not_required, name="dispatch")
class OidcStartView(oidc_views.OIDCAuthenticationRequestView):
    """GET: to the provider's sign-in page, by an authorization request with state, nonce
    and a PKCE S256 challenge (mozilla-django-oidc; OIDC_USE_PKCE); 404 without OIDC."""

    def __init__(self, **kwargs):
        # Not the library's: it reads the endpoint from settings; ours is discovered.
        View.__init__(self, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        _require_oidc()
        self.OIDC_OP_AUTH_ENDPOINT = oidc.provider().authorization_endpoint
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().dispatch(request, *args, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class OidcCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """GET: where the provider sends the browser back (the redirect URI). Signed in, to
    `next` or the start page; refused, to the login page with why, in Swedish, never a
    400 or 500 page."""

    def dispatch(self, request, *args, **kwargs):
        _require_oidc()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        try:
            return super().get(request)
        except oidc.SignInRefused as refusal:
            return self.refuse(refusal.message)
        except SuspiciousOperation as e:
            # A state this browser's session did not start: tampered with, used twice, or
            # a sign-in begun in another browser (OAuth 2.0 Security BCP 4.7).
            logger.warning("OIDC: callback refused: %s", e)
            return self.refuse(oidc.SignInRefused.NOT_VERIFIED)

    def login_failure(self):
        # The library's own failures: the provider answered with an error (the user
        # cancelled there), no sign-in was started in this session, or the account is off.
        if self.request.GET.get("error"):
            return self.refuse(oidc.SignInRefused.CANCELLED)
        if getattr(self, "user", None) is not None and not self.user.is_active:
            return self.refuse(oidc.SignInRefused.INACTIVE)
        return self.refuse(oidc.SignInRefused.NOT_VERIFIED)

    def refuse(self, message: str) -> HttpResponse:
        messages.error(self.request, message)
        return redirect("login")


@method_decorator([csrf_protect, never_cache], name="dispatch")
class SignOutView(oidc_views.OIDCLogoutView):
    """POST: ends the session here and, for a user who signed in at a provider offering
    an end_session_endpoint, there too (accounts.oidc.logout_url)."""


class SettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email_notifications"]


@require_http_methods(["GET", "POST"])
def account_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's own choices: whether notifications also come by e-mail."""
    form = SettingsForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Inställningarna är sparade.")
        return redirect("account_settings")
    return render(request, "accounts/settings.html", {"form": form})
