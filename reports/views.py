from datetime import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from events.access import get_event_for_user
from events.downloads import attachment
from events.submissions import once_per_form, record
from reports import pdf, services
from reports.access import may_approve
from reports.forms import ReportForm
from reports.models import Report


def _report(event, report_id) -> Report:
    report = get_object_or_404(
        Report.objects.select_related("author", "approved_by", "sent_by"),
        pk=report_id,
        event=event,
    )
    report.event = event
    return report


@require_GET
def report_list(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    event = get_event_for_user(request, event_id)
    reports = event.reports.select_related("author", "approved_by").order_by("-version")
    return render(request, "reports/report_list.html", {"event": event, "reports": reports})


def _data(form) -> dict:
    return {
        "summary": form.cleaned_data["summary"],
        "decisions_needed": form.cleaned_data["decisions_needed"],
        "hidden": form.cleaned_data["not_for_publication"],
    }


@require_http_methods(["GET", "POST"])
@once_per_form
def report_create(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    """A new draft: the reporter's text; everything else is compiled when it is saved.
    The "report due" reminder links here."""
    event = get_event_for_user(request, event_id, write=True)
    previous = services.last_sent(event)
    initial = {"not_for_publication": previous.not_for_publication} if previous else {}
    form = ReportForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.create_draft(event, **_data(form), by=request.user)
        except services.Refused as e:
            messages.error(request, str(e))
            return redirect("report_list", event_id=event.pk)
        record(request, reverse("report_detail", args=[event.pk, report.pk]))
        messages.success(
            request, "Utkastet är sparat. Be en ledamot av startgruppen godkänna det."
        )
        return redirect("report_detail", event_id=event.pk, report_id=report.pk)
    return render(request, "reports/report_create.html", {"event": event, "form": form})


@require_http_methods(["GET", "POST"])
def report_detail(request: AuthenticatedHttpRequest, event_id, report_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=request.method == "POST")
    report = _report(event, report_id)
    initial = {
        "summary": report.summary,
        "decisions_needed": report.decisions_needed,
        "not_for_publication": report.not_for_publication,
    }
    form = ReportForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(report, **_data(form), by=request.user)
        except services.Refused as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "Utkastet är sparat och uppdaterat från ärendet.")
        return redirect("report_detail", event_id=event.pk, report_id=report.pk)
    context = {
        **pdf.report_context(report, politicians=False),
        "event": event,
        "form": form,
        "cannot_approve": may_approve(report, request.user),
        "recipients": report.recipients.select_related("user"),
    }
    return render(request, "reports/report_detail.html", context)


@require_POST
def report_request_approval(
    request: AuthenticatedHttpRequest, event_id, report_id
) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    report = _report(event, report_id)
    try:
        told = services.request_approval(report, by=request.user)
    except services.Refused as e:
        messages.error(request, str(e))
    else:
        if told:
            members = "ledamot" if told == 1 else "ledamöter"
            messages.success(
                request,
                f"Rapporten väntar på godkännande. {told} {members} av startgruppen har fått "
                "besked.",
            )
        else:
            messages.warning(
                request,
                "Rapporten väntar på godkännande, men ingen i startgruppen kan godkänna den: "
                "alla har skrivit eller ändrat den.",
            )
    return redirect("report_detail", event_id=event.pk, report_id=report.pk)


@require_POST
def report_approve(request: AuthenticatedHttpRequest, event_id, report_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    report = _report(event, report_id)
    try:
        seen = datetime.fromisoformat(request.POST.get("compiled_at", ""))
    except ValueError:
        seen = None  # no version sent: a hand-made post, not a stale page
    try:
        services.approve(report, seen_compiled_at=seen, by=request.user)
    except services.Refused as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"Lägesrapport {report.version} är godkänd.")
    return redirect("report_detail", event_id=event.pk, report_id=report.pk)


@require_POST
def report_send(request: AuthenticatedHttpRequest, event_id, report_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=True)
    report = _report(event, report_id)
    try:
        count = services.send(report, by=request.user)
    except services.Refused as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"Lägesrapport {report.version} skickas till {count} mottagare.")
    return redirect("report_detail", event_id=event.pk, report_id=report.pk)


@require_GET
def report_pdf(request: AuthenticatedHttpRequest, event_id, report_id) -> HttpResponse:
    """?politiker=1: the politicians' copy; ?arkiv=1: PDF/A for the records."""
    event = get_event_for_user(request, event_id)
    report = _report(event, report_id)
    content = pdf.report_pdf(
        report,
        politicians=request.GET.get("politiker") == "1",
        archival=request.GET.get("arkiv") == "1",
    )
    name = f"lägesrapport-{event.case_number}-v{report.version}.pdf"
    return attachment(content, name, "application/pdf")
