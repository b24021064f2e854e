"""Somebody saved first: optimistic concurrency, in one place.

A form that changes what others may change at the same time sends back, with the user's
input, the version token of what its page showed: the value of one column that every save
of the row advances. A save is one conditional UPDATE on that column (`update_if_current`):
of two users saving from the same page one wins, and the other gets `Conflict`, with nothing
of theirs saved. Their page comes back (`rebind`) with what they typed still in the fields,
a message saying so, beside each field where the two differ what it says now
(templates/conflict.html, in form_field.html: the one place a page shows it, its alert,
conflict.html#alert, saying only what happened), and the token of the version saved now:
saving again is then a knowing choice on top of it.

The token is one kind everywhere, an integer counter: `version` (tasks, events, sheet rows,
the communication plan); where `version` already names a document's number, `revision` (a
press text, a lägesrapport); a meeting's `sequence`, its iCalendar SEQUENCE (RFC 5545
3.8.7.4), which every change raises anyway; and for the nulägesbild, kept as numbered
revisions, the latest `revision` (the unique (event, revision) constraint is its
conditional write). Approving what one read (a quote, a lägesrapport) puts the token in its
UPDATE without advancing it, since the words do not change (`version_posted` reads it from
the approving button's form). The communication plan keeps the answers each save replaced
as the version they were (commsplan.models.PlanVersion), so that a colleague's save of one
answer is no conflict for another.
"""

from datetime import date, datetime

from django import forms
from django.db import models

from accounts.moments import day_text, moment_text

STALE_PAGE = "Sidan är för gammal. Ladda om den och gör ändringen igen."


class Conflict(Exception):
    """Somebody saved first, and nothing was saved. `current`: what was changed, as it is
    now (None where there is nothing to show); `fields`: where a save compares field by
    field (the communication plan), the fields both changed."""

    def __init__(self, current=None, fields=()):
        super().__init__(current, fields)
        self.current, self.fields = current, list(fields)


def update_if_current(queryset, pk, field: str, token: int, **changes) -> int:
    """Write `changes` to the row `pk` of `queryset` in one UPDATE … WHERE `field` = `token`
    (what the user's page showed), advancing the counter `field` by one. Returns the new
    token. Raises Conflict, with the row as it now is, when it moved on or no longer
    matches `queryset` (a meeting cancelled meanwhile)."""
    after = token + 1
    if not queryset.filter(pk=pk, **{field: token}).update(**{field: after}, **changes):
        raise Conflict(queryset.model._default_manager.filter(pk=pk).first())
    return after


class VersionField(forms.IntegerField):
    """The hidden counter token of a form. Only a page from before the form had it, or a
    hand-made post, lacks it."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        messages = dict.fromkeys(["required", "invalid", "min_value"], STALE_PAGE)
        super().__init__(min_value=0, error_messages=messages, **kwargs)


def version_posted(data, name: str) -> int | None:
    """The token `name` in `data` (a QueryDict) posted by a button that approves what its
    page showed, or None where there is none (a hand-made post)."""
    try:
        return VersionField(required=False).clean(data.get(name))
    except forms.ValidationError:
        return None


class Versioned:
    """A form with a version token: the hidden field `version_field`, which
    `version_of(current)` fills from the thing as it is saved now. The default is a
    `version` counter."""

    version_field = "version"

    @staticmethod
    def version_of(current):
        return current.version


def rebind(form_class, data, current, message: str, **kwargs):
    """The form of `form_class` (a Versioned one, made with `kwargs`) again, bound to what
    the user sent (`data`, a QueryDict) but with the token of `current`, validated, with
    `message` (Swedish, saying that somebody saved first) as its error unless it is "", and
    for each visible field where `current` (a model instance, or None) says something else
    than the user sent, that as text in `form[name].theirs`, for conflict.html.
    `form.in_conflict` is True."""
    data = data.copy()
    data[form_class.version_field] = form_class.version_of(current)
    form = form_class(data, **kwargs)
    # Read before validating: a ModelForm's validation writes the input into its instance,
    # which may be `current`.
    saved = {
        field.name: _saved(current, field.name, field.field)
        for field in form.visible_fields()
        # Not a field of the form alone (attendance, a person's search text).
        if current is not None and hasattr(current, field.name)
    }
    form.is_valid()
    if message:
        form.add_error(None, message)
    form.in_conflict = True
    for name, (value, shown) in saved.items():
        if form.fields[name].has_changed(value, form[name].data):
            form[name].theirs = shown
    return form


def _saved(current, name: str, field: forms.Field) -> tuple[object, str]:
    """A saved value, and that value as the user reads it in `field`: a choice by its
    label, a moment and a day as the product writes them, people and other rows by their
    names."""
    value = getattr(current, name)
    if isinstance(value, models.Manager):
        value = list(value.all())
    if label := getattr(current, f"get_{name}_display", None):
        return value, label()
    if isinstance(field, forms.MultipleChoiceField):  # boxes ticked, by their labels
        labels = dict(field.choices)
        return value, ", ".join(str(labels.get(item, item)) for item in value)
    if isinstance(value, list):
        return value, ", ".join(str(item) for item in value)
    if isinstance(value, datetime):
        return value, moment_text(value)
    if isinstance(value, date):
        return value, day_text(value)
    if isinstance(value, bool):
        return value, "Ja" if value else "Nej"
    if isinstance(value, models.Model):  # a person or another row, by its name
        return value, str(value)
    # Anything else as its own field writes it into the input (a Swedish decimal comma in
    # omställning's number fields), so both versions read alike.
    prepared = field.prepare_value(value)
    return value, "" if prepared is None else str(prepared)
