from copy import copy
from functools import partial

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from commsplan import pdf, services
from commsplan.access import (
    get_quote_for_user,
    why_not_approve,
    why_not_approve_quote,
    why_not_fact_check,
    why_not_send_back,
)
from commsplan.forms import (
    AnnouncementForm,
    PlanForm,
    PressTextForm,
    PublishForm,
    RowForm,
    SendBackForm,
    TalkingPointsForm,
)
from commsplan.models import ANSWERS, PressText, TimetableRow
from commsplan.sanitise import render as render_markdown
from events.access import get_event_for_user
from events.conflicts import Conflict, rebind, version_posted
from events.downloads import attachment
from events.steps import asked, take_step
from events.submissions import once_per_form, record


def _row(event, row_id) -> TimetableRow:
    row = get_object_or_404(
        TimetableRow.objects.select_related("plan", "written_by", "oral_by"),
        pk=row_id,
        plan__event=event,
    )
    row.plan.event = event
    return row


def _text(event, text_id) -> PressText:
    text = get_object_or_404(
        PressText.objects.select_related(
            "row__plan",
            "author",
            "edited_by",
            "contact__function",
            "sent_back_by",
            "fact_checked_by",
            "approved_by",
            "published_by",
            "override_by",
            "corrects",
            "correction",
        ).prefetch_related("published_channels", "quotes__person"),
        pk=text_id,
        row__plan__event=event,
    )
    text.row.plan.event = event
    return text


@require_GET
def commsplan(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    """The plan: the nine answers, the company's announcement and the tidplan with its
    texts."""
    event = get_event_for_user(request, event_id)
    plan = services.plan_for(event)
    rows = plan.rows.select_related("written_by", "oral_by").prefetch_related(
        "channels",
        "target_groups",
        Prefetch("texts", queryset=PressText.objects.prefetch_related("published_channels")),
    )
    context = {"event": event, "plan": plan, "rows": rows}
    return render(request, "commsplan/plan.html", context)


ANSWER_CHANGED_MEANWHILE = (
    "Någon annan ändrade också det här svaret medan du skrev. Din text finns kvar här och det "
    "som nu är sparat står bredvid; spara igen för att ersätta deras."
)


@require_http_methods(["GET", "POST"])
def commsplan_edit(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    plan = services.plan_for(event)
    form = PlanForm(request.POST if request.method == "POST" else None, instance=plan)
    if request.method == "POST" and form.is_valid():
        answers = {field: form.cleaned_data[field] for field, _ in ANSWERS}
        version = form.cleaned_data["version"]
        try:
            services.update_plan(plan, answers, version=version, by=request.user)
        except Conflict as conflict:
            # Saving again, knowingly, replaces theirs; answers this user left alone show
            # what is saved now, so saving again cannot undo a colleague's change either.
            saved, data = conflict.current, request.POST.copy()
            shown = services.answers_at(plan, version)
            for field, value in answers.items():
                if value == shown[field]:
                    data[field] = getattr(saved, field)
            form = rebind(PlanForm, data, saved, "", instance=saved)
            for field in conflict.fields:
                form.add_error(field, ANSWER_CHANGED_MEANWHILE)
        else:
            messages.success(request, "Kommunikationsplanen är sparad.")
            return redirect("commsplan", event_id=event.pk)
    return render(request, "commsplan/plan_edit.html", {"event": event, "form": form})


@require_http_methods(["GET", "POST"])
def company_announcement(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    """Register the company's own announcement as planned, or confirm it as made."""
    event = get_event_for_user(request, event_id, write=True)
    plan = services.plan_for(event)
    if request.method == "POST":
        form = AnnouncementForm(request.POST)
    else:
        form = AnnouncementForm(initial=_announcement_initial(plan))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        planned = data["state"] == AnnouncementForm.PLANNED
        register = (
            services.plan_company_announcement if planned else services.record_company_announcement
        )
        try:
            register(plan, at=data["at"], where=data["where"].strip(), by=request.user)
        except services.Refused as refused:
            form.add_error(None, str(refused))
        else:
            if planned:
                messages.success(request, "Företagets planerade besked är registrerat.")
            else:
                messages.success(request, "Företagets besked är bekräftat.")
            return redirect("commsplan", event_id=event.pk)
    context = {"event": event, "plan": plan, "form": form}
    return render(request, "commsplan/announcement.html", context)


def _announcement_initial(plan) -> dict:
    # Confirmed: as confirmed. Planned: offered for confirmation, at the planned time.
    if plan.company_announced_at:
        return {
            "state": AnnouncementForm.MADE,
            "at": plan.company_announced_at,
            "where": plan.company_announced_where,
        }
    if plan.company_planned_at:
        return {
            "state": AnnouncementForm.MADE,
            "at": plan.company_planned_at,
            "where": plan.company_planned_where,
        }
    return {}


@require_http_methods(["GET", "POST"])
def tidplan_row_edit(request: AuthenticatedHttpRequest, event_id, row_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    row = _row(event, row_id)
    form = RowForm(request.POST if request.method == "POST" else None, instance=row, event=event)
    if request.method == "POST" and form.is_valid():
        services.update_row(row, form.cleaned_data, by=request.user)
        messages.success(request, f"Tidplanen för {row.when} är sparad.")
        return redirect("commsplan", event_id=event.pk)
    return render(request, "commsplan/row_edit.html", {"event": event, "row": row, "form": form})


@require_http_methods(["GET", "POST"])
def talking_points_edit(request: AuthenticatedHttpRequest, event_id, row_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    row = _row(event, row_id)
    data = request.POST if request.method == "POST" else None
    form = TalkingPointsForm(data, initial={"talking_points": row.talking_points})
    if request.method == "POST" and form.is_valid():
        services.update_talking_points(row, form.cleaned_data["talking_points"], by=request.user)
        messages.success(request, f"Talepunkterna för {row.when} är sparade.")
        return redirect("commsplan", event_id=event.pk)
    context = {"event": event, "row": row, "form": form}
    return render(request, "commsplan/talking_points.html", context)


@require_GET
def talking_points_pdf(request: AuthenticatedHttpRequest, event_id, row_id) -> HttpResponse:
    event = get_event_for_user(request, event_id)
    row = _row(event, row_id)
    archival = request.GET.get("arkiv") == "1"
    return _pdf(pdf.talking_points_pdf(row, archival=archival), f"talepunkter-{row.position + 1}")


@require_http_methods(["GET", "POST"])
@once_per_form
def press_text_create(request: AuthenticatedHttpRequest, event_id, row_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    row = _row(event, row_id)
    url = reverse("press_text_create", args=[event.pk, row.pk])
    if _previewing(request):
        form = PressTextForm(initial=_typed(request), event=event, preview_url=url)
        return _text_form(request, event, row, form, preview=True)
    if request.method == "POST":
        form = PressTextForm(request.POST, event=event, preview_url=url)
        if form.is_valid():
            text = services.create_text(row, _text_data(form), by=request.user)
            record(request, reverse("press_text_detail", args=[event.pk, text.pk]))
            messages.success(request, "Utkastet är sparat. Be en kollega faktagranska det.")
            return redirect("press_text_detail", event_id=event.pk, text_id=text.pk)
    else:
        form = PressTextForm(event=event, preview_url=url, initial={"contact": row.written_by_id})
    return _text_form(request, event, row, form)


def _previewing(request: AuthenticatedHttpRequest) -> bool:
    """The form was posted for its preview ("Förhandsgranska", or htmx as the body is
    typed), not to be saved."""
    return request.method == "POST" and "preview" in request.POST


def _typed(request: AuthenticatedHttpRequest) -> dict:
    """What the user typed, as the initial values of an unbound form: a preview shows no
    errors for fields not filled in yet."""
    typed = {name: request.POST.get(name, "") for name in ("title", "lead", "body", "contact")}
    typed["quoted"] = request.POST.getlist("quoted")
    if "based_on" in request.POST:
        typed["based_on"] = request.POST["based_on"]
    return typed


def _text_form(
    request: AuthenticatedHttpRequest, event, row, form, *, text=None, preview=False
) -> HttpResponse:
    """The press text's form with the body as it will look; on htmx, with `preview`,
    only that."""
    context = {
        "event": event,
        "row": row,
        "form": form,
        "text": text,
        "preview": mark_safe(render_markdown(form["body"].value() or "")),  # noqa: S308 (sanitised)
    }
    if preview and request.htmx:
        return render(request, "commsplan/press_text_form.html#preview", context)
    return render(request, "commsplan/press_text_form.html", context)


def _text_data(form) -> dict:
    names = ("title", "lead", "body", "contact", "quoted")
    return {name: form.cleaned_data[name] for name in names}


@require_GET
def press_text_detail(request: AuthenticatedHttpRequest, event_id, text_id) -> HttpResponse:
    event = get_event_for_user(request, event_id)
    return _detail(request, event, _text(event, text_id))


def _detail(request: AuthenticatedHttpRequest, event, text, send_back_form=None) -> HttpResponse:
    """The text's page; `send_back_form` bound when a send-back was refused, so the reason
    typed is kept. The form is offered to those who may send the text back; the fact-check
    and the approval, to those who may take them (commsplan.access; the others are told why
    not); the quote's approval, to a quoted person."""
    user = request.user
    if send_back_form is None and (event.can_write and not why_not_send_back(text, user)):
        send_back_form = SendBackForm()
    checked = text.status == PressText.Status.FAKTAGRANSKAD
    context = {
        "event": event,
        "text": text,
        "plan": text.row.plan,
        "send_back_form": send_back_form,
        "why_not_approve": why_not_approve(text, user) if checked else "",
        "why_not_fact_check": why_not_fact_check(text, user),
        "my_quote": next((q for q in text.quotes.all() if q.person_id == user.pk), None),
    }
    return render(request, "commsplan/press_text_detail.html", context)


TEXT_SAVED_MEANWHILE = (
    "Någon annan sparade texten medan du skrev. Din text finns kvar i fälten; den sparade "
    "versionen står bredvid. Jämför och spara igen."
)


@require_http_methods(["GET", "POST"])
def press_text_edit(request: AuthenticatedHttpRequest, event_id, text_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    text = _text(event, text_id)
    if not text.is_editable:
        messages.error(request, "En publicerad text ändras inte. Skriv en rättelse i stället.")
        return redirect("press_text_detail", event_id=event.pk, text_id=text.pk)
    url = reverse("press_text_edit", args=[event.pk, text.pk])
    if _previewing(request):
        form = PressTextForm(initial=_typed(request), instance=text, event=event, preview_url=url)
        return _text_form(request, event, text.row, form, text=text, preview=True)
    data = request.POST if request.method == "POST" else None
    form = PressTextForm(data, instance=text, event=event, preview_url=url)
    if request.method == "POST" and form.is_valid():
        based_on = form.cleaned_data["based_on"]
        if based_on is None:
            based_on = text.revision  # no version sent: a hand-made post, not a stale page
        try:
            changed = services.edit_text(
                text, _text_data(form), based_on=based_on, by=request.user
            )
        except Conflict:
            text = _text(event, text.pk)  # what is saved now, shown beside the user's
            form = rebind(
                PressTextForm,
                request.POST,
                text,
                TEXT_SAVED_MEANWHILE,
                instance=copy(text),
                event=event,
                preview_url=url,
            )
        else:
            if changed:
                messages.success(request, "Texten är sparad.")
            else:
                messages.info(request, "Inget ändrades: texten är som den var sparad.")
            return redirect("press_text_detail", event_id=event.pk, text_id=text.pk)
    return _text_form(request, event, text.row, form, text=text)


@require_http_methods(["GET", "POST"])
def press_text_quote(request: AuthenticatedHttpRequest, event_id, text_id) -> HttpResponse:
    """A quoted person reads the text and approves their quote, whether or not they are a
    member of the case (a quote's own access rule: commsplan.access)."""
    quote = get_quote_for_user(request, event_id, text_id, write=request.method == "POST")
    text = quote.text
    event = text.row.plan.event
    if request.method == "POST":
        # A hand-made post without the version cannot say which words it approves.
        based_on = version_posted(request.POST, "based_on")
        try:
            services.approve_quote(text, based_on=based_on, by=request.user)
        except services.Refused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "Ditt citat är godkänt.")
        return redirect("press_text_quote", event_id=event.pk, text_id=text.pk)
    context = {
        "event": event,
        "text": text,
        "quote": quote,
        "why_not": why_not_approve_quote(text, request.user),
    }
    return render(request, "commsplan/press_text_quote.html", context)


# The steps taken with a button on a text's page, by the name urls.py gives each address:
# the service, and what the user is told once it is taken (events.steps). Who may take
# which is commsplan.access's, asked by the service.
TEXT_STEPS = {
    "request_fact_check": (
        services.request_fact_check,
        partial(
            asked,
            waits="Texten väntar på faktagranskning",
            whom=("kollega", "kollegor"),
            nobody="ingen annan i ärendet kan granska den. Be startgruppen lägga till någon "
            "i arbetsgruppen.",
        ),
    ),
    "fact_check": (services.fact_check, "Texten är faktagranskad."),
    "approve": (services.approve, "Texten är godkänd."),
}


@require_POST
def press_text_step(
    request: AuthenticatedHttpRequest, event_id, text_id, step: str
) -> HttpResponse:
    """Ask for a fact-check, fact-check or approve (TEXT_STEPS), back on the text's page."""
    event = get_event_for_user(request, event_id, write=True)
    text = _text(event, text_id)
    service, done = TEXT_STEPS[step]
    back = reverse("press_text_detail", args=[event.pk, text.pk])
    return take_step(request, service, text, done=done, back=back)


@require_POST
def press_text_send_back(request: AuthenticatedHttpRequest, event_id, text_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    text = _text(event, text_id)
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            services.send_back(text, reason=form.cleaned_data["reason"], by=request.user)
        except services.Refused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Texten är tillbaka hos författaren, med ditt skäl.")
            return redirect("press_text_detail", event_id=event.pk, text_id=text.pk)
    return _detail(request, event, text, send_back_form=form)


@require_POST
def press_text_correct(request: AuthenticatedHttpRequest, event_id, text_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    text = _text(event, text_id)
    try:
        correction = services.correct(text, by=request.user)
    except services.Refused as refused:
        messages.error(request, str(refused))
        return redirect("press_text_detail", event_id=event.pk, text_id=text.pk)
    messages.success(request, f"Version {correction.version} är ett nytt utkast. Skriv rättelsen.")
    return redirect("press_text_edit", event_id=event.pk, text_id=correction.pk)


@require_http_methods(["GET", "POST"])
def press_text_publish(request: AuthenticatedHttpRequest, event_id, text_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    text = _text(event, text_id)
    data = request.POST if request.method == "POST" else None
    # The row's planned channels, ticked to start with.
    form = PublishForm(data, initial={"channels": list(text.row.channels.all())})
    if request.method == "POST" and form.is_valid():
        try:
            services.publish(
                text,
                channels=form.cleaned_data["channels"],
                at=form.cleaned_data["at"],
                override_reason=form.cleaned_data["override_reason"].strip(),
                by=request.user,
            )
        except services.Refused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Publiceringen är registrerad.")
            return redirect("press_text_detail", event_id=event.pk, text_id=text.pk)
    context = {"event": event, "text": text, "plan": text.row.plan, "form": form}
    return render(request, "commsplan/publish.html", context)


@require_GET
def press_text_pdf(request: AuthenticatedHttpRequest, event_id, text_id) -> HttpResponse:
    event = get_event_for_user(request, event_id)
    text = _text(event, text_id)
    archival = request.GET.get("arkiv") == "1"
    name = f"pressmeddelande-{event.case_number}-v{text.version}"
    return _pdf(pdf.press_text_pdf(text, archival=archival), name)


def _pdf(content: bytes, name: str) -> HttpResponse:
    return attachment(content, f"{name}.pdf", "application/pdf")
