"""Excel export and import of the sheet."""

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.uploads import stopped_as_too_large
from assessment import excel, services
from assessment.forms import ImportForm
from assessment.models import ImportDraft, Row, Sheet, row_differences
from assessment.parts import PART_OF, PARTS, SECTIONS
from events.access import get_event_for_user
from events.conflicts import Conflict
from events.downloads import attachment


@require_GET
def sheet_export(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id)
    sheet = Sheet.objects.filter(event=event).first()
    rows = []
    if sheet is not None:
        # Plain tuples, not model instances: a sixth of the export's time at 2,000 rows.
        # The task's status comes in the same query (a join), for the rows that show it.
        rows = [
            excel.ExportRow(*values)
            for values in Row.objects.filter(sheet=sheet, removed_at=None)
            .annotate(task_status=F("task__status"))
            .order_by("section", "position", "created_at")
            .values_list(*excel.ExportRow._fields)
        ]
    data = excel.export_workbook(
        event,
        sheet,
        rows,
        event.tasks.select_related("assignee").order_by("created_at"),
        event.external_parties.all(),
        by=request.user,
    )
    name = f"bedömningsmall-{event.case_number}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return attachment(
        data, name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


@require_http_methods(["GET", "POST"])
def sheet_import(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    """Upload a workbook and see what it would change; nothing is applied yet."""
    event = get_event_for_user(request, event_id, write=request.method == "POST")
    if request.method == "POST":
        too_large = stopped_as_too_large(request)
        form = ImportForm(request.POST, request.FILES, upload_too_large=too_large)
    else:
        form = ImportForm()
    cell_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        sheet = services.sheet_of(event)
        try:
            plan = excel.plan_import(sheet, excel.read_workbook(upload.read()))
        except excel.WorkbookError as error:
            form.add_error("file", str(error))
        else:
            if plan.errors:
                cell_errors = plan.errors
                form.add_error(
                    "file",
                    ngettext(
                        "En cell i filen kan inte sparas som den är; se nedan.",
                        "%(count)d celler i filen kan inte sparas som de är; se nedan.",
                        len(cell_errors),
                    )
                    % {"count": len(cell_errors)},
                )
            else:
                return _preview_page(request, event, sheet, upload.name, plan)
    return render(
        request,
        "assessment/import.html",
        {"event": event, "form": form, "cell_errors": cell_errors},
    )


def _preview_page(
    request: AuthenticatedHttpRequest, event, sheet, file_name, plan
) -> HttpResponse:
    draft = services.prepare_import(sheet, plan, file_name=file_name, by=request.user)
    context = {
        "event": event,
        "draft": draft,
        "parts": _preview(plan),
        "conflicts": [
            {**c, "section_title": SECTIONS[c["section"]].title} for c in plan.conflicts
        ],
        "task_statuses": [
            {**r, "section_title": SECTIONS[r["section"]].title} for r in plan.task_statuses
        ],
        "already_imported": plan.already_imported,
    }
    return render(request, "assessment/import_preview.html", context)


def _preview(plan):
    """Per part, numbered as on the page: the rows added, changed (field by field) and
    removed."""
    parts = {
        part.key: {"part": part, "number": number, "add": [], "change": [], "remove": []}
        for number, part in enumerate(PARTS, start=1)
    }
    for op in plan.operations:
        op = {**op, "section_title": SECTIONS[op["section"]].title}
        if op["op"] == "change":
            op["differences"] = row_differences(op["before"], op["content"])
        parts[PART_OF[op["section"]].key][op["op"]].append(op)
    return [p for p in parts.values() if p["add"] or p["change"] or p["remove"]]


@require_POST
def import_confirm(request: AuthenticatedHttpRequest, event_id, draft_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    # The preview's id is shown only to the uploader; a colleague handed the link who
    # confirms it makes the change as their own.
    try:
        draft = ImportDraft.objects.select_related("sheet").get(pk=draft_id, sheet__event=event)
    except ImportDraft.DoesNotExist:
        raise Http404 from None
    try:
        count = services.apply_import(draft, by=request.user)
    except Conflict:
        messages.error(
            request,
            "Inget är ändrat: mallen ändrades medan du granskade förhandsvisningen (eller "
            "filen är redan inläst). Läs in filen igen för att se de nya skillnaderna.",
        )
        return redirect("sheet_import", event_id=event.pk)
    messages.success(
        request,
        ngettext(
            "Ändringarna från Excel är inlästa (%(count)d rad).",
            "Ändringarna från Excel är inlästa (%(count)d rader).",
            count,
        )
        % {"count": count},
    )
    return redirect("sheet", event_id=event.pk)
