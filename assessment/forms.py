import re
from datetime import datetime

from django import forms
from django.conf import settings
from django.utils import timezone

from accounts.moments import ClockField, from_clock
from accounts.text import NormalisedFormField
from accounts.uploads import SafeNameFileField
from assessment.models import Contact, ExternalParty, Row
from assessment.parts import SECTIONS
from events import workbook
from events.conflicts import Versioned, VersionField
from events.forms import (
    DATETIME_WIDGET,
    NOON,
    AddressField,
    AssigneePicker,
    refuse_passed,
    what_field,
)

ROW_WIDGETS = {
    "what": forms.Textarea(attrs={"rows": 2}),
    "follow_up": forms.Textarea(attrs={"rows": 2}),
}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def import_limit() -> int:
    """The largest workbook the import takes, in bytes: 5 MB, or DOCUMENT_MAX_BYTES where
    that is set lower, since no multipart body is read much past it (accounts.uploads)."""
    return min(MAX_UPLOAD_BYTES, settings.DOCUMENT_MAX_BYTES)


def too_large() -> str:
    """The message for a workbook over import_limit(), in whole MB (MiB)."""
    return (
        f"Filen är större än {import_limit() // (1024 * 1024)} MB. En exporterad "
        "bedömningsmall är mycket mindre; kontrollera att det är rätt fil."
    )


class RowForm(Versioned, forms.ModelForm):
    """A row's text. `version` is the one the user saw; a save on an older one is refused."""

    version = VersionField()

    class Meta:
        model = Row
        fields = ["what", "who", "when", "follow_up", "status", "audience"]
        widgets = ROW_WIDGETS

    def __init__(self, *args, section: str, row_id, delegated: bool = False, **kwargs):
        # Several rows may be open at once on the sheet: ids must not repeat.
        super().__init__(*args, auto_id=f"id_{row_id}_%s", **kwargs)
        _fit_to_section(self, section)
        if delegated and "status" in self.fields:
            # Its status is the task's, changed on the task (Row.shown_status).
            del self.fields["status"]

    def content(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.Meta.fields}


class AddRowForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        queryset=Row.objects.none(),
        required=False,
        label="Hör till scenario",
        empty_label="– Nytt scenario –",
    )

    class Meta:
        model = Row
        fields = ["what", "who", "when", "follow_up", "status", "audience"]
        widgets = ROW_WIDGETS
        error_messages = {"what": {"required": "Skriv vad raden gäller."}}

    def __init__(self, *args, section: str, scenarios=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["what"].required = True
        _fit_to_section(self, section)
        if scenarios is None:
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = scenarios

    def content(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.Meta.fields}


def _fit_to_section(form, section):
    if not SECTIONS[section].has_status:
        del form.fields["status"]
    if not SECTIONS[section].has_audience:
        del form.fields["audience"]
    _limit_text(form)


def _limit_text(form):
    """Every text of a row is exported to Excel, and must come back whole: at most what its
    field holds, and a text field at most what a cell holds (events.workbook.CELL_LIMIT).
    Longer is refused on the field, saying the count, with the whole text kept. No
    `maxlength`: a browser would cut a longer paste without a word; charcount.js shows the
    count while typing near the limit instead."""
    for name in ("what", "who", "when", "follow_up", "audience"):
        if name not in form.fields:
            continue
        field = form.fields[name]
        field.widget.attrs.pop("maxlength", None)
        if field.max_length is None:
            field.validators.append(workbook.fits_in_cell)
            field.widget.attrs.update(
                {"data-max-chars": workbook.CELL_LIMIT, "data-count": "utf16"}
            )
        else:
            field.widget.attrs["data-max-chars"] = field.max_length
            field.error_messages["max_length"] = (
                f"{field.label} får vara högst %(limit_value)d tecken, och texten har "
                "%(show_value)d. Korta den."
            )


class VersionForm(forms.Form):
    version = VersionField()


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("upp", "Upp"), ("ned", "Ned")])


class DelegateForm(Versioned, AssigneePicker):
    """The row as a task: to anyone in the municipality with an account, or a named person
    with an address. Made with `event=` and `row=`: unbound, the row's Vem, När and
    Uppföljning fill in the form where they name a person or a time; the row's text is
    shown beside a time it does not name exactly. A row's text longer than a task's Vad is
    prefilled whole and refused, for the user to shorten: never cut."""

    what = what_field("Vad")
    assignee_name = NormalisedFormField(
        label="Namn (person utan konto)", max_length=200, required=False
    )
    assignee_email = AddressField(
        label="E-post (person utan konto)", max_length=254, required=False
    )
    due_at = ClockField(label="När (senast)", required=False, widget=DATETIME_WIDGET)
    follow_up_at = ClockField(label="Uppföljning", required=False, widget=DATETIME_WIDGET)
    version = VersionField()

    def __init__(self, data=None, *, event, row, **kwargs):
        due_at, follow_up_at = row_moment(row.when), row_moment(row.follow_up)
        initial = {
            "what": row.what,
            "vem": row.who,
            "due_at": due_at,
            "follow_up_at": follow_up_at,
            "version": row.version,
        }
        super().__init__(data, event=event, initial=initial, **kwargs)
        for name, text, moment in [
            ("due_at", row.when, due_at),
            ("follow_up_at", row.follow_up, follow_up_at),
        ]:
            if text.strip() and moment is None:
                self.fields[name].help_text = f"I raden: ”{text.strip()[:200]}”."

    def clean(self):
        data = super().clean()
        self.resolve_assignee(data)
        # A row's past När or Uppföljning is prefilled as written, and refused here.
        for name in ("due_at", "follow_up_at"):
            refuse_passed(self, name, data.get(name))
        return data

    def task(self) -> dict:
        data = self.cleaned_data
        return {
            "what": data["what"],
            "assignee": data["assignee"],
            "assignee_name": data["assignee_name"],
            "assignee_email": data["assignee_email"],
            "due_at": data["due_at"],
            "follow_up_at": data["follow_up_at"],
        }


# A time a row's free text names exactly: 2026-03-02, 2026-03-02 14:00 (as delegate_row
# writes it back), 2/3 or 2/3 2026 (day/month, the Swedish way).
_ISO_MOMENT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2})[:.](\d{2}))?")
_DAY_MONTH = re.compile(r"(\d{1,2})/(\d{1,2})(?: (\d{4}))?")


def row_moment(text: str) -> datetime | None:
    """The moment (aware, UTC) a row's När or Uppföljning names exactly, or None for anything
    else ("fredag", "v. 12", "på måndagsmötet"). A day/month without a year is this year's.
    A clock time is read as the task form reads it (accounts.moments.from_clock), also on
    the nights of the changes to and from summer time."""
    text = " ".join(text.split())
    try:
        if match := _ISO_MOMENT.fullmatch(text):
            year, month, day, hour, minute = match.groups()
        elif match := _DAY_MONTH.fullmatch(text):
            day, month, year = match.groups()
            year, hour, minute = year or timezone.localdate().year, None, None
        else:
            return None
        # A day alone is due at noon, as the varsel milestones are.
        hour = int(hour or NOON.hour)
        moment = datetime(int(year), int(month), int(day), hour, int(minute or 0))
    except ValueError:  # 31/2, 25:00
        return None
    return from_clock(moment)


class SnapshotForm(forms.Form):
    label = NormalisedFormField(
        label="Rubrik (valfri)", max_length=200, required=False, help_text="T.ex. Lägesbild 14.00"
    )


class ImportForm(forms.Form):
    file = SafeNameFileField(
        label="Excel-fil (.xlsx)",
        help_text="En fil som exporterats härifrån och sedan ändrats i Excel eller LibreOffice.",
        error_messages={"required": "Välj en fil att läsa in."},
    )

    def __init__(self, *args, upload_too_large: bool = False, **kwargs):
        """`upload_too_large`: accounts.uploads.BodyLimitHandler stopped the body at the
        file (request.upload_too_large), which then reaches the form as no file at all."""
        super().__init__(*args, **kwargs)
        self.upload_too_large = upload_too_large

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > import_limit():
            raise forms.ValidationError(too_large())
        return upload

    def clean(self):
        if self.upload_too_large:
            # Not "Välj en fil": the user chose one, far larger than any sheet.
            self._errors.pop("file", None)
            self.add_error("file", too_large())
        return super().clean()


class PartyForm(forms.ModelForm):
    class Meta:
        model = ExternalParty
        fields = ["type", "organisation", "contact_person", "phone", "email"]
        error_messages = {
            "type": {"required": "Välj vilken sorts part det är."},
            "organisation": {"required": "Skriv organisationens namn."},
            "email": {"invalid": "Skriv en giltig e-postadress, t.ex. namn@exempel.se."},
        }


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["direction", "text", "happened_at"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "happened_at": DATETIME_WIDGET,
            "direction": forms.RadioSelect,
        }
        field_classes = {"happened_at": ClockField}
        error_messages = {
            "direction": {"required": "Ange om vi lämnade eller fick något."},
            "text": {"required": "Skriv vad som lämnades eller togs emot."},
            "happened_at": {"invalid": "Ange datum och tid, t.ex. 2026-03-02 14:00."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Radio buttons: the real choices only, none for "nothing chosen".
        self.fields["direction"].choices = Contact.Direction.choices
