"""A form sent with a token that is no longer valid (settings.CSRF_FAILURE_VIEW).

It happens to ordinary users: a page left open while they logged in again in another tab
(logging in renews the token, Django's rotate_token), or after the token cookie was
cleared. Django's own answer is an English 403 page that htmx never shows, and what the
user typed is lost. Here nothing typed is lost and the page can send it again.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from norsjo.middleware import is_ours, page_it_came_from, signed_out_response

STALE_PAGE = (
    "Sidan hade hunnit bli för gammal, så det du skickade sparades inte. Nu är den förnyad "
    "och det du skrev finns kvar: tryck på knappen igen."
)


def csrf_failure(request, reason: str = "") -> HttpResponse:
    """403 for a post whose CSRF token failed (`reason`: Django's, not shown), with a fresh
    token (`get_token` sets the cookie if there was none).

    - htmx: the Swedish `STALE_PAGE` as text/plain, the fresh token in the `X-CSRFToken`
      header; static/js/answers.js puts it into the page's forms and shows the text, and
      the form, not swapped, keeps what was typed. Without a session, the signed-out answer
      (norsjo.middleware.signed_out_response) instead: a fresh token alone would not do.
    - a plain form: a Swedish page with a "Skicka igen" form carrying what was posted and
      the fresh token. Only for a post from our own pages (Origin, else Referer): otherwise
      a page elsewhere could have a user send its text with a valid token in one click.
      Not for a password (it would be written into a page) or a file (it cannot be).
    """
    token = get_token(request)
    if request.htmx:
        if not request.user.is_authenticated:
            return signed_out_response(request)
        return HttpResponse(
            STALE_PAGE,
            status=403,
            content_type="text/plain; charset=utf-8",
            headers={"X-CSRFToken": token},
        )
    back = page_it_came_from(request)
    context = {
        "fields": _to_send_again(request),
        "action": request.get_full_path(),
        "back": back,
        "login_url": redirect_to_login(back)["Location"],
    }
    response = render(request, "403_csrf.html", context, status=403)
    # It holds what the user typed.
    add_never_cache_headers(response)
    return response


def _to_send_again(request) -> list[tuple[str, str]] | None:
    """The posted (name, value) pairs, in order, without the old token; None if the post
    may not or cannot be sent again from a page."""
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
