from datetime import timedelta

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import time_format

from accounts.models import LoginThrottle


def client_ip(request) -> str:
    if settings.SECURE_PROXY_SSL_HEADER is not None:
        # Behind our TLS proxy the last X-Forwarded-For entry is the one the proxy appended;
        # earlier ones are whatever the client claimed.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "0.0.0.0")  # noqa: S104 (a key, not a bind)


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Fel användarnamn eller lösenord. Båda fälten är skiftlägeskänsliga.",
        "inactive": "Kontot är avstängt. Kontakta kommunens IT-stöd.",
        # LOCAL_LOGIN=false: the same whether or not the password was right, so that it
        # tells a guesser nothing (accounts.backends.PasswordBackend refuses either way).
        "local_login_off": (
            "Fel användarnamn eller lösenord. Med lösenord loggar bara administratören in; "
            "logga in med kommunens konto."
        ),
        "throttled": (
            "För många misslyckade försök. Av säkerhetsskäl kan du försöka igen från den här "
            "datorn kl. %(time)s, eller logga in från en annan dator."
        ),
    }

    def get_invalid_login_error(self):
        if settings.LOCAL_LOGIN:
            return super().get_invalid_login_error()
        return ValidationError(self.error_messages["local_login_off"], code="invalid_login")

    def clean(self):
        username = self.cleaned_data.get("username")
        ip = client_ip(self.request)
        if username:
            locked_until = LoginThrottle.locked_until_for(username, ip)
            if locked_until:
                local = timezone.localtime(locked_until)
                raise ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"time": time_format(local, "H:i")},
                )
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                cool_off = timedelta(minutes=settings.LOGIN_COOL_OFF_MINUTES)
                LoginThrottle.record_failure(
                    username,
                    ip,
                    max_failures=settings.LOGIN_MAX_FAILURES,
                    window=cool_off,
                    cool_off=cool_off,
                )
            raise
        if username:  # empty or invalid: the field says so, nothing to clear
            LoginThrottle.clear(username, ip)
        return cleaned


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin's login: throttled like LoginForm, staff only like Django's own."""
