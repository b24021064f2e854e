from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

NOT_SAVED = "Du hade blivit utloggad, så det du skickade sparades inte. Logga in och gör om det."

# Marks the answer to an htmx (or sheet.js) request whose session has ended, beside its
# HX-Redirect: static/js/answers.js follows the redirect only when nothing typed would be
# lost, and never from a background poll.
SIGNED_OUT_HEADER = "X-Signed-Out"


class HtmxAwareLoginRequiredMiddleware(LoginRequiredMiddleware):
    """When a session has ended, send the user to the login page and, after it, back to the
    *page* they were on, never to the address of a fragment or of a POST-only view.

    - a plain GET: back to its own address (a page);
    - a plain POST (a form sent after the session ended): back to the page it was sent from
      (Referer), with a note that nothing was saved: its own address may answer only POST;
    - an htmx request: a fragment swapped in would put the login page inside a part of
      a page, so the answer is an empty 204 with `HX-Redirect` to the login page, whose
      `next` is the page htmx says it was sent from (`HX-Current-URL`).
    """

    def handle_no_permission(self, request, view_func):
        if request.htmx:
            return signed_out_response(request)
        if request.method in ("GET", "HEAD"):
            return super().handle_no_permission(request, view_func)
        messages.warning(request, NOT_SAVED)
        return redirect_to_login(
            page_it_came_from(request),
            resolve_url(self.get_login_url(view_func)),
            self.get_redirect_field_name(view_func),
        )


def signed_out_response(request) -> HttpResponse:
    """The answer to an htmx request without a session: 204 with `HX-Redirect` to the
    login page (next: the page the request came from) and `X-Signed-Out: 1`."""
    login = redirect_to_login(page_it_came_from(request))["Location"]
    return HttpResponse(status=204, headers={"HX-Redirect": login, SIGNED_OUT_HEADER: "1"})


def page_it_came_from(request) -> str:
    """The path (and query) of the page a request was sent from: `HX-Current-URL` for htmx,
    else the Referer; "/" if there is none or it is not ours (no open redirect: only a URL
    that `url_has_allowed_host_and_scheme` accepts for this host is used)."""
    source = (request.htmx.current_url if request.htmx else None) or request.headers.get(
        "Referer", ""
    )
    if not is_ours(source, request):
        return "/"
    parts = urlsplit(source)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def is_ours(url: str, request) -> bool:
    """Whether `url`, as a browser sends it in Origin, Referer or HX-Current-URL, is an
    absolute URL of this site. A relative one ("null", the Origin of a sandboxed frame)
    is not: `url_has_allowed_host_and_scheme` alone would accept it."""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return bool(url) and safe and urlsplit(url).netloc == request.get_host()


class _HistoryRestore(HtmxDetails):
    """htmx's request for a page missing from its history cache: htmx 2 sends it with
    `HX-Request: true` but swaps the answer in as the whole body, so it is no fragment
    request."""

    def __bool__(self) -> bool:
        return False


class HtmxHistoryMiddleware:
    """One rule for every URL that answers both a fragment (htmx) and a page:

    - every response varies on `HX-Request` (and on `HX-History-Restore-Request`), so a
      browser or proxy cache never serves a fragment it fetched for htmx as the page at the
      same address (Back after an inline edit), nor the page as the fragment;
    - a history-restore request (htmx's history cache missed, on Back or Forward) is
      answered as a plain request: views see a false `request.htmx` and render the page.

    Must come after `django_htmx.middleware.HtmxMiddleware`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.htmx.history_restore_request:
            request.htmx = _HistoryRestore(request)
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
        return response
