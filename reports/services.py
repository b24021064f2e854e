"""The lägesrapport's workflow: utkast → godkänd (by a startgrupp member other than the
author) → skickad (to the startgrupp, and to the politicians it named when it decided they
are informed continuously). Each step is logged in the händelselogg, and whoever must act
next is told (issue 12: one hand-off notice per transition)."""

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

import notices
from accounts.people import people_order
from events.conflicts import Conflict, update_if_current
from events.models import Event, LogEntry, Membership
from events.notify import message, tell
from events.services import Refused, add_log_entry
from events.signals import finalised
from reports.access import approvers, may_approve
from reports.compile import compile_report
from reports.models import Recipient, Report
from reports.pdf import report_pdf


def last_sent(event: Event, *, before=None) -> Report | None:
    reports = event.reports.filter(status=Report.Status.SKICKAD)
    if before is not None:
        reports = reports.filter(version__lt=before)
    return reports.order_by("-version").first()


def create_draft(event: Event, *, summary: str, decisions_needed: str, hidden, by) -> Report:
    previous, now = last_sent(event), timezone.now()
    content = compile_report(
        event, summary=summary, decisions_needed=decisions_needed, previous=previous, now=now
    )
    try:
        with transaction.atomic():
            version = (event.reports.aggregate(v=Max("version"))["v"] or 0) + 1
            report = Report.objects.create(
                event=event,
                version=version,
                summary=summary,
                decisions_needed=decisions_needed,
                not_for_publication=list(hidden),
                content=content,
                compiled_at=now,
                author=by,
            )
            add_log_entry(
                event,
                by=by,
                kind=LogEntry.Kind.NOTE,
                text=f"Lägesrapport {version} påbörjades (utkast).",
            )
    except IntegrityError:
        raise Refused(
            "Någon annan påbörjade en lägesrapport samtidigt. Öppna den i listan."
        ) from None
    return report


def update_draft(
    report: Report, *, summary: str, decisions_needed: str, hidden, revision: int, by
) -> Report:
    """Save the reporter's text over the draft as their page showed it (`revision`, the
    version token of events.conflicts) and compile the rest again from the case file as it
    is now. Conflict, with the draft as saved now, if somebody saved it first; Refused once
    it is approved."""
    previous, now = last_sent(report.event, before=report.version), timezone.now()
    content = compile_report(
        report.event,
        summary=summary,
        decisions_needed=decisions_needed,
        previous=previous,
        now=now,
    )
    with transaction.atomic():
        try:
            update_if_current(
                Report.objects.filter(status=Report.Status.UTKAST),
                report.pk,
                "revision",
                revision,
                summary=summary,
                decisions_needed=decisions_needed,
                not_for_publication=list(hidden),
                content=content,
                compiled_at=now,
                # The author's own saves leave a colleague's earlier rewrite on record.
                edited_by=F("edited_by") if by.pk == report.author_id else by,
            )
        except Conflict as conflict:
            if conflict.current.status != Report.Status.UTKAST:
                raise Refused("Rapporten är redan godkänd och kan inte ändras.") from None
            raise
    report.refresh_from_db()
    return report


def _tell(report: Report, kind: str, users, sentence: str, *, occasion, by) -> int:
    """One hand-off notice about `report` to each of `users`, never to `by`; `occasion` is
    the transition's moment, so a repeated one tells again. Returns how many were new."""
    path = reverse("report_detail", args=[report.event_id, report.pk])
    return tell(
        report.event, kind, users, sentence, path=path, target=report, occasion=occasion, by=by
    )


def request_approval(report: Report, *, by) -> int:
    """Ask the startgrupp to approve a draft: stamps `approval_requested_at`, logs it and
    tells each of `approvers(report)` (kind report_approval). Asking again tells them again.
    Returns how many were told."""
    with transaction.atomic():
        now = timezone.now()
        updated = Report.objects.filter(pk=report.pk, status=Report.Status.UTKAST).update(
            approval_requested_at=now
        )
        if not updated:
            raise Refused("Rapporten är inte ett utkast längre.")
        event = report.event
        add_log_entry(
            event,
            by=by,
            kind=LogEntry.Kind.NOTE,
            text=f"Lägesrapport {report.version} skickades till startgruppen för godkännande.",
        )
        return _tell(
            report,
            "report_approval",
            approvers(report),
            f"{by} ber dig läsa och godkänna lägesrapport {report.version} i ärendet "
            f"{event.case_number}, så att den kan skickas.",
            occasion=now,
            by=by,
        )


def approve(report: Report, *, revision: int | None = None, by) -> Report:
    """Approve the draft as the approver saw it (`revision`, the version token of
    events.conflicts; None from a hand-made post): one saved again since they opened it is
    not approved unseen. Its author is told (kind report_approved)."""
    if reason := may_approve(report, by):
        raise Refused(reason)
    with transaction.atomic():
        now = timezone.now()
        drafts = Report.objects.filter(pk=report.pk, status=Report.Status.UTKAST)
        # The version token in the UPDATE itself (events.conflicts): a draft saved again
        # between a check and the write would be approved unseen.
        if revision is not None:
            drafts = drafts.filter(revision=revision)
        if not drafts.update(status=Report.Status.GODKAND, approved_by=by, approved_at=now):
            if revision is not None:
                raise Refused(
                    "Utkastet har sparats om sedan du öppnade det. Läs igenom det igen och "
                    "godkänn sedan."
                )
            raise Refused("Rapporten är inte ett utkast längre.")
        add_log_entry(
            report.event,
            by=by,
            kind=LogEntry.Kind.DECISION,
            text=f"Lägesrapport {report.version} godkändes.",
        )
        _tell(
            report,
            "report_approved",
            [report.author],
            f"{by} har godkänt lägesrapport {report.version} i ärendet "
            f"{report.event.case_number}: skicka den.",
            occasion=now,
            by=by,
        )
    report.refresh_from_db()
    return report


def recipients_of(event: Event) -> list[Recipient]:
    """The startgrupp's members, and the politicians the startgrupp named if it decided
    that politicians are informed continuously (handlingsplanen, "Startgrupp")."""
    members = Membership.objects.filter(
        event=event, group=Membership.Group.STARTGRUPP, user__is_active=True
    ).select_related("user")
    out, seen = [], set()
    for m in members.order_by(*people_order("user__")):
        email = m.user.email.lower()
        if email and email not in seen:
            seen.add(email)
            out.append(Recipient(audience=Recipient.Audience.STARTGRUPP, user=m.user, email=email))
    if event.inform_politicians:
        for email in event.politician_emails.split():
            if email not in seen:
                seen.add(email)
                out.append(Recipient(audience=Recipient.Audience.POLITIKER, email=email))
    return out


def send(report: Report, *, by) -> int:
    """Send an approved report once: the status moves under a conditional UPDATE, the
    outbox rows have the natural key (report, address), and the reporting clock starts
    again. Returns how many messages were written. The sender is no recipient: they have
    the report in front of them."""
    event = report.event
    recipients = [r for r in recipients_of(event) if r.user_id != by.pk]
    with transaction.atomic():
        now = timezone.now()
        updated = Report.objects.filter(pk=report.pk, status=Report.Status.GODKAND).update(
            status=Report.Status.SKICKAD, sent_by=by, sent_at=now
        )
        if not updated:
            raise Refused(
                "Rapporten är redan skickad."
                if report.status == Report.Status.SKICKAD
                else "Rapporten måste godkännas innan den skickas."
            )
        report.refresh_from_db()
        for recipient in recipients:
            recipient.report = report
        Recipient.objects.bulk_create(recipients)
        path = reverse("report_detail", args=[event.pk, report.pk])
        attachments = {
            audience: report_pdf(report, politicians=audience == Recipient.Audience.POLITIKER)
            for audience in {r.audience for r in recipients}
        }
        written = notices.post(
            [_message(report, r, path, attachments, now) for r in recipients], by=by
        )
        # An author among the recipients has just been sent the report itself.
        if report.author_id not in {r.user_id for r in recipients}:
            _tell(
                report,
                "report_sent",
                [report.author],
                f"{by} har skickat din lägesrapport {report.version} i ärendet "
                f"{event.case_number}: inget mer behöver göras med den.",
                occasion=now,
                by=by,
            )
        # The next report falls due one interval after this one (events.reminders).
        event.reporting_since = now
        event.save(update_fields=["reporting_since"])
        names = ", ".join(r.email for r in recipients) or "ingen"
        add_log_entry(
            event,
            by=by,
            kind=LogEntry.Kind.NOTE,
            text=f"Lägesrapport {report.version} skickades till {names}.",
        )
        finalised.send(
            Report,
            event=event,
            title=f"Lägesrapport {report.version}",
            description=f"Lägesrapport {report.version}",
            path=reverse("report_pdf", args=[event.pk, report.pk]),
            by=by,
        )
    return written


def _message(report, recipient, path, attachments, now) -> notices.Message:
    """The report to one recipient. A confidential case's report is not attached (no mail of
    it carries user-written text): members open it in the case file, politicians are told it
    is there and may answer the sender."""
    event = report.event
    if event.confidential:
        sentence = f"Lägesrapport {report.version} i ärendet {event.case_number} är klar"
        sentence += "." if recipient.user else ": ärendet är konfidentiellt, fråga avsändaren."
        attachment = None
    else:
        sentence = f"Lägesrapport {report.version} i ärendet {event.case_number} är bifogad."
        attachment = (f"lagesrapport-{report.version}.pdf", attachments[recipient.audience])
    return message(
        event,
        "report",
        # A politician has no account: the link is for the startgrupp only.
        to=recipient.user or recipient.email,
        sentence=sentence,
        path=path,
        target=report,
        attachment=attachment,
        reply_to=report.sent_by.email if report.sent_by else "",
        due_at=now,
    )
