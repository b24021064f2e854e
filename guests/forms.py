from django import forms
from django.conf import settings

from accounts.moments import ClockField, add_days
from accounts.text import NormalisedFormField
from events.forms import DATETIME_WIDGET, refuse_passed
from guests.models import GuestRequest

ANSWER_MAX = 5000
# The question is read on the same page as the answer is written: the same room.
QUESTION_MAX = ANSWER_MAX


class GuestRequestForm(forms.ModelForm):
    class Meta:
        model = GuestRequest
        fields = ["kind", "question", "due_at"]
        widgets = {
            "kind": forms.RadioSelect,
            "question": forms.Textarea(attrs={"rows": 4}),
            "due_at": DATETIME_WIDGET,
        }
        field_classes = {"due_at": ClockField}
        help_texts = {
            "question": "Mottagaren ser bara ärendets nummer, den här texten, ditt namn och "
            "när svaret ska komma – inget annat ur ärendet.",
        }
        error_messages = {
            "kind": {
                "required": "Välj om mottagaren ska svara på en fråga eller bekräfta en uppgift."
            },
            "question": {"required": "Skriv frågan till mottagaren."},
            "due_at": {
                "required": "Ange när svaret ska komma.",
                "invalid": "Ange datum och tid, t.ex. 2026-03-02 14:00.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Radio buttons: the real choices only, none for "nothing chosen".
        self.fields["kind"].choices = GuestRequest.Kind.choices

    def clean_question(self) -> str:
        question = self.cleaned_data["question"]
        if len(question) > QUESTION_MAX:
            raise forms.ValidationError(
                f"Frågan får vara högst {QUESTION_MAX} tecken, den har {len(question)}; "
                "korta den lite."
            )
        return question

    def clean(self):
        cleaned = super().clean()
        due_at = cleaned.get("due_at")
        refuse_passed(self, "due_at", due_at)
        if due_at and due_at > add_days(self.instance.created_at, settings.GUEST_LINK_DAYS):
            self.add_error(
                "due_at",
                f"Länken gäller i {settings.GUEST_LINK_DAYS} dagar: begär svaret inom dem.",
            )
        return cleaned


class AnswerForm(forms.Form):
    answer = NormalisedFormField(
        label="Ditt svar",
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Skriv ditt svar.",
            "max_length": f"Svaret får vara högst {ANSWER_MAX} tecken; korta det lite.",
        },
    )

    def __init__(self, *args, confirm: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if confirm:
            # Confirming is the answer; a comment may come with it.
            self.fields["answer"].required = False
            self.fields["answer"].label = "Kommentar (frivillig)"
