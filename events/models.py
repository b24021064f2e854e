import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.moments import moment_text
from accounts.text import CleanCharField, CleanTextField
from events.validators import CaseNumberField, OrgNumberField


class Phase(models.TextChoices):
    """Stabsmetodik's five steps (handlingsplanen, "Alla förändringar är unika"), then closed."""

    PLANERA = "planera", "Planera"
    ANALYSERA = "analysera", "Analysera"
    FORBEREDA = "forbereda", "Förbereda"
    GENOMFORA = "genomfora", "Genomföra"
    FOLJA_UPP = "folja_upp", "Följa upp"
    AVSLUTAD = "avslutad", "Avslutad"


class Impact(models.TextChoices):
    INGEN = "ingen", "Ingen"
    LAG = "lag", "Låg"
    MEDEL = "medel", "Medel"
    HOG = "hog", "Hög"


class Kind(models.TextChoices):
    VARSEL = "varsel", "Varsel/uppsägningar"
    NEDLAGGNING = "nedlaggning", "Nedläggning"
    KONKURS = "konkurs", "Konkurs"
    REKONSTRUKTION = "rekonstruktion", "Rekonstruktion"
    FLYTT = "flytt", "Flytt"
    FORSALJNING = "forsaljning", "Försäljning/ägarbyte"
    # "En positiv förändring" is an event too (tidplan: Förändring av förändringen).
    ETABLERING = "etablering", "Etablering/expansion"


class NoticeStatus(models.TextChoices):
    AVISERAD = "aviserad", "Aviserad (har inte skett än)"
    INTRAFFAD = "intraffad", "Inträffad"


class Priority(models.TextChoices):
    HOG = "hog", "Hög"
    NORMAL = "normal", "Normal"


TRIGGERS = [
    ("individ", "Individ", "Antal individer som berörs av förändringen."),
    ("naringsliv", "Näringsliv", "Påverkan på företaget och på kommunens övriga näringsliv."),
    ("attraktion", "Attraktion", "Påverkan på platsens attraktion."),
]


class Event(models.Model):
    """A significant change in local business life (händelse / ärende)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case_number = CaseNumberField("diarienummer", max_length=40, unique=True)
    title = CleanCharField("rubrik", max_length=200)
    description = CleanTextField("vad har hänt", blank=True)
    kind = models.CharField("typ av förändring", max_length=20, choices=Kind)
    notice_status = models.CharField(
        "aviserad eller inträffad", max_length=20, choices=NoticeStatus
    )
    announced_on = models.DateField("aviserad den", null=True, blank=True)
    takes_effect_on = models.DateField("sker/skedde den", null=True, blank=True)

    company_name = CleanCharField("företag", max_length=200)
    org_number = OrgNumberField("organisationsnummer", max_length=11, blank=True)
    sector = CleanCharField("bransch", max_length=100, blank=True)
    employees_local = models.PositiveIntegerField("anställda i kommunen", null=True, blank=True)

    # Handlingsplanen, "När aktiveras handlingsplanen": Individ, Näringsliv, Attraktion.
    impact_individ = models.CharField(
        "Individ", max_length=10, choices=Impact, default=Impact.INGEN
    )
    impact_individ_note = CleanCharField("kommentar individ", max_length=500, blank=True)
    impact_naringsliv = models.CharField(
        "Näringsliv", max_length=10, choices=Impact, default=Impact.INGEN
    )
    impact_naringsliv_note = CleanCharField("kommentar näringsliv", max_length=500, blank=True)
    impact_attraktion = models.CharField(
        "Attraktion", max_length=10, choices=Impact, default=Impact.INGEN
    )
    impact_attraktion_note = CleanCharField("kommentar attraktion", max_length=500, blank=True)

    affected_employees = models.PositiveIntegerField("berörda anställda", null=True, blank=True)
    affected_subcontractor_staff = models.PositiveIntegerField(
        "berörda hos underleverantörer", null=True, blank=True
    )
    # Handlingsplanen, "Prioritet": a significant change "ska ges hög prioritet".
    priority = models.CharField("prioritet", max_length=10, choices=Priority, default=Priority.HOG)
    confidential = models.BooleanField(
        "konfidentiellt",
        default=False,
        help_text="Företaget har inte gått ut med informationen än.",
    )

    phase = models.CharField("fas", max_length=20, choices=Phase, default=Phase.PLANERA)
    phase_changed_at = models.DateTimeField("fas ändrad", default=timezone.now)
    # Set by services.close_event and services.reopen_event, the only ways in and out of
    # Avslutad: when it was last closed, from which phase (reopening returns there), and
    # when it was last reopened. Reminders and the status do not count the time before a
    # reopening as late (events.reminders, events.status).
    closed_at = models.DateTimeField("avslutad", null=True, blank=True)
    closed_from_phase = models.CharField(
        "avslutad från fas", max_length=20, choices=Phase, blank=True
    )
    reopened_at = models.DateTimeField("öppnad igen", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="registrerad av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("registrerad", default=timezone.now)
    # The startgrupp's decisions (handlingsplanen, "Startgrupp" and "Arbetsgrupp").
    inform_politicians = models.BooleanField("politiken informeras löpande", null=True, blank=True)
    politicians_interval_days = models.PositiveIntegerField(
        "hur ofta (dagar)", null=True, blank=True
    )
    workgroup_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="arbetsgruppens ledare",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="rapporterar till startgruppen",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    report_interval_days = models.PositiveIntegerField(
        "rapporterar var (dagar)", null=True, blank=True
    )
    # When the reporter or the interval was last decided, the last report was sent or the
    # case was reopened: the next report falls due from here.
    reporting_since = models.DateTimeField(null=True, blank=True)
    # Whom the startgrupp named to inform continuously (e.g. kommunstyrelsens presidium):
    # e-mail addresses, one per line.
    politician_emails = models.TextField("politiker som informeras (e-post)", blank=True)
    # The varsel clock (events.varsel), corrected by hand when the actual notice to
    # Arbetsförmedlingen says otherwise than the computed dates.
    varsel_notice_on = models.DateField(
        "varslet lämnat till Arbetsförmedlingen", null=True, blank=True
    )
    varsel_earliest_on = models.DateField("tidigast genomförd", null=True, blank=True)

    # Bumped on every save of the form, so a save from a stale page is detected.
    version = models.PositiveIntegerField(default=1)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="events"
    )

    class Meta:
        verbose_name = "händelse"
        verbose_name_plural = "händelser"
        ordering = ["-created_at"]
        constraints = [
            # The plan is activated only by a change that touches at least one dimension.
            models.CheckConstraint(
                condition=~(
                    Q(impact_individ=Impact.INGEN)
                    & Q(impact_naringsliv=Impact.INGEN)
                    & Q(impact_attraktion=Impact.INGEN)
                ),
                name="event_has_a_trigger",
            ),
            models.CheckConstraint(
                condition=Q(announced_on__isnull=True)
                | Q(takes_effect_on__isnull=True)
                | Q(takes_effect_on__gte=F("announced_on")),
                name="event_dates_in_order",
            ),
            # Reopening returns to this phase: one the case can be worked in.
            models.CheckConstraint(
                condition=~Q(closed_from_phase=Phase.AVSLUTAD),
                name="event_closed_from_a_working_phase",
            ),
        ]

    def __str__(self):
        return f"{self.case_number} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.phase == Phase.AVSLUTAD

    @property
    def phase_on_reopening(self) -> Phase:
        """The phase reopening returns to: the one it was closed from, or Följa upp if that
        is not known (closed before it was recorded, or by hand in the admin)."""
        return Phase(self.closed_from_phase or Phase.FOLJA_UPP)

    @property
    def days_open(self) -> int:
        return (timezone.localdate() - timezone.localdate(self.created_at)).days

    def triggers(self):
        """(label, level label, level, note) for each dimension, for display."""
        return [
            (
                label,
                getattr(self, f"get_impact_{key}_display")(),
                getattr(self, f"impact_{key}"),
                getattr(self, f"impact_{key}_note"),
            )
            for key, label, _ in TRIGGERS
        ]


class Membership(models.Model):
    """Who works on an event, and in which group."""

    class Group(models.TextChoices):
        STARTGRUPP = "startgrupp", "Startgrupp"
        ARBETSGRUPP = "arbetsgrupp", "Arbetsgrupp"
        # Reads the case file but does not work in it, e.g. kommunstyrelsens presidium.
        LASARE = "lasare", "Läsbehörig"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    group = models.CharField("grupp", max_length=20, choices=Group)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "medlemskap"
        verbose_name_plural = "medlemskap"
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="membership_once_per_event")
        ]

    def __str__(self):
        return f"{self.user} ({self.get_group_display()})"


class Task(models.Model):
    """A task the arbetsgrupp delegates (arbetsuppgift): vad, vem, när, uppföljning and how
    it was reported back (återkoppling)."""

    class Status(models.TextChoices):
        NY = "ny", "Ny"
        PAGAR = "pagar", "Pågår"
        KLAR = "klar", "Klar"
        STRUKEN = "struken", "Struken"

    OPEN = [Status.NY, Status.PAGAR]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField("status", max_length=10, choices=Status, default=Status.NY)
    due_at = models.DateTimeField("när", null=True, blank=True)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="tasks")
    what = CleanCharField("vad", max_length=500)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="vem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    # Somebody inside the municipality without an account in the product.
    assignee_name = CleanCharField("namn", max_length=200, blank=True)
    assignee_email = models.EmailField("e-post", blank=True)
    follow_up_at = models.DateTimeField("uppföljning", null=True, blank=True)
    feedback = CleanTextField("återkoppling", blank=True)
    delegated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="delegerad av",
        on_delete=models.PROTECT,
        null=True,
        related_name="delegated_tasks",
    )
    created_at = models.DateTimeField("delegerad", default=timezone.now)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # When vem, när or uppföljning last changed, or the task was reopened: a reminder that
    # follows from the change is on time then, not late.
    rescheduled_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "arbetsuppgift"
        verbose_name_plural = "arbetsuppgifter"
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=False) | ~Q(assignee_name=""),
                name="task_has_assignee",
            ),
        ]
        indexes = [
            # The start page's overdue count per event, and the reminder scan by due time.
            models.Index(fields=["event", "status", "due_at"], name="task_event_open_due"),
            models.Index(
                fields=["due_at"], condition=Q(status__in=["ny", "pagar"]), name="task_open_due"
            ),
            models.Index(
                fields=["follow_up_at"],
                condition=Q(status__in=["ny", "pagar"]),
                name="task_open_follow_up",
            ),
        ]

    def __str__(self):
        return self.what

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()

    @property
    def assignee_label(self) -> str:
        return str(self.assignee) if self.assignee_id else self.assignee_name

    @property
    def assignee_address(self) -> str:
        return self.assignee.email if self.assignee_id else self.assignee_email


class LogEntry(models.Model):
    """One line of the händelselogg: append-only, never edited or deleted."""

    class Kind(models.TextChoices):
        NOTE = "note", "Anteckning"
        DECISION = "decision", "Beslut"
        PHASE = "phase", "Fasbyte"
        MEMBERSHIP = "membership", "Medlemskap"
        EDIT = "edit", "Ändring"
        CONVENING = "convening", "Sammankallande"
        TASK = "task", "Uppgift"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.NOTE)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="log_entries")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = CleanTextField("vad hände")
    # When it was typed, and when it actually happened (for entries written afterwards).
    created_at = models.DateTimeField(default=timezone.now)
    happened_at = models.DateTimeField("när det hände", default=timezone.now)

    class Meta:
        verbose_name = "loggpost"
        verbose_name_plural = "händelselogg"
        ordering = ["-happened_at", "-created_at"]
        indexes = [
            # The event page's timeline.
            models.Index(fields=["event", "-happened_at"], name="logentry_timeline"),
        ]

    def __str__(self):
        return self.text[:60]


class CaseNumberSequence(models.Model):
    """The last serial handed out per year, so a case number is never handed out twice."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class Convening(models.Model):
    """The startgrupp called to a meeting ("den interna startgruppen ska skyndsamt
    sammankallas"). One row per call; its invitations and their updates are notices (the
    outbox), each carrying the meeting as it then stood (events.ics)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="convenings")
    meeting_at = models.DateTimeField("mötestid")
    duration_minutes = models.PositiveIntegerField(default=60)
    location = CleanCharField("plats", max_length=200, blank=True)
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    held_at = models.DateTimeField("mötet hölls", null=True, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name="närvarande", blank=True
    )
    # The invitation's iCalendar SEQUENCE (RFC 5545 3.8.7.4): raised by every change the
    # attendees are sent (moved, cancelled, someone joined or left), so that their calendars
    # keep the newest. Also the version a move or cancel form was based on.
    sequence = models.PositiveIntegerField(default=0)
    # When the current sequence was sent: the occasion of its notices, so that each update
    # is a notice of its own (services.send_meeting).
    changed_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField("inställt", null=True, blank=True)
    cancel_reason = CleanTextField("skäl till att mötet ställdes in", blank=True)

    class Meta:
        ordering = ["-meeting_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True, cancel_reason="")
                | (Q(cancelled_at__isnull=False) & ~Q(cancel_reason="")),
                name="convening_cancelled_with_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | Q(held_at__isnull=True),
                name="convening_held_or_cancelled",
            ),
        ]

    def __str__(self):
        return f"Startgruppsmöte {moment_text(self.meeting_at)}"

    @property
    def is_coming(self) -> bool:
        """Neither held nor cancelled: it may still be moved or cancelled."""
        return self.held_at is None and self.cancelled_at is None


QUESTIONS = [
    ("what_happened", "Vad har hänt?"),
    ("individuals", "Hur många individer omfattas av förändringen?"),
    ("company_impact", "Hur påverkas företaget?"),
    ("other_companies", "Hur påverkas andra företag av förändringen?"),
    ("society", "Hur påverkas samhället?"),
    ("communication", "Vad kommuniceras?"),
]


class SituationPicture(models.Model):
    """One revision of the startgrupp's answers to the six questions. Revisions are kept;
    the latest is the event's nulägesbild."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="pictures")
    what_happened = CleanTextField(QUESTIONS[0][1], blank=True)
    individuals = CleanTextField(QUESTIONS[1][1], blank=True)
    company_impact = CleanTextField(QUESTIONS[2][1], blank=True)
    other_companies = CleanTextField(QUESTIONS[3][1], blank=True)
    society = CleanTextField(QUESTIONS[4][1], blank=True)
    communication = CleanTextField(QUESTIONS[5][1], blank=True)
    revision = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-revision"]
        constraints = [
            # Two members revising at once cannot both become revision n+1.
            models.UniqueConstraint(fields=["event", "revision"], name="picture_revision_once")
        ]

    def __str__(self):
        return f"Nulägesbild {self.revision}"

    def answers(self):
        return [(label, getattr(self, field)) for field, label in QUESTIONS]


class Submission(models.Model):
    """A create form's one-time key, written in the same transaction as what its first post
    made (events.submissions): a second post of the same rendered form finds it and leads to
    `location`, where the first one led, instead of making and sending everything again."""

    # The unique key is the guard: of two posts at the same moment only one commits.
    key = models.UUIDField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The path the first post led to (what it made), e.g. the new event's page.
    location = models.CharField(max_length=500)

    class Meta:
        verbose_name = "inskickat formulär"
        verbose_name_plural = "inskickade formulär"

    def __str__(self):
        return f"{self.key} → {self.location}"
