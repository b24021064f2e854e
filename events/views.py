from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Case, Q, When
from django.db.models.functions import Lower
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events import services, status
from events.access import Access, events_for_user, get_event_for_user
from events.forms import (
    DUPLICATE_CASE_NUMBER,
    DecisionsForm,
    EventCreateForm,
    EventEditForm,
    EventSearchForm,
    LogEntryForm,
    PhaseForm,
    SituationPictureForm,
)
from events.models import QUESTIONS, Membership, Phase


@require_GET
def start(request):
    """The user's events, active ones first, with their status colour."""
    form = EventSearchForm(request.GET)
    events = status.with_overdue(events_for_user(request.user))
    if form.is_valid():
        if query := form.cleaned_data["q"].strip().lower():
            events = events.annotate(
                title_lower=Lower("title"),
                company_lower=Lower("company_name"),
                case_lower=Lower("case_number"),
            ).filter(
                Q(title_lower__contains=query)
                | Q(company_lower__contains=query)
                | Q(case_lower__contains=query)
            )
        if form.cleaned_data["phase"]:
            events = events.filter(phase=form.cleaned_data["phase"])
    closed_last = Case(When(phase=Phase.AVSLUTAD, then=1), default=0)
    events = list(events.order_by(closed_last, "-created_at"))
    for event in events:
        event.status = status.colour_of(event)
        event.status_label = status.LABELS.get(event.status)
    return render(request, "events/start.html", {"events": events, "form": form})


@require_http_methods(["GET", "POST"])
def event_create(request):
    form = EventCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(
                form.instance,
                startgroup=form.cleaned_data["startgroup"],
                meeting_at=form.cleaned_data["meeting_at"],
                location=form.cleaned_data["location"],
                by=request.user,
            )
        except services.DuplicateCaseNumber:
            form.add_error("case_number", DUPLICATE_CASE_NUMBER)
        else:
            messages.success(
                request,
                f"Ärendet {event.case_number} är registrerat och startgruppen är kallad.",
            )
            return redirect("event_detail", event_id=event.pk)
    return render(request, "events/event_create.html", {"form": form})


# The event page shows the latest entries; the whole log is paged on its own page.
LOG_ON_EVENT_PAGE = 30
LOG_PAGE_SIZE = 100


def _detail_context(event, form):
    log_entries = event.log_entries.select_related("author")[:LOG_ON_EVENT_PAGE]
    memberships = event.memberships.select_related("user__function").order_by(
        "group", "user__first_name"
    )
    return {
        "event": event,
        "picture": event.pictures.select_related("author").first(),
        "memberships": memberships,
        "log_entries": log_entries,
        "log_count": event.log_entries.count(),
        "log_form": form,
        "phase_form": PhaseForm(initial={"phase": event.phase}),
    }


@require_GET
def event_detail(request, event_id):
    event = get_event_for_user(request, event_id)
    return render(request, "events/event_detail.html", _detail_context(event, LogEntryForm()))


@require_GET
def event_summary(request, event_id):
    event = get_event_for_user(request, event_id, summary=True)
    tasks = event.tasks.select_related("assignee").order_by("what")
    own_tasks_only = event.access == Access.TASK_HOLDER
    if own_tasks_only:
        tasks = tasks.filter(assignee=request.user)
    context = {"event": event, "tasks": tasks, "own_tasks_only": own_tasks_only}
    return render(request, "events/event_summary.html", context)


@require_POST
def log_entry_add(request, event_id):
    event = get_event_for_user(request, event_id, write=True)
    form = LogEntryForm(request.POST)
    if form.is_valid():
        services.add_log_entry(
            event,
            by=request.user,
            text=form.cleaned_data["text"],
            happened_at=form.cleaned_data["happened_at"],
        )
        if not request.htmx:
            return redirect("event_detail", event_id=event.pk)
        form = LogEntryForm()
    template = "events/event_detail.html"
    if request.htmx:
        template += "#log"
    return render(request, template, _detail_context(event, form))


@require_http_methods(["GET", "POST"])
def picture_edit(request, event_id):
    """The startgrupp answers (or revises) the six questions."""
    event = get_event_for_user(request, event_id, write=request.method == "POST")
    conflict = None
    if request.method == "POST":
        form = SituationPictureForm(request.POST, event=event)
        if form.is_valid():
            answers = {field: form.cleaned_data[field] for field, _ in QUESTIONS}
            try:
                services.revise_picture(
                    event,
                    answers,
                    based_on=form.cleaned_data["based_on"],
                    attendees=form.cleaned_data["attendees"],
                    by=request.user,
                )
            except services.StalePicture as stale:
                # Keep what the user typed, show the other version beside it, and let the
                # next save be based on it.
                conflict = stale.latest
                data = request.POST.copy()
                data["based_on"] = conflict.revision
                form = SituationPictureForm(data, event=event)
            else:
                messages.success(request, "Nulägesbilden är sparad.")
                return redirect("event_detail", event_id=event.pk)
    else:
        latest = event.pictures.first()
        convening = event.convenings.first()
        attended = list(convening.attendees.values_list("pk", flat=True)) if convening else []
        form = SituationPictureForm(
            instance=latest,
            event=event,
            initial={"based_on": latest.revision if latest else 0, "attendees": attended},
        )
    rows = [(form[field], getattr(conflict, field, None)) for field, _ in QUESTIONS]
    context = {"event": event, "form": form, "rows": rows, "conflict": conflict}
    return render(request, "events/picture_edit.html", context)


@require_GET
def picture_history(request, event_id):
    event = get_event_for_user(request, event_id)
    pictures = event.pictures.select_related("author")
    return render(request, "events/picture_history.html", {"event": event, "pictures": pictures})


@require_http_methods(["GET", "POST"])
def decisions(request, event_id):
    event = get_event_for_user(request, event_id, write=request.method == "POST")
    workgroup = [
        m.user_id for m in event.memberships.all() if m.group == Membership.Group.ARBETSGRUPP
    ]
    initial = {
        "inform_politicians": {True: "ja", False: "nej"}.get(event.inform_politicians, ""),
        "politicians_interval_days": event.politicians_interval_days,
        "workgroup": workgroup,
        "workgroup_lead": event.workgroup_lead_id,
        "reporter": event.reporter_id,
        "report_interval_days": event.report_interval_days,
    }
    data = request.POST if request.method == "POST" else None
    form = DecisionsForm(data, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.record_decisions(event, form.cleaned_data, by=request.user)
        messages.success(request, "Besluten är sparade och loggade.")
        return redirect("event_detail", event_id=event.pk)
    return render(request, "events/decisions.html", {"event": event, "form": form})


@require_POST
def phase_change(request, event_id):
    event = get_event_for_user(request, event_id, write=True)
    form = PhaseForm(request.POST)
    if form.is_valid() and form.cleaned_data["phase"] != event.phase:
        services.change_phase(event, form.cleaned_data["phase"], by=request.user)
        messages.success(request, f"Fasen är nu {event.get_phase_display()}.")
    return redirect("event_detail", event_id=event.pk)


@require_http_methods(["GET", "POST"])
def event_edit(request, event_id):
    event = get_event_for_user(request, event_id, write=True)
    conflict, differences = False, []
    if request.method == "POST":
        form = EventEditForm(request.POST, instance=event)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                services.update_event(
                    event, data, version=form.cleaned_data["version"], by=request.user
                )
            except services.StaleEvent as stale:
                conflict, differences = True, _differences(form, data, stale.current)
                # What the user typed stays in the form; the next save is knowingly made
                # on top of the other version.
                form = EventEditForm(
                    data={**request.POST.dict(), "version": stale.current.version},
                    instance=event,
                )
            except IntegrityError:
                form.add_error("case_number", DUPLICATE_CASE_NUMBER)
            else:
                messages.success(request, "Ändringarna är sparade.")
                return redirect("event_detail", event_id=event.pk)
    else:
        form = EventEditForm(instance=event, initial={"version": event.version})
    context = {"event": event, "form": form, "conflict": conflict, "differences": differences}
    return render(request, "events/event_edit.html", context)


def _differences(form, mine: dict, current) -> list[tuple[str, object]]:
    """(label, the saved value) for each field where the user's input differs."""
    rows = []
    for name, value in mine.items():
        theirs = getattr(current, name)
        if value != theirs:
            display = getattr(current, f"get_{name}_display", None)
            rows.append((form[name].label, display() if display else theirs))
    return rows


@require_GET
def event_log(request, event_id):
    event = get_event_for_user(request, event_id)
    paginator = Paginator(event.log_entries.select_related("author"), LOG_PAGE_SIZE)
    log_page = paginator.get_page(request.GET.get("sida"))
    return render(request, "events/event_log.html", {"event": event, "log_page": log_page})


NOTIFICATIONS_SHOWN = 50


@require_GET
def notifications(request):
    mine = request.user.notifications.select_related("event")[:NOTIFICATIONS_SHOWN]
    return render(request, "events/notifications.html", {"notifications": mine})


@require_POST
def notifications_read(request):
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications")
