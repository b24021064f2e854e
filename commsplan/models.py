"""The communication plan (handlingsplanen, "Kommunikationsplan" and "Tidplan").

The municipality's own answers, channels, target groups, default tidplan and letterhead are
data (`Municipality`, `Channel`, `TargetGroup`, `TimetableDefault`), edited by an
administrator, so another municipality can run the product with its own plan. Each event
gets its own copy (`CommsPlan`, `TimetableRow`), prefilled from them and edited per event.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts.models import Function
from accounts.text import CleanCharField, CleanTextField, swedish
from commsplan.sanitise import render
from commsplan.validators import validate_static_svg
from events.models import Event

# The nine questions of the plan. "Vem är målgruppen?" is answered for internal and
# external groups separately, as the plan does.
ANSWERS = [
    ("problem", "Vad är problemet?"),
    ("purpose", "Vad är syftet och målet?"),
    ("strategy", "Hur ser strategin/kommunikationsmålen ut?"),
    ("audience_internal", "Vem är målgruppen? Interna målgrupper"),
    ("audience_external", "Vem är målgruppen? Externa målgrupper"),
    ("message", "Vad ska jag säga?"),
    ("channels", "Vilka kanaler ska jag använda?"),
    ("speakers", "Vem ska säga det?"),
    ("timing", "När ska jag säga det?"),
    ("cost", "Vad kostar det?"),
]


class PlanAnswers(models.Model):
    problem = CleanTextField(ANSWERS[0][1], blank=True)
    purpose = CleanTextField(ANSWERS[1][1], blank=True)
    strategy = CleanTextField(ANSWERS[2][1], blank=True)
    audience_internal = CleanTextField(ANSWERS[3][1], blank=True)
    audience_external = CleanTextField(ANSWERS[4][1], blank=True)
    message = CleanTextField(ANSWERS[5][1], blank=True)
    channels = CleanTextField(ANSWERS[6][1], blank=True)
    speakers = CleanTextField(ANSWERS[7][1], blank=True)
    timing = CleanTextField(ANSWERS[8][1], blank=True)
    cost = CleanTextField(ANSWERS[9][1], blank=True)

    class Meta:
        abstract = True

    def answers(self):
        return [(label, getattr(self, field)) for field, label in ANSWERS]


class Municipality(PlanAnswers):
    """The municipality's letterhead and its default answers: one row."""

    name = CleanCharField("namn", max_length=100)
    address = CleanTextField("adress", blank=True)
    web = CleanCharField("webbplats", max_length=100, blank=True)
    logo = models.CharField(
        "logotyp",
        max_length=200,
        validators=[validate_static_svg],
        help_text="En SVG-fil bland tjänstens statiska filer, t.ex. img/norsjo-logo.svg.",
    )

    class Meta:
        verbose_name = "kommunens standardplan och brevhuvud"
        verbose_name_plural = "kommunens standardplan och brevhuvud"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="municipality_one_row")]

    def __str__(self):
        return self.name

    @classmethod
    def get(cls) -> "Municipality":
        return cls.objects.get(pk=1)


class Channel(models.Model):
    name = CleanCharField("namn", max_length=100, unique=True)
    position = models.PositiveIntegerField("ordning", default=0)
    active = models.BooleanField("i bruk", default=True)

    class Meta:
        verbose_name = "kanal"
        verbose_name_plural = "kanaler"
        ordering = ["position", swedish("name")]

    def __str__(self):
        return self.name


class TargetGroup(models.Model):
    name = CleanCharField("namn", max_length=100, unique=True)
    internal = models.BooleanField("intern målgrupp", default=False)
    position = models.PositiveIntegerField("ordning", default=0)
    active = models.BooleanField("i bruk", default=True)

    class Meta:
        verbose_name = "målgrupp"
        verbose_name_plural = "målgrupper"
        ordering = ["position", swedish("name")]

    def __str__(self):
        return self.name


class TimetableDefault(models.Model):
    """One row of the municipality's default tidplan."""

    position = models.PositiveIntegerField("ordning", unique=True)
    when = CleanCharField("när", max_length=100)
    message = CleanTextField("budskap", blank=True)
    channels = models.ManyToManyField(Channel, verbose_name="kanaler", blank=True)
    target_groups = models.ManyToManyField(TargetGroup, verbose_name="målgrupper", blank=True)
    # Roles, not people: the plan names functions ("Kommunikatör", "KSO"); each event's
    # row gets the member who holds the function.
    written_role = models.CharField(
        "ansvarig skriftlig information",
        max_length=20,
        choices=Function.Role,
        default=Function.Role.KOMMUNIKATOR,
    )
    oral_role = models.CharField(
        "ansvarig muntlig kommunikation",
        max_length=20,
        choices=Function.Role,
        default=Function.Role.KSO,
    )

    class Meta:
        verbose_name = "tidplansrad (standard)"
        verbose_name_plural = "tidplan (standard)"
        ordering = ["position"]

    def __str__(self):
        return self.when


class CommsPlan(PlanAnswers):
    """An event's communication plan: the nine answers, and when the company itself goes
    public (the municipality's information "ska inte föregå företagets egen").

    The company's announcement is registered ahead as planned (`company_planned_*`: "går ut
    30 november kl. 09:00"), which only schedules a reminder to the kommunikatör at that
    time, and confirmed once made (`company_announced_*`: when and where it went out),
    which is what publishing needs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="commsplan")
    company_announced_at = models.DateTimeField("företaget gick ut", null=True, blank=True)
    company_announced_where = CleanCharField("var", max_length=200, blank=True)
    company_announcement_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    company_planned_at = models.DateTimeField("företaget planerar att gå ut", null=True)
    company_planned_where = CleanCharField("var", max_length=200, blank=True)
    company_planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The version token (events.conflicts): every save of the answers raises it, and the
    # answers it replaces are kept as that version (PlanVersion).
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "kommunikationsplan"
        verbose_name_plural = "kommunikationsplaner"
        constraints = [
            models.CheckConstraint(
                condition=Q(company_announced_at__isnull=True)
                | ~Q(company_announced_where="") & Q(company_announcement_by__isnull=False),
                name="commsplan_announcement_complete",
            ),
            models.CheckConstraint(
                condition=Q(company_planned_at__isnull=True, company_planned_where="")
                | Q(company_planned_at__isnull=False, company_planned_by__isnull=False),
                name="commsplan_planned_announcement_complete",
            ),
        ]
        indexes = [
            # The reminder scan (services.scan_company_announcements): planned, unconfirmed.
            models.Index(
                fields=["company_planned_at"],
                condition=Q(company_planned_at__isnull=False, company_announced_at__isnull=True),
                name="commsplan_announcement_due",
            )
        ]

    def __str__(self):
        return f"Kommunikationsplan för {self.event_id}"


class PlanVersion(PlanAnswers):
    """A plan's answers as they were at `version`, kept when a save replaced them: a page
    opened at that version showed these, so saving it changes only the answers its user
    changed (services.update_plan), and a colleague's answer saved meanwhile stays."""

    plan = models.ForeignKey(CommsPlan, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()

    class Meta:
        verbose_name = "kommunikationsplanens tidigare svar"
        verbose_name_plural = "kommunikationsplanens tidigare svar"
        constraints = [
            models.UniqueConstraint(fields=["plan", "version"], name="plan_version_once")
        ]

    def __str__(self):
        return f"{self.plan}, version {self.version}"


class TimetableRow(models.Model):
    class Status(models.TextChoices):
        PLANERAD = "planerad", "Planerad"
        PAGAR = "pagar", "Pågår"
        KLAR = "klar", "Klar"
        # Set when one of the row's texts is registered as published (services.publish).
        PUBLICERAD = "publicerad", "Publicerad"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(CommsPlan, on_delete=models.PROTECT, related_name="rows")
    position = models.PositiveIntegerField()
    when = CleanCharField("när", max_length=100)
    message = CleanTextField("budskap", blank=True)
    channels = models.ManyToManyField(Channel, verbose_name="kanaler", blank=True)
    target_groups = models.ManyToManyField(TargetGroup, verbose_name="målgrupper", blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ansvarig skriftlig information",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    oral_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ansvarig muntlig kommunikation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    planned_on = models.DateField("planerat datum", null=True, blank=True)
    status = models.CharField("status", max_length=10, choices=Status, default=Status.PLANERAD)
    talking_points = CleanTextField("talepunkter för KSO", blank=True)

    class Meta:
        verbose_name = "tidplansrad"
        verbose_name_plural = "tidplan"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="timetable_row_once")
        ]

    def __str__(self):
        return self.when

    @property
    def talking_points_html(self):
        return mark_safe(render(self.talking_points))  # noqa: S308 (sanitised)


class PressText(models.Model):
    """A written text for a tidplan row. Utkast → faktagranskad (by someone other than the
    author) → godkänd → publicerad. A published text is never edited: a correction is a
    new version that `corrects` it and goes through the same steps."""

    class Status(models.TextChoices):
        UTKAST = "utkast", "Utkast"
        FAKTAGRANSKAD = "faktagranskad", "Faktagranskad"
        GODKAND = "godkand", "Godkänd"
        PUBLICERAD = "publicerad", "Publicerad"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    row = models.ForeignKey(TimetableRow, on_delete=models.PROTECT, related_name="texts")
    version = models.PositiveIntegerField(default=1)
    corrects = models.OneToOneField(
        "self",
        verbose_name="rättar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
    )
    title = CleanCharField("rubrik", max_length=200)
    lead = CleanTextField("ingress", blank=True)
    # Markdown as typed, rendered to sanitised HTML when shown (commsplan.sanitise). Texts
    # stored as HTML before issue 13 were converted by migration 0005.
    body = CleanTextField("brödtext")
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="kontaktperson",
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.UTKAST)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The version token (events.conflicts): every save of the words raises it. (`version`
    # is the text's number as published: a correction is the next.)
    revision = models.PositiveIntegerField(default=0)
    # Who last changed the words, if not the author: they do not check them either.
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Since when the draft waits for a colleague's fact-check; cleared once it is checked or
    # sent back, so a draft edited after a check waits only when asked again.
    fact_check_requested_at = models.DateTimeField(null=True)
    # The last time a reviewer sent it back to the author, and why: shown on the text until
    # the next fact-check, since a confidential case's mail leaves the reason out.
    sent_back_at = models.DateTimeField(null=True)
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    sent_back_reason = CleanTextField(blank=True)
    fact_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    fact_checked_at = models.DateTimeField(null=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    published_at = models.DateTimeField("publicerad", null=True)
    # One publication, every channel it went out in (at least one: services.publish).
    published_channels = models.ManyToManyField(
        Channel, verbose_name="kanaler", blank=True, related_name="+"
    )
    # The municipality's people quoted in the text; each approves their own quote (Quote).
    quoted = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="citerade personer",
        through="Quote",
        through_fields=("text", "person"),
        blank=True,
        related_name="+",
    )
    # Published before the company's own announcement, knowingly: why, and who decided.
    override_reason = CleanTextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "pressmeddelande"
        verbose_name_plural = "pressmeddelanden"
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(fact_checked_by=F("author")), name="presstext_checked_by_other"
            ),
            models.CheckConstraint(
                condition=~Q(fact_checked_by=F("edited_by")),
                name="presstext_checked_by_other_than_editor",
            ),
            models.CheckConstraint(
                condition=Q(status="utkast")
                | Q(fact_checked_by__isnull=False, fact_checked_at__isnull=False),
                name="presstext_checked_before_approval",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["utkast", "faktagranskad"])
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="presstext_approved_before_publishing",
            ),
            models.CheckConstraint(
                condition=~Q(status="publicerad")
                | Q(published_by__isnull=False, published_at__isnull=False),
                name="presstext_published_when_and_by",
            ),
            models.CheckConstraint(
                condition=Q(status="utkast") | Q(fact_check_requested_at__isnull=True),
                name="presstext_waits_for_check_only_as_draft",
            ),
            models.CheckConstraint(
                condition=Q(
                    sent_back_at__isnull=True, sent_back_by__isnull=True, sent_back_reason=""
                )
                | ~Q(sent_back_reason="")
                & Q(sent_back_at__isnull=False, sent_back_by__isnull=False),
                name="presstext_sent_back_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(override_reason="", override_by__isnull=True)
                | ~Q(override_reason="") & Q(override_by__isnull=False),
                name="presstext_override_has_reason",
            ),
        ]
        indexes = [
            # The information-gap scan: the latest publication per event.
            models.Index(
                fields=["row", "published_at"],
                condition=Q(status="publicerad"),
                name="presstext_published",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def body_html(self):
        return mark_safe(render(self.body))  # noqa: S308 (sanitised)

    @property
    def is_editable(self) -> bool:
        return self.status != self.Status.PUBLICERAD

    @property
    def waits_for_fact_check(self) -> bool:
        return self.status == self.Status.UTKAST and self.fact_check_requested_at is not None

    @property
    def is_sent_back(self) -> bool:
        """A reviewer sent the draft back and nobody has fact-checked it since."""
        return self.status == self.Status.UTKAST and self.sent_back_at is not None


class Quote(models.Model):
    """A person of the municipality quoted in a press text (say the KSO), and when they
    approved the words the text puts in their mouth. The text is approved only once every
    quote is (services.approve); an edit that changes the text's words clears the approvals
    (services.edit_text)."""

    text = models.ForeignKey(PressText, on_delete=models.PROTECT, related_name="quotes")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="citerad person",
        on_delete=models.PROTECT,
        related_name="press_quotes",
    )
    added_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField("godkände citatet", null=True)

    class Meta:
        verbose_name = "citat"
        verbose_name_plural = "citat"
        constraints = [
            models.UniqueConstraint(fields=["text", "person"], name="quote_once_per_person")
        ]
        indexes = [
            # Väntar på dig (commsplan.waiting): the quotes a person has yet to approve.
            models.Index(
                fields=["person"], condition=Q(approved_at__isnull=True), name="quote_pending"
            )
        ]

    def __str__(self):
        return f"{self.person} i {self.text}"
