from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events import services
from events.access import Access, events_for_user, get_event_for_user
from events.forms import EventCreateForm, LogEntryForm


@require_GET
def start(request):
    events = events_for_user(request.user).order_by("-created_at")
    return render(request, "events/start.html", {"events": events})


@require_http_methods(["GET", "POST"])
def event_create(request):
    form = EventCreateForm(request.POST or None)
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
            form.add_error("case_number", form.Meta.error_messages["case_number"]["unique"])
        else:
            messages.success(
                request,
                f"Ärendet {event.case_number} är registrerat och startgruppen är kallad.",
            )
            return redirect("event_detail", event_id=event.pk)
    return render(request, "events/event_create.html", {"form": form})


def _detail_context(event, form):
    log_entries = event.log_entries.select_related("author")
    return {"event": event, "log_entries": log_entries, "log_form": form}


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
