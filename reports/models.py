"""The lägesrapport: the appointed reporter's regular report to the startgrupp
(handlingsplanen, "Arbetsgrupp": "Arbetsgruppen utser en person som regelbundet informerar
startgruppen"), and through it to the politicians when the startgrupp so decided.

A report's `content` is compiled from the live case file (reports.compile) and frozen once
approved: what was approved is what is sent, and a sent version never changes, so the
changes listed in the next one are exact.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.text import CleanTextField
from events.models import Event


class Report(models.Model):
    class Status(models.TextChoices):
        UTKAST = "utkast", "Utkast"
        GODKAND = "godkand", "Godkänd"
        SKICKAD = "skickad", "Skickad"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="reports")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status, default=Status.UTKAST)
    summary = CleanTextField("sammanfattning", blank=True)
    decisions_needed = CleanTextField("beslut som behövs", blank=True)
    # Keys of the sections marked "ej för publicering": left out of the politicians' copy.
    not_for_publication = models.JSONField(default=list, blank=True)
    # The compiled sections, as of `compiled_at` (reports.compile.compile_report).
    content = models.JSONField()
    compiled_at = models.DateTimeField(default=timezone.now)
    # The version token (events.conflicts): every save of the draft raises it, and an
    # approval names the one its approver read. (`version` is the report's number.)
    revision = models.PositiveIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Who last saved the draft's text, if not the author: they do not approve it either.
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Since when the draft waits for the startgrupp's approval (asked for, and told, by
    # reports.services.request_approval).
    approval_requested_at = models.DateTimeField(null=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = "lägesrapport"
        verbose_name_plural = "lägesrapporter"
        ordering = ["-version"]
        constraints = [
            # Two drafts started at once cannot both become version n+1.
            models.UniqueConstraint(fields=["event", "version"], name="report_version_once"),
            # The startgrupp's approval is a second pair of eyes, never the author's own.
            models.CheckConstraint(
                condition=~Q(approved_by=F("author")), name="report_approved_by_other"
            ),
            models.CheckConstraint(
                condition=~Q(approved_by=F("edited_by")),
                name="report_approved_by_other_than_editor",
            ),
            models.CheckConstraint(
                condition=Q(status="utkast")
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="report_approved_before_sending",
            ),
            models.CheckConstraint(
                condition=~Q(status="skickad") | Q(sent_by__isnull=False, sent_at__isnull=False),
                name="report_sent_by_and_when",
            ),
        ]

    def __str__(self):
        return f"Lägesrapport {self.version}"


class Recipient(models.Model):
    """Who a sent version went to: kept with the version, dated by the report's sent_at."""

    class Audience(models.TextChoices):
        STARTGRUPP = "startgrupp", "Startgruppen"
        POLITIKER = "politiker", "Politiken"

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="recipients")
    audience = models.CharField(max_length=20, choices=Audience)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    email = models.EmailField()

    class Meta:
        ordering = ["audience", "email"]
        constraints = [
            models.UniqueConstraint(fields=["report", "email"], name="recipient_once_per_report")
        ]

    def __str__(self):
        return self.email
