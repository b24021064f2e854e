from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

from accounts.uploads import NameRecordingParser

# Marks the answer to an htmx (or sheet.js) request whose session has ended, beside its
# HX-Redirect: static/js/answers.js follows the redirect only when nothing typed would be
# lost, and never from a background poll.
SIGNED_OUT_HEADER = "X-Signed-Out"


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, except on the paths of SESSIONLESS_PATHS (the guest
    pages, guests.views_guest): there the request gets a new, empty session that is never
    saved, and the response is left alone. So these pages set no cookie, read nobody's
    session (a member opening a guest link sees the guest's page), and never delete or
    renew the member's cookie their browser sent along."""

    def process_request(self, request):
        if request.path_info.startswith(tuple(settings.SESSIONLESS_PATHS)):
            request.session = self.SessionStore()
            return
        super().process_request(request)

    def process_response(self, request, response):
        if request.path_info.startswith(tuple(settings.SESSIONLESS_PATHS)):
            return response
        return super().process_response(request, response)


# What the guest's error pages say, by status; guests.views_guest renders its own 404, 403
# and 429 pages, these are for what comes before or around a guest view.
GUEST_ERRORS = {
    400: "guests/errors/400.html",
    403: "guests/errors/403.html",
    404: "guests/not_found.html",
    405: "guests/errors/405.html",
    429: "guests/too_many.html",
}
GUEST_SERVER_ERROR = "guests/errors/500.html"


def is_guest_path(request) -> bool:
    return request.path_info.startswith(tuple(settings.SESSIONLESS_PATHS))


class GuestPathMiddleware:
    """Every response under SESSIONLESS_PATHS (the guest pages, guests.views_guest), also
    Django's own errors that never reach a guest view (a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE or DATA_UPLOAD_MAX_NUMBER_FIELDS, a multipart body without
    a boundary: 400; a HEAD: 405; a crash: 500): in the guest frame, never the member
    pages' (whose header takes a CSRF cookie and links to "Mina ärenden"), with no cookie,
    `Referrer-Policy: no-referrer` (the token is in the address), `X-Robots-Tag: noindex`
    and not stored by any cache.

    First in MIDDLEWARE: it sees every cookie and header the others set, and has the last
    word. A response a guest view rendered in the frame is marked `guest_frame`; any other
    error's body is replaced, its headers (CSP, Allow, Retry-After) kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_guest_path(request):
            return response
        framed = getattr(response, "guest_frame", False) or response.streaming
        if response.status_code >= 400 and not framed:
            template = GUEST_ERRORS.get(response.status_code, GUEST_SERVER_ERROR)
            response.content = render_to_string(template)
            response["Content-Type"] = "text/html; charset=utf-8"
        response.cookies.clear()
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
        add_never_cache_headers(response)
        return response


class HtmxAwareLoginRequiredMiddleware(LoginRequiredMiddleware):
    """When a session has ended, send the user to the login page and, after it, back to the
    *page* they were on, never to the address of a fragment or of a POST-only view.

    - a plain GET: back to its own address (a page);
    - a plain POST (a form sent after the session ended): no redirect, which would lose
      what was typed, but the page that offers to send it again (`not_sent_page`) once the
      user has logged in in another tab;
    - an htmx request: a fragment swapped in would put the login page inside a part of
      a page, so the answer is an empty 204 with `HX-Redirect` to the login page, whose
      `next` is the page htmx says it was sent from (`HX-Current-URL`).
    """

    def handle_no_permission(self, request, view_func):
        if request.htmx:
            return signed_out_response(request)
        if request.method in ("GET", "HEAD"):
            return super().handle_no_permission(request, view_func)
        return not_sent_page(request, signed_out=True)


def not_sent_page(request, *, signed_out: bool) -> HttpResponse:
    """403: the Swedish page (templates/403_csrf.html) for a plain form post that was not
    saved, because the session had ended (`signed_out`) or its CSRF token was stale. It
    links to the login page in a new tab (next: the page the post came from) and offers a
    "Skicka igen" form carrying what was posted, with the current token.

    If logging in renewed the token (Django's rotate_token), "Skicka igen" is itself
    refused as stale, and norsjo.csrf.csrf_failure answers with this page again, with the
    fresh token: the second press saves."""
    back = page_it_came_from(request)
    context = {
        "fields": _to_send_again(request),
        "action": request.get_full_path(),
        "back": back,
        "login_url": redirect_to_login(back)["Location"],
        "signed_out": signed_out,
    }
    response = render(request, "403_csrf.html", context, status=403)
    # It holds what the user typed.
    add_never_cache_headers(response)
    return response


def _to_send_again(request) -> list[tuple[str, str]] | None:
    """The posted (name, value) pairs, in order, without the old token; None if the post
    may not or cannot be sent again from a page.

    Only for a post from our own pages (Origin, else Referer): otherwise a page elsewhere
    could have a user send its text with a valid token in one click. Not for a password (it
    would be written into a page) or a file (it cannot be)."""
    if not is_ours(request.headers.get("Origin") or request.headers.get("Referer", ""), request):
        return None
    if request.FILES:
        return None
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
        for value in values
    ]
    if any("password" in name for name, _ in fields):
        return None
    return fields


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


class UploadNameMiddleware:
    """Multipart bodies are read by accounts.uploads.NameRecordingParser, so that a file
    whose name had path parts or control characters is refused by the form that receives
    it (accounts.uploads.SafeNameFileField) instead of arriving under a quietly cleaned name.
    Before every middleware that may read request.POST (CsrfViewMiddleware does): the
    parser is chosen before the body is read, and cannot be after."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.multipart_parser_class = NameRecordingParser
        return self.get_response(request)
