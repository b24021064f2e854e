from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpResponse


class HtmxAwareLoginRequiredMiddleware(LoginRequiredMiddleware):
    """When a session expires mid-meeting, an htmx request must not swap the login page
    into a fragment: tell htmx to load the login page as a whole page instead."""

    def handle_no_permission(self, request, view_func):
        response = super().handle_no_permission(request, view_func)
        if getattr(request, "htmx", False):
            return HttpResponse(status=204, headers={"HX-Redirect": response["Location"]})
        return response
