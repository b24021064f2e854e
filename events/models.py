import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Phase(models.TextChoices):
    """Stabsmetodik's five steps (handlingsplanen, "Alla förändringar är unika"), then closed."""

    PLANERA = "planera", "Planera"
    ANALYSERA = "analysera", "Analysera"
    FORBEREDA = "forbereda", "Förbereda"
    GENOMFORA = "genomfora", "Genomföra"
    FOLJA_UPP = "folja_upp", "Följa upp"
    AVSLUTAD = "avslutad", "Avslutad"


class Event(models.Model):
    """A significant change in local business life (händelse / ärende)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField("rubrik", max_length=200)
    phase = models.CharField("fas", max_length=20, choices=Phase, default=Phase.PLANERA)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="registrerad av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("registrerad", default=timezone.now)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="events"
    )

    class Meta:
        verbose_name = "händelse"
        verbose_name_plural = "händelser"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.phase == Phase.AVSLUTAD


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

    @property
    def can_write(self) -> bool:
        return self.group != self.Group.LASARE


class Task(models.Model):
    """A task the arbetsgrupp delegates (arbetsuppgift)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tasks")
    what = models.CharField("vad", max_length=500)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="vem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )

    class Meta:
        verbose_name = "arbetsuppgift"
        verbose_name_plural = "arbetsuppgifter"

    def __str__(self):
        return self.what


class LogEntry(models.Model):
    """One line of the händelselogg: append-only, never edited or deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="log_entries")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("vad hände")
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
