import re
from copy import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Case, F, Q, When
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.moments import moment_text
from accounts.people import people_order, search, swedish_key
from accounts.text import swedish
from events import meetings, services, status, varsel, waiting
from events.access import (
    Access,
    events_for_user,
    get_convening_for_user,
    get_event_for_user,
    get_task_for_user,
    may_log_events,
    may_update_task,
)
from events.conflicts import Conflict, rebind
from events.forms import (
    DUPLICATE_CASE_NUMBER,
    CloseForm,
    DecisionsForm,
    EventCreateForm,
    EventEditForm,
    EventSearchForm,
    LogEntryForm,
    MeetingCancelForm,
    MeetingMoveForm,
    MilestoneForm,
    PhaseForm,
    RedateForm,
    ReopenForm,
    SituationPictureForm,
    StartgroupForm,
    TaskFilterForm,
    TaskForm,
    TaskProgressForm,
    VarselCorrectionForm,
    first_answers,
)
from events.models import QUESTIONS, Membership, Phase, Task
from events.people import MAX_MATCHES, people_for
from events.signals import task_origin
from events.submissions import once_per_form, record

# A form prefix, as a person field's search names it (`falt`): letters, digits, dashes.
FORM_PREFIX = re.compile(r"[a-z0-9_-]{1,40}")

TASK_CHANGED_MEANWHILE = (
    "Någon annan ändrade uppgiften medan du skrev. Din text finns kvar här; "
    "kontrollera den mot det nya och spara igen."
)


@require_GET
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What waits for the user across all their cases (events.waiting), then the user's
    events, active ones first, each with its status and why; the status rule's table below
    them."""
    form = EventSearchForm(request.GET)
    now = timezone.now()
    events = status.with_status_facts(events_for_user(request.user), now)
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
    table = status.rules()
    for event in events:
        event.status = status.status_of(event, table, now)
    context = {
        # Across all the user's cases, whatever the search narrows the list below to.
        "waiting": waiting.waiting_for(request.user, events_for_user(request.user), now),
        "events": events,
        "form": form,
        "status_rules": table,
        "may_log_events": may_log_events(request.user),
    }
    return render(request, "events/start.html", context)


MAY_NOT_LOG_EVENTS = (
    "Det är startgruppen som loggar nya händelser: då kallas den direkt. Be någon i "
    "startgruppen logga händelsen, eller be en administratör att få logga händelser."
)


@require_http_methods(["GET", "POST"])
@once_per_form
def event_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_log_events(request.user):
        raise PermissionDenied(MAY_NOT_LOG_EVENTS)
    form = EventCreateForm(request.POST if request.method == "POST" else None)
    same_event = None
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(
                form.instance,
                startgroup=form.cleaned_data["startgroup"],
                meeting_at=form.cleaned_data["meeting_at"],
                location=form.cleaned_data["location"],
                same_event_confirmed=form.cleaned_data["same_event_confirmed"],
                by=request.user,
            )
        except services.DuplicateCaseNumber:
            form.add_error("case_number", DUPLICATE_CASE_NUMBER)
        except services.PossiblySameEvent as e:
            same_event = e.event
        else:
            record(request, reverse("event_detail", args=[event.pk]))
            messages.success(
                request,
                f"Ärendet {event.case_number} är registrerat och startgruppen är kallad.",
            )
            return redirect("event_detail", event_id=event.pk)
    return render(request, "events/event_create.html", {"form": form, "same_event": same_event})


# The event page shows the latest entries; the whole log is paged on its own page.
LOG_ON_EVENT_PAGE = 30
LOG_PAGE_SIZE = 100


def _detail_context(event, form):
    log_entries = event.log_entries.select_related("author")[:LOG_ON_EVENT_PAGE]
    table = status.rules()
    memberships = event.memberships.select_related("user__function").order_by(
        "group", *people_order("user__")
    )
    return {
        "event": event,
        "picture": event.pictures.select_related("author").first(),
        # The startgrupp's latest meeting, as it stands: coming, held or cancelled.
        "meeting": event.convenings.first(),
        "memberships": memberships,
        "log_entries": log_entries,
        "log_count": event.log_entries.count(),
        "log_form": form,
        "phase_form": PhaseForm(initial={"phase": event.phase}),
        "clock": varsel.clock_for(event),
        "status": status.status_for(event, table, timezone.now()),
        "status_rules": table,
    }


@require_GET
def event_detail(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id)
    return render(request, "events/event_detail.html", _detail_context(event, LogEntryForm()))


@require_GET
def event_summary(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, summary=True)
    tasks = event.tasks.select_related("assignee").order_by(swedish("what"))
    own_tasks_only = event.access == Access.TASK_HOLDER
    if own_tasks_only:
        tasks = tasks.filter(assignee=request.user)
    context = {"event": event, "tasks": tasks, "own_tasks_only": own_tasks_only}
    return render(request, "events/event_summary.html", context)


@require_POST
@once_per_form
def log_entry_add(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    form = LogEntryForm(request.POST)
    if form.is_valid():
        services.add_log_entry(
            event,
            by=request.user,
            text=form.cleaned_data["text"],
            happened_at=form.cleaned_data["happened_at"],
        )
        record(request, reverse("event_detail", args=[event.pk]) + "#log")
        if not request.htmx:
            return redirect("event_detail", event_id=event.pk)
        form = LogEntryForm()
    template = "events/event_detail.html"
    if request.htmx:
        template += "#log"
    return render(request, template, _detail_context(event, form))


PICTURE_SAVED_MEANWHILE = (
    "{who} sparade en nyare nulägesbild{when} medan du skrev. Inget är sparat än: din text "
    "finns kvar i fälten och deras version står bredvid. Ändra det som behövs och spara igen."
)


@require_http_methods(["GET", "POST"])
def picture_edit(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    """The startgrupp answers (or revises) the six questions."""
    event = get_event_for_user(request, event_id, write=request.method == "POST")
    prefilled = {}
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
            except Conflict as conflict:
                latest = conflict.current
                message = PICTURE_SAVED_MEANWHILE.format(
                    who=latest.author if latest else "Någon annan",
                    when=f" {moment_text(latest.created_at)}" if latest else "",
                )
                form = rebind(SituationPictureForm, request.POST, latest, message, event=event)
            else:
                messages.success(request, "Nulägesbilden är sparad.")
                return redirect("event_detail", event_id=event.pk)
    else:
        latest = event.pictures.first()
        convening = event.convenings.first()
        attended = list(convening.attendees.values_list("pk", flat=True)) if convening else []
        initial = {"based_on": SituationPictureForm.version_of(latest), "attendees": attended}
        if latest is None:
            # The first answers start from what the new-event form already says.
            prefilled = first_answers(event)
            initial.update(prefilled)
        form = SituationPictureForm(instance=latest, event=event, initial=initial)
    context = {
        "event": event,
        "form": form,
        "questions": [form[field] for field, _ in QUESTIONS],
        "prefilled": any(prefilled.values()),
    }
    return render(request, "events/picture_edit.html", context)


@require_GET
def picture_history(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id)
    pictures = event.pictures.select_related("author")
    return render(request, "events/picture_history.html", {"event": event, "pictures": pictures})


@require_http_methods(["GET", "POST"])
def decisions(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=request.method == "POST")
    workgroup = [
        m.user_id for m in event.memberships.all() if m.group == Membership.Group.ARBETSGRUPP
    ]
    initial = {
        "inform_politicians": {True: "ja", False: "nej"}.get(event.inform_politicians, ""),
        "politicians_interval_days": event.politicians_interval_days,
        "politician_emails": event.politician_emails,
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


@require_http_methods(["GET", "POST"])
def startgroup_edit(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    current = [m.user_id for m in event.memberships.filter(group=Membership.Group.STARTGRUPP)]
    form = StartgroupForm(
        request.POST if request.method == "POST" else None, initial={"members": current}
    )
    if request.method == "POST" and form.is_valid():
        services.change_startgroup(event, form.cleaned_data["members"], by=request.user)
        messages.success(request, "Startgruppen är sparad.")
        return redirect("event_detail", event_id=event.pk)
    return render(request, "events/startgroup_edit.html", {"event": event, "form": form})


MEETING_CHANGED_MEANWHILE = (
    "Någon annan ändrade mötet medan du skrev: så här står det nu. Det du skrev finns kvar; "
    "spara igen om det ska gälla ändå."
)


def _meeting_page(request: AuthenticatedHttpRequest, convening, form) -> HttpResponse:
    """The meeting with its two forms, `form` (bound or not) one of them."""
    forms = {
        "move_form": MeetingMoveForm(convening=convening),
        "cancel_form": MeetingCancelForm(convening=convening),
    }
    forms["move_form" if isinstance(form, MeetingMoveForm) else "cancel_form"] = form
    context = {"event": convening.event, "convening": convening, **forms}
    return render(request, "events/meeting.html", context)


# Each meeting form's change, and what the event's page then says: done, or that there was
# nothing to send (the same form posted twice).
MEETING_CHANGES = {
    MeetingMoveForm: (
        meetings.move_meeting,
        "Mötet är flyttat. Startgruppen har fått den nya tiden.",
        "Mötet var redan bokat så. Inget skickades.",
    ),
    MeetingCancelForm: (
        meetings.cancel_meeting,
        "Mötet är inställt. Startgruppen har fått avbokningen.",
        "Mötet var redan inställt. Inget skickades.",
    ),
}


def _change_meeting(request: AuthenticatedHttpRequest, convening, form) -> HttpResponse:
    """The valid `form`'s change (MEETING_CHANGES), then the event. If somebody changed
    the meeting first, its page again with the user's input kept on top of the meeting as
    it is now, and a word that it changed: saving again is a knowing choice."""
    change, done, already = MEETING_CHANGES[type(form)]
    try:
        changed = change(convening, **form.cleaned_data, by=request.user)
    except Conflict as conflict:
        current = conflict.current
        current.event = convening.event
        again = rebind(
            type(form), request.POST, current, MEETING_CHANGED_MEANWHILE, convening=current
        )
        return _meeting_page(request, current, again)
    if changed:
        messages.success(request, done)
    else:
        messages.info(request, already)
    return redirect("event_detail", event_id=convening.event.pk)


@require_http_methods(["GET", "POST"])
def meeting_edit(request: AuthenticatedHttpRequest, event_id, convening_id) -> HttpResponse:
    """The startgrupp's meeting: moved here (a new time or place), cancelled with the
    form beside it (meeting_cancel). Every attendee is sent the new version."""
    convening = get_convening_for_user(request, event_id, convening_id, write=True)
    data = request.POST if request.method == "POST" else None
    form = MeetingMoveForm(data, convening=convening)
    if request.method == "POST" and form.is_valid():
        return _change_meeting(request, convening, form)
    return _meeting_page(request, convening, form)


@require_POST
def meeting_cancel(request: AuthenticatedHttpRequest, event_id, convening_id) -> HttpResponse:
    """The startgrupp cancels its meeting, saying why; every attendee is sent the
    cancellation."""
    convening = get_convening_for_user(request, event_id, convening_id, write=True)
    form = MeetingCancelForm(request.POST, convening=convening)
    if form.is_valid():
        return _change_meeting(request, convening, form)
    return _meeting_page(request, convening, form)


@require_POST
def phase_change(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    form = PhaseForm(request.POST)
    if form.is_valid() and form.cleaned_data["phase"] == Phase.AVSLUTAD:
        # Closing asks why, and whether the user means it, on a page of its own.
        return redirect("event_close", event_id=event.pk)
    if form.is_valid() and form.cleaned_data["phase"] != event.phase:
        services.change_phase(event, form.cleaned_data["phase"], by=request.user)
        messages.success(request, f"Fasen är nu {event.get_phase_display()}.")
    return redirect("event_detail", event_id=event.pk)


@require_http_methods(["GET", "POST"])
def event_close(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    """Close the case: the user says why and confirms (services.close_event)."""
    event = get_event_for_user(request, event_id, write=True)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if services.close_event(event, reason=form.cleaned_data["reason"], by=request.user):
            messages.success(request, "Ärendet är avslutat.")
        else:
            messages.info(request, "Någon annan ändrade fasen samtidigt: se fasen nedan.")
        return redirect("event_detail", event_id=event.pk)
    context = {
        "event": event,
        "form": form,
        "open_tasks": event.tasks.filter(status__in=Task.OPEN).count(),
    }
    return render(request, "events/event_close.html", context)


@require_http_methods(["GET", "POST"])
def event_reopen(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    """A startgrupp member reopens a closed case and says why; the open tasks whose time
    has passed are listed, each to be given a new time or left (services.reopen_event).
    On a case that is open, the page says so."""
    event = get_event_for_user(request, event_id, reopen=True)
    if not event.is_closed:
        if request.method == "POST":
            messages.info(request, "Ärendet är redan öppet.")
            return redirect("event_detail", event_id=event.pk)
        return render(request, "events/event_reopen.html", {"event": event})
    data = request.POST if request.method == "POST" else None
    form = ReopenForm(data)
    tasks = services.tasks_to_redate(event, timezone.now())
    redate_forms = [RedateForm(data, task=task) for task in tasks]
    # Every form validated, so that each shows its own errors.
    if data is not None and all([form.is_valid(), *[f.is_valid() for f in redate_forms]]):
        new_times = {
            f.task: f.cleaned_data["due_at"] for f in redate_forms if f.cleaned_data["due_at"]
        }
        reopened = services.reopen_event(
            event, reason=form.cleaned_data["reason"], new_times=new_times, by=request.user
        )
        if reopened:
            count = len(new_times)
            redated = f" {count} uppgift{'' if count == 1 else 'er'} har fått ny tid."
            messages.success(request, f"Ärendet är öppnat igen.{redated if count else ''}")
        else:
            messages.info(request, "Någon annan öppnade ärendet igen samtidigt.")
        return redirect("event_detail", event_id=event.pk)
    context = {"event": event, "form": form, "redate_forms": redate_forms}
    return render(request, "events/event_reopen.html", context)


EVENT_CHANGED_MEANWHILE = (
    "Någon annan sparade ändringar i ärendet medan du skrev. Inget av ditt är sparat än, och "
    "allt du skrev finns kvar i fälten; det som nu är sparat står vid de fält där ni skiljer "
    "er åt. Spara igen för att ersätta med din version."
)


@require_http_methods(["GET", "POST"])
def event_edit(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    if request.method == "POST":
        form = EventEditForm(request.POST, instance=event)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                services.update_event(
                    event, data, version=form.cleaned_data["version"], by=request.user
                )
            except Conflict as conflict:
                current = conflict.current
                form = rebind(
                    EventEditForm, request.POST, current, EVENT_CHANGED_MEANWHILE, instance=current
                )
            except IntegrityError:
                form.add_error("case_number", DUPLICATE_CASE_NUMBER)
            else:
                messages.success(request, "Ändringarna är sparade.")
                return redirect("event_detail", event_id=event.pk)
    else:
        form = EventEditForm(instance=event, initial={"version": event.version})
    return render(request, "events/event_edit.html", {"event": event, "form": form})


@require_GET
def event_log(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id)
    paginator = Paginator(event.log_entries.select_related("author"), LOG_PAGE_SIZE)
    log_page = paginator.get_page(request.GET.get("sida"))
    return render(request, "events/event_log.html", {"event": event, "log_page": log_page})


def _tasks_in_order(tasks):
    return tasks.select_related("assignee", "delegated_by").order_by(
        F("due_at").asc(nulls_last=True), "created_at"
    )


@require_http_methods(["GET", "POST"])
@once_per_form
def task_list(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    """The event's tasks, filtered by status and assignee, soonest due first; writers
    delegate a new one from the same page."""
    event = get_event_for_user(request, event_id, write=request.method == "POST")
    form = TaskForm(request.POST if request.method == "POST" else None, event=event)
    if request.method == "POST" and form.is_valid():
        task = services.delegate_task(event, by=request.user, **form.task_fields())
        record(request, reverse("task_list", args=[event.pk]))
        messages.success(request, f"Uppgiften är delegerad till {task.assignee_label}.")
        return redirect("task_list", event_id=event.pk)
    assignees = event.tasks.values_list(
        "assignee", "assignee__first_name", "assignee__last_name", "assignee_name"
    ).distinct()
    filters = TaskFilterForm(request.GET, assignees=assignees)
    tasks = _tasks_in_order(event.tasks.all())
    if filters.is_valid():
        tasks = filters.apply(tasks)
    tasks = list(tasks)
    for task in tasks:
        task.event = event
        task.can_update = may_update_task(request.user, task, can_write=event.can_write)
        task.progress_form = TaskProgressForm(task=task)
    context = {"event": event, "tasks": tasks, "form": form, "filters": filters}
    return render(request, "events/task_list.html", context)


@require_GET
def my_tasks(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mina uppgifter: the user's tasks across all events, open ones first."""
    filters = TaskFilterForm(request.GET)
    tasks = _tasks_in_order(Task.objects.filter(assignee=request.user)).select_related("event")
    if filters.is_valid():
        tasks = filters.apply(tasks)
    tasks = list(tasks)
    for task in tasks:
        task.can_update = may_update_task(request.user, task, can_write=False)
        task.progress_form = TaskProgressForm(task=task)
    return render(request, "events/my_tasks.html", {"tasks": tasks, "filters": filters})


@require_http_methods(["GET", "POST"])
def task_detail(request: AuthenticatedHttpRequest, event_id, task_id) -> HttpResponse:
    """One task; its assignee or a writer reports status and återkoppling, inline (htmx)
    from the lists or as a plain form post."""
    task = get_task_for_user(request, event_id, task_id, write=request.method == "POST")
    form = TaskProgressForm(request.POST if request.method == "POST" else None, task=task)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            services.report_task_progress(
                task,
                status=form.cleaned_data["status"],
                feedback=form.cleaned_data["feedback"],
                version=form.cleaned_data["version"],
                by=request.user,
            )
            saved = True
        except Conflict:
            task = get_task_for_user(request, event_id, task_id, write=True)
            form = rebind(TaskProgressForm, request.POST, task, TASK_CHANGED_MEANWHILE, task=task)
    if saved and not request.htmx:
        messages.success(request, "Uppgiften är uppdaterad.")
        return redirect(safe_next(request) or reverse("task_detail", args=[event_id, task.pk]))
    if saved:
        form = TaskProgressForm(task=task)
    context = {"task": task, "event": task.event, "form": form, "saved": saved}
    if request.htmx:
        return render(request, "events/task_detail.html#task_card", context)
    context["origins"] = [link for _, link in task_origin.send(Task, task=task) if link]
    return render(request, "events/task_detail.html", context)


@require_http_methods(["GET", "POST"])
def task_edit(request: AuthenticatedHttpRequest, event_id, task_id) -> HttpResponse:
    # Changing vad/vem/när is the arbetsgrupp's, as delegating is.
    event = get_event_for_user(request, event_id, write=True)
    task = get_object_or_404(event.tasks, pk=task_id)
    task.event = event
    # A copy: validating a bound ModelForm writes into its instance, and the service
    # compares against the task as it was.
    form = TaskForm(
        request.POST if request.method == "POST" else None,
        instance=copy(task),
        initial={"version": task.version},
        event=event,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_task(
                task,
                form.task_fields(),
                version=form.cleaned_data["version"] or 0,
                by=request.user,
            )
        except Conflict as conflict:
            task = conflict.current
            task.event = event
            form = rebind(
                TaskForm,
                request.POST,
                task,
                TASK_CHANGED_MEANWHILE,
                instance=copy(task),
                event=event,
            )
        else:
            messages.success(request, "Uppgiften är ändrad.")
            return redirect("task_list", event_id=task.event.pk)
    return render(
        request, "events/task_edit.html", {"task": task, "event": task.event, "form": form}
    )


def safe_next(request: AuthenticatedHttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


def _correction_form(event, data=None) -> VarselCorrectionForm:
    initial = {"notice_on": event.varsel_notice_on, "earliest_on": event.varsel_earliest_on}
    return VarselCorrectionForm(data, initial=initial)


def _milestone_forms(
    request: AuthenticatedHttpRequest, event, clock, data=None
) -> list[MilestoneForm]:
    """A form for each milestone not yet a task, for the arbetsgrupp's lead (or the one
    who delegates, if there is no lead yet) unless the user names someone else."""
    default = event.workgroup_lead or request.user
    return [
        MilestoneForm(
            data, prefix=f"delmal{index}", event=event, what=what, day=day, default=default
        )
        for index, what, day in services.undelegated_milestones(event, clock)
    ]


def _varsel_page(
    request: AuthenticatedHttpRequest, event, clock, form, milestone_forms
) -> HttpResponse:
    context = {"event": event, "clock": clock, "form": form, "milestone_forms": milestone_forms}
    return render(request, "events/varsel.html", context)


@require_http_methods(["GET", "POST"])
def varsel_clock(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    """The varsel clock: the statutory dates, their correction from the actual notice, and
    the milestones to delegate."""
    event = get_event_for_user(request, event_id, write=request.method == "POST")
    clock = varsel.clock_for(event)
    if clock is None:
        raise Http404
    form = _correction_form(event, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.correct_varsel_dates(
            event,
            notice_on=form.cleaned_data["notice_on"],
            earliest_on=form.cleaned_data["earliest_on"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
        messages.success(request, "Datumen är rättade och ändringen är loggad.")
        return redirect("varsel_clock", event_id=event.pk)
    milestone_forms = _milestone_forms(request, event, clock) if event.can_write else []
    return _varsel_page(request, event, clock, form, milestone_forms)


@require_POST
@once_per_form
def varsel_tasks(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    """The clock's milestones become tasks in one step, each for the person and by the day
    the user chose (prefilled: the arbetsgrupp's lead, the computed day); some may be
    skipped."""
    event = get_event_for_user(request, event_id, write=True)
    clock = varsel.clock_for(event)
    if clock is None:
        raise Http404
    if not clock.milestones:
        messages.error(request, "Ange när varslet lämnades innan delmålen kan bli uppgifter.")
        return redirect("varsel_clock", event_id=event.pk)
    milestone_forms = _milestone_forms(request, event, clock, request.POST)
    # Every form validated, so that each shows its own errors.
    if not all([milestone.is_valid() for milestone in milestone_forms]):
        return _varsel_page(request, event, clock, _correction_form(event), milestone_forms)
    kept = [
        (milestone.what, milestone.cleaned_data["assignee"], milestone.cleaned_data["due_on"])
        for milestone in milestone_forms
        if not milestone.cleaned_data["skip"]
    ]
    tasks = services.delegate_varsel_milestones(event, kept, by=request.user)
    if tasks:
        record(request, reverse("task_list", args=[event.pk]))
        people = sorted({str(task.assignee) for task in tasks}, key=swedish_key)
        messages.success(request, f"Delegerade delmål: {len(tasks)} (till {', '.join(people)}).")
    else:
        messages.info(request, "Inga nya uppgifter: delmålen finns redan eller hoppades över.")
    return redirect("task_list", event_id=event.pk)


@require_GET
def person_search(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    """Colleagues whose name or address matches what is typed in a person field, the
    case's members first: radio buttons swapped in under the field (htmx), or a page of
    its own. Any writer on the event may look up anyone with an account: a task may go to
    anyone in the municipality. `falt` is the form prefix of the field asking."""
    event = get_event_for_user(request, event_id, write=True)
    prefix = request.GET.get("falt", "")
    if not FORM_PREFIX.fullmatch(prefix):
        prefix = ""
    query = request.GET.get(f"{prefix}-vem" if prefix else "vem", "")[:254]
    found = search(people_for(event), query)
    context = {
        "event": event,
        "query": query,
        "people": found[:MAX_MATCHES],
        "more": len(found) > MAX_MATCHES,
        "name": f"{prefix}-assignee" if prefix else "assignee",
    }
    template = "events/person_search.html"
    return render(request, template + "#matches" if request.htmx else template, context)
