import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.text import CleanCharField, CleanTextField


class NoticeQuerySet(models.QuerySet):
    def about(self, obj):
        """The notices whose target is `obj` (a model instance)."""
        return self.filter(target_type=ContentType.objects.get_for_model(obj), target_id=obj.pk)

    def pending(self):
        """Neither sent nor cancelled, and no sender busy with it."""
        return self.filter(
            sent_at__isnull=True, cancelled_at__isnull=True, claimed_at__isnull=True
        )


class Notice(models.Model):
    """An outbox row: a message that must reach one person, in the app and by e-mail.

    Written in the same transaction as the change that causes it. `key` is the natural key
    (kind, target, reader, occasion): a unique constraint makes a second write of the same
    message a no-op. A sender claims the row with a conditional UPDATE and mails only if it
    won (notices.outbox.send), so a redelivered task or a second worker never sends twice.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Holds an e-mail address for readers without an account: room for the longest.
    key = models.CharField(max_length=400, unique=True)
    kind = models.CharField(max_length=40)
    # A user gets it in the app and by e-mail; someone without an account by e-mail only.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    email = models.EmailField(blank=True)
    reply_to = models.EmailField(blank=True)
    # What the case is called in lists: its number, never a confidential case's title.
    label = CleanCharField(max_length=200)
    subject = CleanCharField(max_length=200)
    body = CleanTextField()
    path = models.CharField(max_length=300, help_text="A path on this site.")
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_id = models.UUIDField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    # The moment the notice is about (a task's due time, a transition): part of the
    # natural key, and what a reminder scan's anti-join compares against.
    occasion = models.DateTimeField(null=True, blank=True)
    ics = models.TextField(blank=True)
    attachment_name = CleanCharField(max_length=100, blank=True)
    attachment = models.BinaryField(blank=True, null=True)
    # When it was due: a message sent well after this says it is late.
    due_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "notis"
        verbose_name_plural = "notiser"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(email=""),
                name="notice_has_recipient",
            ),
        ]
        indexes = [
            # A reminder scan's "already written?" anti-join.
            models.Index(fields=["target_id", "kind", "occasion"], name="notice_target_occasion"),
            # The header's unread count and the reader's list.
            models.Index(fields=["recipient", "read_at"], name="notice_unread"),
            # The sweeper's look for rows not yet mailed.
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True, cancelled_at__isnull=True),
                name="notice_pending",
            ),
        ]

    def __str__(self):
        return self.subject
