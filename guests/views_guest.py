"""The guest's page: one request, opened by the link's token, without an account.

No session, no messages and no CSRF cookie (norsjo.middleware.SessionMiddleware skips
these paths; the templates use neither), so the pages set no cookie. The answer form is
exempt from CSRF, since the unguessable token in the address is what a forger lacks, but
it must come from this site's own page (_from_our_page). GuestPathMiddleware
(norsjo.middleware) gives every response under the prefix its headers
(`Referrer-Policy: no-referrer`, `X-Robots-Tag: noindex`, not stored by any cache), drops
any cookie, and puts an error no view here rendered into the guest frame. A guessed,
expired or revoked token, or one whose case is closed, gets the same 404."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.forms import client_ip
from guests import ratelimit, services
from guests.forms import AnswerForm
from guests.models import GuestRequest


def guest_view(view):
    """The exemptions every guest page has: no login, no CSRF token."""
    return login_not_required(csrf_exempt(view))


def _render(request: HttpRequest, template: str, context=None, *, status=200) -> HttpResponse:
    response = render(request, template, context, status=status)
    # Already in the guest frame: GuestPathMiddleware keeps the body.
    response.guest_frame = True
    return response


def _from_our_page(request: HttpRequest) -> bool:
    """Whether the post came from a page of this site. Under `Referrer-Policy: no-referrer`
    a browser sends `Origin: null` even for a form on our own page (Fetch, "serialize a
    request origin"), so the Fetch Metadata header that every current browser sends says
    it: `Sec-Fetch-Site: same-origin`; a sandboxed frame elsewhere, whose Origin is null
    too, is "cross-site" there. A client without Fetch Metadata must name our origin
    (scheme and host as the request came in) in Origin."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    return request.headers.get("Origin", "") == f"{request.scheme}://{request.get_host()}"


def not_found(request: HttpRequest) -> HttpResponse:
    return _render(request, "guests/not_found.html", status=404)


@guest_view
def no_such_page(request: HttpRequest, rest: str = "") -> HttpResponse:
    # Any other address under the guest prefix: the guest 404, not the site's, whose
    # header needs a session and a CSRF cookie.
    return not_found(request)


@guest_view
@require_http_methods(["GET", "POST"])
def guest_page(request: HttpRequest, token: str) -> HttpResponse:
    address = client_ip(request)
    now = timezone.now()
    if not ratelimit.allow(token, address, now):
        response = _render(request, "guests/too_many.html", status=429)
        response["Retry-After"] = str(settings.GUEST_RATE_WINDOW_S)
        return response
    guest_request = services.find(token)
    if guest_request is None or not guest_request.opens_for_guest(now):
        return not_found(request)
    confirm = guest_request.kind == GuestRequest.Kind.CONFIRM
    form = AnswerForm(confirm=confirm)
    if request.method == "POST":
        if not _from_our_page(request):
            return _render(request, "guests/refused.html", status=403)
        form = AnswerForm(request.POST, confirm=confirm)
        if form.is_valid() and guest_request.may_answer(now):
            services.answer(guest_request, form.cleaned_data["answer"], address=address)
            # Answered now, or by another post a moment ago: the page shows the answer.
            return redirect(request.path)
    else:
        services.record_open(guest_request, address=address)
    context = {"guest_request": guest_request, "form": form, "confirm": confirm}
    return _render(request, "guests/page.html", context)
