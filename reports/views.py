from functools import partial

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from events.access import get_event_for_user
from events.conflicts import Conflict, rebind, version_posted
from events.downloads import attachment
from events.steps import asked, take_step
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


REPORT_SAVED_MEANWHILE = (
    "Någon annan sparade utkastet medan du skrev. Din text finns kvar i fälten; det som nu "
    "är sparat står bredvid. Jämför och spara igen."
)


@require_http_methods(["GET", "POST"])
def report_detail(request: AuthenticatedHttpRequest, event_id, report_id) -> HttpResponse:
    event = get_event_for_user(request, event_id, write=request.method == "POST")
    report = _report(event, report_id)
    initial = {
        "summary": report.summary,
        "decisions_needed": report.decisions_needed,
        "not_for_publication": report.not_for_publication,
        "revision": report.revision,
    }
    form = ReportForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        revision = form.cleaned_data["revision"]
        try:
            services.update_draft(
                report,
                **_data(form),
                # No version sent: a hand-made post, not a stale page.
                revision=report.revision if revision is None else revision,
                by=request.user,
            )
        except services.Refused as e:
            messages.error(request, str(e))
        except Conflict:
            report = _report(event, report.pk)  # what is saved now, shown beside the user's
            form = rebind(ReportForm, request.POST, report, REPORT_SAVED_MEANWHILE)
        else:
            messages.success(request, "Utkastet är sparat och uppdaterat från ärendet.")
        if not form.errors:
            return redirect("report_detail", event_id=event.pk, report_id=report.pk)
    context = {
        **pdf.report_context(report, politicians=False),
        "event": event,
        "form": form,
        "cannot_approve": may_approve(report, request.user),
        "recipients": report.recipients.select_related("user"),
    }
    return render(request, "reports/report_detail.html", context)


def _transition(
    request: AuthenticatedHttpRequest, event_id, report_id, step, done
) -> HttpResponse:
    """A step on the report taken with a button (events.steps), back on the report's page;
    `done(report, result)` says how it went."""
    event = get_event_for_user(request, event_id, write=True)
    report = _report(event, report_id)
    back = reverse("report_detail", args=[event.pk, report.pk])
    return take_step(request, step, report, done=partial(done, report), back=back)


def _approval_asked(report, told: int) -> tuple[int, str]:
    return asked(
        told,
        waits="Rapporten väntar på godkännande",
        whom=("ledamot av startgruppen", "ledamöter av startgruppen"),
        nobody="ingen i startgruppen kan godkänna den: alla har skrivit eller ändrat den.",
    )


def _approved(report, _) -> tuple[int, str]:
    return messages.SUCCESS, f"Lägesrapport {report.version} är godkänd."


def _sent(report, count: int) -> tuple[int, str]:
    return messages.SUCCESS, f"Lägesrapport {report.version} skickas till {count} mottagare."


@require_POST
def report_request_approval(
    request: AuthenticatedHttpRequest, event_id, report_id
) -> HttpResponse:
    """The reporter asks the startgrupp's members who may approve the draft (reports.access)."""
    return _transition(request, event_id, report_id, services.request_approval, _approval_asked)


@require_POST
def report_approve(request: AuthenticatedHttpRequest, event_id, report_id) -> HttpResponse:
    """A member of the startgrupp approves the draft as their page showed it (its revision,
    events.conflicts): one saved again since is not approved unseen."""
    step = partial(services.approve, revision=version_posted(request.POST, "revision"))
    return _transition(request, event_id, report_id, step, _approved)


@require_POST
def report_send(request: AuthenticatedHttpRequest, event_id, report_id) -> HttpResponse:
    """The approved report goes to the startgrupp, and to the politicians it named."""
    return _transition(request, event_id, report_id, services.send, _sent)


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
