from django import forms
from django.core.exceptions import ValidationError

from accounts import moments
from accounts.people import active_people
from accounts.text import NormalisedFormField
from events.conflicts import Versioned, VersionField
from omstallning.models import (
    DAYS,
    BudgetLine,
    Colour,
    Ending,
    FocusArea,
    Phase,
    PlanVersion,
    Programme,
    ProgrammeMembership,
    Target,
)
from omstallning.numbers import SwedishAmountField, SwedishDecimalField, YearField


class DayField(moments.DayField):
    """The product's day field (accounts.moments.DayField) within DAYS, 1900 to 2100: the
    programme's charts draw no further (omstallning.charts)."""

    def __init__(self, **kwargs):
        super().__init__(days=DAYS, **kwargs)


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["title", "started_on", "planned_end_on"]
        field_classes = {"started_on": DayField, "planned_end_on": DayField}
        help_texts = {"planned_end_on": "Ett omställningsprogram pågår ofta tre till sex år."}

    def clean(self):
        data = super().clean()
        start, end = data.get("started_on"), data.get("planned_end_on")
        if start and end and end <= start:
            self.add_error("planned_end_on", "Programmet måste sluta efter att det startar.")
        return data


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label="Fas", choices=Phase.choices)


class LinkEventForm(forms.Form):
    """The events the user is a member of, not yet linked (the view passes them)."""

    event = forms.ModelChoiceField(label="Ärende", queryset=None, empty_label=None)

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events
        self.fields["event"].label_from_instance = lambda e: f"{e.case_number} {e.title}"


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(label="Person", queryset=None, empty_label=None)
    group = forms.ChoiceField(label="Behörighet", choices=ProgrammeMembership.Group.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = active_people()


class PlanForm(forms.ModelForm):
    class Meta:
        model = PlanVersion
        fields = list(PlanVersion.SECTIONS)
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in PlanVersion.SECTIONS}
        help_texts = {
            "background": "Vad som hände, berörda individer, företagets andel av jobben i "
            "kommunen och nulägesbilden. Förifyllt från ärendena.",
            "focus_areas": "Normalt tre till fyra. Målen för varje insatsområde läggs in "
            "under Insatsområden och mål.",
            "communication": "Förifyllt från ärendenas kommunikationsplaner.",
        }


class AdoptForm(forms.Form):
    adopted_on = DayField(label="Kommunfullmäktiges beslut den")
    paragraph = NormalisedFormField(
        label="Paragraf", max_length=40, help_text="Till exempel § 47."
    )


class BudgetLineForm(forms.ModelForm):
    """A year's amount from one source; the year within the programme's years, one either
    side (a grant decided the year before the start, the last payment the year after)."""

    class Meta:
        model = BudgetLine
        fields = ["year", "source", "amount_kr"]
        field_classes = {"year": YearField, "amount_kr": SwedishAmountField}
        labels = {"amount_kr": "Belopp (kr)"}
        help_texts = {"amount_kr": "Till exempel 1 200 000 eller 1 200 000,50 kr."}

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = (programme.started_on.year - 1, programme.planned_end_on.year + 1)
        self.fields["year"].help_text = f"Mellan {self.years[0]} och {self.years[1]}."

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not self.years[0] <= year <= self.years[1]:
            raise ValidationError(
                f"Skriv ett år mellan {self.years[0]} och {self.years[1]}: programmets år "
                "och ett år före och efter.",
                code="range",
            )
        return year


class BudgetLineEditForm(Versioned, BudgetLineForm):
    """A budget line of a draft corrected, from the page that showed `revision`."""

    version_field = "revision"
    revision = VersionField()

    @staticmethod
    def version_of(current):
        return current.revision


class FocusAreaForm(forms.ModelForm):
    class Meta:
        model = FocusArea
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class FocusAreaEditForm(Versioned, FocusAreaForm):
    version = VersionField()


class EndForm(forms.Form):
    """Avsluta or stryk an insatsområde or a target: kept, with its reason, never deleted."""

    ended = forms.ChoiceField(
        label="Hur",
        choices=Ending.choices,
        widget=forms.RadioSelect,
        help_text="Avslutat: arbetet är klart eller lagt ned. Struket: lades in av misstag.",
    )
    reason = NormalisedFormField(
        label="Skäl", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "end")
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "Skriv varför."
        self.fields["ended"].error_messages["required"] = "Välj avslutat eller struket."


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = [
            "indicator",
            "unit",
            "direction",
            "baseline_value",
            "baseline_on",
            "baseline_source",
            "target_value",
            "target_on",
            "threshold",
            "frequency_days",
            "measured_by",
        ]
        field_classes = {
            "baseline_on": DayField,
            "target_on": DayField,
            "baseline_value": SwedishDecimalField,
            "target_value": SwedishDecimalField,
            "threshold": SwedishDecimalField,
        }
        widgets = {"direction": forms.RadioSelect}
        help_texts = {
            "threshold": "Sämre än styrgränsen är rött, mellan styrgränsen och linjen mot "
            "målet gult.",
            "baseline_source": "Till exempel ärendets antal berörda anställda eller SCB:s "
            "sysselsättningsstatistik.",
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measured_by"].queryset = programme.measurers()
        self.fields[
            "measured_by"
        ].help_text = "En medlem av programmet. Läsbehöriga kan inte lägga in mätvärden."
        # A required choice between two: no empty radio, and none picked for the user.
        self.fields["direction"].choices = Target.Direction.choices

    def clean(self):
        data = super().clean()
        start, end = data.get("baseline_on"), data.get("target_on")
        if start and end and end <= start:
            self.add_error("target_on", "Måldatumet måste komma efter utgångsvärdets datum.")
        base, goal, limit = (data.get(f) for f in ("baseline_value", "target_value", "threshold"))
        if None in (base, goal, limit) or not data.get("direction"):
            return data
        # Lower is better is the same rule with every value negated (omstallning.status).
        sign = 1 if data["direction"] == Target.Direction.HIGHER else -1
        if sign * goal <= sign * base:
            self.add_error(
                "target_value",
                "Målvärdet ska vara högre än utgångsvärdet när högre är bättre."
                if sign == 1
                else "Målvärdet ska vara lägre än utgångsvärdet när lägre är bättre.",
            )
        # The styrgräns lies on the baseline's side of the goal, or nothing could be gul.
        if sign * limit >= sign * goal:
            self.add_error(
                "threshold",
                "Styrgränsen ska vara lägre än målvärdet när högre är bättre."
                if sign == 1
                else "Styrgränsen ska vara högre än målvärdet när lägre är bättre.",
            )
        return data


class MeasurementForm(forms.Form):
    value = SwedishDecimalField(label="Värde", max_digits=14, decimal_places=3)
    measured_on = DayField(label="Mätdatum")
    source = NormalisedFormField(label="Källa", max_length=300)


class MeasurementCorrectForm(Versioned, MeasurementForm):
    """A typo corrected, from the page that showed `version` of the measurement."""

    version = VersionField()


class VoidForm(forms.Form):
    reason = NormalisedFormField(
        label="Skäl",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Värdet står kvar överstruket med skälet och räknas inte i status eller "
        "diagram.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "void")
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "Skriv varför värdet stryks."


class ColourForm(forms.Form):
    colour = forms.ChoiceField(
        label="Färg",
        choices=[("", "Enligt regeln"), *Colour.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    reason = NormalisedFormField(
        label="Skäl", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("colour") and not data.get("reason"):
            raise ValidationError({"reason": "Skriv varför färgen sätts för hand."})
        return data


class TargetEditForm(Versioned, TargetForm):
    version = VersionField()


class CompareForm(forms.Form):
    a = forms.ModelChoiceField(label="Version", queryset=None, empty_label=None)
    b = forms.ModelChoiceField(label="jämförd med", queryset=None, empty_label=None)

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["b"].error_messages["same"] = "Välj en annan version att jämföra med."
        for name in ("a", "b"):
            self.fields[name].queryset = versions
            self.fields[name].label_from_instance = lambda v: (
                f"Version {v.number} ({v.get_status_display().lower()})"
            )

    def clean(self):
        data = super().clean()
        if data.get("a") and data.get("a") == data.get("b"):
            self.add_error("b", self.fields["b"].error_messages["same"])
        return data


class LocalJobsForm(forms.Form):
    """The municipality's jobs with their source, from which a linked event's company share
    of the local jobs is worked out as a baseline (services.Baseline.share_of). Sent by GET:
    it only fills the target form, nothing is saved."""

    jobb = SwedishDecimalField(
        label="Arbetstillfällen i kommunen",
        min_value=1,
        max_digits=7,
        decimal_places=0,
        help_text="Till exempel förvärvsarbetande dagbefolkning enligt SCB.",
        error_messages={
            "min_value": "Skriv antalet arbetstillfällen, minst 1.",
            "max_decimal_places": "Skriv ett helt antal arbetstillfällen.",
            "max_digits": "Så många arbetstillfällen har ingen kommun. Stämmer siffran?",
        },
    )
    jobbkalla = NormalisedFormField(
        label="Källa för antalet", max_length=200, help_text="Till exempel SCB, 2025."
    )

    def __init__(self, *args, employees: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.employees = employees

    def clean_jobb(self):
        jobs = self.cleaned_data["jobb"]
        if jobs < self.employees:
            raise ValidationError(
                f"Företaget har {self.employees} anställda i kommunen, fler än så många "
                "arbetstillfällen. Stämmer siffran?"
            )
        return int(jobs)
