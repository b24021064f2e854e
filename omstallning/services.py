"""The omställningsprogram's workflows: each takes the acting user as `by`, writes the
programme's log in the same transaction and posts its notices there (notices.post, never
to the actor). Refusals are events.services.Refused with a Swedish message."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.moments import day_text, from_clock
from events.conflicts import update_if_current
from events.models import Event, Membership
from events.services import Refused
from events.signals import case_summary
from notices import Message, post
from omstallning import numbers
from omstallning.access import hidden_names_of_readers, linked_events, mask
from omstallning.models import (
    BudgetLine,
    Ending,
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


def _stop(text: str) -> str:
    """`text` (ending in what a user typed: a name, a reason, a paragraph) ended as a
    sentence: a full stop added unless it already ends in one ("rev." stays "rev.", never
    "rev..") or in another closing mark."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def log(programme: Programme, text: str, *, by) -> ProgrammeLogEntry:
    return ProgrammeLogEntry.objects.create(programme=programme, author=by, text=text)


def _post(messages, *, by=None) -> int:
    """The one door through which this app's notices go out (notices.post): each a pair
    (programme id, notices.Message), every text it carries (label, sentence, topic,
    details) masked for its reader, as every page masks it (omstallning.access.mask): a
    confidential linked event's title and company reach a member outside the event as its
    case number only, in the notice list and the mail alike. Two queries, whatever the
    number of readers."""
    messages = list(messages)
    if not messages:
        return 0
    hidden = hidden_names_of_readers(
        {programme_id for programme_id, _ in messages}, [message.to for _, message in messages]
    )
    out = []
    for programme_id, message in messages:
        names = hidden[message.to.pk].get(programme_id, [])
        out.append(
            replace(
                message,
                **{
                    field: mask(getattr(message, field), names)
                    for field in ("label", "sentence", "topic", "details")
                },
            )
        )
    return post(out, by=by)


def _tell(programme: Programme, kind: str, users, sentence: str, *, path: str, target, by):
    """Post one notice per user about `programme`, its title the topic (_post masks it)."""
    _post(
        [
            (
                programme.pk,
                Message(
                    kind=kind,
                    to=user,
                    label="Omställningsprogram",
                    sentence=sentence,
                    path=path,
                    target=target,
                    occasion=timezone.now(),
                    topic=programme.title,
                ),
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
    latest nulägesbild. A confidential event, or one the user may not read, is named by its
    case number only and nothing it holds is copied: the plan is read by every member of
    the programme, and prefill copies only what `user` may read in full."""
    paragraphs = []
    events = {e.pk: e for e in Event.objects.filter(programme_links__programme=programme)}
    for linked in linked_events(programme, user):
        event = events[linked.event_id]
        if event.confidential:
            # Even a member's copy would be shown to programme members outside the case.
            paragraphs.append(f"{linked.case_number}: sekretessbelagt ärende.")
            continue
        if not linked.is_member:
            # Only what `user` may read in full is copied in their name.
            paragraphs.append(f"{linked.case_number}.")
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


def communication_from(programme: Programme, user) -> str:
    """Section 6 prefilled from the linked events' communication plans (asked through
    events.signals.case_summary: events' apps answer, we import none of them). Confidential
    events, and those `user` may not read in full, are left out, as in `background_from`."""
    parts = []
    events = Event.objects.filter(programme_links__programme=programme, confidential=False)
    if not user.is_superuser:
        events = events.filter(memberships__user=user)
    for event in events.distinct().order_by("case_number"):
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
        communication=communication_from(programme, by),
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


def _writers(programme: Programme) -> list[int]:
    """The ids of the programme's members who write, their rows locked until the
    transaction ends: two members taking each other out at once cannot leave none."""
    return list(
        ProgrammeMembership.objects.select_for_update()
        .filter(programme=programme, group=ProgrammeMembership.Group.MEDLEM)
        .values_list("user_id", flat=True)
    )


def _keeps_a_writer(programme: Programme, user) -> None:
    if _writers(programme) == [user.pk]:
        raise Refused(
            f"{user.get_full_name()} är den enda medlemmen som kan ändra i programmet. "
            "Lägg till en annan medlem först."
        )


def _measures_nothing(programme: Programme, user) -> None:
    """Refused while `user` measures a target that is followed: taken out or made
    läsbehörig, they could not enter its values and its reminders would stop."""
    measured = list(
        _followed(Target.objects.filter(focus_area__programme=programme, measured_by=user))
        .order_by("created_at")
        .values_list("indicator", flat=True)
    )
    if measured:
        raise Refused(
            f"{user.get_full_name()} mäter {_count(len(measured), 'mål', 'mål')} "
            f"({', '.join(measured)}). Välj någon annan som mäter "
            f"{'det' if len(measured) == 1 else 'dem'} först."
        )


@transaction.atomic
def add_member(programme: Programme, user, group: str, *, by) -> ProgrammeMembership:
    """Add `user` to the programme, or change their group; Refused when that would leave
    the programme without a member who writes, or make läsbehörig one who measures a
    target that is followed (as `remove_member`)."""
    if group != ProgrammeMembership.Group.MEDLEM:
        _keeps_a_writer(programme, user)
        _measures_nothing(programme, user)
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
def remove_member(programme: Programme, user, *, by) -> None:
    """Take `user` out of the programme (they keep nothing of it: its pages are 404 to them
    from now). Refused for the last member who writes, and for one who still measures a
    target that is followed (its reminders would go nowhere): choose another first."""
    _keeps_a_writer(programme, user)
    _measures_nothing(programme, user)
    if not ProgrammeMembership.objects.filter(programme=programme, user=user).delete()[0]:
        raise Refused(f"{user.get_full_name()} är inte med i programmet.")
    log(programme, f"{user.get_full_name()} togs bort ur programmet.", by=by)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


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
    """Save the six sections of a draft; Refused once approved. The log names the
    sections that changed, or says nothing changed."""
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    _draft(version)
    changed = [name for name in PlanVersion.SECTIONS if getattr(version, name) != sections[name]]
    for name in changed:
        setattr(version, name, sections[name])
    version.save(update_fields=changed)
    headings = [str(PlanVersion._meta.get_field(name).verbose_name) for name in changed]
    log(
        version.programme,
        f"Utkastet till plan version {version.number} ändrades: {', '.join(headings)}."
        if changed
        else f"Utkastet till plan version {version.number} sparades utan ändringar.",
        by=by,
    )


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
        f"{_stop(paragraph)}",
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
        f"Budget {year} från {source} lades till i version {version.number}: "
        f"{numbers.money(amount_kr)}.",
        by=by,
    )


@transaction.atomic
def edit_budget_line(
    line: BudgetLine, *, year: int, source: str, amount_kr, revision: int, by
) -> None:
    """Correct a budget line of a draft from the page that showed `revision` (the version
    token of events.conflicts): Conflict if somebody saved it first, Refused once the
    version is approved or when the year and source are another line's."""
    version = PlanVersion.objects.select_for_update().get(pk=line.version_id)
    _draft(version)
    try:
        with transaction.atomic():
            update_if_current(
                BudgetLine.objects.filter(version=version),
                line.pk,
                "revision",
                revision,
                year=year,
                source=source,
                amount_kr=amount_kr,
            )
    except IntegrityError:
        raise Refused(f"{source} har redan ett belopp för {year}.") from None
    was = f"Budget {line.year} från {line.source} i version {version.number}"
    log(
        version.programme,
        f"{was} ändrades: {numbers.money(line.amount_kr)} blev {year} från {source}: "
        f"{numbers.money(amount_kr)}."
        if (line.year, line.source, line.amount_kr) != (year, source, amount_kr)
        else f"{was} sparades utan ändringar.",
        by=by,
    )


@transaction.atomic
def remove_budget_line(line: BudgetLine, *, by) -> None:
    """Take a line out of a draft (seed 004, resursinsats och finansiering): a draft is a
    working paper, not yet a record, and the log keeps what the line said. Refused once
    the version is approved, or when somebody took it out first."""
    version = PlanVersion.objects.select_for_update().get(pk=line.version_id)
    _draft(version)
    if not BudgetLine.objects.filter(pk=line.pk, version=version).delete()[0]:
        raise Refused("Någon annan har tagit bort beloppet.")
    log(
        version.programme,
        f"Budget {line.year} från {line.source} togs bort ur version {version.number}: "
        f"{numbers.money(line.amount_kr)}.",
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
        raise Refused(_stop(f"Programmet har redan insatsområdet {name}")) from None
    log(programme, f"Insatsområdet {name} lades till.", by=by)
    return area


@transaction.atomic
def edit_focus_area(area: FocusArea, *, name: str, description: str, version: int, by) -> None:
    """Rename or describe an insatsområde from the page that showed `version`: Conflict if
    somebody saved it first, Refused if the programme has another by that name or the
    insatsområde has ended."""
    _unchangeable(FocusArea.objects.get(pk=area.pk))
    try:
        with transaction.atomic():
            update_if_current(
                FocusArea.objects.filter(programme=area.programme),
                area.pk,
                "version",
                version,
                name=name,
                description=description,
            )
    except IntegrityError:
        raise Refused(_stop(f"Programmet har redan insatsområdet {name}")) from None
    renamed = f" (hette {area.name})" if name != area.name else ""
    log(area.programme, _stop(f"Insatsområdet {name} ändrades{renamed}"), by=by)


def _unchangeable(thing) -> None:
    """Refused when `thing` (a FocusArea, or a Target with its focus_area) may no longer
    change: the models' `unchangeable` rule, read from the row as it is now."""
    if reason := thing.unchangeable():
        raise Refused(reason)


def _current_target(target: Target) -> Target:
    """`target` read again with its insatsområde, refused if it may no longer change."""
    current = Target.objects.select_related("focus_area").get(pk=target.pk)
    _unchangeable(current)
    return current


def _ending(thing, what: str, ended: str, reason: str, by) -> dict:
    if thing.ended:
        raise Refused(f"{what} är redan {thing.get_ended_display().lower()}.")
    return {
        "ended": ended,
        "ended_reason": reason,
        "ended_by": by,
        "ended_at": timezone.now(),
    }


@transaction.atomic
def end_focus_area(area: FocusArea, *, ended: str, reason: str, by) -> None:
    """Avsluta or stryk an insatsområde (kept, never deleted): it and its targets leave the
    status, the chart and the reminders, and stay on the page with the reason."""
    area = FocusArea.objects.select_for_update().get(pk=area.pk)
    changes = _ending(area, "Insatsområdet", ended, reason, by)
    FocusArea.objects.filter(pk=area.pk).update(version=F("version") + 1, **changes)
    log(
        area.programme,
        f"Insatsområdet {area.name} är {Ending(ended).label.lower()}: {_stop(reason)}",
        by=by,
    )


def _followed(targets):
    """`targets` that count: neither they nor their insatsområde avslutade or strukna."""
    return targets.filter(ended="", focus_area__ended="")


def _target_path(target: Target) -> str:
    return reverse("target_detail", args=[target.focus_area.programme_id, target.pk])


@dataclass(frozen=True)
class Baseline:
    """A baseline a linked event offers a new target: `key` names it in the target form's
    link (?utgang=key), `label` says what it is on the page, `value` (persons), `on` and
    `source` fill the form's three baseline fields."""

    key: str
    label: str
    unit: str
    value: int | Decimal
    on: date
    source: str

    @property
    def is_local_employees(self) -> bool:
        return self.key.endswith(":employees_local")

    def share_of(self, jobs: int, jobs_source: str) -> "Baseline":
        """The company's share of the municipality's jobs (issue 15, item 3), from this
        baseline of its employees in the municipality and the number of jobs there as
        entered with its source (SCB's förvärvsarbetande dagbefolkning, say): a percentage
        to one decimal, rounded half up, its source naming both numbers."""
        share = (Decimal(self.value) * 100 / jobs).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return Baseline(
            key=f"{self.key}:andel",
            label=f"{self.label}, andel av kommunens arbetstillfällen",
            unit="procent",
            value=share,
            on=self.on,
            source=(
                f"{self.source}: {numbers.text(self.value)} av {numbers.text(jobs)} "
                f"arbetstillfällen i kommunen ({jobs_source})"
            ),
        )


def baselines_from(programme: Programme, user) -> list[Baseline]:
    """The baselines the programme's linked events offer (issue 15, item 3): each event's
    affected employees, and the company's employees in the municipality (its share of the
    local jobs, as far as the event records it), where the event has them. Dated by the
    day the change was announced (else the day the event was logged). A confidential
    event `user` is outside is named by its case number only: the source written into
    the target, which every member reads, never holds a title or company."""
    events = {
        e.pk: e
        for e in Event.objects.filter(programme_links__programme=programme).only(
            "id", "kind", "affected_employees", "employees_local", "announced_on", "created_at"
        )
    }
    out = []
    for linked in linked_events(programme, user):
        event = events[linked.event_id]
        on = event.announced_on or timezone.localdate(event.created_at)
        kind = event.get_kind_display().lower()
        for field, what in (
            ("affected_employees", "berörda anställda"),
            ("employees_local", "företagets anställda i kommunen"),
        ):
            value = getattr(event, field)
            if value is None:
                continue
            out.append(
                Baseline(
                    key=f"{event.pk}:{field}",
                    label=f"{linked.name}: {what}",
                    unit="personer",
                    value=value,
                    on=on,
                    source=f"Händelse {linked.case_number}: {kind}, {what}",
                )
            )
    return out


@transaction.atomic
def create_target(area: FocusArea, data: dict, *, by) -> Target:
    """A target of `area` from the form's cleaned data; its measurer is told. Refused
    unless the measurer is an active member of the programme who may write."""
    if not area.programme.measurers().filter(pk=data["measured_by"].pk).exists():
        raise Refused(
            f"{data['measured_by']} är inte medlem av programmet och kan inte mäta målet."
        )
    target = Target.objects.create(focus_area=area, **data)
    log(area.programme, _stop(f"Målet {target.indicator} lades till under {area.name}"), by=by)
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


# What a change of a target says in the log, field by field.
def _shown(target: Target, name: str, value) -> str:
    if name in ("baseline_value", "target_value", "threshold"):
        return f"{numbers.text(value)}"
    if isinstance(value, date):
        return day_text(value)
    if name == "direction":
        return Target.Direction(value).label.lower()
    if name == "frequency_days":
        return Target.Frequency(value).label.lower()
    if name == "measured_by":
        return value.get_full_name()
    return str(value)


@transaction.atomic
def edit_target(target: Target, data: dict, *, version: int, by) -> Target:
    """Change every field of a target from the form's cleaned data (the same form and
    checks as `create_target`), from the page that showed `version`: Conflict if somebody
    saved it first; Refused for a measurer who may not measure or a baseline after a
    measurement already taken. A new measurer is told; the log names each change, from
    and to."""
    programme = target.focus_area.programme
    if not programme.measurers().filter(pk=data["measured_by"].pk).exists():
        raise Refused(
            f"{data['measured_by']} är inte medlem av programmet och kan inte mäta målet."
        )
    earliest = (
        target.measurements.filter(voided_at__isnull=True)
        .order_by("measured_on")
        .values_list("measured_on", flat=True)
        .first()
    )
    if earliest and data["baseline_on"] > earliest:
        raise Refused(
            f"Målet har ett mätvärde från {day_text(earliest)}: utgångsvärdets datum kan inte "
            "vara senare."
        )
    _current_target(target)
    update_if_current(
        Target.objects.filter(focus_area=target.focus_area_id),
        target.pk,
        "version",
        version,
        **data,
    )
    changes = [
        f"{Target._meta.get_field(name).verbose_name} "
        f"{_shown(target, name, getattr(target, name))} → {_shown(target, name, value)}"
        for name, value in data.items()
        if getattr(target, name) != value
    ]
    log(
        programme,
        f"Målet {data['indicator']} ändrades"
        + (f": {_stop('; '.join(changes))}" if changes else " (inget nytt)."),
        by=by,
    )
    if data["measured_by"].pk != target.measured_by_id:
        _tell(
            programme,
            "target_measurer",
            [data["measured_by"]],
            "Du mäter ett mål i ett omställningsprogram.",
            path=_target_path(target),
            target=target,
            by=by,
        )
    target.refresh_from_db()
    return target


@transaction.atomic
def end_target(target: Target, *, ended: str, reason: str, by) -> None:
    """Avsluta or stryk a target (kept, never deleted): out of the status, the summary,
    the chart of the programme and the reminders, on the page with its reason."""
    target = (
        Target.objects.select_for_update()
        .select_related("focus_area__programme")
        .get(pk=target.pk)
    )
    if target.focus_area.ended:
        _unchangeable(target)
    changes = _ending(target, "Målet", ended, reason, by)
    Target.objects.filter(pk=target.pk).update(version=F("version") + 1, **changes)
    log(
        target.focus_area.programme,
        f"Målet {target.indicator} är {Ending(ended).label.lower()}: {_stop(reason)}",
        by=by,
    )


def _measurable(target: Target, measured_on: date) -> None:
    if measured_on > timezone.localdate():
        raise Refused("Ett mätvärde kan inte vara från en dag som inte har kommit.")
    if measured_on < target.baseline_on:
        raise Refused(
            f"Ett mätvärde kan inte vara från före utgångsvärdet ({day_text(target.baseline_on)})."
        )


@transaction.atomic
def correct_measurement(
    measurement: Measurement, *, value, measured_on: date, source: str, version: int, by
) -> None:
    """Correct a typo in a measurement from the page that showed `version`: Conflict if
    somebody saved first (or struck it: `current` is then the struck one). Who entered it
    stays; who corrected it and when is kept on it, and the log keeps the value, date and
    source it replaced. Saved as it was, it is not marked corrected and the log says so.
    Refused for a struck one or a day the target cannot be measured."""
    target = measurement.target
    _current_target(target)
    if measurement.voided_at:
        raise Refused("Mätvärdet är struket och kan inte rättas.")
    _measurable(target, measured_on)
    saved = (measurement.value, measurement.measured_on, measurement.source)
    changed = saved != (value, measured_on, source)
    update_if_current(
        Measurement.objects.filter(target=target, voided_at__isnull=True),
        measurement.pk,
        "version",
        version,
        value=value,
        measured_on=measured_on,
        source=source,
        **({"corrected_by": by, "corrected_at": timezone.now()} if changed else {}),
    )
    log(
        target.focus_area.programme,
        f"Mätvärdet för {target.indicator} rättades: {_measured(measurement, target)} blev "
        f"{numbers.text(value)} {target.unit} ({day_text(measured_on)}, källa {source})."
        if changed
        else f"Mätvärdet {_measured(measurement, target)} för {target.indicator} "
        "sparades utan ändringar.",
        by=by,
    )


def _measured(measurement: Measurement, target: Target) -> str:
    return (
        f"{numbers.text(measurement.value)} {target.unit} "
        f"({day_text(measurement.measured_on)}, källa {measurement.source})"
    )


@transaction.atomic
def void_measurement(measurement: Measurement, *, reason: str, by) -> None:
    """Strike a measurement entered in error: kept, shown struck through with `reason`,
    counted in neither the status nor the chart (a measurement is a record of the
    programme: never deleted). Refused when already struck, or once the target has ended."""
    target = measurement.target
    _current_target(target)
    if not Measurement.objects.filter(pk=measurement.pk, voided_at__isnull=True).update(
        voided_at=timezone.now(),
        voided_by=by,
        voided_reason=reason,
        version=F("version") + 1,
    ):
        raise Refused("Mätvärdet är redan struket.")
    log(
        target.focus_area.programme,
        f"Mätvärdet {_measured(measurement, target)} för {target.indicator} ströks: "
        f"{_stop(reason)}",
        by=by,
    )


@transaction.atomic
def add_measurement(target: Target, *, value, measured_on: date, source: str, by) -> Measurement:
    _current_target(target)
    _measurable(target, measured_on)
    measurement = Measurement.objects.create(
        target=target, value=value, measured_on=measured_on, source=source, entered_by=by
    )
    log(
        target.focus_area.programme,
        f"Mätvärde {numbers.text(value)} {target.unit} ({day_text(measured_on)}) "
        f"för {_stop(target.indicator)}",
        by=by,
    )
    return measurement


@transaction.atomic
def set_colour(target: Target, *, colour: str, reason: str, by) -> None:
    """Set the target's colour by hand with a reason (issue 15: "shown, logged"), or with
    `colour` "" go back to the rule. Refused once the target (or its insatsområde) has
    ended."""
    _current_target(target)
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
            f"{_stop(reason)}",
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
    their Avslutning phase, targets avslutade or strukna (or their insatsområde) and struck
    measurements are left alone, and so is a measurer who may no longer measure
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
        _followed(Target.objects.exclude(focus_area__programme__phase="avslutning"))
        .filter(may_measure, measured_by__is_active=True)
        .select_related("focus_area__programme", "measured_by")
        .annotate(
            latest_on=Max(
                "measurements__measured_on",
                filter=Q(measurements__voided_at__isnull=True),
            )
        )
    )
    messages = []
    for target in targets:
        due = next_due(target, target.latest_on)
        if due > today:
            continue
        messages.append(
            (
                target.focus_area.programme_id,
                Message(
                    kind="measurement_due",
                    to=target.measured_by,
                    label="Omställningsprogram",
                    sentence=f"Det är dags att mäta ett mål (senast {day_text(due)}).",
                    path=_target_path(target),
                    target=target,
                    occasion=from_clock(datetime.combine(due, time.min)),
                    topic=target.indicator,
                ),
            )
        )
    with transaction.atomic():
        return _post(messages)
