"""Changes to the bedömningsmall. Every change to a row takes the sheet's lock (by bumping
its counter), is checked against the version the user saw, and writes the row's history in
the same transaction.

Row edits are recorded in the sheet's own history, not in the händelselogg: during a meeting
the arbetsgrupp saves hundreds of small edits, which would drown the log. Steps that matter
to the whole case (a snapshot, an import, a delegated task, a contact) are logged there too.
"""

from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.people import people_order
from assessment import excel
from assessment.models import (
    ROW_FIELDS,
    Contact,
    ExternalParty,
    ImportDraft,
    Presence,
    Row,
    RowRevision,
    Sheet,
    Snapshot,
)
from events.conflicts import Conflict, update_if_current
from events.models import Event, LogEntry
from events.services import add_log_entry, delegate_task
from events.signals import finalised

# A browser marks its user present this often; someone not seen for PRESENT_FOR has left.
PRESENCE_INTERVAL = timedelta(seconds=10)
PRESENT_FOR = timedelta(seconds=25)


class RowRemoved(Exception):
    """The row is removed: it is restored before it is changed or delegated."""


class RowDelegated(Exception):
    """The row is already a task: a second one would lose the first one's link."""


def sheet_of(event: Event) -> Sheet:
    try:
        return Sheet.objects.get(event=event)
    except Sheet.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return Sheet.objects.create(event=event)
    except IntegrityError:  # created by someone else just now
        return Sheet.objects.get(event=event)


def _bump(sheet: Sheet) -> int:
    """Take the sheet's lock for this transaction and return the next change number.

    One statement for both: UPDATE … RETURNING (SQLite ≥ 3.35 and PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE assessment_sheet SET counter = counter + 1 WHERE id = %s RETURNING counter",
            [sheet.pk],
        )
        sheet.counter = cursor.fetchone()[0]
    return sheet.counter


def show_task_change(sender, *, task, **kwargs):
    """A delegated row shows its task's status (Row.shown_status): when the task changes,
    the row is marked changed so that every open sheet fetches it on its next poll."""
    rows = Row.objects.filter(task=task).select_related("sheet")
    for row in rows:
        Row.objects.filter(pk=row.pk).update(changed_seq=_bump(row.sheet))


def _revision(row: Row, kind, *, before, by, at) -> RowRevision:
    return RowRevision(
        sheet_id=row.sheet_id,
        row=row,
        kind=kind,
        version=row.version,
        before=before,
        after={**row.content(), "position": row.position},
        by=by,
        at=at,
    )


def _clean(content: dict) -> dict:
    return {field: content.get(field) or "" for field in ROW_FIELDS}


@transaction.atomic
def add_row(sheet: Sheet, section: str, content: dict, *, parent=None, by) -> Row:
    now = timezone.now()
    seq = _bump(sheet)
    siblings = Row.objects.filter(sheet=sheet, section=section, parent=parent)
    last = siblings.aggregate(last=Max("position"))["last"]
    row = Row.objects.create(
        sheet=sheet,
        section=section,
        parent=parent,
        position=0 if last is None else last + 1,
        changed_seq=seq,
        created_by=by,
        created_at=now,
        updated_by=by,
        updated_at=now,
        **_clean(content),
    )
    _revision(row, RowRevision.Kind.CREATED, before=None, by=by, at=now).save()
    return row


def _locked_row(row: Row, version: int) -> tuple[Row, int]:
    """Bump the counter (locking the sheet) and re-read the row; Conflict (events.conflicts)
    if it moved on."""
    seq = _bump(row.sheet)
    current = Row.objects.select_related("updated_by", "task").get(pk=row.pk)
    if current.version != version:
        raise Conflict(current)
    return current, seq


def edit_row(row: Row, content: dict, *, version: int, by, kind=RowRevision.Kind.EDITED) -> Row:
    """Save the user's text if the row is still at `version`; else raise Conflict with the
    row as it is now, and save nothing."""
    content = _clean(content)
    with transaction.atomic():
        current, seq = _locked_row(row, version)
        if current.removed_at:
            raise RowRemoved
        if current.task_id:
            # A delegated row shows its task's status, which changes on the task: its own
            # stays as it was, whatever a form or a file says.
            content["status"] = current.status
        if current.content() == content:
            transaction.set_rollback(True)  # nothing to record, not even the counter
            return current
        now = timezone.now()
        # Conditional on the version: with the sheet locked this cannot miss, but it is the
        # rule itself, and it holds even for a writer that did not take the lock.
        new_version = update_if_current(
            Row.objects,
            row.pk,
            "version",
            version,
            **content,
            changed_seq=seq,
            updated_at=now,
            updated_by=by,
        )
        before = current.content()
        for field, value in content.items():
            setattr(current, field, value)
        current.version, current.changed_seq = new_version, seq
        current.updated_at, current.updated_by = now, by
        _revision(current, kind, before=before, by=by, at=now).save()
    return current


def remove_row(row: Row, *, version: int, by) -> Row:
    return _set_removed(row, version=version, removed=True, by=by)


def restore_row(row: Row, *, version: int, by) -> Row:
    return _set_removed(row, version=version, removed=False, by=by)


@transaction.atomic
def _set_removed(row: Row, *, version: int, removed: bool, by) -> Row:
    current, seq = _locked_row(row, version)
    now = timezone.now()
    # A scenario's chain of measures goes and comes back with it: a chain without its
    # scenario would be on no page and in no export, and an import would remove it.
    chain = Row.objects.none()
    if current.section == "scenario":
        together = None if removed else current.removed_at
        chain = Row.objects.filter(parent=current, removed_at=together)
    kind = RowRevision.Kind.REMOVED if removed else RowRevision.Kind.RESTORED
    for changed in [current, *chain]:
        before = changed.content()
        changed.removed_at = now if removed else None
        changed.version, changed.changed_seq = changed.version + 1, seq
        changed.updated_at, changed.updated_by = now, by
        changed.save(
            update_fields=["removed_at", "version", "changed_seq", "updated_at", "updated_by"]
        )
        _revision(changed, kind, before=before, by=by, at=now).save()
    return current


@transaction.atomic
def move_row(row: Row, *, up: bool, by) -> Row:
    """Swap the row with its neighbour above or below (same section and scenario).

    Moving does not change the row's text, so it does not bump its version: a text edit
    made at the same time still applies."""
    seq = _bump(row.sheet)
    siblings = list(
        Row.objects.filter(
            sheet_id=row.sheet_id, section=row.section, parent_id=row.parent_id, removed_at=None
        ).order_by("position", "created_at")
    )
    index = next((i for i, r in enumerate(siblings) if r.pk == row.pk), None)
    other = (index - 1 if up else index + 1) if index is not None else -1
    if not 0 <= other < len(siblings):
        transaction.set_rollback(True)
        return row
    siblings[index], siblings[other] = siblings[other], siblings[index]
    now = timezone.now()
    changed = []
    for position, sibling in enumerate(siblings):
        if sibling.position != position or sibling.pk in (row.pk, siblings[index].pk):
            sibling.position, sibling.changed_seq = position, seq
            changed.append(sibling)
    Row.objects.bulk_update(changed, ["position", "changed_seq"])
    # A chain is placed by its scenario's position: open sheets must redraw it too.
    Row.objects.filter(parent__in=[r.pk for r in changed]).update(changed_seq=seq)
    moved = siblings[other]
    _revision(moved, RowRevision.Kind.MOVED, before=None, by=by, at=now).save()
    return moved


def delegate_row(row: Row, *, version: int, by, **task) -> Row:
    """Turn the row into a delegated task (events.services.delegate_task) in one step; the
    row keeps the link, its vem/när take the task's, and from now on it shows the task's
    status (Row.shown_status)."""
    with transaction.atomic():
        current, seq = _locked_row(row, version)
        if current.removed_at:
            raise RowRemoved
        if current.task_id:
            raise RowDelegated
        created = delegate_task(row.sheet.event, by=by, **task)
        before = current.content()
        current.task = created
        current.who = created.assignee_label[:200]
        if created.due_at:
            current.when = timezone.localtime(created.due_at).strftime("%Y-%m-%d %H:%M")
        current.version, current.changed_seq = version + 1, seq
        current.updated_at, current.updated_by = timezone.now(), by
        current.save()
        _revision(
            current, RowRevision.Kind.DELEGATED, before=before, by=by, at=current.updated_at
        ).save()
    return current


def snapshot_rows(sheet: Sheet) -> list[dict]:
    """The sheet's live rows as a snapshot keeps them: [{"id", "section", "parent",
    "position", **content}], with the status the row shows (a delegated row's is its
    task's), so the lägesbild says what the sheet said at that moment."""
    rows = (
        Row.objects.filter(sheet=sheet, removed_at=None)
        .select_related("task")
        .order_by("section", "parent_id", "position", "created_at")
    )
    return [
        {
            "id": str(row.pk),
            "section": row.section,
            "parent": str(row.parent_id) if row.parent_id else None,
            "position": row.position,
            **row.content(),
            "status": row.shown_status,
        }
        for row in rows
    ]


@transaction.atomic
def take_snapshot(sheet: Sheet, *, label: str, by) -> Snapshot:
    snapshot = Snapshot.objects.create(
        sheet=sheet, label=label, taken_by=by, rows=snapshot_rows(sheet)
    )
    add_log_entry(
        sheet.event,
        by=by,
        kind=LogEntry.Kind.EDIT,
        text=f"Lägesbild av bedömningsmallen sparad: {snapshot}.",
    )
    finalised.send(
        Snapshot,
        event=sheet.event,
        title=f"Bedömningsmall: {snapshot}",
        description=f"Bedömningsmall: {snapshot}",
        path=reverse("snapshot_detail", args=[sheet.event.pk, snapshot.pk]),
        by=by,
    )
    return snapshot


def touch_presence(sheet: Sheet, user) -> None:
    """Mark the user as having the sheet open (on page load and every PRESENCE_INTERVAL,
    not on every live poll, so open pages do not queue up for SQLite's single writer)."""
    now = timezone.now()
    if not Presence.objects.filter(sheet=sheet, user=user).update(seen_at=now):
        try:
            with transaction.atomic():
                Presence.objects.create(sheet=sheet, user=user, seen_at=now)
        except IntegrityError:  # the same user's other tab was first
            pass


def present_users(sheet: Sheet | None, *, besides):
    if sheet is None:
        return []
    since = timezone.now() - PRESENT_FOR
    presences = (
        Presence.objects.filter(sheet=sheet, seen_at__gte=since)
        .exclude(user=besides)
        .select_related("user")
        .order_by(*people_order("user__"))
    )
    return [presence.user for presence in presences]


@transaction.atomic
def prepare_import(sheet: Sheet, plan: excel.Plan, *, file_name: str, by) -> ImportDraft:
    """Keep an uploaded workbook's changes (`plan`, from excel.plan_import) for `by` to
    review and confirm (apply_import), logged: the sheet itself is not changed yet."""
    draft = ImportDraft.objects.create(
        sheet=sheet, by=by, file_name=file_name[:200], operations=plan.operations
    )
    count = len(plan.operations)
    add_log_entry(
        sheet.event,
        by=by,
        kind=LogEntry.Kind.NOTE,
        text=f"Excel-filen {draft.file_name} lästes in för granskning "
        + ngettext("(%(count)d ändring)", "(%(count)d ändringar)", count) % {"count": count}
        + ". Mallen ändras först när någon bekräftar.",
    )
    return draft


def apply_import(draft: ImportDraft, *, by) -> int:
    """Apply a confirmed import as one transaction and as the uploader's change; the number
    of rows added, changed and removed. Every change is conditional on the version the
    preview saw, and every new row on the preview's count of rows already added from the
    same export: if a row moved on since, or another import of the same file was confirmed
    meanwhile, nothing is applied (Conflict) and the user uploads again to see what is
    left. The ids of the rows added are kept in the draft, for a later import of the same
    file to find (excel.imported_keys)."""
    sheet = draft.sheet
    with transaction.atomic():
        if (
            ImportDraft.objects.filter(pk=draft.pk, applied_at=None).update(
                applied_at=timezone.now()
            )
            != 1
        ):
            raise Conflict
        # The sheet's lock first: two imports of one file are confirmed one after the other,
        # and the second sees what the first added.
        _bump(sheet)
        adds = [op for op in draft.operations if op["op"] == "add"]
        if adds and "export" in adds[0]:  # (a preview made before imports kept it has not)
            imported, _ = excel.imported_keys(sheet, adds[0]["export"], besides=draft)
            if any(imported[op["key"]] != op["earlier"] for op in adds):
                raise Conflict
        count = 0
        scenario_ids = {}
        for op in draft.operations:
            if op["op"] == "add":
                parent = None
                if op.get("parent"):
                    # A live scenario of this sheet, or the chain row would be on no page.
                    parent = Row.objects.filter(
                        pk=op["parent"],
                        sheet=sheet,
                        section="scenario",
                        parent=None,
                        removed_at=None,
                    ).first()
                    if parent is None:
                        raise Conflict
                elif op.get("parent_new") is not None:
                    parent = scenario_ids[op["parent_new"]]
                row = add_row(sheet, op["section"], op["content"], parent=parent, by=by)
                scenario_ids[op["index"]] = row
                op["row"] = str(row.pk)
            else:
                row = Row.objects.select_related("sheet").get(pk=op["id"], sheet=sheet)
                try:
                    if op["op"] == "change":
                        edit_row(
                            row,
                            op["content"],
                            version=op["version"],
                            by=by,
                            kind=RowRevision.Kind.IMPORTED,
                        )
                    elif op["op"] == "remove" and not row.removed_at:
                        # (Already removed: with its scenario, earlier in this import.)
                        remove_row(row, version=op["version"], by=by)
                except RowRemoved:
                    raise Conflict from None
            count += 1
        if adds:
            ImportDraft.objects.filter(pk=draft.pk).update(operations=draft.operations)
        add_log_entry(
            sheet.event,
            by=by,
            kind=LogEntry.Kind.EDIT,
            text=f"Bedömningsmallen uppdaterades från Excel-filen {draft.file_name} "
            + ngettext("(%(count)d ändring).", "(%(count)d ändringar).", count) % {"count": count},
        )
    return count


@transaction.atomic
def add_party(event: Event, data: dict, *, by) -> ExternalParty:
    party = ExternalParty.objects.create(event=event, created_by=by, **data)
    add_log_entry(event, by=by, kind=LogEntry.Kind.NOTE, text=f"Extern part tillagd: {party}.")
    return party


def update_party(party: ExternalParty, data: dict, *, by) -> list[str]:
    """Save a party's details (`data`: type, organisation, contact_person, phone, email),
    logged with the fields that changed. Returns their labels; [] when none did, and then
    nothing is saved or logged."""
    with transaction.atomic():
        # Compared with the row, not `party`: a bound ModelForm has already copied the
        # user's input onto its instance.
        stored = ExternalParty.objects.get(pk=party.pk)
        changed = [name for name, value in data.items() if getattr(stored, name) != value]
        if not changed:
            return []
        for name in changed:
            setattr(party, name, data[name])
        party.save(update_fields=changed)
        labels = [str(ExternalParty._meta.get_field(name).verbose_name) for name in changed]
        add_log_entry(
            party.event,
            by=by,
            kind=LogEntry.Kind.NOTE,
            text=f"Extern part ändrad, {party}: {', '.join(labels)}.",
        )
    return labels


@transaction.atomic
def log_contact(party: ExternalParty, data: dict, *, by) -> Contact:
    contact = Contact.objects.create(party=party, by=by, **data)
    verb = "lämnade till" if contact.direction == Contact.Direction.GIVEN else "fick från"
    add_log_entry(
        party.event,
        by=by,
        kind=LogEntry.Kind.NOTE,
        happened_at=contact.happened_at,
        text=f"Kontakt: vi {verb} {party.organisation}: {contact.text}",
    )
    return contact
