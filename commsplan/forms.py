from datetime import timedelta

from django import forms
from django.utils import timezone

from accounts.moments import ClockField, DayField
from accounts.people import active_people
from accounts.text import NormalisedFormField
from commsplan.models import ANSWERS, Channel, CommsPlan, PressText, TargetGroup, TimetableRow
from commsplan.sanitise import HELP
from events.conflicts import Versioned, VersionField
from events.forms import DATE_WIDGET, DATETIME_WIDGET, ModelMultipleIdsField
from events.people import people_for

BODY_HELP = "Skriv vanlig text, ingen HTML. " + HELP


class PlanForm(Versioned, forms.ModelForm):
    # The version the page showed: saving changes only the answers this user changed
    # since, so a colleague's answers saved meanwhile are not undone.
    version = VersionField()

    class Meta:
        model = CommsPlan
        fields = [field for field, _ in ANSWERS]
        widgets = {field: forms.Textarea(attrs={"rows": 3}) for field, _ in ANSWERS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.version_of(self.instance)


def person_with_function(user) -> str:
    return f"{user} – {user.function}" if user.function_id else str(user)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return person_with_function(user)


class RowForm(forms.ModelForm):
    written_by = PersonChoiceField(
        label="Ansvarig skriftlig information",
        queryset=None,
        required=False,
        empty_label="Ingen utsedd",
    )
    oral_by = PersonChoiceField(
        label="Ansvarig muntlig kommunikation",
        queryset=None,
        required=False,
        empty_label="Ingen utsedd",
    )

    class Meta:
        model = TimetableRow
        fields = [
            "message",
            "channels",
            "target_groups",
            "written_by",
            "oral_by",
            "planned_on",
            "status",
        ]
        labels = {"message": "Budskap", "planned_on": "Planerat datum", "status": "Status"}
        widgets = {
            "message": forms.Textarea(attrs={"rows": 3}),
            "channels": forms.CheckboxSelectMultiple,
            "target_groups": forms.CheckboxSelectMultiple,
            "planned_on": DATE_WIDGET,
            "status": forms.RadioSelect,
        }
        field_classes = {
            "channels": ModelMultipleIdsField,
            "target_groups": ModelMultipleIdsField,
            "planned_on": DayField,
        }

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        people = event.members.filter(
            memberships__event=event, memberships__group__in=["startgrupp", "arbetsgrupp"]
        )
        for name in ("written_by", "oral_by"):
            self.fields[name].queryset = people.select_related("function").distinct()
        self.fields["channels"].queryset = Channel.objects.filter(active=True)
        self.fields["target_groups"].queryset = TargetGroup.objects.filter(active=True)
        self.fields["channels"].label = "Kanaler"
        self.fields["target_groups"].label = "Målgrupper"


class TalkingPointsForm(forms.Form):
    talking_points = NormalisedFormField(
        label="Talepunkter för muntlig kommunikation",
        help_text="Det KSO kan säga muntligt. " + BODY_HELP,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class AnnouncementForm(forms.Form):
    """The company's own announcement: planned ahead (a reminder to the kommunikatör at that
    time) or confirmed as made (what publishing needs)."""

    MADE, PLANNED = "gatt-ut", "planerat"
    state = forms.ChoiceField(
        label="Har företaget gått ut?",
        choices=[
            (MADE, "Ja, företaget har gått ut med informationen"),
            (PLANNED, "Nej, det är planerat: påminn mig då"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Välj om företaget har gått ut eller om det är planerat."},
    )
    at = ClockField(
        label="När?",
        widget=DATETIME_WIDGET,
        error_messages={"required": "Ange när företaget gick ut, eller när det ska gå ut."},
    )
    where = NormalisedFormField(
        label="Var?",
        max_length=200,
        required=False,
        help_text="Till exempel ”Pressmeddelande på företagets webbplats” eller ”Möte med "
        "personalen”. Behövs när företaget har gått ut.",
    )

    def clean(self):
        cleaned = super().clean()
        state, at = cleaned.get("state"), cleaned.get("at")
        if state == self.MADE:
            if not cleaned.get("where", "").strip():
                self.add_error("where", "Ange var företaget gick ut med informationen.")
            if at and at > timezone.now() + timedelta(minutes=1):
                self.add_error(
                    "at",
                    "Den tiden har inte kommit än. Har företaget inte gått ut, välj att det är "
                    "planerat.",
                )
        elif state == self.PLANNED and at and at <= timezone.now():
            self.add_error(
                "at",
                "Den tiden har redan passerat. Har företaget gått ut, välj det och ange var.",
            )
        return cleaned


class QuotedField(ModelMultipleIdsField):
    def label_from_instance(self, user):
        return person_with_function(user)


class PressTextForm(Versioned, forms.ModelForm):
    contact = PersonChoiceField(
        label="Kontaktperson",
        queryset=None,
        error_messages={"required": "Välj en kontaktperson."},
    )
    quoted = QuotedField(
        label="Citerade personer",
        queryset=active_people(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Kryssa i dem i kommunen som citeras i texten. Var och en godkänner sitt "
        "citat innan texten kan godkännas; ändras texten, godkänner de igen.",
    )

    class Meta:
        model = PressText
        fields = ["title", "lead", "body", "contact", "quoted"]
        labels = {"title": "Rubrik", "lead": "Ingress", "body": "Brödtext"}
        help_texts = {"body": BODY_HELP, "lead": "En eller två meningar: det viktigaste."}
        widgets = {
            "lead": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 14}),
        }
        error_messages = {
            "title": {"required": "Skriv en rubrik."},
            "body": {"required": "Skriv brödtexten."},
        }

    # On edit: the version the user started from. A save over a newer one is refused, not
    # applied, so two people editing one draft never lose each other's words.
    based_on = VersionField(required=False)
    version_field = "based_on"

    @staticmethod
    def version_of(current):
        return current.revision

    def __init__(self, *args, event, preview_url, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["based_on"].initial = self.version_of(self.instance)
        # The live preview: as the body is typed, the form is posted for its preview only
        # (the view's "preview"), and the answer replaces the preview below the field.
        self.fields["body"].widget.attrs.update(
            {
                "hx-post": preview_url,
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#preview",
                "hx-swap": "outerHTML",
                "hx-vals": '{"preview": "1"}',
                "hx-sync": "this:replace",
                "aria-controls": "preview",
            }
        )
        people = event.members.filter(
            memberships__event=event, memberships__group__in=["startgrupp", "arbetsgrupp"]
        )
        self.fields["contact"].queryset = people.select_related("function").distinct()
        # Anyone in the municipality may be quoted; the case's members are listed first.
        self.fields["quoted"].choices = [
            (user.pk, person_with_function(user)) for user in people_for(event)
        ]


class PublishForm(forms.Form):
    channels = ModelMultipleIdsField(
        label="Kanaler",
        queryset=Channel.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text="Alla kanaler texten gick ut i.",
        error_messages={"required": "Välj var texten publicerades."},
    )
    at = ClockField(
        label="Publicerad",
        widget=DATETIME_WIDGET,
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
        error_messages={"required": "Ange när texten publicerades."},
    )
    override_reason = NormalisedFormField(
        label="Skäl att publicera före företagets eget besked",
        help_text="Fyll bara i om texten måste ut innan företaget har gått ut. Skälet loggas "
        "och visas på texten.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at > timezone.now() + timedelta(minutes=1):
            raise forms.ValidationError(
                "Registrera publiceringen när texten har gått ut, inte i förväg."
            )
        return at


class SendBackForm(forms.Form):
    reason = NormalisedFormField(
        label="Vad behöver ändras?",
        help_text="Skälet visas på texten, loggas och skickas till den som skrev den.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Skriv vad som behöver ändras, så att författaren vet vad som ska göras."
        },
    )
