"""A form sent with a token that is no longer valid (settings.CSRF_FAILURE_VIEW).

It happens to ordinary users: a page left open while they logged in again in another tab
(logging in renews the token, Django's rotate_token), or after the token cookie was
cleared. Django's own answer is an English 403 page that htmx never shows, and what the
user typed is lost. Here nothing typed is lost and the page can send it again.
"""

from django.http import HttpResponse
from django.middleware.csrf import get_token

from norsjo.middleware import not_sent_page, signed_out_response

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
    - a plain form: norsjo.middleware.not_sent_page, with a "Skicka igen" form carrying
      what was posted and the fresh token (only for a post from our own pages, never a
      password or a file).
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
    # The page's {% csrf_token %} is the fresh token.
    return not_sent_page(request, signed_out=False)
