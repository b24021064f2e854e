"""The request a view is given, typed, so that an editor knows what a view may rely on.

Annotations only: a view is still given Django's own request object, and nothing checks the
types at run time. They state what the middleware (norsjo/settings.py MIDDLEWARE) has
already made true before any view runs:

- `HtmxHttpRequest`: django_htmx.middleware.HtmxMiddleware has set `request.htmx`, falsy
  unless the request came from htmx (django-htmx's own pattern for typing it).
- `AuthenticatedHttpRequest`: also, the view is not marked `login_not_required`, so
  norsjo.middleware.HtmxAwareLoginRequiredMiddleware has let only a signed-in user through:
  `request.user` is an accounts.models.User, never AnonymousUser.

In accounts, the app every other app depends on, so that every app's views may import it.
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    user: User
