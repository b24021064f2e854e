"""A request to an external party, answered through a link, and the record of its use."""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.text import CleanTextField
from assessment.models import Contact, ExternalParty


def token_hash(token: str) -> str:
    """The sha256 (hex, 64 characters) of a link's token: the only form the database holds,
    so a copy of the database opens no request."""
    return hashlib.sha256(token.encode()).hexdigest()


class GuestRequest(models.Model):
    """A question to answer or a task to confirm, sent to a party's address with a link.

    The link's token (secrets.token_urlsafe(32), 256 bits) is stored only as its hash. The
    link opens this request and nothing else, until `expires_at`, unless revoked; after
    the answer it shows the answer read-only."""

    class Kind(models.TextChoices):
        QUESTION = "question", "Svara på en fråga"
        CONFIRM = "confirm", "Bekräfta en uppgift"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    party = models.ForeignKey(
        ExternalParty, on_delete=models.PROTECT, related_name="guest_requests"
    )
    kind = models.CharField("mottagaren ska", max_length=10, choices=Kind, default=Kind.QUESTION)
    # All the guest sees of the case besides its number: written for them.
    question = CleanTextField("frågan till mottagaren")
    due_at = models.DateTimeField("svar senast")
    # The address it went to: the party's address may change afterwards.
    email = models.EmailField("skickad till")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField("länken gäller till")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = CleanTextField("svar", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The contact log's line the answer became.
    contact = models.OneToOneField(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "förfrågan"
        verbose_name_plural = "förfrågningar"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="guest_request_expires_after_created",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, contact__isnull=True)
                | Q(answered_at__isnull=False, contact__isnull=False),
                name="guest_request_answer_is_logged",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False),
                name="guest_request_revoked_by_someone",
            ),
        ]
        indexes = [
            # The overdue scan: unanswered, unrevoked requests by due time.
            models.Index(
                fields=["due_at"],
                condition=Q(answered_at__isnull=True, revoked_at__isnull=True),
                name="guest_request_awaiting",
            ),
        ]

    def __str__(self):
        return f"Förfrågan till {self.party.organisation}"

    @property
    def awaits_answer(self) -> bool:
        return self.answered_at is None and self.revoked_at is None

    def opens_for_guest(self, now) -> bool:
        """Whether the link shows the request at `now`: not revoked, not expired, and its
        case not closed (a closed case is read-only for everyone)."""
        return self.revoked_at is None and now < self.expires_at and not self.party.event.is_closed

    def may_answer(self, now) -> bool:
        return self.opens_for_guest(now) and self.answered_at is None

    @property
    def asker(self) -> str:
        """The requester as a guest is told: the full name, else the e-mail address, else
        the username (a system or half-made account has no name, and "Från , Norsjö
        kommun" tells the guest nothing)."""
        user = self.created_by
        return user.get_full_name().strip() or user.email or user.username

    def status_text(self, now) -> str:
        if self.revoked_at:
            return "Återkallad"
        if self.answered_at:
            return "Besvarad"
        if self.party.event.is_closed:
            return "Ärendet är avslutat, länken fungerar inte längre"
        if now >= self.expires_at:
            return "Länken har gått ut"
        if now >= self.due_at:
            return "Försenad"
        return "Väntar på svar"


class GuestVisit(models.Model):
    """One use of a link: an open or an answer, when and from which client address."""

    class Kind(models.TextChoices):
        OPEN = "open", "Öppnad"
        ANSWER = "answer", "Besvarad"

    request = models.ForeignKey(GuestRequest, on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField(max_length=10, choices=Kind)
    at = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField()

    class Meta:
        ordering = ["at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at} från {self.address}"


class RateWindow(models.Model):
    """Requests to the guest pages counted per bucket (a token's hash, a client address) and
    fixed time window, in the database that every web process on every host shares
    (the cache is per process: settings.CACHES)."""

    bucket = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "window_start"], name="rate_window_bucket")
        ]

    def __str__(self):
        return f"{self.bucket} {self.window_start}: {self.hits}"
