"""Workflows of the communication plan. Each takes the acting user as `by` and writes the
händelselogg in the same transaction; a press text's step also tells, in that transaction,
whoever must act on it next (issue 12: one hand-off notice per transition)."""

from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

import notices
from accounts.models import Function
from accounts.moments import add_days, moment_text
from commsplan.access import (
    approvers,
    fact_checkers,
    pending_quotes,
    why_not_approve,
    why_not_approve_quote,
    why_not_fact_check,
    why_not_send_back,
)
from commsplan.models import (
    ANSWERS,
    CommsPlan,
    Municipality,
    PlanVersion,
    PressText,
    Quote,
    TimetableDefault,
    TimetableRow,
)
from events.conflicts import Conflict, update_if_current
from events.models import Event, LogEntry, Membership, Phase
from events.notify import message
from events.services import Refused, add_log_entry
from events.signals import finalised
from notices.models import Notice

Status = PressText.Status


def plan_for(event: Event) -> CommsPlan:
    """The event's plan, made from the municipality's defaults the first time anybody opens
    it: until somebody edits it, the event's plan *is* the defaults, and making the rows
    gives each one an address for its texts."""
    try:
        return event.commsplan
    except CommsPlan.DoesNotExist:
        pass
    with transaction.atomic():
        defaults = Municipality.get()
        plan, created = CommsPlan.objects.get_or_create(
            event=event, defaults={field: getattr(defaults, field) for field, _ in ANSWERS}
        )
        if created:
            _copy_timetable(plan, event)
    return plan


def _copy_timetable(plan: CommsPlan, event: Event):
    # Who holds each function on this event: the plan names functions, a row names people.
    holders = {}
    for membership in (
        event.memberships.filter(user__function__isnull=False)
        .exclude(user__function__role="")
        .select_related("user__function")
        .order_by("added_at")
    ):
        holders.setdefault(membership.user.function.role, membership.user)
    defaults = list(TimetableDefault.objects.prefetch_related("channels", "target_groups"))
    rows = TimetableRow.objects.bulk_create(
        [
            TimetableRow(
                plan=plan,
                position=default.position,
                when=default.when,
                message=default.message,
                written_by=holders.get(default.written_role),
                oral_by=holders.get(default.oral_role),
            )
            for default in defaults
        ]
    )
    channel_links, group_links = [], []
    for row, default in zip(rows, defaults, strict=True):
        channel_links += [
            TimetableRow.channels.through(timetablerow=row, channel=c)
            for c in default.channels.all()
        ]
        group_links += [
            TimetableRow.target_groups.through(timetablerow=row, targetgroup=g)
            for g in default.target_groups.all()
        ]
    TimetableRow.channels.through.objects.bulk_create(channel_links)
    TimetableRow.target_groups.through.objects.bulk_create(group_links)


def answers_at(plan: CommsPlan, version: int) -> dict:
    """The plan's answers ({field: text}) as a page opened at `version` showed them: the
    ones a later save kept (PlanVersion), else the answers saved now."""
    fields = [field for field, _ in ANSWERS]
    kept = PlanVersion.objects.filter(plan=plan, version=version).values(*fields).first()
    return kept or CommsPlan.objects.values(*fields).get(pk=plan.pk)


def update_plan(plan: CommsPlan, answers: dict, *, version: int, by):
    """Save the answers this user changed on their page, opened at `version` (the token,
    events.conflicts). An answer they left alone keeps whatever a colleague saved
    meanwhile, and one both changed is a conflict, not an overwrite (Conflict with the plan
    as saved and those answers). The answers replaced are kept as the version they were."""
    labels = dict(ANSWERS)
    with transaction.atomic():
        # Locked: the answers kept and the token raised are those of one version.
        stored = CommsPlan.objects.select_for_update().values("version", *labels).get(pk=plan.pk)
        shown = stored if stored["version"] == version else answers_at(plan, version)
        mine = {field: value for field, value in answers.items() if value != shown[field]}
        both = [
            field for field, value in mine.items() if stored[field] not in (shown[field], value)
        ]
        if both:
            raise Conflict(CommsPlan.objects.get(pk=plan.pk), both)
        changed = {field: value for field, value in mine.items() if stored[field] != value}
        if not changed:
            return
        PlanVersion.objects.create(
            plan=plan, version=stored["version"], **{field: stored[field] for field in labels}
        )
        update_if_current(CommsPlan.objects, plan.pk, "version", stored["version"], **changed)
        add_log_entry(
            plan.event,
            by=by,
            kind=LogEntry.Kind.EDIT,
            text="Kommunikationsplanen ändrades: " + "; ".join(labels[f] for f in changed),
        )


def update_row(row: TimetableRow, data: dict, *, by):
    with transaction.atomic():
        fields = ["message", "written_by", "oral_by", "planned_on", "status"]
        for field in fields:
            setattr(row, field, data[field])
        # Only these: the KSO's talking points on the same row are saved by another form.
        row.save(update_fields=fields)
        row.channels.set(data["channels"])
        row.target_groups.set(data["target_groups"])
        add_log_entry(
            row.plan.event,
            by=by,
            kind=LogEntry.Kind.EDIT,
            text=f"Tidplanen, raden {row.when}, ändrades (status {row.get_status_display()}).",
        )


def update_talking_points(row: TimetableRow, text: str, *, by):
    with transaction.atomic():
        row.talking_points = text
        row.save(update_fields=["talking_points"])
        add_log_entry(
            row.plan.event,
            by=by,
            kind=LogEntry.Kind.EDIT,
            text=f"Talepunkterna för KSO, raden {row.when}, ändrades.",
        )


def plan_company_announcement(plan: CommsPlan, *, at, where: str, by):
    """Register that the company plans to go out at `at` (in `where`, if known): the
    kommunikatör is asked "Har företaget gått ut?" then (scan_company_announcements).
    Publishing still waits for the confirmation (record_company_announcement)."""
    if plan.company_announced_at is not None:
        raise Refused(
            "Företagets besked är redan bekräftat. Ändra det bekräftade beskedet i stället."
        )
    with transaction.atomic():
        plan.company_planned_at = at
        plan.company_planned_where = where
        plan.company_planned_by = by
        plan.save(
            update_fields=["company_planned_at", "company_planned_where", "company_planned_by"]
        )
        add_log_entry(
            plan.event,
            by=by,
            kind=LogEntry.Kind.DECISION,
            text=f"Företagets eget besked planeras: {moment_text(at)}"
            + (f", {where}" if where else "")
            + ". Kommunikatören påminns då.",
        )


def record_company_announcement(plan: CommsPlan, *, at, where: str, by):
    """Confirm that the company went out at `at`, in `where`: from then on the
    municipality's texts may be published. A reminder still waiting to be mailed is
    cancelled: it asks what has now been answered."""
    with transaction.atomic():
        plan.company_announced_at = at
        plan.company_announced_where = where
        plan.company_announcement_by = by
        plan.save(
            update_fields=[
                "company_announced_at",
                "company_announced_where",
                "company_announcement_by",
            ]
        )
        add_log_entry(
            plan.event,
            by=by,
            kind=LogEntry.Kind.DECISION,
            text=f"Företagets eget besked registrerades: {moment_text(at)}, {where}.",
        )
        Notice.objects.about(plan).filter(
            kind="company_announcement_due", sent_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=timezone.now())


def why_not_publish_yet(plan: CommsPlan, at) -> str:
    """What the company-first rule still misses for a publication at `at`, in Swedish, or
    "" if nothing: the company's announcement confirmed, at or before `at`."""
    rule = "Kommunens information får inte föregå företagets egen."
    otherwise = "eller skriv varför texten ändå ska publiceras."
    confirmed, planned = plan.company_announced_at, plan.company_planned_at
    if confirmed is not None:
        if at >= confirmed:
            return ""
        return (
            f"{rule} Företaget gick ut {moment_text(confirmed)}, efter publiceringen "
            f"{moment_text(at)}: ange när texten faktiskt gick ut, {otherwise}"
        )
    if planned is not None:
        return (
            f"{rule} Företagets besked är planerat till {moment_text(planned)} men inte "
            f"bekräftat: bekräfta när och var företaget gick ut, {otherwise}"
        )
    return (
        f"{rule} Företagets besked är inte registrerat: registrera när och var företaget "
        f"gick ut, {otherwise}"
    )


def create_text(row: TimetableRow, data: dict, *, by, corrects: PressText | None = None):
    """A new draft: `data` holds title, lead, body (Markdown), contact and `quoted` (the
    people quoted in it, each told to approve their quote: kind text_quote)."""
    data = dict(data)
    quoted = data.pop("quoted")
    with transaction.atomic():
        text = PressText.objects.create(
            row=row,
            author=by,
            corrects=corrects,
            version=corrects.version + 1 if corrects else 1,
            **data,
        )
        what = f"rättelse (version {text.version}) av" if corrects else "skrevs för"
        add_log_entry(
            row.plan.event,
            by=by,
            kind=LogEntry.Kind.EDIT,
            text=f"Pressmeddelandet ”{text.title}” {what} raden {row.when}.",
        )
        _quote(text, quoted, at=text.created_at, by=by)
    return text


def _quote(text: PressText, people, *, at, by):
    """Add `people` to those quoted in `text` and tell them (kind text_quote). Whoever
    saves the words approves their own quote by saving them."""
    Quote.objects.bulk_create(
        [
            Quote(text=text, person=person, added_at=at, approved_at=at if person == by else None)
            for person in people
        ]
    )
    number = text.row.plan.event.case_number
    sentence = (
        f"{by} citerar dig i ett pressmeddelande i ärendet {number}: läs citatet och godkänn "
        "det, eller be författaren ändra det. Texten kan inte godkännas förrän du har gjort "
        "det."
    )
    _tell_quoted(text, [(person, sentence) for person in people], occasion=at, by=by)


def _tell_quoted(text: PressText, readers, *, occasion, by):
    path = reverse("press_text_quote", args=[text.row.plan.event.pk, text.pk])
    _tell(text, "text_quote", readers, occasion=occasion, by=by, path=path)


def edit_text(text: PressText, data: dict, *, based_on: int, by) -> bool:
    """Change a text that is not yet published, as its page showed it (`based_on`, its
    revision: the version token of events.conflicts); `data` as for create_text. Returns
    False, and changes nothing, when the words (title, lead, body, contact, quoted people)
    are those already saved: nothing was checked or approved that is not still there.
    Otherwise a text checked or approved goes back to utkast, and every
    quote must be approved again: the check and the approvals were of the words that were
    there. Each person whose approval is cleared, and each person newly quoted, is told
    (text_quote). Conflict (events.conflicts) if it was saved again since `based_on`."""
    if not text.is_editable:
        raise Refused("En publicerad text ändras inte. Skriv en rättelse i stället.")
    data = dict(data)
    quoted = list(data.pop("quoted"))
    with transaction.atomic():
        # Compared with what is stored: the view's ModelForm has already copied the input
        # onto `text`.
        stored = PressText.objects.values("title", "lead", "body", "contact_id").get(pk=text.pk)
        quotes = Quote.objects.filter(text=text)
        if (
            all(stored[field] == data[field] for field in ("title", "lead", "body"))
            and stored["contact_id"] == data["contact"].pk
            and set(quotes.values_list("person_id", flat=True)) == {p.pk for p in quoted}
        ):
            return False
        was, now = text.status, timezone.now()
        update_if_current(
            PressText.objects.filter(status=was),
            text.pk,
            "revision",
            based_on,
            **data,
            updated_at=now,
            **UNCHECKED,
            # The author's own saves leave a colleague's earlier rewrite on record.
            edited_by=F("edited_by") if by.pk == text.author_id else by,
        )
        for field, value in data.items():  # the notices below name the text as it now is
            setattr(text, field, value)
        quotes.exclude(person__in=quoted).delete()
        cleared = list(
            quotes.filter(approved_at__isnull=False).exclude(person=by).select_related("person")
        )
        quotes.filter(pk__in=[quote.pk for quote in cleared]).update(approved_at=None)
        quotes.filter(person=by).update(approved_at=now)
        kept = set(quotes.values_list("person_id", flat=True))
        again = " och måste faktagranskas igen" if was != Status.UTKAST else ""
        if cleared:
            again += "; de citerade måste godkänna sina citat igen"
        add_log_entry(
            text.row.plan.event,
            by=by,
            kind=LogEntry.Kind.EDIT,
            text=f"Pressmeddelandet ”{data['title']}” ändrades{again}.",
        )
        # Someone quoted from outside the case finds the quote page only through a notice,
        # so each whose approval was cleared is asked again; the edit's moment is the
        # occasion, so every such edit asks anew.
        sentence = (
            f"{by} har ändrat pressmeddelandet som citerar dig i ärendet "
            f"{text.row.plan.event.case_number}: läs det igen och godkänn ditt citat."
        )
        _tell_quoted(text, [(quote.person, sentence) for quote in cleared], occasion=now, by=by)
        _quote(text, [person for person in quoted if person.pk not in kept], at=now, by=by)
    return True


# A draft again, with nothing of its review left: its words changed (edit_text), or a
# reviewer sent it back (send_back).
UNCHECKED = {
    "status": Status.UTKAST,
    "fact_checked_by": None,
    "fact_checked_at": None,
    "approved_by": None,
    "approved_at": None,
}


def _sent_back(at, by, reason: str) -> dict:
    """A send-back on record, or none (None, None, ""): its three fields go together
    (presstext_sent_back_with_reason)."""
    return {"sent_back_at": at, "sent_back_by": by, "sent_back_reason": reason}


@contextmanager
def _step(text: PressText, *, refusal: str = "", expected: str, fields: dict, log: str, by):
    """Move a text one step on, in a transaction the block runs in (to tell whoever acts
    next): Refused with `refusal` (a why_not_* answer of commsplan.access) unless it is "",
    or if somebody moved the text first (a conditional UPDATE from `expected`); else
    `fields` written, onto `text` too, and `log` logged."""
    if refusal:
        raise Refused(refusal)
    with transaction.atomic():
        if not PressText.objects.filter(pk=text.pk, status=expected).update(**fields):
            raise Refused("Texten har redan ändrats av någon annan. Ladda om sidan.")
        # The block tells people about the text as it now is.
        for field, value in fields.items():
            setattr(text, field, value)
        add_log_entry(text.row.plan.event, by=by, kind=LogEntry.Kind.DECISION, text=log)
        yield


def _tell(
    text: PressText, kind: str, readers, *, occasion, by, details: str = "", path: str = ""
) -> int:
    """One hand-off notice about `text` to each reader, never to `by`. `readers`: (user,
    sentence) pairs; a sentence names the case by its number only, since the title is the
    user's words (topic and details, which a confidential case's mail leaves out).
    `occasion` is the transition's moment: a repeated transition tells again. `path`: the
    page to open, the text's own by default. Returns how many were written."""
    event = text.row.plan.event
    path = path or reverse("press_text_detail", args=[event.pk, text.pk])
    once = {user.pk: (user, sentence) for user, sentence in readers if user is not None}
    return notices.post(
        [
            message(
                event,
                kind,
                to=user,
                sentence=sentence,
                path=path,
                target=text,
                occasion=occasion,
                topic=text.title,
                details=f"Pressmeddelande: ”{text.title}”" + (f"\n\n{details}" if details else ""),
            )
            for user, sentence in once.values()
        ],
        by=by,
    )


def approve_quote(text: PressText, *, based_on: int | None, by):
    """`by` approves the words `text` puts in their mouth, as the text read at revision
    `based_on` (their page; None, a hand-made post, approves nothing): refused if it changed
    since. Logged; when the last quote of a fact-checked text is approved, its approvers
    are asked (kind text_approval)."""
    if refusal := why_not_approve_quote(text, by):
        raise Refused(refusal)
    with transaction.atomic():
        now = timezone.now()
        if not Quote.objects.filter(
            text=text,
            person=by,
            approved_at__isnull=True,
            text__revision=based_on,
            text__status__in=[Status.UTKAST, Status.FAKTAGRANSKAD],
        ).update(approved_at=now):
            raise Refused(
                "Texten har ändrats sedan du läste den. Läs den nya versionen och godkänn "
                "ditt citat igen."
            )
        add_log_entry(
            text.row.plan.event,
            by=by,
            kind=LogEntry.Kind.DECISION,
            text=f"{by} godkände sitt citat i pressmeddelandet ”{text.title}”.",
        )
        if text.status == Status.FAKTAGRANSKAD and not pending_quotes(text):
            sentence = (
                f"{by} har godkänt sitt citat i ett pressmeddelande i ärendet "
                f"{text.row.plan.event.case_number} som {text.fact_checked_by} har "
                "faktagranskat: läs det och godkänn det, eller skicka tillbaka det."
            )
            _ask_approvers(text, sentence, occasion=now, by=by)


def _ask_approvers(text: PressText, sentence: str, *, occasion, by):
    """Tell approvers(text) that `text` is ready for them (kind text_approval)."""
    _tell(
        text,
        "text_approval",
        [(user, sentence) for user in approvers(text)],
        occasion=occasion,
        by=by,
    )


def request_fact_check(text: PressText, *, by) -> int:
    """Ask for a fact-check of a draft: stamps `fact_check_requested_at`, logs it and tells
    each of `fact_checkers(text)` (kind text_fact_check). Asking again tells them again.
    Returns how many were told, so the page can say when nobody could be."""
    if text.status != Status.UTKAST:
        raise Refused("Bara ett utkast skickas till faktagranskning.")
    with transaction.atomic():
        now = timezone.now()
        if not PressText.objects.filter(pk=text.pk, status=Status.UTKAST).update(
            fact_check_requested_at=now
        ):
            raise Refused("Texten har redan ändrats av någon annan. Ladda om sidan.")
        event = text.row.plan.event
        add_log_entry(
            event,
            by=by,
            kind=LogEntry.Kind.DECISION,
            text=f"Pressmeddelandet ”{text.title}” skickades till faktagranskning.",
        )
        sentence = (
            f"{by} ber dig faktagranska ett pressmeddelande i ärendet {event.case_number}: "
            "stämmer fakta, markera det som faktagranskat, annars skicka tillbaka det."
        )
        return _tell(
            text,
            "text_fact_check",
            [(user, sentence) for user in fact_checkers(text)],
            occasion=now,
            by=by,
        )


def send_back(text: PressText, *, reason: str, by):
    """A reviewer finds something wrong: the text goes back to utkast, its checks and any
    request for one cleared, `reason` (required) kept on the text and logged, and its author
    and last editor told why (kind text_sent_back)."""
    now = timezone.now()
    with _step(
        text,
        refusal=why_not_send_back(text, by),
        expected=text.status,
        fields={**UNCHECKED, "fact_check_requested_at": None, **_sent_back(now, by, reason)},
        log=f"Pressmeddelandet ”{text.title}” skickades tillbaka till författaren: {reason}",
        by=by,
    ):
        number = text.row.plan.event.case_number
        _tell(
            text,
            "text_sent_back",
            [
                (
                    text.author,
                    f"{by} har skickat tillbaka ditt pressmeddelande i ärendet {number}: "
                    "läs skälet, ändra texten och be om faktagranskning igen.",
                ),
                (
                    text.edited_by,
                    f"{by} har skickat tillbaka pressmeddelandet du ändrade i ärendet "
                    f"{number}: läs skälet och ändra texten.",
                ),
            ],
            occasion=now,
            by=by,
            details=f"Skäl: {reason}",
        )


def fact_check(text: PressText, *, by):
    """Mark the draft fact-checked, and ask `approvers(text)` to approve it (kind
    text_approval). A pending request and an earlier send-back are answered by it."""
    now = timezone.now()
    with _step(
        text,
        refusal=why_not_fact_check(text, by),
        expected=Status.UTKAST,
        fields={
            "status": Status.FAKTAGRANSKAD,
            "fact_checked_by": by,
            "fact_checked_at": now,
            "fact_check_requested_at": None,
            # The check answers an earlier send-back.
            **_sent_back(None, None, ""),
        },
        log=f"Pressmeddelandet ”{text.title}” faktagranskades.",
        by=by,
    ):
        # Whoever must act next: the quoted people who have not approved their quote, or,
        # once none is left, the approvers.
        if pending := pending_quotes(text):
            sentence = (
                f"{by} har faktagranskat ett pressmeddelande i ärendet "
                f"{text.row.plan.event.case_number} som citerar dig: godkänn ditt citat, så "
                "kan texten godkännas."
            )
            _tell_quoted(text, [(person, sentence) for person in pending], occasion=now, by=by)
        else:
            sentence = (
                f"{by} har faktagranskat ett pressmeddelande i ärendet "
                f"{text.row.plan.event.case_number}: läs det och godkänn det, eller skicka "
                "tillbaka det."
            )
            _ask_approvers(text, sentence, occasion=now, by=by)


def approve(text: PressText, *, by):
    """Approve a fact-checked text whose quotes are approved, as why_not_approve rules, and
    tell its author and fact-checker (kind text_approved)."""
    now = timezone.now()
    with _step(
        text,
        refusal=why_not_approve(text, by),
        expected=Status.FAKTAGRANSKAD,
        fields={"status": Status.GODKAND, "approved_by": by, "approved_at": now},
        log=f"Pressmeddelandet ”{text.title}” godkändes.",
        by=by,
    ):
        event = text.row.plan.event
        number = event.case_number
        # Nothing may be published while the case is confidential (see publish).
        then = (
            "det kan publiceras när ärendet inte längre är konfidentiellt"
            if event.confidential
            else "publicera det och registrera publiceringen"
        )
        _tell(
            text,
            "text_approved",
            [
                (
                    text.author,
                    f"{by} har godkänt ditt pressmeddelande i ärendet {number}: {then}.",
                ),
                (
                    text.fact_checked_by,
                    f"{by} har godkänt pressmeddelandet du faktagranskade i ärendet {number}.",
                ),
            ],
            occasion=now,
            by=by,
        )


def publish(text: PressText, *, channels, at, override_reason: str = "", by):
    """Record that the text went out in `channels` (one or more) at `at`; its tidplan row
    becomes Publicerad. The plan's rules: nothing while the event is confidential, and not
    before the company's own information, confirmed as made (why_not_publish_yet) — unless
    somebody records why (logged, and shown on the text)."""
    plan = text.row.plan
    event = plan.event
    if event.confidential:
        raise Refused(
            "Ärendet är konfidentiellt: företaget har inte gått ut med informationen. "
            "Inget får publiceras förrän det ändras på ärendet."
        )
    if text.status != Status.GODKAND:
        raise Refused("Texten måste vara godkänd innan den publiceras.")
    channels = list(channels)
    if not channels:
        raise Refused("Välj var texten publicerades.")
    missing = why_not_publish_yet(plan, at)
    if missing and not override_reason:
        raise Refused(missing)
    where = ", ".join(str(channel) for channel in channels)
    with _step(
        text,
        expected=Status.GODKAND,
        fields={
            "status": Status.PUBLICERAD,
            "published_by": by,
            "published_at": at,
            "override_reason": override_reason if missing else "",
            "override_by": by if missing else None,
        },
        log=f"Pressmeddelandet ”{text.title}” publicerades i {where} {moment_text(at)}."
        + (f" Publicerades före företagets eget besked: {override_reason}" if missing else ""),
        by=by,
    ):
        text.published_channels.set(channels)
        row = text.row
        row.status = TimetableRow.Status.PUBLICERAD
        row.save(update_fields=["status"])
        # Something went out: the gap the pending reminders were about is closed.
        Notice.objects.about(event).filter(
            kind="info_gap", sent_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=timezone.now())
        sentence = (
            f"{by} har registrerat att pressmeddelandet i ärendet {event.case_number} är "
            "publicerat: inget mer behöver göras med det."
        )
        _tell(
            text,
            "text_published",
            [(text.author, sentence), (text.approved_by, sentence)],
            occasion=at,
            by=by,
            details=f"Publicerat i {where} {moment_text(at)}.",
        )
        finalised.send(
            PressText,
            event=event,
            title=f"Pressmeddelande: {text.title}",
            description=f"Pressmeddelande: {text.title}",
            path=reverse("press_text_pdf", args=[event.pk, text.pk]),
            by=by,
        )


def correct(text: PressText, *, by) -> PressText:
    """Start a correction of a published text: a new version, an utkast again."""
    if text.status != Status.PUBLICERAD:
        raise Refused("Bara en publicerad text rättas med en ny version; ändra utkastet.")
    if PressText.objects.filter(corrects=text).exists():
        raise Refused("Den här versionen har redan en rättelse.")
    data = {
        "title": text.title,
        "lead": text.lead,
        "body": text.body,
        "contact": text.contact,
        "quoted": list(text.quoted.all()),
    }
    return create_text(text.row, data, by=by, corrects=text)


# The information gap --------------------------------------------------------------------


def scan_info_gaps(now=None) -> int:
    """Remind each event's kommunikatör when nothing has been published for
    INFO_GAP_DAYS ("Undvika informationsgluggar - ingen information är också information").

    One reminder per gap: the gap starts at the last publication (or when the event was
    registered) and that moment is part of the outbox key, so later scans of the same gap
    write nothing, and the next publication starts a new gap. Events that are closed or
    confidential (nothing may be published) are skipped. Returns how many were new.
    """
    now = now or timezone.now()
    last_published = (
        PressText.objects.filter(row__plan__event=OuterRef("pk"), status=Status.PUBLICERAD)
        .values("row__plan__event")
        .annotate(last=Max("published_at"))
        .values("last")
    )
    events = list(
        Event.objects.exclude(phase=Phase.AVSLUTAD)
        .filter(confidential=False)
        .annotate(gap_start=Coalesce(Subquery(last_published), "created_at"))
        .filter(gap_start__lte=add_days(now, -settings.INFO_GAP_DAYS))
        .only("pk", "case_number", "title", "confidential", "created_at")
    )
    if not events:
        return 0
    by_event = {event.pk: event for event in events}
    kommunikatorer = (
        Membership.objects.filter(
            event__in=by_event, user__function__role=Function.Role.KOMMUNIKATOR
        )
        .exclude(group=Membership.Group.LASARE)
        .select_related("user")
    )
    notifications = []
    for membership in kommunikatorer:
        event = by_event[membership.event_id]
        start = event.gap_start
        notifications.append(
            message(
                event,
                "info_gap",
                to=membership.user,
                sentence=(
                    f"Inget har publicerats om ärendet {event.case_number} sedan "
                    f"{moment_text(start)}. Handlingsplanen: undvik informationsgluggar – "
                    "ingen information är också information. Berätta om processen, även om "
                    "inget nytt har hänt."
                ),
                path=reverse("commsplan", args=[event.pk]),
                target=event,
                occasion=start,
                due_at=add_days(start, settings.INFO_GAP_DAYS),
            )
        )
    with transaction.atomic():
        return notices.post(notifications)


# The company's planned announcement ------------------------------------------------------


def scan_company_announcements(now=None) -> int:
    """Ask the kommunikatör "Har företaget gått ut?" once the time the company planned to
    go out has come and nobody has confirmed it (only the confirmation lets texts be
    published). The kommunikatörer of the event are asked; failing one, whoever registered
    the plan.

    One notice per planned time: that time is the outbox key's occasion, so later scans
    write nothing, and a new planned time asks again. Closed events are skipped. Returns
    how many were new.
    """
    now = now or timezone.now()
    plans = list(
        CommsPlan.objects.filter(company_planned_at__lte=now, company_announced_at__isnull=True)
        .exclude(event__phase=Phase.AVSLUTAD)
        .select_related("event", "company_planned_by")
    )
    if not plans:
        return 0
    kommunikatorer = {}
    for membership in (
        Membership.objects.filter(
            event__in=[plan.event_id for plan in plans],
            user__function__role=Function.Role.KOMMUNIKATOR,
            user__is_active=True,
        )
        .exclude(group=Membership.Group.LASARE)
        .select_related("user")
    ):
        kommunikatorer.setdefault(membership.event_id, []).append(membership.user)
    notifications = []
    for plan in plans:
        event, planned = plan.event, plan.company_planned_at
        sentence = (
            f"Företagets eget besked i ärendet {event.case_number} var planerat till "
            f"{moment_text(planned)}. Har företaget gått ut? Bekräfta när och var, så kan "
            "kommunens texter publiceras."
        )
        for user in kommunikatorer.get(event.pk) or [plan.company_planned_by]:
            notifications.append(
                message(
                    event,
                    "company_announcement_due",
                    to=user,
                    sentence=sentence,
                    path=reverse("company_announcement", args=[event.pk]),
                    target=plan,
                    occasion=planned,
                    due_at=planned,
                )
            )
    with transaction.atomic():
        return notices.post(notifications)
