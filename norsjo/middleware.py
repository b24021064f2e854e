from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

NOT_SAVED = "Du hade blivit utloggad, så det du skickade sparades inte. Logga in och gör om det."


class HtmxAwareLoginRequiredMiddleware(LoginRequiredMiddleware):
    """When a session expires mid-meeting, an htmx request must not swap the login page
    into a fragment: tell htmx to load the login page as a whole page instead. A form
    posted after the session ended leads, after signing in, back to the page it was sent
    from: its own address may answer only POST (405 to the browser's GET)."""

    def handle_no_permission(self, request, view_func):
        if request.method in ("GET", "HEAD"):
            response = super().handle_no_permission(request, view_func)
        else:
            messages.warning(request, NOT_SAVED)
            response = redirect_to_login(
                _page_it_came_from(request),
                resolve_url(self.get_login_url(view_func)),
                self.get_redirect_field_name(view_func),
            )
        if getattr(request, "htmx", False):
            return HttpResponse(status=204, headers={"HX-Redirect": response["Location"]})
        return response


def _page_it_came_from(request) -> str:
    """The path of the page the request was sent from, if it is ours; else the start page."""
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not referer or not safe:
        return "/"
    parts = urlsplit(referer)
    return parts.path + (f"?{parts.query}" if parts.query else "")
