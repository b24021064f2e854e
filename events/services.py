"""Workflows on events that span models or have side effects. Each takes the acting user
as `by` and writes the händelselogg in the same transaction."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone

from events.ics import convening_ics, meeting_title
from events.models import (
    CaseNumberSequence,
    Convening,
    Event,
    LogEntry,
    Membership,
    Notification,
    SituationPicture,
)


def add_log_entry(event: Event, *, by, text: str, happened_at=None, kind=LogEntry.Kind.NOTE):
    now = timezone.now()
    return LogEntry.objects.create(
        event=event,
        author=by,
        kind=kind,
        text=text,
        created_at=now,
        happened_at=happened_at or now,
    )


def next_case_number() -> str:
    """Hand out the next diarienummer of this year. Must run inside a transaction: the
    sequence row stays locked until commit, so two new events never get the same serial."""
    year = timezone.localdate().year
    CaseNumberSequence.objects.get_or_create(year=year)
    while True:
        CaseNumberSequence.objects.filter(year=year).update(last=F("last") + 1)
        serial = CaseNumberSequence.objects.get(year=year).last
        number = settings.CASE_NUMBER_FORMAT.format(year=year, seq=serial)
        # A number typed by hand may already have taken this serial: skip it.
        if not Event.objects.filter(case_number=number).exists():
            return number


def site_url(path: str) -> str:
    return settings.SITE_URL + path


class DuplicateCaseNumber(Exception):
    pass


def create_event(event: Event, *, startgroup, meeting_at, location="", by) -> Event:
    """Save a new event and convene its startgrupp at once (handlingsplanen, "Prioritet":
    "den interna startgruppen ska skyndsamt sammankallas")."""
    event.created_by = by
    try:
        with transaction.atomic():
            if not event.case_number:
                event.case_number = next_case_number()
            event.save()
            members = {user.pk: user for user in startgroup}
            members.setdefault(by.pk, by)
            Membership.objects.bulk_create(
                [
                    Membership(event=event, user=user, group=Membership.Group.STARTGRUPP)
                    for user in members.values()
                ]
            )
            add_log_entry(
                event,
                by=by,
                kind=LogEntry.Kind.DECISION,
                text=f"Händelsen registrerades och handlingsplanen aktiverades "
                f"({event.get_kind_display().lower()}, {event.company_name}).",
            )
            convene_startgroup(
                event,
                members=list(members.values()),
                meeting_at=meeting_at,
                location=location,
                by=by,
            )
    except IntegrityError as e:
        if "case_number" in str(e):
            raise DuplicateCaseNumber from e
        raise
    return event


def convene_startgroup(event: Event, *, members, meeting_at, location="", by) -> Convening:
    convening = Convening.objects.create(
        event=event, meeting_at=meeting_at, location=location, convened_by=by
    )
    path = reverse("event_detail", args=[event.pk])
    url = site_url(path)
    ics = convening_ics(convening, members, url)
    when = formats.date_format(timezone.localtime(meeting_at), "l j F Y \\k\\l. H:i")
    subject = f"{meeting_title(convening)}, {when}"
    body = (
        f"{by} har registrerat ärendet {event.case_number} och sammankallar startgruppen "
        f"{when}{f' ({location})' if location else ''}.\n\n"
        f"Startgruppen besvarar handlingsplanens sex frågor och beslutar om en arbetsgrupp.\n\n"
        f"Öppna ärendet: {url}\n"
    )
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                key=f"convening:{convening.pk}:{user.pk}",
                kind=Notification.Kind.CONVENING,
                event=event,
                recipient=user,
                subject=subject,
                body=body,
                url=path,
                ics=ics,
            )
            for user in members
        ]
    )
    add_log_entry(
        event,
        by=by,
        kind=LogEntry.Kind.CONVENING,
        text=f"Startgruppen sammankallades till {when}: "
        + ", ".join(str(user) for user in members)
        + ".",
    )
    enqueue_notifications([n.pk for n in notifications])
    return convening


def enqueue_notifications(pks):
    from events.tasks import send_notification

    # After commit: a worker that picks the task up must find the row.
    transaction.on_commit(lambda: [send_notification.delay(str(pk)) for pk in pks])


def send_notification(pk) -> bool:
    """Mail one outbox row if nobody else has or is doing so. True if this call sent it."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_S)
    won = Notification.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale), pk=pk, sent_at__isnull=True
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    if not won:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=pk)
    if not notification.recipient.email:
        # Nothing to mail: the in-app notification is all this person gets.
        Notification.objects.filter(pk=pk).update(sent_at=now)
        return False
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        to=[notification.recipient.email],
    )
    if notification.ics:
        message.attach("kallelse.ics", notification.ics, "text/calendar; method=REQUEST")
    try:
        mailers.default.send_messages([message])
    except Exception:
        # Let the next attempt (a Celery retry, or the sweeper) claim it again.
        Notification.objects.filter(pk=pk, claimed_at=now).update(claimed_at=None)
        raise
    Notification.objects.filter(pk=pk).update(sent_at=timezone.now())
    return True


def sweep_outbox() -> int:
    """Re-enqueue rows no sender finished: the broker lost the task, or a worker died."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_S)
    pending = Notification.objects.filter(
        Q(claimed_at__isnull=True, created_at__lt=now - timedelta(seconds=60))
        | Q(claimed_at__lt=stale),
        sent_at__isnull=True,
    ).values_list("pk", flat=True)[:1000]
    pks = list(pending)
    enqueue_notifications(pks)
    return len(pks)


class StalePicture(Exception):
    """Somebody saved newer answers since the user opened the form."""

    def __init__(self, latest):
        self.latest = latest


def revise_picture(event: Event, answers: dict, *, based_on, attendees=(), by) -> SituationPicture:
    """Save the six answers as the next revision: the event's new nulägesbild. The answers
    come from the startgrupp's meeting: the latest convening is marked held, with who
    attended."""
    try:
        with transaction.atomic():
            convening = event.convenings.first()
            if convening and attendees:
                if convening.held_at is None:
                    convening.held_at = timezone.now()
                    convening.save(update_fields=["held_at"])
                convening.attendees.set(attendees)
            latest = event.pictures.first()
            current = latest.revision if latest else 0
            if (based_on or 0) != current:
                raise StalePicture(latest)
            picture = SituationPicture.objects.create(
                event=event, revision=current + 1, author=by, **answers
            )
            add_log_entry(
                event,
                by=by,
                kind=LogEntry.Kind.EDIT,
                text=f"Nulägesbilden reviderades (version {picture.revision}).",
            )
    except IntegrityError:
        # Another member's revision won the race for the same number.
        raise StalePicture(event.pictures.first()) from None
    return picture


DECISION_FIELDS = [
    "inform_politicians",
    "politicians_interval_days",
    "workgroup_lead",
    "reporter",
    "report_interval_days",
]


def record_decisions(event: Event, data: dict, *, by):
    """The startgrupp's decisions: inform politicians, form the arbetsgrupp."""
    with transaction.atomic():
        lines = []
        if data["inform_politicians"] != event.inform_politicians or (
            data["politicians_interval_days"] != event.politicians_interval_days
        ):
            if data["inform_politicians"]:
                lines.append(
                    f"Politiken informeras löpande, var {data['politicians_interval_days']}:e dag."
                )
            elif data["inform_politicians"] is False:
                lines.append("Politiken informeras inte löpande.")
        wanted = set(data["workgroup"])
        current = {
            m.user: m
            for m in event.memberships.filter(group=Membership.Group.ARBETSGRUPP).select_related(
                "user"
            )
        }
        added = [u for u in wanted if u not in current]
        removed = [m for u, m in current.items() if u not in wanted]
        # A startgrupp member who also joins the arbetsgrupp keeps their startgrupp seat.
        already = set(event.memberships.values_list("user", flat=True))
        Membership.objects.bulk_create(
            [
                Membership(event=event, user=u, group=Membership.Group.ARBETSGRUPP)
                for u in added
                if u.pk not in already
            ]
        )
        Membership.objects.filter(pk__in=[m.pk for m in removed]).delete()
        if added:
            lines.append("Med i arbetsgruppen: " + ", ".join(sorted(map(str, added))) + ".")
        if removed:
            lines.append(
                "Inte längre i arbetsgruppen: "
                + ", ".join(sorted(str(m.user) for m in removed))
                + "."
            )
        if data["workgroup_lead"] != event.workgroup_lead and data["workgroup_lead"]:
            lines.append(f"Arbetsgruppens ledare: {data['workgroup_lead']}.")
        if (data["reporter"], data["report_interval_days"]) != (
            event.reporter,
            event.report_interval_days,
        ) and data["reporter"]:
            lines.append(
                f"{data['reporter']} informerar startgruppen var "
                f"{data['report_interval_days']}:e dag."
            )
        for field in DECISION_FIELDS:
            setattr(event, field, data[field])
        event.save(update_fields=DECISION_FIELDS)
        if lines:
            add_log_entry(event, by=by, kind=LogEntry.Kind.DECISION, text=" ".join(lines))


def change_phase(event: Event, phase: str, *, by):
    with transaction.atomic():
        old = event.get_phase_display()
        event.phase = phase
        event.phase_changed_at = timezone.now()
        event.save(update_fields=["phase", "phase_changed_at"])
        add_log_entry(
            event,
            by=by,
            kind=LogEntry.Kind.PHASE,
            text=f"Fas ändrad från {old} till {event.get_phase_display()}.",
        )


class StaleEvent(Exception):
    """The event was saved by somebody else since the user's page was loaded."""

    def __init__(self, current: Event):
        self.current = current


def update_event(event: Event, data: dict, *, version: int, by) -> list[str]:
    """Save edited fields only if nobody saved in between (conditional UPDATE on the
    version). Returns the labels of the fields that changed."""
    with transaction.atomic():
        # Compared with the row, not `event`: a bound ModelForm has already copied the
        # user's input onto its instance.
        before = Event.objects.get(pk=event.pk)
        changed = [name for name, value in data.items() if getattr(before, name) != value]
        updated = Event.objects.filter(pk=event.pk, version=version).update(
            **data, version=F("version") + 1
        )
        if not updated:
            raise StaleEvent(Event.objects.get(pk=event.pk))
        if changed:
            labels = ", ".join(str(Event._meta.get_field(name).verbose_name) for name in changed)
            add_log_entry(
                event, by=by, kind=LogEntry.Kind.EDIT, text=f"Uppgifter ändrade: {labels}."
            )
    return changed
