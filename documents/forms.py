from django import forms
from django.conf import settings
from django.utils import timezone

from accounts.moments import DayField
from accounts.text import NormalisedFormField
from accounts.uploads import SafeNameFileField
from documents import filetypes, targets
from documents.models import Document, SecrecyMarking
from events.forms import DATE_WIDGET
from events.workbook import number


def megabytes(size: int) -> str:
    """26,2 or 25: megabytes (MiB) with one decimal, Swedish comma, none for a whole."""
    rounded = round(size / (1024 * 1024), 1)
    if rounded == int(rounded):
        return number(int(rounded))
    return f"{rounded:.1f}".replace(".", ",")


class UploadField(SafeNameFileField):
    """A file as the register receives it: a name without path parts or control characters
    (SafeNameFileField), within DOCUMENT_MAX_BYTES, and
    content of an accepted kind that its name does not misname (documents.filetypes).
    `cleaned_data` holds (name, key of filetypes.KINDS, content)."""

    def __init__(self, **kwargs):
        super().__init__(
            error_messages={
                "required": "Välj en fil.",
                "empty": "Filen är tom (0 byte). Välj filen igen; den kan ha sparats fel.",
                "invalid": "Det kom ingen fil. Välj filen igen.",
            },
            **kwargs,
        )

    def widget_attrs(self, widget):
        # static/js/documents.js says a file is too large as soon as it is chosen, before a
        # long upload the server would only refuse.
        return super().widget_attrs(widget) | {
            "data-max-bytes": str(settings.DOCUMENT_MAX_BYTES),
            "data-max-mb": megabytes(settings.DOCUMENT_MAX_BYTES),
        }

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload is None:
            return None
        limit = settings.DOCUMENT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"Filen är {megabytes(upload.size)} MB; högst {megabytes(limit)} MB tas emot."
            )
        name = filetypes.clean_name(upload.name)
        content = upload.read()
        kind = filetypes.identify(name, content)
        key = next(key for key, known in filetypes.KINDS.items() if known is kind)
        return (name, key, content)


class ChoseFile:
    """For a form with an UploadField `file`: whether a file had been chosen in a post the
    form refused. A browser never fills a file input in again (its value is the user's
    choice, not the page's), so the page must say that the file has to be chosen again."""

    def file_dropped(self) -> bool:
        return self.is_bound and "file" in self.files and bool(self.errors)


class DocumentForm(ChoseFile, forms.ModelForm):
    file = UploadField(
        label="Fil",
        help_text=(
            f"Högst {megabytes(settings.DOCUMENT_MAX_BYTES)} MB. Tas emot: {filetypes.ACCEPTED}."
        ),
    )

    class Meta:
        model = Document
        fields = [
            "title",
            "public_description",
            "document_date",
            "direction",
            "counterpart",
            "omit_counterpart",
            "omit_description",
        ]
        field_classes = {"document_date": DayField}
        widgets = {"document_date": DATE_WIDGET, "direction": forms.RadioSelect}
        error_messages = {
            "title": {"required": "Skriv handlingens rubrik."},
            "public_description": {"required": "Skriv en ärendemening för diariet."},
            "document_date": {
                "required": "Skriv handlingens datum.",
                "invalid": "Skriv datumet som år-månad-dag, till exempel 2026-01-14.",
            },
            "direction": {"required": "Välj om handlingen kom in eller upprättades här."},
            "counterpart": {"required": "Skriv vem som skickade eller upprättade handlingen."},
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"document_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["direction"].choices = Document.Direction.choices

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("document_date")
        incoming = cleaned.get("direction") == Document.Direction.INKOMMANDE
        # What came in was dated when it was sent; a later day is a slip (upprättade drafts
        # may carry the day they are meant for).
        if incoming and day and day > timezone.localdate():
            self.add_error(
                "document_date", "Ett inkommet dokument kan inte vara daterat i framtiden."
            )
        return cleaned


class VersionForm(ChoseFile, forms.Form):
    file = UploadField(label="Ny version")


class SecrecyForm(forms.ModelForm):
    class Meta:
        model = SecrecyMarking
        fields = ["provision", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "provision": {"required": "Skriv vilken bestämmelse, till exempel OSL 31 kap. 16 §."}
        }


class VoidForm(forms.Form):
    reason = NormalisedFormField(
        label="Varför är handlingen registrerad av misstag?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Skriv varför."},
    )


class LinkForm(forms.Form):
    """Which task, sheet row, contact or report of the case refers to the document.
    `cleaned_data["target"]` is (key of documents.targets.KINDS, the object)."""

    target = forms.ChoiceField(
        label="Koppla från",
        error_messages={
            "required": "Välj vad handlingen ska kopplas till.",
            "invalid_choice": "Välj vad handlingen ska kopplas till.",
        },
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["target"].choices = targets.choices(event)

    def clean_target(self):
        found = targets.find(self.event, self.cleaned_data["target"])
        if found is None:
            raise forms.ValidationError("Välj vad handlingen ska kopplas till.")
        return found
