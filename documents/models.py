"""Documents on a case, registered as public records (allmänna handlingar).

What the municipality receives or draws up in a case is registered without delay (OSL 5 kap.
1 §) with a number within the case ("KS 2026/0007-3"), when and by whom; it is kept
(arkivlagen 1990:782): never deleted. A document registered in error is voided with a
reason, and keeps its number. Each new version of the file keeps the ones before.
"""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.text import CleanCharField, CleanTextField
from events.models import Event

# OSL 5 kap. 2 §: what may be left out of the public entry to keep a secret.
OMITTED = "Uppgiften är utelämnad (OSL 5 kap. 2 §)"


def document_storage():
    """STORAGES["documents"]: a folder under VAR_DIR, or an S3 bucket (norsjo/settings.py)."""
    return storages["documents"]


class RegisterCounter(models.Model):
    """The last serial handed out in a case's register. Its row is locked while the next is
    handed out, so two uploads at the same moment never get the same number."""

    event = models.OneToOneField(Event, primary_key=True, on_delete=models.PROTECT)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.event_id}: {self.last}"


class Document(models.Model):
    class Direction(models.TextChoices):
        INKOMMANDE = "inkommande", "Inkommande"
        UPPRATTAD = "upprattad", "Upprättad"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="documents")
    serial = models.PositiveIntegerField("löpnummer")
    title = CleanCharField("rubrik", max_length=200)
    public_description = CleanCharField(
        "ärendemening",
        max_length=300,
        help_text="Det som står i diariet och kan lämnas ut: kort vad handlingen gäller.",
    )
    document_date = models.DateField("handlingens datum")
    direction = models.CharField("inkommande eller upprättad", max_length=20, choices=Direction)
    counterpart = CleanCharField("avsändare eller upprättad av", max_length=200)
    omit_counterpart = models.BooleanField(
        "utelämna avsändaren i diariet",
        default=False,
        help_text="Om avsändaren skulle röja en uppgift som är sekretess (OSL 5 kap. 2 §).",
    )
    omit_description = models.BooleanField(
        "utelämna ärendemeningen i diariet",
        default=False,
        help_text="Om ärendemeningen skulle röja en uppgift som är sekretess (OSL 5 kap. 2 §).",
    )
    # A record the product itself finalised (a sent lägesrapport…): where it is kept.
    source_path = models.CharField(max_length=300, blank=True)
    registered_at = models.DateTimeField("registrerad", default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="registrerad av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    voided_at = models.DateTimeField("registrerad av misstag", null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    void_reason = CleanTextField("varför", blank=True)

    class Meta:
        verbose_name = "handling"
        verbose_name_plural = "handlingar"
        ordering = ["event", "serial"]
        constraints = [
            # The register's number: one per document in its case (the diarieblad's order).
            models.UniqueConstraint(fields=["event", "serial"], name="document_serial_per_case"),
            models.CheckConstraint(condition=Q(serial__gte=1), name="document_serial_positive"),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True, voided_by__isnull=True, void_reason="")
                | (Q(voided_at__isnull=False, voided_by__isnull=False) & ~Q(void_reason="")),
                name="document_voided_with_reason",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """The registration number: the case's diarienummer and the serial, "KS 2026/0007-3"."""
        return f"{self.event.case_number}-{self.serial}"

    @property
    def public_counterpart(self) -> str:
        return OMITTED if self.omit_counterpart else self.counterpart

    @property
    def public_entry(self) -> str:
        return OMITTED if self.omit_description else self.public_description

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class Version(models.Model):
    """One uploaded file of a document; a new version is added, never replaces one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("version")
    # Stored under a name of ours (documents.services), never the uploader's.
    file = models.FileField(storage=document_storage, max_length=200)
    original_name = CleanCharField("filnamn", max_length=200)
    kind = models.CharField("filtyp", max_length=10)  # a key of documents.filetypes.KINDS
    size = models.PositiveBigIntegerField("storlek (byte)")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "version"
        verbose_name_plural = "versioner"
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_once"),
        ]

    def __str__(self):
        return f"{self.original_name} (version {self.number})"


class SecrecyMarking(models.Model):
    """A note that the document may hold secret information (OSL 5 kap. 5 §): the provision,
    when and who. Not a decision on secrecy, which is taken when someone asks for the
    document; it keeps the document out of what leaves the case file (the politicians'
    report, guest pages, notices' text)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="secrecy_markings"
    )
    provision = CleanCharField(
        "bestämmelse", max_length=100, help_text="Till exempel OSL 31 kap. 16 §."
    )
    note = CleanTextField("kommentar", blank=True)
    marked_at = models.DateTimeField(default=timezone.now)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "sekretessmarkering"
        verbose_name_plural = "sekretessmarkeringar"
        ordering = ["marked_at"]
        constraints = [
            # The same provision twice says nothing more; documents.services.mark_secret
            # refuses it in Swedish, this is the backstop for two at the same moment.
            models.UniqueConstraint(
                "document", Lower("provision"), name="secrecy_marking_provision_once"
            ),
        ]

    def __str__(self):
        return self.provision


class Link(models.Model):
    """A document referred to from something in its case: a task, a row of the assessment
    sheet, a line of a party's contact log or a lägesrapport (documents.targets). Not a
    public record itself: it is removed when unlinked (the log keeps that it was), the
    document stays.

    The target is named by kind and id, not by a foreign key: documents never imports the
    apps that hold rows, contacts and reports (tests/test_architecture.py), and those apps
    list their documents through the template tags in documents.templatetags."""

    class Target(models.TextChoices):
        TASK = "task", "Uppgift"
        ROW = "row", "Rad i bedömningsmallen"
        CONTACT = "contact", "Kontakt med en extern part"
        REPORT = "report", "Lägesrapport"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="links")
    target = models.CharField(max_length=10, choices=Target)
    target_id = models.UUIDField()
    linked_at = models.DateTimeField(default=timezone.now)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "koppling"
        verbose_name_plural = "kopplingar"
        ordering = ["linked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "target", "target_id"], name="document_link_once"
            ),
        ]
        # The task, row, contact and report pages: the documents linked to one of them.
        indexes = [models.Index(fields=["target", "target_id"], name="document_link_target")]

    def __str__(self):
        return f"{self.document_id} → {self.target} {self.target_id}"
