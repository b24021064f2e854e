from django import forms

from accounts.text import NormalisedFormField
from events.conflicts import Versioned, VersionField
from reports.compile import SECTION_TITLES


class ReportForm(Versioned, forms.Form):
    """What the reporter writes; the rest is compiled from the case file."""

    version_field = "revision"

    summary = NormalisedFormField(
        label="Sammanfattning",
        help_text="Läget med dina egna ord. Tom rad mellan styckena.",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=10000,
    )
    decisions_needed = NormalisedFormField(
        label="Beslut som behövs",
        help_text="Ett beslut per rad. Startgruppens obesvarade beslut läggs till av sig själva.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    not_for_publication = forms.MultipleChoiceField(
        label="Ej för publicering",
        help_text="Markerade avsnitt går bara till startgruppen, inte till politiken.",
        choices=[(key, title) for key, title in SECTION_TITLES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # On edit: the version of the draft the page showed; a save over a newer one is a
    # conflict.
    revision = VersionField(required=False)

    @staticmethod
    def version_of(current):
        return current.revision
