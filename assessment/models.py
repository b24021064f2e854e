import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.moments import moment_text
from accounts.text import CleanCharField, CleanTextField, PhoneField, swedish
from assessment.parts import SECTION_CHOICES
from events.models import Event, Task

# The text a row carries; history, snapshots and the Excel import compare these.
ROW_FIELDS = ("what", "who", "when", "follow_up", "status", "audience")


class Sheet(models.Model):
    """The event's bedömningsmall. Its rows are the content; the sheet holds the change
    counter every open browser polls."""

    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="sheet")
    # Bumped (under the sheet row's lock) by every change to a row, in the same
    # transaction; each changed row records the value. A browser that has seen counter n
    # asks for rows with changed_seq > n. Taking the lock first also serialises writers
    # of one sheet, so counters commit in order and no change is skipped by a poll.
    counter = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "bedömningsmall"
        verbose_name_plural = "bedömningsmallar"

    def __str__(self):
        return f"Bedömningsmall för {self.event}"


class Row(models.Model):
    class Status(models.TextChoices):
        EJ_PABORJAD = "ej_paborjad", "Ej påbörjad"
        PAGAR = "pagar", "Pågår"
        KLAR = "klar", "Klar"
        STRUKEN = "struken", "Struken"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sheet = models.ForeignKey(Sheet, on_delete=models.PROTECT, related_name="rows")
    section = models.CharField("del", max_length=30, choices=SECTION_CHOICES)
    # A measure in a scenario's chain (Omfallsplanering) points at its scenario.
    parent = models.ForeignKey(
        "self",
        verbose_name="scenario",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chain",
    )
    position = models.IntegerField(default=0)
    what = CleanTextField("vad", blank=True)
    who = CleanCharField("vem", max_length=200, blank=True)
    when = CleanCharField("när", max_length=100, blank=True)
    follow_up = CleanTextField("uppföljning", blank=True)
    status = models.CharField("status", max_length=20, choices=Status, blank=True)
    audience = CleanCharField("till vem", max_length=200, blank=True)
    # Content version: a save based on an older one is refused (conditional UPDATE).
    version = models.PositiveIntegerField(default=1)
    changed_seq = models.PositiveBigIntegerField(default=0)
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, null=True, blank=True, related_name="assessment_rows"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Public records are never deleted: a removed row is marked and stays in history.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "rad"
        verbose_name_plural = "rader"
        indexes = [
            # The sheet page, in order.
            models.Index(fields=["sheet", "section", "position"], name="row_order"),
            # The live poll: rows changed since the counter the browser has seen.
            models.Index(fields=["sheet", "changed_seq"], name="row_changed_since"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(section="scenario") | Q(parent__isnull=True),
                name="row_chain_only_in_scenarios",
            ),
        ]

    def __str__(self):
        return self.what[:60] or "(tom rad)"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    def content(self) -> dict:
        return {field: getattr(self, field) for field in ROW_FIELDS}

    @property
    def shown_status(self) -> str:
        """The status code shown for the row: its task's once it is delegated, else its own.

        A delegated row and its task are one piece of work with one status (issue 12): the
        task's, changed on the task where it is logged and reminded. The row's own status
        is kept unchanged under it, for the history. Load the task with the row
        (select_related) or this costs a query per row."""
        return self.task.status if self.task_id else self.status

    def get_shown_status_display(self) -> str:
        """shown_status by its label ("Ny", "Pågår", …), or "" for none."""
        return STATUS_LABELS.get(self.shown_status, "")


# People read a status by its label; rows, revisions and snapshots store its code. A
# status shown for a row may be its task's (Row.shown_status): the labels of both, which
# agree wherever their codes do.
STATUS_LABELS = dict(Row.Status.choices) | dict(Task.Status.choices)


def row_differences(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """(field label, before, after) for each of a row's fields that differs between two of
    its contents, a status shown by its label."""
    return [
        (
            Row._meta.get_field(field).verbose_name,
            STATUS_LABELS.get(before.get(field, ""), before.get(field, "")),
            STATUS_LABELS.get(after.get(field, ""), after.get(field, "")),
        )
        for field in ROW_FIELDS
        if before.get(field, "") != after.get(field, "")
    ]


class RowRevision(models.Model):
    """One change to one row: who, when, what it was before and after."""

    class Kind(models.TextChoices):
        CREATED = "created", "Skapad"
        EDITED = "edited", "Ändrad"
        MOVED = "moved", "Flyttad"
        REMOVED = "removed", "Borttagen"
        RESTORED = "restored", "Återställd"
        DELEGATED = "delegated", "Delegerad som uppgift"
        IMPORTED = "imported", "Ändrad via Excel"

    sheet = models.ForeignKey(Sheet, on_delete=models.PROTECT, related_name="revisions")
    row = models.ForeignKey(Row, on_delete=models.PROTECT, related_name="revisions")
    kind = models.CharField(max_length=20, choices=Kind)
    # The row's content version after this change.
    version = models.PositiveIntegerField()
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["row", "version"], name="revision_of_row"),
            models.Index(fields=["sheet", "-at"], name="revision_of_sheet"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {moment_text(self.at)}"

    def changes(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) for each field that differs."""
        return row_differences(self.before or {}, self.after)


class Snapshot(models.Model):
    """The whole sheet as it stood at a moment (the lägesbild at 14:00)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sheet = models.ForeignKey(Sheet, on_delete=models.PROTECT, related_name="snapshots")
    label = CleanCharField("rubrik", max_length=200, blank=True)
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # [{"id", "section", "parent", "position", **content}, ...] in sheet order.
    rows = models.JSONField()

    class Meta:
        ordering = ["-taken_at"]

    def __str__(self):
        return self.label or f"Lägesbild {moment_text(self.taken_at)}"


class ImportDraft(models.Model):
    """An uploaded workbook, parsed and waiting for the uploader's confirmation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sheet = models.ForeignKey(Sheet, on_delete=models.PROTECT, related_name="imports")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = CleanCharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    operations = models.JSONField()
    applied_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.file_name


class Presence(models.Model):
    """Who has the sheet open: refreshed by each open page every few seconds."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sheet", "user"], name="presence_once_per_user")
        ]

    def __str__(self):
        return f"{self.user} @ {self.seen_at:%H:%M:%S}"


class ExternalParty(models.Model):
    class Type(models.TextChoices):
        FORETAG = "foretag", "Företagets representant"
        KONKURSFORVALTARE = "konkursforvaltare", "Konkursförvaltare"
        REKONSTRUKTOR = "rekonstruktor", "Rekonstruktör"
        REGION = "region", "Region Västerbotten"
        FACK = "fack", "Fackförbund"
        AF = "af", "Arbetsförmedlingen"
        OMSTALLNINGSFOND = "omstallningsfond", "Omställningsfond"
        ANNAN = "annan", "Annan"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="external_parties")
    type = models.CharField("typ", max_length=20, choices=Type)
    organisation = CleanCharField("organisation", max_length=200)
    contact_person = CleanCharField("kontaktperson", max_length=200, blank=True)
    phone = PhoneField("telefon", max_length=40, blank=True)
    email = models.EmailField("e-post", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "extern part"
        verbose_name_plural = "externa parter"
        ordering = ["type", swedish("organisation")]

    def __str__(self):
        return f"{self.organisation} ({self.get_type_display()})"


class Contact(models.Model):
    """One line of a party's contact log: what was given or received, when, by whom."""

    class Direction(models.TextChoices):
        GIVEN = "given", "Vi lämnade"
        RECEIVED = "received", "Vi fick"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    party = models.ForeignKey(ExternalParty, on_delete=models.PROTECT, related_name="contacts")
    direction = models.CharField("riktning", max_length=10, choices=Direction)
    text = CleanTextField("vad")
    happened_at = models.DateTimeField("när", default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="av", on_delete=models.PROTECT, related_name="+"
    )
    # When it was logged, which `happened_at` (typed by the user) need not be.
    created_at = models.DateTimeField("registrerad", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "kontakt"
        verbose_name_plural = "kontaktlogg"
        ordering = ["-happened_at"]

    def __str__(self):
        return self.text[:60]
