"""Sessions that last while they are used (SESSION_IDLE_MINUTES) and cost no write per
request."""

from django.utils import timezone


class SlidingSessionMiddleware:
    """Keep a session alive while it is used (SESSION_IDLE_MINUTES) without writing it on
    every request: an UPDATE and a COMMIT per page view was a third of the event page's
    time. The session is re-saved, which moves its expiry, at most once a minute, so it may
    end up to a minute before the full idle time."""

    REFRESH_AFTER_S = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(timezone.now().timestamp())
            if now - session.get("refreshed_at", 0) >= self.REFRESH_AFTER_S:
                mark_refreshed(session)
        return response


def mark_refreshed(session):
    session["refreshed_at"] = int(timezone.now().timestamp())


def session_saved_at_login(sender, request, **kwargs):
    # Logging in saves the session anyway: the first page after it need not.
    mark_refreshed(request.session)
