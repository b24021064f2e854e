"""A workflow step taken with a button (fact-check, approve, send, ask for a review), in any
app: the service takes it or refuses, and the user is back on the page the button was on,
told which. The rules stay in the services and the access modules; this is only the
answer to the button."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from accounts.http import AuthenticatedHttpRequest
from events.services import Refused


def take_step(
    request: AuthenticatedHttpRequest,
    step: Callable,
    thing,
    *,
    done: str | Callable[[object], tuple[int, str]],
    back: str,
) -> HttpResponse:
    """Take `step` (a service, called as step(thing, by=request.user)) and redirect to
    `back` (the URL of the button's page) with a message: a Refused's reason as an error,
    else `done`, a success text, or a function of what the step returned giving (a level of
    django.contrib.messages, the text)."""
    try:
        result = step(thing, by=request.user)
    except Refused as refused:
        messages.error(request, str(refused))
    else:
        level, text = done(result) if callable(done) else (messages.SUCCESS, done)
        messages.add_message(request, level, text)
    return redirect(back)


def asked(told: int, *, waits: str, whom: tuple[str, str], nobody: str) -> tuple[int, str]:
    """What asking for a review says, as `done` for take_step: `waits` ("Texten väntar på
    faktagranskning") and how many were told, `whom` in the singular and the plural; or,
    when nobody could be (`told` is 0), a warning saying why (`nobody`)."""
    if told:
        return messages.SUCCESS, f"{waits}. {told} {whom[told != 1]} har fått besked."
    return messages.WARNING, f"{waits}, men {nobody}"
