"""Text as it is stored: one form for whatever people type, paste or import.

- Unicode NFC. macOS, PDFs and some mail programs hand over decomposed letters ("å" as
  "a" + combining ring); stored as typed, such a name is not found by a search typed on a
  Windows keyboard, and two identical-looking names can coexist.
- No control characters. An Excel cell cannot hold them (openpyxl refuses the C0 controls
  but tab, line feed and carriage return), so a text holding one would not come back
  unchanged from an export; a PDF draws them as missing-glyph boxes. Those that separate
  lines (vertical tab, form feed, U+2028, U+2029, CR) become a line break in multi-line
  text; every other one, and every line break in a one-line text, becomes a space.
- No bidirectional overrides or isolates (U+202A to U+202E, U+2066 to U+2069): they make
  a text display in another order than it is stored ("Trojan Source", CVE-2021-42574), so
  what a reader sees is not what was written, and an unclosed one reorders the page or
  mail text after it. They are dropped; the letters stay. (The implicit marks U+200E and
  U+200F stay: they only help a right-to-left name display right.)
- A text of nothing visible (only spaces, control and format characters such as the
  zero-width space) is empty in a form: a required field refuses it.

Python's own `unicodedata`; the control characters are Unicode category Cc (C0, DEL, C1)
plus the two separators of category Zl/Zp.

Where it is applied: every field people write is a CleanCharField or CleanTextField (an
identifier a PhoneField, events.validators.OrgNumberField or CaseNumberField, stored in
ASCII by `identifier`), which cleans on every way in, forms, save(), update(), lookups; the
data migrations of issue 14 cleaned what was stored before (clean_rows). Names are ordered
in SQL by the collation `swedish` names, as accounts.people.swedish_key orders them in
Python.
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Lookup
from django.db.models.functions import Collate
from django.db.models.lookups import (
    Contains,
    EndsWith,
    IContains,
    IEndsWith,
    IExact,
    IStartsWith,
    StartsWith,
)

# Line separators: CR LF and CR (as pasted from Windows and old Mac files), VT and FF (as
# Word writes a manual line or page break), NEL, and Unicode's line/paragraph separators.
_LINE_BREAK = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Every other control character, tab included (a form field cannot show it as typed).
_CONTROL = re.compile("[\x00-\x09\x0e-\x1f\x7f-\x84\x86-\x9f]")
# The explicit bidirectional formatting characters (Unicode UAX #9, 2.1 and 2.2).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def clean(value: str, *, multiline: bool) -> str:
    """`value` as stored: NFC, line separators made "\\n" (or a space when not
    `multiline`), every other control character a space, bidirectional overrides and
    isolates dropped. Not stripped: a form field strips,
    and a model field must give back what it was given apart from these characters.

    >>> clean("Norsjo\u0308\x0bgruvan", multiline=True)
    'Norsjö\\ngruvan'
    >>> clean("Ta fram\x0bsiffror", multiline=False)
    'Ta fram siffror'
    """
    value = _LINE_BREAK.sub("\n" if multiline else " ", value)
    if not multiline:
        value = value.replace("\n", " ")
    return unicodedata.normalize("NFC", _BIDI.sub("", _CONTROL.sub(" ", value)))


def invisible(value: str) -> bool:
    """Whether `value` shows nothing: only whitespace and characters of the Unicode
    categories Cc and Cf (control and format: zero-width space and joiners, byte order
    mark, soft hyphen)."""
    return all(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in value)


# Every dash Word, PDFs and web pages put where a hyphen was typed (U+2010 to U+2015:
# hyphen, non-breaking hyphen as NFKC leaves it, figure, en, em dash, bar) and the minus.
_DASH = re.compile("[\u2010-\u2015\u2212]")


def identifier(value: str) -> str:
    """An identifier as typed (organisationsnummer, diarienummer, telephone number) in the
    form it is compared and stored in: `clean`, then NFKC (a full-width five, U+FF15, is
    "5"; a no-break space a space), every dash a hyphen-minus, whitespace collapsed and
    stripped.

    Digits that NFKC leaves as they are (Arabic-Indic U+0665, Devanagari U+096B) stay, for
    the field's validator to refuse: an identifier's digits are ASCII [0-9], never `\\d`.

    >>> identifier("\uff15\uff15\uff16\uff10\uff13\uff16\u2013\uff10\uff17\uff19\uff13")
    '556036-0793'
    """
    value = unicodedata.normalize("NFKC", clean(value, multiline=False))
    return " ".join(_DASH.sub("-", value).split())


class NormalisedFormField(forms.CharField):
    """A form's field for a CleanCharField or CleanTextField, and every form's own text field:
    the value is normalised as the model field stores it (without `normalise`, `clean`,
    multi-line in a textarea) before its length and validators are checked, so a name
    pasted decomposed (NFD, more code points than letters) fits the limit its letters fit,
    and `cleaned_data` holds what will be stored. The page still shows what was typed.

    No `maxlength` attribute on the input: the browser counts code points before this
    cleaning and would cut a paste that fits once cleaned (an organisationsnummer pasted with
    spaces and an en dash is longer than its 11 characters, a name in NFD than its letters).
    The length is checked here, after cleaning, with a message that keeps the text."""

    def __init__(self, *, normalise=None, **kwargs):
        super().__init__(**kwargs)
        multiline = isinstance(self.widget, forms.Textarea)
        self.normalise = normalise or (lambda value: clean(value, multiline=multiline))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, str) and value:
            value = self.normalise(value)
            # A control character at either end became a space.
            value = value.strip() if self.strip else value
            if self.strip and invisible(value):
                # Empty for `required`: a pasted zero-width space is no answer.
                value = ""
        return value


class _Cleaned:
    """What CleanCharField and CleanTextField share: `normalise` applied to a text on
    every way into the database. `to_python` covers model validation and, through
    `get_prep_value`, QuerySet.update(), filter(x=…) and __in; `pre_save` covers save() and
    bulk_create and leaves the instance holding what was stored; `formfield` covers forms
    (NormalisedFormField); the pattern lookups below cover __contains, __icontains and
    their kin."""

    multiline = False

    def normalise(self, value: str) -> str:
        return clean(value, multiline=self.multiline)

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalise(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        # An expression (F(), Concat) is left to the database.
        if isinstance(value, str):
            value = self.normalise(value)
            setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(
            **{"form_class": NormalisedFormField, "normalise": self.normalise, **kwargs}
        )


class CleanCharField(_Cleaned, models.CharField):
    """A one-line text as stored (`clean(value, multiline=False)`): a line break, like any
    other control character, becomes a space."""


class CleanTextField(_Cleaned, models.TextField):
    """A multi-line text as stored (`clean(value, multiline=True)`)."""

    multiline = True


def _cleaned_pattern(lookup: type[Lookup]) -> type[Lookup]:
    class Cleaned(lookup):
        # A pattern lookup does not prepare its value through the field (its value is a
        # fragment, not a whole text): cleaned here, so that a search typed or pasted in
        # NFD finds the text stored in NFC.
        def get_prep_lookup(self):
            if isinstance(self.rhs, str):
                return clean(self.rhs, multiline=True)
            return super().get_prep_lookup()

    return Cleaned


for _lookup in (Contains, IContains, StartsWith, IStartsWith, EndsWith, IEndsWith, IExact):
    CleanCharField.register_lookup(_cleaned_pattern(_lookup))
    CleanTextField.register_lookup(_cleaned_pattern(_lookup))


# A telephone number: ASCII digits and the + ( ) - and spaces people write between them.
_PHONE = re.compile(r"[0-9+() -]*[0-9][0-9+() -]*")


def validate_phone(value: str):
    if not _PHONE.fullmatch(value):
        raise ValidationError(
            "Skriv telefonnumret med siffrorna 0–9 och bara + ( ) - och mellanslag mellan "
            "dem, till exempel 0918-141 00.",
            code="phone",
        )


class PhoneField(CleanCharField):
    """A telephone number, stored in its ASCII form (`identifier`: typed in full-width
    digits or with an en dash, "0918-141 00" is "0918-141 00")."""

    default_validators = [validate_phone]

    def normalise(self, value: str) -> str:
        return identifier(value)


def clean_rows(model) -> int:
    """Bring the stored text of `model` (a model class, also a migration's historical one)
    to the form its CleanCharField and CleanTextField fields store: NFC, control characters
    replaced, identifiers in their ASCII form. Writes only the rows that change, one
    UPDATE each; a row whose new text would break a unique constraint (the same name twice,
    once decomposed) keeps its old text, as two rows cannot be merged here. Returns the
    number of rows written.

    Reads every row once, on any database: neither SQLite nor PostgreSQL can find the rows
    that are not in NFC or that hold a control character on their own."""
    fields = [field for field in model._meta.concrete_fields if isinstance(field, _Cleaned)]
    if not fields:
        return 0
    changes = []
    rows = model._base_manager.order_by().values_list("pk", *(f.attname for f in fields))
    # Collected first, written after: SQLite does not isolate a read from writes to the
    # same table on the same connection.
    for pk, *values in rows.iterator(chunk_size=2000):
        changed = {
            field.attname: field.normalise(value)
            for field, value in zip(fields, values, strict=True)
            if isinstance(value, str) and field.normalise(value) != value
        }
        if changed:
            changes.append((pk, changed))
    written = 0
    for pk, changed in changes:
        try:
            with transaction.atomic():
                model._base_manager.filter(pk=pk).update(**changed)
        except IntegrityError:
            continue
        written += 1
    return written


def clean_stored_text(app_label: str):
    """A data migration's forward function (migrations.RunPython) that applies
    `clean_rows` to every model of `app_label`."""

    def forward(apps, schema_editor):
        for model in apps.get_app_config(app_label).get_models():
            clean_rows(model)

    return forward


# Swedish alphabetical order in SQL: å, ä, ö after z (accounts.people.swedish_key in
# Python). The collation is ICU's sv-SE on PostgreSQL (created by migration accounts 0004)
# and accounts.people.swedish_compare on SQLite (registered on every connection,
# accounts.apps).
SWEDISH = "swedish"


def swedish(field: str) -> Collate:
    """`field` (a name or a lookup path such as "user__first_name") for order_by() or
    Meta.ordering, ordered in Swedish: Adam, Zelma, Åsa, Ärla, Örjan."""
    return Collate(F(field), SWEDISH)
