import re
import unicodedata
from datetime import UTC, datetime, time, timedelta
from functools import partial
from itertools import chain

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.moments import ClockField, DayField, day_text, reads_back
from accounts.people import (
    SeveralNamed,
    active_people,
    person_label,
    resolve,
    search,
    swedish_key,
)
from accounts.text import NormalisedFormField, clean
from events.conflicts import Versioned, VersionField
from events.models import (
    QUESTIONS,
    Event,
    Impact,
    LogEntry,
    NoticeStatus,
    Phase,
    SituationPicture,
    Task,
)
from events.people import MAX_MATCHES, people_for
from events.validators import format_case_number, parse_case_number

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DUPLICATE_CASE_NUMBER = (
    "Diarienumret används redan av ett annat ärende (diarienummer återanvänds aldrig)."
)
NO_TRIGGER = (
    "Markera påverkan på minst en av Individ, Näringsliv och Attraktion: "
    "annars aktiveras inte handlingsplanen."
)


QUARTER = timedelta(minutes=15)


def proposed_meeting_time(now=None) -> datetime:
    """The meeting a new event proposes (aware, UTC): the first quarter hour at least
    CONVENE_WITHIN_MINUTES/2 after `now` (default: now), and at most CONVENE_WITHIN_MINUTES
    after it, in real minutes, whatever the clock does that night. A quarter hour whose
    clock time would be read back as another moment (the second 02:00 to 02:59 of the night
    summer time ends; accounts.moments.from_clock) is passed over for a later one within
    the limit, else an earlier one still ahead. A short limit may leave none (under 15
    minutes, or under 75 that night): then the first after the half that reads back."""
    # In UTC: minutes added to an aware Stockholm time are counted on its clock.
    now = (now or timezone.now()).astimezone(UTC)
    within = timedelta(minutes=settings.CONVENE_WITHIN_MINUTES)
    first = _next_quarter(now + within / 2)
    later = _quarters(first, step=QUARTER, while_=lambda moment: moment <= now + within)
    earlier = _quarters(first - QUARTER, step=-QUARTER, while_=lambda moment: moment > now)
    beyond = _quarters(first, step=QUARTER, while_=lambda moment: True)
    return next(m for m in chain(later, earlier, beyond) if reads_back(m))


def _next_quarter(moment: datetime) -> datetime:
    # Of UTC, which is a whole number of hours from Stockholm: its quarter hours are ours.
    floor = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return floor if floor == moment else floor + QUARTER


def _quarters(start: datetime, *, step: timedelta, while_):
    moment = start
    while while_(moment):
        yield moment
        moment += step


class ModelMultipleIdsField(forms.ModelMultipleChoiceField):
    """Refuses an id too large for any database column as it refuses any other id that is
    not a choice: SQLite would raise OverflowError on it in the `pk IN (…)` check."""

    def _check_values(self, value):
        for pk in value:
            if str(pk).lstrip("-").isdigit() and abs(int(pk)) >= 2**63:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class StartgroupField(ModelMultipleIdsField):
    def label_from_instance(self, user):
        return f"{user} – {user.function}" if user.function_id else str(user)


class EventForm(forms.ModelForm):
    """The fields of an event, shared by "log a new event" and "edit"."""

    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "notice_status",
            "company_name",
            "impact_individ",
            "impact_individ_note",
            "impact_naringsliv",
            "impact_naringsliv_note",
            "impact_attraktion",
            "impact_attraktion_note",
            "description",
            "org_number",
            "sector",
            "employees_local",
            "affected_employees",
            "affected_subcontractor_staff",
            "announced_on",
            "takes_effect_on",
            "priority",
            "confidential",
            "case_number",
        ]
        labels = {
            "title": "Rubrik",
            "kind": "Typ av förändring",
            "notice_status": "Har det hänt?",
            "company_name": "Företag",
            "description": "Vad har hänt?",
            "org_number": "Organisationsnummer",
            "sector": "Bransch",
            "employees_local": "Anställda i Norsjö",
            "affected_employees": "Berörda anställda",
            "affected_subcontractor_staff": "Berörda hos underleverantörer",
            "announced_on": "Aviserad den",
            "takes_effect_on": "Sker/skedde den",
            "priority": "Prioritet",
            "confidential": "Konfidentiellt – företaget har inte gått ut med informationen än",
            "case_number": "Diarienummer",
            "impact_individ_note": "Kommentar",
            "impact_naringsliv_note": "Kommentar",
            "impact_attraktion_note": "Kommentar",
        }
        help_texts = {
            "title": "Till exempel ”Varsel vid Granlunds Snickeri AB”.",
            "org_number": "NNNNNN-NNNN",
            "case_number": "Lämna tomt så får ärendet nästa lediga nummer.",
            "impact_individ": "Antal individer som berörs av förändringen.",
            "impact_naringsliv": "Påverkan på företaget och på kommunens övriga näringsliv.",
            "impact_attraktion": "Påverkan på platsens attraktion.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "notice_status": forms.RadioSelect,
            "impact_individ": forms.RadioSelect,
            "impact_naringsliv": forms.RadioSelect,
            "impact_attraktion": forms.RadioSelect,
            "announced_on": DATE_WIDGET,
            "takes_effect_on": DATE_WIDGET,
        }
        field_classes = {"announced_on": DayField, "takes_effect_on": DayField}
        error_messages = {
            "title": {"required": "Skriv en rubrik för ärendet."},
            "kind": {"required": "Välj vilken typ av förändring det är."},
            "notice_status": {"required": "Välj om förändringen är aviserad eller inträffad."},
            "company_name": {"required": "Skriv vilket företag det gäller."},
            "case_number": {"unique": DUPLICATE_CASE_NUMBER},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Both numbers are normalised and checked by their model fields
        # (events.validators): "ks 2026/1" in full-width digits is "KS 2026/0001".
        self.fields["case_number"].required = False
        self.fields["case_number"].help_text += f" Formen är {settings.CASE_NUMBER_EXAMPLE}."
        self.fields["kind"].choices = [("", "Välj …"), *self.fields["kind"].choices[1:]]
        for name in ("impact_individ", "impact_naringsliv", "impact_attraktion"):
            self.fields[name].choices = Impact.choices
        # Radio buttons: the real choices only, none for "nothing chosen".
        self.fields["notice_status"].choices = NoticeStatus.choices

    def clean(self):
        cleaned = super().clean()
        impacts = [cleaned.get(f"impact_{k}") for k in ("individ", "naringsliv", "attraktion")]
        if all(level in (None, Impact.INGEN) for level in impacts):
            self.add_error("impact_individ", NO_TRIGGER)
        announced, effect = cleaned.get("announced_on"), cleaned.get("takes_effect_on")
        if announced and effect and effect < announced:
            self.add_error(
                "takes_effect_on", "Förändringen kan inte ske före det datum den aviserades."
            )
        return cleaned

    def validate_constraints(self, exclude=None):
        # The trigger and date rules are reported on their fields by clean(); the database
        # constraints stay as the last guard.
        pass


class EventEditForm(Versioned, EventForm):
    # The version the user's page showed: a save over a newer one is a conflict.
    version = VersionField()


class EventCreateForm(EventForm):
    meeting_at = ClockField(
        label="Startgruppens möte",
        widget=DATETIME_WIDGET,
        help_text="Föreslagen tid; alla i startgruppen får en kallelse direkt när du sparar.",
        error_messages={"required": "Ange när startgruppen ska mötas."},
    )
    location = NormalisedFormField(label="Plats", required=False, max_length=200)
    startgroup = StartgroupField(
        label="Startgrupp",
        queryset=active_people().select_related("function"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Kommunchef, KSO, utvecklingschef och kommunikatör är förvalda.",
    )
    # Shown only when a case registered just now looks like this one
    # (services.PossiblySameEvent); ticked, the new case is made all the same.
    same_event_confirmed = forms.BooleanField(label="Ja, det är ett nytt ärende", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting_at"].initial = proposed_meeting_time
        self.fields["startgroup"].initial = lambda: list(
            active_people().filter(function__in_startgroup=True).values_list("pk", flat=True)
        )

    def clean_meeting_at(self):
        meeting_at = self.cleaned_data["meeting_at"]
        if meeting_at < timezone.now() - timedelta(minutes=5):
            raise forms.ValidationError("Mötestiden har redan passerat. Välj en senare tid.")
        return meeting_at


class LogEntryForm(forms.ModelForm):
    happened_at = ClockField(
        label="När det hände",
        required=False,
        help_text="Lämna tomt om det hände nu.",
        widget=DATETIME_WIDGET,
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


def first_answers(event: Event) -> dict:
    """What the new-event form already says, as the answers to the first two of the six
    questions, so that nobody types it twice: {"what_happened": its Vad har hänt,
    "individuals": its numbers of people affected ("38 anställda och 12 hos
    underleverantörer.")}; "" where it says nothing."""
    counts = []
    if event.affected_employees is not None:
        employees = event.affected_employees
        counts.append(f"{employees} anställd{'' if employees == 1 else 'a'}")
    if event.affected_subcontractor_staff is not None:
        counts.append(f"{event.affected_subcontractor_staff} hos underleverantörer")
    return {
        "what_happened": event.description,
        "individuals": " och ".join(counts) + "." if counts else "",
    }


class SituationPictureForm(Versioned, forms.ModelForm):
    """The startgrupp's six questions. `based_on` is the revision the user started from
    (0: none yet), so a save over somebody else's newer answers is caught."""

    based_on = VersionField(required=False)
    version_field = "based_on"

    @staticmethod
    def version_of(current):
        return current.revision if current else 0

    attendees = StartgroupField(
        label="Närvarande vid startgruppens möte",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = event.members.select_related("function")

    class Meta:
        model = SituationPicture
        fields = [field for field, _ in QUESTIONS]
        widgets = {field: forms.Textarea(attrs={"rows": 3}) for field, _ in QUESTIONS}


class DecisionsForm(forms.Form):
    """The startgrupp's decisions: politicians informed, and the arbetsgrupp."""

    inform_politicians = forms.TypedChoiceField(
        label="Ska politiken informeras löpande?",
        choices=[("", "Inte beslutat än"), ("ja", "Ja"), ("nej", "Nej")],
        coerce=lambda value: value == "ja",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    politicians_interval_days = forms.IntegerField(
        label="Hur ofta (antal dagar)", min_value=1, max_value=90, required=False
    )
    politician_emails = NormalisedFormField(
        label="Vilka politiker informeras (e-post)",
        help_text="En adress per rad, t.ex. kommunstyrelsens presidium. De får lägesrapporten "
        "utan det som är markerat ej för publicering.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    workgroup = StartgroupField(
        label="Arbetsgrupp",
        queryset=active_people().select_related("function"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    workgroup_lead = forms.ModelChoiceField(
        label="Arbetsgruppens ledare",
        queryset=active_people(),
        required=False,
        empty_label="Ingen utsedd än",
    )
    reporter = forms.ModelChoiceField(
        label="Informerar startgruppen",
        help_text="Handlingsplanen: arbetsgruppen utser en person som regelbundet "
        "informerar startgruppen.",
        queryset=active_people(),
        required=False,
        empty_label="Ingen utsedd än",
    )
    report_interval_days = forms.IntegerField(
        label="Rapporterar var (antal dagar)", min_value=1, max_value=60, required=False
    )

    def clean_politician_emails(self):
        addresses = []
        for address in re.split(r"[\s,;]+", self.cleaned_data["politician_emails"]):
            if not address:
                continue
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(
                    "”%(address)s” är ingen giltig e-postadress. Skriv en adress per rad.",
                    params={"address": address[:100]},
                    code="invalid",
                ) from None
            if address.lower() not in addresses:
                addresses.append(address.lower())
        return "\n".join(addresses)

    def clean(self):
        cleaned = super().clean()
        reporter = cleaned.get("reporter")
        if (
            cleaned.get("inform_politicians")
            and not cleaned.get("politicians_interval_days")
            and "politicians_interval_days" not in self.errors
        ):
            self.add_error("politicians_interval_days", "Ange hur ofta politiken ska informeras.")
        workgroup = set(cleaned.get("workgroup") or [])
        for role in ("workgroup_lead", "reporter"):
            person = cleaned.get(role)
            if person and person not in workgroup:
                self.add_error(role, "Välj någon som ingår i arbetsgruppen.")
        if (
            reporter
            and not cleaned.get("report_interval_days")
            and "report_interval_days" not in self.errors
        ):
            self.add_error("report_interval_days", "Ange hur ofta startgruppen ska informeras.")
        return cleaned


class StartgroupForm(forms.Form):
    members = StartgroupField(
        label="Startgrupp",
        queryset=active_people().select_related("function"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Välj minst en person i startgruppen."},
        help_text="Den som läggs till bjuds in till startgruppens möte, om det inte har hållits.",
    )


class PhaseForm(forms.Form):
    # Avslutad too: choosing it leads to CloseForm's page (events.views.phase_change).
    phase = forms.ChoiceField(label="Ny fas", choices=Phase.choices)


class CloseForm(forms.Form):
    """Closing a case: why, and that the user means it (the case becomes read-only)."""

    reason = NormalisedFormField(
        label="Varför avslutas ärendet?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Skälet står i händelseloggen och i meddelandet till start- och arbetsgruppen.",
        error_messages={"required": "Skriv varför ärendet avslutas."},
    )
    confirm = forms.BooleanField(
        label="Jag vill avsluta ärendet. Ingen kan ändra i det förrän någon i startgruppen "
        "öppnar det igen.",
        error_messages={"required": "Kryssa i att du vill avsluta ärendet."},
    )


class ReopenForm(forms.Form):
    """Reopening a closed case: why."""

    reason = NormalisedFormField(
        label="Varför öppnas ärendet igen?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Skälet står i händelseloggen och i meddelandet till start- och arbetsgruppen.",
        error_messages={"required": "Skriv varför ärendet öppnas igen."},
    )


class RedateForm(forms.Form):
    """A new time for one task whose time passed, as a case is reopened; made with `task`,
    prefixed by its id. Empty keeps the time, and no reminder is sent about it."""

    due_at = ClockField(
        label="Ny tid (klart senast)",
        required=False,
        widget=DATETIME_WIDGET,
        help_text="Lämna tomt för att låta tiden stå; då påminns ingen om den.",
    )

    def __init__(self, data=None, *, task, **kwargs):
        self.task = task
        super().__init__(data, prefix=f"uppgift-{task.pk}", **kwargs)

    def clean(self):
        cleaned = super().clean()
        refuse_passed(self, "due_at", cleaned.get("due_at"))
        return cleaned


class EventSearchForm(forms.Form):
    q = NormalisedFormField(
        label="Sök",
        required=False,
        help_text="Rubrik, företag eller diarienummer",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    phase = forms.ChoiceField(
        label="Fas", required=False, choices=[("", "Alla faser"), *Phase.choices]
    )

    def clean_q(self):
        # As text is stored (NFC): a name pasted decomposed finds the one typed, and back.
        # Every run of whitespace is one space (str.split takes all of Unicode's: a tab, a
        # no-break space from a web page or Word, a doubled space), as names are typed.
        q = " ".join(clean(self.cleaned_data["q"], multiline=False).split())
        # A whole diarienummer, however typed ("ks 2026/7"), as it is stored.
        parsed = parse_case_number(q)
        return format_case_number(*parsed) if parsed else q


NO_ASSIGNEE = (
    "Välj vem som ska göra uppgiften, eller skriv namn och e-post på en person utan konto."
)
NO_ONE_NAMED = "Ingen med konto heter ”%(text)s” eller har den adressen."
SEVERAL_NAMED = (
    "Flera personer matchar ”%(text)s”. Välj en av dem nedan, eller skriv mer av namnet "
    "eller adressen."
)
NOT_AVAILABLE = "Den du valde kan inte längre få uppgifter (kontot är avstängt). Välj någon annan."
NO_ADDRESS = "Skriv personens e-post: dit går påminnelserna."
SEVERAL_PEOPLE = "”%(text)s” nämner flera personer. Välj en person per uppgift."
WHAT_TOO_LONG = (
    "Vad får vara högst %(limit_value)d tecken, och texten har %(show_value)d. Korta den."
)
PASSED = "Tiden har redan passerat. Välj en tid framåt."
# A task due on a day alone (a varsel milestone, a sheet row's "2/3") is due at noon, as
# events.services.delegate_varsel_milestones makes it.
NOON = time(12)


def what_field(label: str) -> forms.CharField:
    """A task's Vad, in every form that makes or changes a task: too long is refused on the
    field, saying the limit, with the whole text kept. No `maxlength` on the textarea: a
    browser would cut a longer paste, or a longer prefilled sheet row, without a word."""
    return NormalisedFormField(
        label=label,
        max_length=Task._meta.get_field("what").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Skriv vad som ska göras.", "max_length": WHAT_TOO_LONG},
        # Stored on one line, as it is a mail's subject: typed line breaks are spaces.
        normalise=Task._meta.get_field("what").normalise,
    )


def _minute(moment) -> datetime:
    """A task's time (a moment, or a day alone, due at noon) to the minute."""
    if not isinstance(moment, datetime):
        moment = timezone.make_aware(datetime.combine(moment, NOON))
    return moment.replace(second=0, microsecond=0)


def has_passed(moment) -> bool:
    """Whether a task's time has passed. The current minute has not: the forms ask for
    minutes."""
    return _minute(moment) < _minute(timezone.now())


def refuse_passed(form, name: str, moment, *, was=None) -> None:
    """The rule for a task's times (när, uppföljning) in every form that makes a task or
    moves one: a time already passed is refused on its field, or the task would be overdue
    (and escalated to the lead) at once. `was`, the time saved before an edit: kept
    unchanged (to the minute the form shows), it stands, so that an overdue task can still
    be edited."""
    if moment is None:
        return
    if was is not None and _minute(moment) == _minute(was):
        return
    if has_passed(moment):
        form.add_error(name, PASSED)


class AddressField(forms.EmailField):
    """An e-mail address, NFKC normalised before it is validated: one typed in full-width
    letters (as some input methods do) is the plain address."""

    def to_python(self, value):
        return unicodedata.normalize("NFKC", super().to_python(value))


class AssigneePicker(forms.Form):
    """Vem: any colleague with an account, not only the case's members (handlingsplanen:
    the arbetsgrupp "may delegate tasks to others in the organisation").

    `vem` is typed, a name or an e-mail address. As the user types, the matches (the case's
    members first) come as radio buttons named `assignee` (events.views.person_search).
    Without JavaScript the typed text is resolved when the form is posted; a text that
    names several people offers them as the radio buttons, with the text kept.

    A text that lists several people ("lena@…; per@…") is refused: a task goes to one.

    Made with `event=`. For the template: `matches`, the people offered as radio buttons;
    `chosen`, the one checked; `unresolved`, a prefilled text that named nobody or several;
    `several`, a prefilled text that lists several people (SEVERAL_PEOPLE).
    """

    vem = NormalisedFormField(
        label="Person med konto",
        required=False,
        max_length=254,
        help_text="Skriv en del av namnet eller e-postadressen. Alla i kommunen som har konto "
        "går att välja; de som är med i ärendet visas först.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        # A line break separates people in a pasted list (accounts.people.resolve).
        normalise=partial(clean, multiline=True),
    )
    # The id of the one chosen among the matches.
    assignee = NormalisedFormField(required=False)
    no_one_named = f"{NO_ONE_NAMED} Fyll i namn och e-post nedan om personen inte har konto."

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.matches, self.chosen, self.unresolved, self.several = [], None, "", ""
        search_url = reverse("person_search", args=[event.pk])
        self.fields["vem"].widget.attrs.update(
            {
                "hx-get": search_url + (f"?falt={self.prefix}" if self.prefix else ""),
                "hx-trigger": "input changed delay:200ms, search",
                # The matches follow the field (events/person_picker.html).
                "hx-target": "next .person-matches",
                "hx-sync": "this:replace",
            }
        )
        if not self.is_bound:
            self._prefill()

    def _prefill(self):
        # The initial person, or the initial text (a sheet row's Vem) if it names one.
        chosen_id = str(self.get_initial_for_field(self.fields["assignee"], "assignee") or "")
        typed = self.get_initial_for_field(self.fields["vem"], "vem") or ""
        if not chosen_id and not typed:
            return
        people = people_for(self.event)
        if chosen_id:
            found = [person for person in people if str(person.pk) == chosen_id]
        else:
            try:
                found = resolve(people, typed)
            except SeveralNamed:
                self.several = SEVERAL_PEOPLE % {"text": typed[:100]}
                return
        if len(found) == 1:
            self.chosen = found[0]
            # Name and address: the text names the person again when the form is posted.
            self.initial = {**self.initial, "vem": person_label(self.chosen)}
        elif typed:
            self.unresolved = typed
            self.matches = found[:MAX_MATCHES]

    def _found(self, person):
        self.chosen, self.matches = person, [person]
        return person

    def resolve_person(self):
        """The account chosen or typed, None if neither; for the form's clean(). A typed
        text that names nobody or several is an error on `vem` (the text stays); a chosen id
        that is not an active account, an error on `assignee`."""
        people = people_for(self.event)
        typed = self.cleaned_data.get("vem", "").strip()
        chosen_id = self.cleaned_data.get("assignee", "")
        if chosen_id:
            chosen = next((person for person in people if str(person.pk) == chosen_id), None)
            if chosen is None:
                self.add_error("assignee", NOT_AVAILABLE)
                return None
            # The choice stands unless the text was changed since to name somebody else
            # (without JavaScript the radio buttons stay as they were).
            if not typed or chosen in search(people, typed):
                return self._found(chosen)
        if not typed:
            return None
        try:
            found = resolve(people, typed)
        except SeveralNamed:
            self.add_error("vem", ValidationError(SEVERAL_PEOPLE, params={"text": typed[:100]}))
            return None
        if len(found) == 1:
            return self._found(found[0])
        self.matches = found[:MAX_MATCHES]
        message = SEVERAL_NAMED if found else self.no_one_named
        self.add_error("vem", ValidationError(message, params={"text": typed[:100]}))
        return None

    def resolve_assignee(self, cleaned: dict) -> None:
        """Vem for a task, into `cleaned` (the form's clean()): an account (`assignee`), or
        else a named person without one (`assignee_name`, `assignee_email`). An address
        typed for a person without an account that is an account's address is that
        account."""
        person = self.resolve_person()
        typed_wrong = self.has_error("vem") or self.has_error("assignee")
        if person is None and not typed_wrong and cleaned.get("assignee_email"):
            owners = resolve(people_for(self.event), cleaned["assignee_email"])
            if len(owners) == 1:
                person = self._found(owners[0])
        cleaned["assignee"] = person
        if person:
            cleaned["assignee_name"] = cleaned["assignee_email"] = ""
        elif not typed_wrong and not self.has_error("assignee_email"):
            if not cleaned.get("assignee_name"):
                self.add_error("assignee", NO_ASSIGNEE)
            elif not cleaned.get("assignee_email"):
                self.add_error("assignee_email", NO_ADDRESS)


class TaskForm(Versioned, AssigneePicker, forms.ModelForm):
    """Vad, vem, när and uppföljning, as the arbetsgrupp delegates a task."""

    what = what_field("Vad ska göras")
    assignee_email = AddressField(
        label="E-post (person utan konto)", max_length=254, required=False
    )
    due_at = ClockField(label="När (klart senast)", required=False, widget=DATETIME_WIDGET)
    follow_up_at = ClockField(
        label="Uppföljning",
        required=False,
        widget=DATETIME_WIDGET,
        help_text="Då påminns du som delegerar om att följa upp uppgiften.",
    )
    # On edit: the version the user's page showed; a save over a newer one is a conflict.
    version = VersionField(required=False)

    class Meta:
        model = Task
        fields = ["what", "assignee", "assignee_name", "assignee_email", "due_at", "follow_up_at"]
        labels = {"assignee_name": "Namn (person utan konto)"}

    def clean(self):
        cleaned = super().clean()
        self.resolve_assignee(cleaned)
        # On edit, the instance still holds the saved times: _post_clean copies the new
        # ones into it after clean().
        for name in ("due_at", "follow_up_at"):
            saved = getattr(self.instance, name) if self.instance.pk else None
            refuse_passed(self, name, cleaned.get(name), was=saved)
        return cleaned

    def task_fields(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}


class TaskProgressForm(Versioned, forms.Form):
    """Status and återkoppling, by the assignee or a writer."""

    status = forms.ChoiceField(label="Status", choices=Task.Status.choices)
    feedback = NormalisedFormField(
        label="Återkoppling",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Hur och vad som har återrapporterats.",
        max_length=5000,
    )
    version = VersionField()

    def __init__(self, data=None, *, task, **kwargs):
        # Lists hold one form per task: ids must not repeat on the page.
        initial = {"status": task.status, "feedback": task.feedback, "version": task.version}
        super().__init__(data, initial=initial, auto_id=f"id_%s_{task.pk}", **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Task.Status.KLAR and not cleaned.get("feedback", "").strip():
            self.add_error(
                "feedback", "Skriv en kort återkoppling: vad blev gjort och hur rapporterades det?"
            )
        return cleaned


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Visa status",
        required=False,
        choices=[("", "Öppna (ny, pågår)"), ("alla", "Alla"), *Task.Status.choices],
    )
    vem = forms.ChoiceField(label="Visa uppgifter för", required=False)

    def __init__(self, data=None, *, assignees=()):
        """`assignees`: (user id, first name, last name, name of a person without account)."""
        # Its own ids: the task list also holds the new task's form, whose person field is
        # `vem` too, and a label must point at one field.
        super().__init__(data, auto_id="filter-%s")
        people = {
            (f"u{user_id}" if user_id else f"n{name}"): (f"{first} {last}" if user_id else name)
            for user_id, first, last, name in assignees
        }
        choices = sorted(people.items(), key=lambda choice: swedish_key(choice[1]))
        self.fields["vem"].choices = [("", "Alla"), *choices]
        if not assignees:
            del self.fields["vem"]

    def apply(self, tasks):
        status = self.cleaned_data["status"]
        if status == "":
            tasks = tasks.filter(status__in=Task.OPEN)
        elif status != "alla":
            tasks = tasks.filter(status=status)
        who = self.cleaned_data.get("vem", "")
        if who.startswith("u"):
            tasks = tasks.filter(assignee_id=who[1:])
        elif who.startswith("n"):
            tasks = tasks.filter(assignee__isnull=True, assignee_name=who[1:])
        return tasks


class VarselCorrectionForm(forms.Form):
    """The dates of the actual notice, where they differ from the computed ones."""

    notice_on = DayField(
        label="Varslet lämnades till Arbetsförmedlingen",
        required=False,
        widget=DATE_WIDGET,
        help_text="Lämna tomt för att räkna från datumet då händelsen aviserades.",
    )
    earliest_on = DayField(
        label="Neddragningen genomförs tidigast",
        required=False,
        widget=DATE_WIDGET,
        help_text="Lämna tomt för att räkna enligt lagen utifrån varseldatum och antal berörda.",
    )
    reason = NormalisedFormField(
        label="Varför (t.ex. vad det faktiska varslet säger)",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        notice_on, earliest_on = cleaned.get("notice_on"), cleaned.get("earliest_on")
        if notice_on and earliest_on and earliest_on < notice_on:
            self.add_error("earliest_on", "Neddragningen kan inte genomföras före varslet.")
        return cleaned


class MilestoneForm(AssigneePicker):
    """One of the varsel clock's milestones as a task: to whom, by which day, or skipped.

    Made with `what` and `day` (the milestone and its computed day) and `default`, who gets
    it when no one is named: the arbetsgrupp's lead, or the one who delegates."""

    skip = forms.BooleanField(label="Hoppa över det här delmålet", required=False)
    due_on = DayField(label="Klart senast", required=False, widget=DATE_WIDGET)
    no_one_named = f"{NO_ONE_NAMED} Välj någon som har konto."

    def __init__(self, data=None, *, what: str, day, default, **kwargs):
        self.what, self.day, self.default = what, day, default
        initial = {"assignee": default.pk, "due_on": day}
        super().__init__(data, initial=initial, **kwargs)
        self.fields["vem"].label = "Vem"
        self.fields["vem"].help_text = (
            f"Lämna tomt för {default}. Alla i kommunen som har konto går att välja; de som "
            "är med i ärendet visas först."
        )
        self.fields["due_on"].help_text = (
            f"Den beräknade dagen, {day_text(day)}, har redan passerat: välj en dag framåt "
            "eller hoppa över delmålet."
            if has_passed(day)
            else f"Lämna tomt för {day_text(day)}."
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("skip"):
            cleaned["assignee"] = self.resolve_person() or self.default
            cleaned["due_on"] = cleaned.get("due_on") or self.day
            # A computed day already passed is refused too: the user moves it or skips it.
            if not self.has_error("due_on"):
                refuse_passed(self, "due_on", cleaned["due_on"])
        return cleaned


class MeetingVersioned(Versioned):
    # The meeting's version on the user's page: its iCalendar SEQUENCE.
    version_field = "sequence"

    @staticmethod
    def version_of(current):
        return current.sequence


class MeetingMoveForm(MeetingVersioned, forms.Form):
    """The startgrupp's meeting moved: a new time, a new place, or both. Made with the
    `convening`; `sequence` is the version the user's page showed."""

    meeting_at = ClockField(
        label="Ny tid",
        widget=DATETIME_WIDGET,
        error_messages={"required": "Ange när startgruppen ska mötas."},
    )
    location = NormalisedFormField(label="Plats", required=False, max_length=200)
    sequence = VersionField()

    def __init__(self, data=None, *, convening, **kwargs):
        self.convening = convening
        initial = {
            "meeting_at": timezone.localtime(convening.meeting_at),
            "location": convening.location,
            "sequence": convening.sequence,
        }
        super().__init__(data, initial=initial, **kwargs)
        if convening.event.confidential:
            self.fields["location"].help_text = (
                "Platsen står på ärendets sida, inte i kalenderfilen eller mejlen: ärendet är "
                "konfidentiellt."
            )

    def clean(self):
        cleaned = super().clean()
        # Only a new time must lie ahead: a meeting whose hour has come may still get a new
        # place.
        refuse_passed(self, "meeting_at", cleaned.get("meeting_at"), was=self.convening.meeting_at)
        return cleaned


class MeetingCancelForm(MeetingVersioned, forms.Form):
    """The startgrupp's meeting cancelled, and why; `sequence` as for MeetingMoveForm."""

    reason = NormalisedFormField(
        label="Varför ställs mötet in?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Skälet står i händelseloggen och i avbokningen till startgruppen (inte "
        "i ett konfidentiellt ärendes).",
        error_messages={"required": "Skriv varför mötet ställs in."},
    )
    sequence = VersionField()

    def __init__(self, data=None, *, convening, **kwargs):
        # Its own ids: it shares the page with MeetingMoveForm, which has a `sequence` too.
        super().__init__(
            data, initial={"sequence": convening.sequence}, auto_id="installt_%s", **kwargs
        )
