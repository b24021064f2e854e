from django.contrib import admin
from django.urls import include, path

from accounts.forms import AdminLoginForm
from accounts.views import (
    LoginView,
    OidcCallbackView,
    OidcStartView,
    SignOutView,
    account_settings,
)
from norsjo.health import healthz, robots_txt

# The admin logs in through the same throttled form as everyone else.
admin.site.login_form = AdminLoginForm
admin.site.site_header = "Norsjö kommun – administration"
admin.site.site_title = "Norsjö ärenden"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt),
    path("konto/logga-in/", LoginView.as_view(), name="login"),
    path("konto/installningar/", account_settings, name="account_settings"),
    path("konto/logga-ut/", SignOutView.as_view(), name="logout"),
    # Single sign-on (accounts/oidc.py); 404 without OIDC_ISSUER. The second is the
    # redirect URI registered at the provider.
    path("konto/oidc/logga-in/", OidcStartView.as_view(), name="oidc_authentication_init"),
    path("konto/oidc/svar/", OidcCallbackView.as_view(), name="oidc_authentication_callback"),
    path("admin/", admin.site.urls),
    path("", include("notices.urls")),
    path("", include("events.urls")),
    path("", include("commsplan.urls")),
    path("", include("assessment.urls")),
    path("", include("reports.urls")),
    path("", include("omstallning.urls")),
    path("", include("documents.urls")),
    path("", include("guests.urls")),
]
