"""The sheet page, its rows and the live updates."""

import functools

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.moments import moment_text
from assessment import services
from assessment.excel import ordered_rows
from assessment.forms import AddRowForm, DelegateForm, MoveForm, RowForm, SnapshotForm, VersionForm
from assessment.models import STATUS_LABELS, Row, RowRevision, Sheet, Snapshot, row_differences
from assessment.parts import PARTS, SECTIONS
from assessment.rowhtml import ShownRow, row_html, rows_html
from events.access import get_event_for_user
from events.conflicts import Conflict, rebind
from events.submissions import once_per_form, record

# The poll answers at most this many changed rows; a browser further behind reloads.
MAX_CHANGES = 200
HISTORY_PAGE_SIZE = 100


def _sheet_or_none(event):
    return Sheet.objects.filter(event=event).first()


def _row_for(event, row_id) -> Row:
    try:
        return Row.objects.select_related("sheet", "updated_by", "task").get(
            pk=row_id, sheet__event=event
        )
    except Row.DoesNotExist:
        raise Http404 from None


def _scenarios(sheet):
    if sheet is None:
        return Row.objects.none()
    return Row.objects.filter(sheet=sheet, section="scenario", parent=None, removed_at=None)


def _parts(event, rows, add_forms):
    by_section = ordered_rows(rows)
    row_base = _row_base(event)
    return [
        (
            part,
            [
                (
                    section,
                    rows_html(
                        by_section[section.key], can_write=event.can_write, row_base=row_base
                    ),
                    add_forms.get(section.key),
                )
                for section in part.sections
            ],
        )
        for part in PARTS
    ]


def _row_response(event, row) -> HttpResponse:
    """The row as shown in the sheet, for htmx to swap in after a change."""
    decorate([row])
    return HttpResponse(row_html(row, can_write=event.can_write, row_base=_row_base(event)))


def _add_form(section, data=None, scenarios=None):
    if section == "scenario" and scenarios is None:
        scenarios = Row.objects.none()
    return AddRowForm(
        data,
        section=section,
        scenarios=scenarios if section == "scenario" else None,
        prefix=section,
    )


@functools.lru_cache(maxsize=256)
def _blank_fields(section: str, scenarios: tuple = ()) -> str:
    """The fields of a section's empty add form as HTML, the same on every sheet page with
    the same `scenarios` ((value, label) choices, for the scenario section's): drawing the
    seventeen forms' fields through their templates was half of the page's time at 1,000
    rows."""
    form = _add_form(section)
    if section == "scenario":
        form.fields["parent"].choices = scenarios
    return render_to_string("assessment/sheet.html#add_fields", {"form": form})


def decorate(rows):
    """Give each row what its template needs, without a query per row: its section's spec
    and its sort key in the section (a scenario's chain sorts right under the scenario)."""
    positions = {r.pk: r.position for r in rows}
    missing = {r.parent_id for r in rows if r.parent_id and r.parent_id not in positions}
    if missing:
        positions.update(Row.objects.filter(pk__in=missing).values_list("pk", "position"))
    for r in rows:
        r.spec = SECTIONS[r.section]
        r.order = (
            f"{positions[r.parent_id]:08d}.{r.position:08d}"
            if r.parent_id
            else f"{r.position:08d}"
        )
    return rows


def _row_base(event) -> str:
    # Row URLs are built from this prefix: reverse() per row would cost more than the rest
    # of the page at 1,000 rows.
    return reverse("sheet", args=[event.pk]) + "rader/"


@require_GET
def sheet(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id)
    # Created on first visit: the first person to open the sheet is present in it.
    sheet = services.sheet_of(event)
    show_removed = request.GET.get("borttagna") == "1"
    services.touch_presence(sheet, request.user)
    # Every row of the sheet, removed ones too (counted, and needed to place the chain
    # of a removed scenario), in one query.
    rows = decorate(
        [
            ShownRow(*values)
            for values in Row.objects.filter(sheet=sheet)
            .order_by("section", "position", "created_at")
            .values_list(*ShownRow.COLUMNS)
        ]
    )
    removed_count = sum(1 for r in rows if r.removed_at)
    if not show_removed:
        rows = [r for r in rows if not r.removed_at]
    add_forms = {}
    if event.can_write:
        # The choices are the scenarios already loaded: no extra query.
        scenarios = (
            ("", "– Nytt scenario –"),
            *(
                (str(r.pk), r.what[:80] or "(tomt scenario)")
                for r in rows
                if r.section == "scenario" and not r.parent_id and not r.removed_at
            ),
        )
        add_forms = {
            key: _blank_fields(key, scenarios if key == "scenario" else ()) for key in SECTIONS
        }
    context = {
        "event": event,
        "sheet": sheet,
        "counter": sheet.counter,
        "parts": _parts(event, rows, add_forms),
        "present": services.present_users(sheet, besides=request.user),
        "show_removed": show_removed,
        "removed_count": removed_count,
    }
    return render(request, "assessment/sheet.html", context)


@require_GET
def sheet_changes(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    """The live poll: 204 while nothing changed since `sedan`, else the changed rows.

    Cheap on purpose (one query for the counter after the access check), and the counter is
    in the database, so it works whichever gunicorn worker or host answers."""
    event = get_event_for_user(request, event_id)
    try:
        since = int(request.GET.get("sedan", "0"))
    except ValueError:
        since = 0
    counter = Sheet.objects.filter(event=event).values_list("counter", flat=True).first() or 0
    if counter == since:
        return HttpResponse(status=204)
    rows = list(
        Row.objects.filter(sheet__event=event, changed_seq__gt=since)
        .select_related("task", "updated_by")
        .order_by("changed_seq")[: MAX_CHANGES + 1]
    )
    if len(rows) > MAX_CHANGES or since > counter:
        return HttpResponse(status=205)  # too far behind (or ahead): reload the page
    response = HttpResponse(
        rows_html(decorate(rows), can_write=event.can_write, row_base=_row_base(event))
    )
    response["X-Sheet-Counter"] = str(counter)
    return response


@require_GET
def sheet_presence(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id)
    sheet = _sheet_or_none(event)
    if sheet is not None:
        services.touch_presence(sheet, request.user)
    present = services.present_users(sheet, besides=request.user)
    return render(request, "assessment/sheet.html#presence", {"event": event, "present": present})


@require_POST
@once_per_form
def row_add(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    section = request.POST.get("section", "")
    if section not in SECTIONS:
        raise Http404
    sheet = services.sheet_of(event)
    scenarios = _scenarios(sheet)
    form = _add_form(section, request.POST, scenarios=scenarios)
    if form.is_valid():
        row = services.add_row(
            sheet,
            section,
            form.content(),
            parent=form.cleaned_data.get("parent"),
            by=request.user,
        )
        at_row = reverse("sheet", args=[event.pk]) + f"#row-{row.pk}"
        record(request, at_row)
        if not request.htmx:
            return redirect(at_row)
        form = _add_form(section, scenarios=scenarios)
        # The clicked button is swapped away with the form; htmx focuses this field, so
        # the next row is typed straight away instead of focus falling to the page's top.
        form.fields["what"].widget.attrs["autofocus"] = True
    context = {"event": event, "section": SECTIONS[section], "form": form}
    if request.htmx:
        return render(request, "assessment/sheet.html#add_form", context)
    return render(request, "assessment/row_add.html", context)


def _fit(row) -> dict:
    """RowForm's fields and ids for `row`."""
    return {"section": row.section, "row_id": row.pk, "delegated": row.task_id is not None}


def _row_form(row, data=None) -> RowForm:
    """The row's edit form, bound to what the user sent or showing the row as it is."""
    if data is not None:
        return RowForm(data, **_fit(row))
    return RowForm(instance=row, initial={"version": row.version}, **_fit(row))


ROW_SAVED_MEANWHILE = (
    "{who} sparade raden {when} medan du skrev. Ingenting är sparat än. Din text står kvar i "
    "fälten och deras version står bredvid. Välj: spara din text (den ersätter deras), eller "
    "behåll deras version."
)


def _row_context(event, row, form, **extra):
    decorate([row])
    return {
        "event": event,
        "row": row,
        "section": row.spec,
        "form": form,
        "row_base": _row_base(event),
        **extra,
    }


@require_http_methods(["GET", "POST"])
def row_edit(request: AuthenticatedHttpRequest, event_id, row_id) -> HttpResponse:
    """A row's edit form: in place in the sheet (htmx) or as a page of its own."""
    event = get_event_for_user(request, event_id, write=request.method == "POST")
    row = _row_for(event, row_id)
    refused_as_removed = False
    template = "assessment/row.html#row_form" if request.htmx else "assessment/row.html"
    if request.method == "POST":
        form = _row_form(row, request.POST)
        if form.is_valid():
            try:
                row = services.edit_row(
                    row, form.content(), version=form.cleaned_data["version"], by=request.user
                )
            except Conflict as conflict:
                row = conflict.current
                when = moment_text(row.updated_at, seconds=True)
                message = ROW_SAVED_MEANWHILE.format(who=row.updated_by, when=when)
                form = rebind(RowForm, request.POST, row, message, **_fit(row))
            except services.RowRemoved:
                # Removed meanwhile: nothing saved, the text stays on screen to copy.
                row = _row_for(event, row_id)
                refused_as_removed = True
            else:
                if request.htmx:
                    return _row_response(event, row)
                messages.success(request, "Raden är sparad.")
                return redirect(reverse("sheet", args=[event.pk]) + f"#row-{row.pk}")
    else:
        if request.htmx and request.GET.get("visa"):
            return _row_response(event, row)
        form = _row_form(row)
    context = _row_context(event, row, form, refused_as_removed=refused_as_removed)
    return render(request, template, context)


@require_POST
def row_move(request: AuthenticatedHttpRequest, event_id, row_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    row = _row_for(event, row_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        row = services.move_row(row, up=form.cleaned_data["direction"] == "upp", by=request.user)
    if request.htmx:
        return _row_response(event, row)
    return redirect(reverse("sheet", args=[event.pk]) + f"#row-{row.pk}")


def _set_removed(request: AuthenticatedHttpRequest, event_id, row_id, *, removed) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    row = _row_for(event, row_id)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return redirect("row_edit", event_id=event.pk, row_id=row.pk)
    change = services.remove_row if removed else services.restore_row
    try:
        row = change(row, version=form.cleaned_data["version"], by=request.user)
    except Conflict as conflict:
        # Removing what someone just changed would hide their change unseen: show it first.
        row = conflict.current
        context = _row_context(event, row, _row_form(row), stale_remove=True)
        template = "assessment/row.html#row_form" if request.htmx else "assessment/row.html"
        return render(request, template, context)
    if request.htmx:
        return _row_response(event, row)
    messages.success(request, "Raden är borttagen." if removed else "Raden är återställd.")
    return redirect("sheet", event_id=event.pk)


@require_POST
def row_remove(request: AuthenticatedHttpRequest, event_id, row_id) -> HttpResponse:
    return _set_removed(request, event_id, row_id, removed=True)


@require_POST
def row_restore(request: AuthenticatedHttpRequest, event_id, row_id) -> HttpResponse:
    return _set_removed(request, event_id, row_id, removed=False)


def _refuse_removed(request: AuthenticatedHttpRequest, event, row) -> HttpResponse:
    messages.error(request, "Raden är borttagen. Återställ den först om den ska delegeras.")
    return redirect(f"{_row_base(event)}{row.pk}/")


def _refuse_delegated(request: AuthenticatedHttpRequest, event, row) -> HttpResponse:
    messages.error(request, "Raden är redan en uppgift. Ändra uppgiften i stället.")
    return redirect(reverse("task_detail", args=[event.pk, row.task_id]))


ROW_CHANGED_BEFORE_DELEGATED = (
    "{row.updated_by} ändrade raden {when} medan du fyllde i. Ingen uppgift är skapad. Raden "
    "lyder nu: ”{row.what}”. Kontrollera uppgiften och spara igen."
)


@require_http_methods(["GET", "POST"])
@once_per_form
def row_delegate(request: AuthenticatedHttpRequest, event_id, row_id) -> HttpResponse:
    """The row becomes a delegated task in one step, for anyone in the municipality with
    an account or a named person with an address; the row's Vem, När and Uppföljning fill
    in the form."""
    event = get_event_for_user(request, event_id, write=True)
    row = _row_for(event, row_id)
    if row.removed_at:
        return _refuse_removed(request, event, row)
    if row.task_id:
        return _refuse_delegated(request, event, row)
    form = DelegateForm(request.POST if request.method == "POST" else None, event=event, row=row)
    if request.method == "POST" and form.is_valid():
        try:
            services.delegate_row(
                row, version=form.cleaned_data["version"], by=request.user, **form.task()
            )
        except Conflict as conflict:
            current = conflict.current
            message = ROW_CHANGED_BEFORE_DELEGATED.format(
                row=current, when=moment_text(current.updated_at, seconds=True)
            )
            form = rebind(DelegateForm, request.POST, current, message, event=event, row=current)
        except services.RowRemoved:
            return _refuse_removed(request, event, row)
        except services.RowDelegated:  # by someone else, since this page was opened
            return _refuse_delegated(request, event, _row_for(event, row_id))
        else:
            location = reverse("sheet", args=[event.pk]) + f"#row-{row.pk}"
            record(request, location)
            messages.success(request, "Raden är delegerad som uppgift.")
            return redirect(location)
    return render(
        request, "assessment/row_delegate.html", {"event": event, "row": row, "form": form}
    )


@require_GET
def row_history(request: AuthenticatedHttpRequest, event_id, row_id) -> HttpResponse:
    event = get_event_for_user(request, event_id)
    row = _row_for(event, row_id)
    revisions = row.revisions.select_related("by")
    context = {
        "event": event,
        "row": row,
        "section": SECTIONS[row.section],
        "revisions": revisions,
    }
    return render(request, "assessment/row_history.html", context)


@require_GET
def sheet_history(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id)
    sheet = _sheet_or_none(event)
    revisions = RowRevision.objects.none()
    snapshots = []
    if sheet is not None:
        revisions = sheet.revisions.select_related("by", "row")
        snapshots = sheet.snapshots.select_related("taken_by")
    page = Paginator(revisions, HISTORY_PAGE_SIZE).get_page(request.GET.get("sida"))
    context = {
        "event": event,
        "page": page,
        "snapshots": snapshots,
        "sections": SECTIONS,
        "snapshot_form": SnapshotForm(),
    }
    return render(request, "assessment/sheet_history.html", context)


@require_POST
def snapshot_create(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    form = SnapshotForm(request.POST)
    if form.is_valid():
        snapshot = services.take_snapshot(
            services.sheet_of(event), label=form.cleaned_data["label"], by=request.user
        )
        messages.success(request, f"Lägesbilden ”{snapshot}” är sparad.")
        return redirect("snapshot_detail", event_id=event.pk, snapshot_id=snapshot.pk)
    return redirect("sheet_history", event_id=event.pk)


@require_GET
def snapshot_detail(request: AuthenticatedHttpRequest, event_id, snapshot_id) -> HttpResponse:
    event = get_event_for_user(request, event_id)
    try:
        snapshot = Snapshot.objects.select_related("taken_by").get(
            pk=snapshot_id, sheet__event=event
        )
    except Snapshot.DoesNotExist:
        raise Http404 from None
    previous = (
        Snapshot.objects.filter(sheet=snapshot.sheet, taken_at__lt=snapshot.taken_at)
        .order_by("-taken_at")
        .first()
    )
    context = {
        "event": event,
        "snapshot": snapshot,
        "previous": previous,
        "parts": snapshot_parts(snapshot.rows),
        "diff": snapshot_diff(previous.rows if previous else [], snapshot.rows),
    }
    return render(request, "assessment/snapshot.html", context)


def snapshot_parts(rows):
    rows = [{**r, "status": STATUS_LABELS.get(r["status"], r["status"])} for r in rows]
    by_section = {key: [] for key in SECTIONS}
    for row in rows:
        by_section[row["section"]].append(row)
    chains = {}
    for row in rows:
        if row["parent"]:
            chains.setdefault(row["parent"], []).append(row)
    result = []
    for part in PARTS:
        sections = []
        for section in part.sections:
            plain = [r for r in by_section[section.key] if not r["parent"]]
            ordered = [x for r in plain for x in [r, *chains.get(r["id"], [])]]
            sections.append((section, ordered))
        result.append((part, sections))
    return result


def snapshot_diff(before: list[dict], after: list[dict]) -> dict:
    """Rows added, removed and changed between two snapshots."""
    old = {r["id"]: r for r in before}
    new = {r["id"]: r for r in after}
    changed = []
    for key in old.keys() & new.keys():
        if differences := row_differences(old[key], new[key]):
            changed.append((new[key], differences))
    return {
        "added": [new[k] for k in new.keys() - old.keys()],
        "removed": [old[k] for k in old.keys() - new.keys()],
        "changed": changed,
    }
