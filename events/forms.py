from django import forms
from django.utils import timezone

from events.models import LogEntry


class LogEntryForm(forms.ModelForm):
    happened_at = forms.DateTimeField(
        label="När det hände",
        required=False,
        help_text="Lämna tomt om det hände nu.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = LogEntry
        fields = ["text", "happened_at"]
        labels = {"text": "Ny loggpost"}
        help_texts = {"text": "Information som kommit in, beslut som fattats på annat håll…"}
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"text": {"required": "Skriv vad som hänt."}}

    def clean_happened_at(self):
        happened_at = self.cleaned_data["happened_at"]
        if happened_at and happened_at > timezone.now():
            raise forms.ValidationError("Tidpunkten kan inte ligga i framtiden.")
        return happened_at
