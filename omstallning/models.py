"""Omställningsprogram (issue 15): the years of restructuring after a closure, run as
Innovasjon Norge describes it (seed 004, "Omstillingsplan") and followed up the way Norsjö
already follows its goals (seed 001, verksamhetsplan 2025: indicator, styrgräns, röd/gul/grön).

A programme answers one or more events (`ProgrammeEvent`), has its own members (the same two
kinds of access as an event: members read and write, läsbehöriga read), a plan in versions
with the seed's six sections and its approval, and insatsområden with measurable targets.
"""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.people import active_people
from accounts.text import CleanCharField, CleanTextField, swedish
from events.models import Event

# The days a programme's dates may fall on (forms) and that its charts draw (charts): a
# restructuring is planned and measured within living memory, and matplotlib cannot put
# year 1 or 9999 on an axis with its margins.
DAYS = (date(1900, 1, 1), date(2100, 12, 31))


class Phase(models.TextChoices):
    # The phases of an omstillingsprogram (seed 004: the plan is made in the second and
    # carried out in the third).
    MOBILISERING = "mobilisering", "Mobilisering"
    STRATEGI = "strategi", "Strategi och förankring"
    GENOMFORANDE = "genomforande", "Genomförande"
    AVSLUTNING = "avslutning", "Avslutning"


class Programme(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = CleanCharField("namn", max_length=200)
    started_on = models.DateField("start")
    planned_end_on = models.DateField("planerat slut")
    phase = models.CharField("fas", max_length=20, choices=Phase, default=Phase.MOBILISERING)
    events = models.ManyToManyField(Event, through="ProgrammeEvent", related_name="programmes")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProgrammeMembership", related_name="programmes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "omställningsprogram"
        verbose_name_plural = "omställningsprogram"
        ordering = ["-started_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_on__gt=F("started_on")), name="programme_ends_after_start"
            )
        ]

    def __str__(self):
        return self.title

    def measurers(self):
        """The people who may measure this programme's targets: active members who may write
        (a läsbehörig may not enter measurements, an outsider may not even read them)."""
        return active_people().filter(
            programme_memberships__programme=self,
            programme_memberships__group=ProgrammeMembership.Group.MEDLEM,
        )


class ProgrammeEvent(models.Model):
    """An event the programme answers. Linked by a member of that event only (services)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="links")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="programme_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "event"], name="programme_event_once")
        ]

    def __str__(self):
        return f"{self.programme} – {self.event.case_number}"


class ProgrammeMembership(models.Model):
    class Group(models.TextChoices):
        MEDLEM = "medlem", "Medlem"
        LASARE = "lasare", "Läsbehörig"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_memberships"
    )
    group = models.CharField("grupp", max_length=20, choices=Group)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="programme_member_once")
        ]

    def __str__(self):
        return f"{self.user} i {self.programme}"


class ProgrammeLogEntry(models.Model):
    """The programme's log: who did what, written in the transaction of the change."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="log_entries")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    text = CleanTextField("vad hände")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        # The programme page's latest entries.
        indexes = [models.Index(fields=["programme", "-created_at"], name="programme_log_latest")]

    def __str__(self):
        return self.text


class PlanVersion(models.Model):
    """One version of the omställningsplan, with the six sections of seed 004. A draft is
    edited; once approved by the styrgrupp it is kept as it was (a change is a new version),
    and kommunfullmäktige's adoption adds its date and paragraph."""

    class Status(models.TextChoices):
        UTKAST = "utkast", "Utkast"
        GODKAND = "godkand", "Godkänd av styrgruppen"
        ANTAGEN = "antagen", "Antagen av kommunfullmäktige"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("version")
    status = models.CharField("status", max_length=10, choices=Status, default=Status.UTKAST)
    background = CleanTextField("Bakgrund för omställningsarbetet", blank=True)
    vision = CleanTextField("Vision och mål", blank=True)
    focus_areas = CleanTextField("Insatsområden", blank=True)
    organisation = CleanTextField("Organisering", blank=True)
    financing = CleanTextField("Resursinsats och finansiering", blank=True)
    communication = CleanTextField("Kommunikationsstrategi", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField("godkänd", null=True, blank=True)
    adopted_on = models.DateField("antagen den", null=True, blank=True)
    adopted_paragraph = CleanCharField("paragraf", max_length=40, blank=True)

    SECTIONS = (
        "background",
        "vision",
        "focus_areas",
        "organisation",
        "financing",
        "communication",
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="plan_version_number"),
            # Approval says who and when; adoption its date and paragraph (seed 004: the plan
            # is approved by the styrgrupp, then adopted by the council).
            models.CheckConstraint(
                condition=Q(status="utkast", approved_at__isnull=True, adopted_on__isnull=True)
                | Q(
                    status="godkand",
                    approved_at__isnull=False,
                    approved_by__isnull=False,
                    adopted_on__isnull=True,
                )
                | Q(
                    status="antagen",
                    approved_at__isnull=False,
                    approved_by__isnull=False,
                    adopted_on__isnull=False,
                )
                & ~Q(adopted_paragraph=""),
                name="plan_version_approval",
            ),
        ]

    def __str__(self):
        return f"Omställningsplan version {self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.UTKAST

    def sections(self) -> list[tuple[str, str, str]]:
        """(field name, Swedish heading, text) of the six sections, in the seed's order."""
        return [
            (name, self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in self.SECTIONS
        ]


class BudgetLine(models.Model):
    """Resursinsats och finansiering: one year's amount from one source, in kronor."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="budget")
    year = models.PositiveIntegerField("år")
    source = CleanCharField("källa", max_length=200)
    # Kronor and öre, as a budget is written ("1 200 000,50 kr").
    amount_kr = models.DecimalField("belopp (kr)", max_digits=14, decimal_places=2)
    # The version token of its edit form (events.conflicts); `version` is the plan's.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["year", swedish("source")]
        constraints = [
            models.UniqueConstraint(fields=["version", "year", "source"], name="budget_line_once"),
            models.CheckConstraint(
                condition=Q(amount_kr__gte=0), name="budget_amount_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.source}: {self.amount_kr} kr"


class Ending(models.TextChoices):
    # An insatsområde or target no longer followed is kept as a record of the programme
    # (public records are never deleted): avslutad when its work is done or given up,
    # struken when it was entered in error.
    # Labelled in the neuter, as both "insatsområdet" and "målet" take it.
    AVSLUTAD = "avslutad", "Avslutat"
    STRUKEN = "struken", "Struket"


class Ended(models.Model):
    """What an insatsområde and a target share: the version token of their edit forms
    (events.conflicts) and their ending, which always says why, who and when."""

    version = models.PositiveIntegerField(default=0)
    ended = models.CharField("avslutad eller struken", max_length=10, choices=Ending, blank=True)
    ended_reason = CleanTextField("skäl", blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_ended(self) -> bool:
        return bool(self.ended)


def _ended_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(ended="", ended_by__isnull=True, ended_at__isnull=True)
        | (~Q(ended="") & ~Q(ended_reason="") & Q(ended_by__isnull=False, ended_at__isnull=False)),
        name=name,
    )


class FocusArea(Ended):
    """An insatsområde (seed 004: normally three to four)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="focus_areas")
    name = CleanCharField("namn", max_length=200)
    description = CleanTextField("beskrivning", blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="focus_area_name_once"),
            _ended_constraint("focus_area_ended_has_reason"),
        ]

    def __str__(self):
        return self.name

    def unchangeable(self) -> str:
        """Why nothing of this insatsområde may change any more (Swedish, for the page), or
        "" while it is followed: avslutat or struket, it stays as it was when it ended."""
        if self.ended:
            return f"Insatsområdet är {self.get_ended_display().lower()} och ändras inte."
        return ""


class Colour(models.TextChoices):
    GRON = "gron", "Grön"
    GUL = "gul", "Gul"
    ROD = "rod", "Röd"


class Target(Ended):
    """A measurable target of an insatsområde (seed 004: goals "konkretiseres i
    kvantifiserbare, målbare størrelser"; seed 001: indicator with its styrgräns)."""

    class Direction(models.TextChoices):
        HIGHER = "hogre", "Högre är bättre"
        LOWER = "lagre", "Lägre är bättre"

    class Frequency(models.IntegerChoices):
        # Days between measurements; the status rule calls a target unmeasured when the
        # latest is older than 1.5 times this.
        MANAD = 30, "Varje månad"
        KVARTAL = 91, "Varje kvartal"
        HALVAR = 182, "Varje halvår"
        AR = 365, "Varje år"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    focus_area = models.ForeignKey(FocusArea, on_delete=models.PROTECT, related_name="targets")
    indicator = CleanCharField("indikator", max_length=300)
    unit = CleanCharField("enhet", max_length=40)
    direction = models.CharField("riktning", max_length=10, choices=Direction)
    baseline_value = models.DecimalField("utgångsvärde", max_digits=14, decimal_places=3)
    baseline_on = models.DateField("utgångsvärdets datum")
    baseline_source = CleanCharField("utgångsvärdets källa", max_length=300)
    target_value = models.DecimalField("målvärde", max_digits=14, decimal_places=3)
    target_on = models.DateField("måldatum")
    threshold = models.DecimalField("styrgräns", max_digits=14, decimal_places=3)
    frequency_days = models.PositiveIntegerField("mäts", choices=Frequency)
    measured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="measured_targets",
        verbose_name="mäts av",
    )
    override = models.CharField("satt färg", max_length=4, choices=Colour, blank=True)
    override_reason = CleanTextField("skäl", blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_on__gt=F("baseline_on")), name="target_after_baseline"
            ),
            # A colour set by hand always says why, who and when (issue 15, item 3).
            models.CheckConstraint(
                condition=Q(override="", override_by__isnull=True, override_at__isnull=True)
                | (
                    ~Q(override="")
                    & ~Q(override_reason="")
                    & Q(override_by__isnull=False, override_at__isnull=False)
                ),
                name="target_override_has_reason",
            ),
            _ended_constraint("target_ended_has_reason"),
        ]

    def __str__(self):
        return self.indicator

    def unchangeable(self) -> str:
        """Why this target, its colour and its measurements may not change any more
        (Swedish, for the page), or "" while it is followed: it, or its insatsområde, is
        avslutat or struket and stays as it was when it ended. The one rule every service
        that writes to a target or a measurement asks."""
        if self.ended:
            return f"Målet är {self.get_ended_display().lower()} och ändras inte."
        if self.focus_area.ended:
            return (
                f"Insatsområdet är {self.focus_area.get_ended_display().lower()}: "
                "dess mål ändras inte."
            )
        return ""


class Measurement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="measurements")
    value = models.DecimalField("värde", max_digits=14, decimal_places=3)
    measured_on = models.DateField("mätdatum")
    source = CleanCharField("källa", max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)
    # A typo is corrected in place (the log keeps the value it replaced, who and when), by
    # the version token of events.conflicts; who entered it stays as it was.
    version = models.PositiveIntegerField(default=0)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField("rättad", null=True, blank=True)
    # A value entered in error is struck, never deleted: it stays on the page struck through,
    # with its reason, and counts in neither the status nor the chart.
    voided_reason = CleanTextField("skäl till att värdet ströks", blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voided_at = models.DateTimeField("struket", null=True, blank=True)

    class Meta:
        ordering = ["measured_on", "entered_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True, voided_by__isnull=True, voided_reason="")
                | (~Q(voided_reason="") & Q(voided_at__isnull=False, voided_by__isnull=False)),
                name="measurement_voided_has_reason",
            )
        ]
        # The latest measurement of each target (the status rule, the reminders).
        indexes = [models.Index(fields=["target", "-measured_on"], name="measurement_latest")]

    def __str__(self):
        return f"{self.value} ({self.measured_on})"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None
