"""One rendered create form, one thing made and one set of mails.

Each create form carries a one-time key (`{% submission_key %}`, from
events.templatetags.submissions) and its view is decorated with `once_per_form`: the view
runs in one transaction, and once it has made something it calls `record(request,
location)`, which writes the key (events.models.Submission) in that same transaction. A
second post of the same form (a double click while a slow save runs, Enter pressed again,
the browser's back button and the button again) finds the key and is led where the first
post led, with ALREADY_SAVED: nothing is made, logged or mailed twice.

Two posts at the very same moment: on SQLite the second waits for the first to commit
(transactions begin IMMEDIATE) and then finds its key; on PostgreSQL both may pass the
look-up, and the unique key lets only one commit: the other's work, its notices included
(they are written in the transaction and sent on commit), is rolled back.

A post without a key (a script, a page rendered before keys) is not deduplicated. A post
refused or with errors records nothing: the user corrects it and posts the form again.
"""

import uuid
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from events.models import Submission

FIELD = "submission"
ALREADY_SAVED = "Det här var redan sparat. Inget sparades eller skickades en gång till."


class _Repeated(Exception):
    """Another post of the same form recorded its key while this one ran."""


def new_key() -> str:
    return str(uuid.uuid4())


def _key_of(request) -> uuid.UUID | None:
    if request.method != "POST":
        return None
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def once_per_form(view):
    """For a view whose form makes something: a post whose key is recorded is led where the
    first post with it led; any other post runs the view in one transaction, in which the
    view calls `record` when it has made something."""

    @wraps(view)
    def once(request, *args, **kwargs):
        request.submission_key = key = _key_of(request)
        if key is None:
            return view(request, *args, **kwargs)
        try:
            with transaction.atomic():
                first = Submission.objects.filter(key=key).first()
                if first is None:
                    return view(request, *args, **kwargs)
        except _Repeated:
            first = Submission.objects.get(key=key)
        return _already_saved(request, first.location)

    return once


def record(request, location: str) -> None:
    """Note that the post made something, shown at `location` (a path), in the transaction
    of `once_per_form`. Call it right after the service, before any message: if another
    post of the same form committed meanwhile, this raises, and everything the view did is
    rolled back."""
    if request.submission_key is None:
        return
    try:
        with transaction.atomic():
            Submission.objects.create(key=request.submission_key, location=location)
    except IntegrityError:
        raise _Repeated from None


def _already_saved(request, location: str):
    messages.info(request, ALREADY_SAVED)
    if request.htmx:
        # A fragment swap would put a whole page into a part of one: htmx loads it instead.
        return HttpResponseClientRedirect(location)
    return redirect(location)
