"""The omställningsprogram's workflows: each takes the acting user as `by`, writes the
programme's log in the same transaction and posts its notices there (notices.post, never
to the actor). Refusals are events.services.Refused with a Swedish message."""

from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.moments import day_text, from_clock
from events.models import Event, Membership
from events.services import Refused
from events.signals import case_summary
from notices import Message, post
from omstallning import numbers
from omstallning.access import hidden_names, linked_events, mask
from omstallning.models import (
    BudgetLine,
    FocusArea,
    Measurement,
    PlanVersion,
    Programme,
    ProgrammeEvent,
    ProgrammeLogEntry,
    ProgrammeMembership,
    Target,
)

# Seed 004: "Innsatsområder, normalt tre til fire".
USUAL_FOCUS_AREAS = range(3, 5)


def focus_area_warning(count: int) -> str:
    """A Swedish warning when a plan has other than three or four insatsområden, else ""."""
    if count in USUAL_FOCUS_AREAS:
        return ""
    return (
        f"Programmet har {count} {'insatsområde' if count == 1 else 'insatsområden'}. "
        "Innovasjon Norge rekommenderar normalt tre till fyra."
    )


def log(programme: Programme, text: str, *, by) -> ProgrammeLogEntry:
    return ProgrammeLogEntry.objects.create(programme=programme, author=by, text=text)


def _tell(programme: Programme, kind: str, users, sentence: str, *, path: str, target, by):
    """Post one notice per user; the programme's title as that user may read it (a
    confidential linked event's names masked, omstallning.access.hidden_names)."""
    post(
        [
            Message(
                kind=kind,
                to=user,
                label="Omställningsprogram",
                sentence=sentence,
                path=path,
                target=target,
                occasion=timezone.now(),
                topic=mask(programme.title, hidden_names([programme.pk], user)[programme.pk]),
            )
            for user in users
        ],
        by=by,
    )


def _programme_path(programme: Programme) -> str:
    return reverse("programme_detail", args=[programme.pk])


def background_from(programme: Programme, user) -> str:
    """Section 1 prefilled from the linked events, as `user` may see them: what happened,
    the individuals affected and the company's share of local jobs from each event and its
    latest nulägesbild. A confidential event the user is not a member of is named by its
    case number only, and nothing it holds is copied: the plan is read by every member of
    the programme."""
    paragraphs = []
    events = {e.pk: e for e in Event.objects.filter(programme_links__programme=programme)}
    for linked in linked_events(programme, user):
        event = events[linked.event_id]
        if event.confidential:
            # Even a member's copy would be shown to programme members outside the case.
            paragraphs.append(f"{linked.case_number}: sekretessbelagt ärende.")
            continue
        lines = [f"{event.case_number} {event.title} ({event.company_name})."]
        picture = event.pictures.first()
        if picture and picture.what_happened:
            lines.append(picture.what_happened)
        elif event.description:
            lines.append(event.description)
        if event.affected_employees is not None:
            lines.append(f"Berörda anställda: {event.affected_employees}.")
        if event.employees_local is not None:
            lines.append(f"Anställda i kommunen: {event.employees_local}.")
        if picture and picture.individuals:
            lines.append(f"Individer: {picture.individuals}")
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def communication_from(programme: Programme) -> str:
    """Section 6 prefilled from the linked events' communication plans (asked through
    events.signals.case_summary: events' apps answer, we import none of them). Confidential
    events are left out, as in `background_from`."""
    parts = []
    for event in Event.objects.filter(
        programme_links__programme=programme, confidential=False
    ).order_by("case_number"):
        for _, answer in case_summary.send(sender=Programme, event=event, section="communication"):
            if answer:
                parts.append(f"{event.case_number}:\n{answer}")
    return "\n\n".join(parts)


@transaction.atomic
def start_programme(
    event: Event, *, title: str, started_on: date, planned_end_on: date, by
) -> Programme:
    """Start a programme from `event` (the caller has checked that `by` may: its startgrupp).
    The event's startgrupp and `by` become members; plan version 1 is drafted with the
    background and communication prefilled from the event."""
    programme = Programme.objects.create(
        title=title, started_on=started_on, planned_end_on=planned_end_on, created_by=by
    )
    ProgrammeEvent.objects.create(programme=programme, event=event, linked_by=by)
    members = {by.pk: by}
    for membership in event.memberships.filter(group=Membership.Group.STARTGRUPP).select_related(
        "user"
    ):
        members.setdefault(membership.user_id, membership.user)
    ProgrammeMembership.objects.bulk_create(
        ProgrammeMembership(programme=programme, user=user, group=ProgrammeMembership.Group.MEDLEM)
        for user in members.values()
    )
    PlanVersion.objects.create(
        programme=programme,
        number=1,
        background=background_from(programme, by),
        communication=communication_from(programme),
        created_by=by,
    )
    log(programme, f"Programmet startades från ärende {event.case_number}.", by=by)
    _tell(
        programme,
        "programme_member_added",
        members.values(),
        "Du är medlem i ett nytt omställningsprogram.",
        path=_programme_path(programme),
        target=programme,
        by=by,
    )
    return programme


@transaction.atomic
def link_event(programme: Programme, event: Event, *, by) -> None:
    """Link another event (issue 15: a programme may answer several closures). Only a
    member of the event may (or a superuser); Refused otherwise or if already linked."""
    if not by.is_superuser and not event.memberships.filter(user=by).exists():
        raise Refused("Bara den som är med i ärendet kan koppla det till programmet.")
    try:
        with transaction.atomic():
            ProgrammeEvent.objects.create(programme=programme, event=event, linked_by=by)
    except IntegrityError:
        raise Refused("Ärendet är redan kopplat till programmet.") from None
    # The log is read by every member: a confidential event by its number only.
    log(programme, f"Ärende {event.case_number} kopplades till programmet.", by=by)


@transaction.atomic
def add_member(programme: Programme, user, group: str, *, by) -> ProgrammeMembership:
    """Add `user` to the programme, or change their group."""
    membership, created = ProgrammeMembership.objects.update_or_create(
        programme=programme, user=user, defaults={"group": group}
    )
    log(programme, f"{user.get_full_name()} är {membership.get_group_display().lower()}.", by=by)
    if created:
        _tell(
            programme,
            "programme_member_added",
            [user],
            "Du är tillagd i ett omställningsprogram.",
            path=_programme_path(programme),
            target=programme,
            by=by,
        )
    return membership


@transaction.atomic
def change_phase(programme: Programme, phase: str, *, by) -> None:
    programme.phase = phase
    programme.save(update_fields=["phase"])
    log(programme, f"Fasen är nu {programme.get_phase_display()}.", by=by)


def _draft(version: PlanVersion) -> None:
    if not version.is_draft:
        raise Refused(
            "Den här versionen är godkänd och sparas som den är. Gör en ny version för att "
            "ändra planen."
        )


@transaction.atomic
def save_plan(version: PlanVersion, sections: dict, *, by) -> None:
    """Save the six sections of a draft; Refused once approved."""
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    _draft(version)
    for name in PlanVersion.SECTIONS:
        setattr(version, name, sections[name])
    version.save(update_fields=list(PlanVersion.SECTIONS))
    log(version.programme, f"Utkastet till plan version {version.number} ändrades.", by=by)


@transaction.atomic
def new_plan_version(programme: Programme, *, by) -> PlanVersion:
    """A new draft, a copy of the latest version and its budget; every earlier version is
    kept as it was. Refused while the latest is still a draft."""
    latest = (
        PlanVersion.objects.select_for_update().filter(programme=programme).order_by("-number")
    ).first()
    if latest and latest.is_draft:
        raise Refused(f"Version {latest.number} är fortfarande ett utkast: ändra i den.")
    number = (latest.number if latest else 0) + 1
    version = PlanVersion.objects.create(
        programme=programme,
        number=number,
        created_by=by,
        **{name: getattr(latest, name) for name in PlanVersion.SECTIONS} if latest else {},
    )
    if latest:
        BudgetLine.objects.bulk_create(
            BudgetLine(version=version, year=b.year, source=b.source, amount_kr=b.amount_kr)
            for b in latest.budget.all()
        )
    log(programme, f"Plan version {number} påbörjades.", by=by)
    return version


@transaction.atomic
def approve_plan(version: PlanVersion, *, by) -> None:
    """Utkast → godkänd av styrgruppen, recorded with who and when (seed 004)."""
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    _draft(version)
    version.status = PlanVersion.Status.GODKAND
    version.approved_by = by
    version.approved_at = timezone.now()
    version.save(update_fields=["status", "approved_by", "approved_at"])
    log(version.programme, f"Plan version {version.number} godkändes av styrgruppen.", by=by)


@transaction.atomic
def adopt_plan(version: PlanVersion, *, adopted_on: date, paragraph: str, by) -> None:
    """Godkänd → antagen av kommunfullmäktige, with the date and § of the decision
    (seed 004: "behandles og vedtas i kommunestyret")."""
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != PlanVersion.Status.GODKAND:
        raise Refused("Bara en version som styrgruppen har godkänt kan antas.")
    approved_on = timezone.localdate(version.approved_at)
    if adopted_on < approved_on:
        raise Refused(
            "Kommunfullmäktige kan inte ha antagit planen före styrgruppens godkännande "
            f"({day_text(approved_on)})."
        )
    version.status = PlanVersion.Status.ANTAGEN
    version.adopted_on = adopted_on
    version.adopted_paragraph = paragraph
    version.save(update_fields=["status", "adopted_on", "adopted_paragraph"])
    log(
        version.programme,
        f"Plan version {version.number} antogs av kommunfullmäktige {day_text(adopted_on)}, "
        f"{paragraph}.",
        by=by,
    )


@transaction.atomic
def add_budget_line(version: PlanVersion, *, year: int, source: str, amount_kr: int, by):
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    _draft(version)
    try:
        with transaction.atomic():
            BudgetLine.objects.create(
                version=version, year=year, source=source, amount_kr=amount_kr
            )
    except IntegrityError:
        raise Refused(f"{source} har redan ett belopp för {year}.") from None
    log(
        version.programme,
        f"Budget {year} från {source} lades till i version {version.number}.",
        by=by,
    )


@transaction.atomic
def add_focus_area(programme: Programme, *, name: str, description: str, by) -> FocusArea:
    position = (programme.focus_areas.aggregate(m=Max("position"))["m"] or 0) + 1
    try:
        with transaction.atomic():
            area = FocusArea.objects.create(
                programme=programme, name=name, description=description, position=position
            )
    except IntegrityError:
        raise Refused(f"Programmet har redan insatsområdet {name}.") from None
    log(programme, f"Insatsområdet {name} lades till.", by=by)
    return area


def _target_path(target: Target) -> str:
    return reverse("target_detail", args=[target.focus_area.programme_id, target.pk])


@transaction.atomic
def create_target(area: FocusArea, data: dict, *, by) -> Target:
    """A target of `area` from the form's cleaned data; its measurer is told. Refused
    unless the measurer is an active member of the programme who may write."""
    if not area.programme.measurers().filter(pk=data["measured_by"].pk).exists():
        raise Refused(
            f"{data['measured_by']} är inte medlem av programmet och kan inte mäta målet."
        )
    target = Target.objects.create(focus_area=area, **data)
    log(area.programme, f"Målet {target.indicator} lades till under {area.name}.", by=by)
    _tell(
        area.programme,
        "target_measurer",
        [target.measured_by],
        "Du mäter ett mål i ett omställningsprogram.",
        path=_target_path(target),
        target=target,
        by=by,
    )
    return target


@transaction.atomic
def add_measurement(target: Target, *, value, measured_on: date, source: str, by) -> Measurement:
    if measured_on > timezone.localdate():
        raise Refused("Ett mätvärde kan inte vara från en dag som inte har kommit.")
    if measured_on < target.baseline_on:
        raise Refused(
            f"Ett mätvärde kan inte vara från före utgångsvärdet ({day_text(target.baseline_on)})."
        )
    measurement = Measurement.objects.create(
        target=target, value=value, measured_on=measured_on, source=source, entered_by=by
    )
    log(
        target.focus_area.programme,
        f"Mätvärde {numbers.text(value)} {target.unit} ({day_text(measured_on)}) "
        f"för {target.indicator}.",
        by=by,
    )
    return measurement


@transaction.atomic
def set_colour(target: Target, *, colour: str, reason: str, by) -> None:
    """Set the target's colour by hand with a reason (issue 15: "shown, logged"), or with
    `colour` "" go back to the rule."""
    target.override = colour
    target.override_reason = reason if colour else ""
    target.override_by = by if colour else None
    target.override_at = timezone.now() if colour else None
    target.save(update_fields=["override", "override_reason", "override_by", "override_at"])
    programme = target.focus_area.programme
    if colour:
        log(
            programme,
            f"Färgen för {target.indicator} sattes till {target.get_override_display().lower()}: "
            f"{reason}",
            by=by,
        )
    else:
        log(programme, f"Färgen för {target.indicator} följer regeln igen.", by=by)


def next_due(target: Target, latest_on: date | None) -> date:
    """The day the next measurement is due: a frequency after the latest, or after the
    baseline when never measured; date.max when that is past the calendar's end (a date
    stored as 9999-12-31 is never due)."""
    start = latest_on or target.baseline_on
    if start > date.max - timedelta(days=target.frequency_days):
        return date.max
    return start + timedelta(days=target.frequency_days)


def scan_due_measurements(now: datetime) -> int:
    """Remind each measurer of every target whose next measurement is due today or earlier
    (issue 15, item 5). One notice per target and due day (the notice's natural key), so a
    scan repeated the same day, or by a second beat, tells nobody twice. Programmes in
    their Avslutning phase are left alone, and so is a measurer who may no longer measure
    (removed from the programme, made läsbehörig or deactivated after the target was made):
    a removed one would be led to a 404 and told of a target they may not read, a läsbehörig
    could not enter the value. Returns the number of notices written."""
    today = timezone.localdate(now)
    may_measure = Exists(
        ProgrammeMembership.objects.filter(
            programme=OuterRef("focus_area__programme"),
            user=OuterRef("measured_by"),
            group=ProgrammeMembership.Group.MEDLEM,
        )
    )
    targets = (
        Target.objects.exclude(focus_area__programme__phase="avslutning")
        .filter(may_measure, measured_by__is_active=True)
        .select_related("focus_area__programme", "measured_by")
        .annotate(latest_on=Max("measurements__measured_on"))
    )
    messages = []
    for target in targets:
        due = next_due(target, target.latest_on)
        if due > today:
            continue
        messages.append(
            Message(
                kind="measurement_due",
                to=target.measured_by,
                label="Omställningsprogram",
                sentence=f"Det är dags att mäta ett mål (senast {day_text(due)}).",
                path=_target_path(target),
                target=target,
                occasion=from_clock(datetime.combine(due, time.min)),
                topic=target.indicator,
            )
        )
    with transaction.atomic():
        return post(messages)
