"""The omställningsprogram's pages: access helper → form → service → render/redirect.
Plain links and form posts throughout (no htmx), so every page works without JavaScript."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from events.access import events_for_user, get_event_for_user
from events.models import Membership
from events.services import Refused
from events.submissions import once_per_form, record
from omstallning import numbers, services, status
from omstallning.access import (
    get_focus_area_for_user,
    get_programme_for_user,
    get_target_for_user,
    linked_events,
    mask,
    may_start_from,
    programmes_for_user,
    shown,
    unmasked,
)
from omstallning.forms import (
    AdoptForm,
    BudgetLineForm,
    ColourForm,
    CompareForm,
    FocusAreaForm,
    LinkEventForm,
    LocalJobsForm,
    MeasurementForm,
    MemberForm,
    PhaseForm,
    PlanForm,
    ProgrammeForm,
    TargetForm,
)
from omstallning.models import PlanVersion, Target

LOG_PAGE_SIZE = 50

SVG_TYPE = "image/svg+xml"


@require_GET
def programme_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's programmes, and the events they may start one from (their startgrupp's)."""
    programmes = programmes_for_user(request.user).order_by("-started_on", "title")
    startable = events_for_user(request.user)
    if not request.user.is_superuser:
        startable = startable.filter(
            memberships__user=request.user, memberships__group=Membership.Group.STARTGRUPP
        )
    context = {
        "programmes": shown(programmes, request.user),
        "startable": startable.order_by("-created_at").only("id", "case_number", "title"),
    }
    return render(request, "omstallning/programme_list.html", context)


@require_http_methods(["GET", "POST"])
@once_per_form
def programme_start(request: AuthenticatedHttpRequest, event_id) -> HttpResponse:
    """Start a programme from an event, open or closed: for its startgrupp (403 for its
    other members)."""
    event = get_event_for_user(request, event_id)
    if not may_start_from(request.user, event):
        raise PermissionDenied("Bara startgruppen kan starta ett omställningsprogram.")
    # Every programme member reads the title: a confidential case is named by its number.
    named = event.case_number if event.confidential else event.company_name
    initial = {"title": f"Omställning efter {named}"[:200]}
    form = ProgrammeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        programme = services.start_programme(event, **form.cleaned_data, by=request.user)
        record(request, reverse("programme_detail", args=[programme.pk]))
        messages.success(request, "Programmet är startat, med ett första utkast till plan.")
        return redirect("programme_detail", programme_id=programme.pk)
    return render(request, "omstallning/programme_start.html", {"event": event, "form": form})


def _followed_targets(programme):
    """The programme's targets that count for the status: neither they nor their
    insatsområde avslutade or strukna."""
    return Target.objects.filter(focus_area__programme=programme, ended="", focus_area__ended="")


def _detail(request, programme, *, area_form=None, link_form=None, status_code=200):
    today = timezone.localdate()
    areas = list(programme.focus_areas.select_related("ended_by"))
    every = status.with_status(
        Target.objects.filter(focus_area__programme=programme)
        .select_related("ended_by")
        .order_by("created_at"),
        today,
    )
    by_area = {area.pk: [] for area in areas}
    ended_by_area = {area.pk: [] for area in areas}
    for target in every:
        (ended_by_area if target.ended else by_area)[target.focus_area_id].append(target)
    for area in areas:
        area.target_list = by_area[area.pk]
        area.ended_targets = ended_by_area[area.pk]
    ended_areas = {area.pk for area in areas if area.ended}
    targets = [t for t in every if not t.ended and t.focus_area_id not in ended_areas]
    colours = [t.status.colour for t in targets]
    linkable = events_for_user(request.user).exclude(programme_links__programme=programme)
    context = {
        "programme": programme,
        "events": linked_events(programme, request.user),
        "areas": areas,
        "targets": targets,
        "summary": status.summary(colours),
        "counts": [(label, colours.count(str(c))) for c, label in status.LABELS.items()],
        "rules": status.RULES,
        "warning": services.focus_area_warning(len([a for a in areas if not a.ended])),
        "plan": programme.versions.select_related("approved_by").first(),
        "log": programme.log_entries.select_related("author")[:10],
        "phase_form": PhaseForm(initial={"phase": programme.phase}),
        "area_form": area_form or FocusAreaForm(),
        "link_form": link_form or LinkEventForm(events=linkable.order_by("case_number")),
    }
    return render(request, "omstallning/programme_detail.html", context, status=status_code)


@require_GET
def programme_detail(request: AuthenticatedHttpRequest, programme_id) -> HttpResponse:
    programme = get_programme_for_user(request, programme_id)
    return _detail(request, programme)


@require_POST
def programme_phase(request: AuthenticatedHttpRequest, programme_id) -> HttpResponse:
    programme = get_programme_for_user(request, programme_id, write=True)
    form = PhaseForm(request.POST)
    if form.is_valid():
        services.change_phase(programme, form.cleaned_data["phase"], by=request.user)
        messages.success(request, f"Fasen är nu {programme.get_phase_display()}.")
    return redirect("programme_detail", programme_id=programme.pk)


@require_POST
def programme_link_event(request: AuthenticatedHttpRequest, programme_id) -> HttpResponse:
    """Link another event; the choice offers only events the user is a member of."""
    programme = get_programme_for_user(request, programme_id, write=True)
    events = events_for_user(request.user).exclude(programme_links__programme=programme)
    form = LinkEventForm(request.POST, events=events)
    if not form.is_valid():
        return _detail(request, programme, link_form=form)
    try:
        services.link_event(programme, form.cleaned_data["event"], by=request.user)
    except Refused as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "Ärendet är kopplat till programmet.")
    return redirect("programme_detail", programme_id=programme.pk)


@require_http_methods(["GET", "POST"])
def programme_members(request: AuthenticatedHttpRequest, programme_id) -> HttpResponse:
    programme = get_programme_for_user(request, programme_id, write=request.method == "POST")
    form = MemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_member(
                programme, form.cleaned_data["user"], form.cleaned_data["group"], by=request.user
            )
        except Refused as e:
            form.add_error("group", mask(str(e), programme.hidden))
        else:
            messages.success(request, "Medlemmarna är sparade.")
            return redirect("programme_members", programme_id=programme.pk)
    memberships = programme.memberships.select_related("user").order_by(
        "user__last_name", "user__first_name"
    )
    context = {"programme": programme, "memberships": memberships, "form": form}
    return render(request, "omstallning/programme_members.html", context)


@require_GET
def status_chart(request: AuthenticatedHttpRequest, programme_id) -> HttpResponse:
    """The programme's status distribution as SVG (the page's <img>)."""
    programme = get_programme_for_user(request, programme_id)
    targets = status.with_status(_followed_targets(programme), timezone.localdate())
    colours = [t.status.colour for t in targets]
    counts = {str(c): colours.count(str(c)) for c in status.LABELS}
    return _svg(_charts().status_chart(counts))


def _svg(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=SVG_TYPE)
    # Drawn from what may change any minute: never reused without asking.
    response["Cache-Control"] = "private, no-cache"
    return response


def programme_version(programme, version_id) -> PlanVersion:
    """The plan version `version_id` of `programme` (one the access helper gave), carrying
    it as `.programme`; Http404 for another programme's."""
    version = get_object_or_404(
        PlanVersion.objects.select_related("approved_by", "created_by"),
        pk=version_id,
        programme=programme,
    )
    version.programme = programme
    return version


@require_GET
def plan_detail(request: AuthenticatedHttpRequest, programme_id, version_id) -> HttpResponse:
    programme = get_programme_for_user(request, programme_id)
    return _plan_page(request, programme, programme_version(programme, version_id))


def _plan_page(request, programme, version, *, budget_form=None):
    versions = programme.versions.all()
    context = {
        "programme": programme,
        "version": version,
        "sections": [
            (name, heading, mask(text, programme.hidden))
            for name, heading, text in version.sections()
        ],
        "versions": versions,
        "budget": version.budget.all(),
        "budget_form": budget_form or BudgetLineForm(programme=programme),
        "adopt_form": AdoptForm(),
        "compare_form": CompareForm(
            versions=versions, initial={"a": version.pk, "b": _other(versions, version)}
        ),
        "warning": services.focus_area_warning(programme.focus_areas.filter(ended="").count()),
    }
    return render(request, "omstallning/plan_detail.html", context)


def _other(versions, version) -> UUID | None:
    """The version to compare `version` with by default: the one before it, or for the
    first the one after (None when it is the only one)."""
    numbers = {v.number: v.pk for v in versions}
    return numbers.get(version.number - 1) or numbers.get(version.number + 1)


@require_http_methods(["GET", "POST"])
def plan_edit(request: AuthenticatedHttpRequest, programme_id, version_id) -> HttpResponse:
    programme = get_programme_for_user(request, programme_id, write=True)
    version = programme_version(programme, version_id)
    if not version.is_draft:
        # An approved version is kept as approved: no form that could not be saved.
        messages.info(
            request,
            f"Version {version.number} är {version.get_status_display().lower()} och ändras "
            "inte. Gör en ny version för att ändra planen.",
        )
        return redirect("plan_detail", programme_id=programme.pk, version_id=version.pk)
    # The form shows a member outside a confidential event its names masked; a section
    # they leave as shown keeps its stored text (unmasked). Read before validating: a
    # ModelForm's validation writes what was posted into its instance.
    stored = {name: getattr(version, name) for name in version.SECTIONS}
    initial = {name: mask(text, programme.hidden) for name, text in stored.items()}
    form = PlanForm(
        request.POST if request.method == "POST" else None, instance=version, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_plan(
                version, unmasked(form.cleaned_data, stored, programme.hidden), by=request.user
            )
        except Refused as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "Utkastet är sparat.")
        return redirect("plan_detail", programme_id=programme.pk, version_id=version.pk)
    context = {"programme": programme, "version": version, "form": form}
    return render(request, "omstallning/plan_edit.html", context)


def refusing(request, work, success: str, hidden=()):
    """Run `work`; its refusal (its names masked by `hidden`, the programme's) or
    `success` as the page's message."""
    try:
        work()
    except Refused as e:
        messages.error(request, mask(str(e), hidden))
    else:
        messages.success(request, success)


@require_POST
@once_per_form
def plan_budget_add(request: AuthenticatedHttpRequest, programme_id, version_id) -> HttpResponse:
    """Add a budget line to a draft; a second post of the same form (a double click) is
    led to the plan as already saved, not refused as a duplicate line."""
    programme = get_programme_for_user(request, programme_id, write=True)
    version = programme_version(programme, version_id)
    form = BudgetLineForm(request.POST, programme=programme)
    if not form.is_valid():
        # Back on the plan, each error beside its field and what was typed kept.
        return _plan_page(request, programme, version, budget_form=form)
    url = reverse("plan_detail", args=[programme.pk, version.pk])
    try:
        services.add_budget_line(version, **form.cleaned_data, by=request.user)
    except Refused as e:
        form.add_error(None, mask(str(e), programme.hidden))
        return _plan_page(request, programme, version, budget_form=form)
    record(request, url)
    messages.success(request, "Beloppet är sparat.")
    return redirect(url)


@require_POST
def plan_new_version(request: AuthenticatedHttpRequest, programme_id) -> HttpResponse:
    programme = get_programme_for_user(request, programme_id, write=True)
    try:
        version = services.new_plan_version(programme, by=request.user)
    except Refused as e:
        messages.error(request, str(e))
        return redirect("programme_detail", programme_id=programme.pk)
    messages.success(request, f"Version {version.number} är ett nytt utkast.")
    return redirect("plan_edit", programme_id=programme.pk, version_id=version.pk)


@require_POST
def plan_approve(request: AuthenticatedHttpRequest, programme_id, version_id) -> HttpResponse:
    """Record the styrgrupp's approval, by the member who records it, now."""
    programme = get_programme_for_user(request, programme_id, write=True)
    version = programme_version(programme, version_id)
    refusing(
        request,
        lambda: services.approve_plan(version, by=request.user),
        "Planen är godkänd av styrgruppen.",
    )
    return redirect("plan_detail", programme_id=programme.pk, version_id=version.pk)


@require_POST
def plan_adopt(request: AuthenticatedHttpRequest, programme_id, version_id) -> HttpResponse:
    programme = get_programme_for_user(request, programme_id, write=True)
    version = programme_version(programme, version_id)
    form = AdoptForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form[f].label}: {' '.join(e)}" for f, e in form.errors.items())
        messages.error(request, f"Beslutet sparades inte. {errors}")
    else:
        refusing(
            request,
            lambda: services.adopt_plan(
                version,
                adopted_on=form.cleaned_data["adopted_on"],
                paragraph=form.cleaned_data["paragraph"],
                by=request.user,
            ),
            "Planen är antagen av kommunfullmäktige.",
        )
    return redirect("plan_detail", programme_id=programme.pk, version_id=version.pk)


@require_GET
def plan_compare(request: AuthenticatedHttpRequest, programme_id) -> HttpResponse:
    """Two versions side by side, section by section, each marked changed or not."""
    programme = get_programme_for_user(request, programme_id)
    versions = programme.versions.all()
    form = CompareForm(request.GET or None, versions=versions)
    rows = []
    pair = None
    if form.is_valid():
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        pair = (a, b)
        rows = [
            (heading, mask(left, programme.hidden), mask(right, programme.hidden), left != right)
            for (_, heading, left), (_, _, right) in zip(a.sections(), b.sections(), strict=True)
        ]
        budget = [sorted((x.year, x.source, x.amount_kr) for x in v.budget.all()) for v in pair]
        rows.append(
            (
                "Budget",
                mask(_budget_text(budget[0]), programme.hidden),
                mask(_budget_text(budget[1]), programme.hidden),
                budget[0] != budget[1],
            )
        )
    context = {"programme": programme, "form": form, "pair": pair, "rows": rows}
    return render(request, "omstallning/plan_compare.html", context)


def _budget_text(lines) -> str:
    return "\n".join(f"{year} {source}: {numbers.money(amount)}" for year, source, amount in lines)


@require_POST
@once_per_form
def focus_area_add(request: AuthenticatedHttpRequest, programme_id) -> HttpResponse:
    programme = get_programme_for_user(request, programme_id, write=True)
    form = FocusAreaForm(request.POST)
    if not form.is_valid():
        return _detail(request, programme, area_form=form)
    try:
        services.add_focus_area(programme, **form.cleaned_data, by=request.user)
    except Refused as e:
        form.add_error("name", str(e))
        return _detail(request, programme, area_form=form)
    record(request, reverse("programme_detail", args=[programme.pk]))
    messages.success(request, "Insatsområdet är tillagt.")
    return redirect("programme_detail", programme_id=programme.pk)


@require_http_methods(["GET", "POST"])
@once_per_form
def target_create(request: AuthenticatedHttpRequest, programme_id, focus_area_id) -> HttpResponse:
    """A new target; the linked events' baselines are offered as links (?utgang=key) that
    fill the baseline's value, date and source, without JavaScript."""
    area = get_focus_area_for_user(
        request, programme_id, focus_area_id, write=request.method == "POST"
    )
    if not area.programme.can_write:
        raise PermissionDenied("Läsbehöriga kan inte lägga till mål.")
    if area.ended:
        messages.error(request, f"Insatsområdet är {area.get_ended_display().lower()}.")
        return redirect("programme_detail", programme_id=area.programme.pk)
    baselines = services.baselines_from(area.programme, request.user)
    initial = {"measured_by": request.user.pk, "frequency_days": Target.Frequency.KVARTAL}
    chosen = next((b for b in baselines if b.key == request.GET.get("utgang")), None)
    # The company's share of the local jobs: its employees there over the jobs the user
    # enters with their source, one small GET form per event that has the employees.
    share_forms = []
    for index, baseline in enumerate(b for b in baselines if b.is_local_employees):
        asked = request.GET.get("andel") == baseline.key
        share_form = LocalJobsForm(
            request.GET if asked else None,
            employees=baseline.value,
            auto_id=f"andel-{index}-%s",
        )
        if asked and share_form.is_valid():
            jobs = share_form.cleaned_data
            chosen = baseline.share_of(jobs["jobb"], jobs["jobbkalla"])
        share_forms.append((baseline, share_form))
    if chosen:
        initial |= {
            "baseline_value": chosen.value,
            "baseline_on": chosen.on,
            "baseline_source": chosen.source,
            "unit": chosen.unit,
        }
    form = TargetForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        programme=area.programme,
    )
    context = {
        "programme": area.programme,
        "area": area,
        "form": form,
        "baselines": baselines,
        "share_forms": share_forms,
        "chosen": chosen,
        # The form posts back to the same query, so a refused post keeps the baseline.
        "query": request.GET.urlencode(),
    }
    if request.method == "POST" and form.is_valid():
        try:
            target = services.create_target(area, form.cleaned_data, by=request.user)
        except Refused as e:
            # A measurer removed between the page and the post.
            form.add_error("measured_by", str(e))
            return render(request, "omstallning/target_create.html", context)
        record(request, reverse("target_detail", args=[area.programme.pk, target.pk]))
        messages.success(request, "Målet är sparat. Lägg in det första mätvärdet.")
        return redirect("target_detail", programme_id=area.programme.pk, target_id=target.pk)
    return render(request, "omstallning/target_create.html", context)


def _target_page(request, target, *, measurement_form=None, colour_form=None):
    programme = target.focus_area.programme
    measurements = list(
        target.measurements.select_related("entered_by", "corrected_by", "voided_by").order_by(
            "measured_on", "entered_at"
        )
    )
    counted = [m for m in measurements if not m.voided_at]
    latest = counted[-1] if counted else None
    target_status = status.target_status(target, latest, timezone.localdate())
    for m in measurements:
        m.path = status.planned(target, m.measured_on)
    context = {
        "programme": programme,
        "target": target,
        "measurements": measurements,
        "status": target_status,
        "rules": status.RULES,
        "next_due": services.next_due(target, latest.measured_on if latest else None),
        "measurement_form": measurement_form
        or MeasurementForm(initial={"measured_on": timezone.localdate()}),
        "colour_form": colour_form
        or ColourForm(
            initial={
                "colour": target.override,
                "reason": mask(target.override_reason, programme.hidden),
            }
        ),
    }
    return render(request, "omstallning/target_detail.html", context)


@require_GET
def target_detail(request: AuthenticatedHttpRequest, programme_id, target_id) -> HttpResponse:
    target = get_target_for_user(request, programme_id, target_id)
    return _target_page(request, target)


@require_POST
@once_per_form
def measurement_add(request: AuthenticatedHttpRequest, programme_id, target_id) -> HttpResponse:
    target = get_target_for_user(request, programme_id, target_id, write=True)
    form = MeasurementForm(request.POST)
    if not form.is_valid():
        return _target_page(request, target, measurement_form=form)
    try:
        services.add_measurement(target, **form.cleaned_data, by=request.user)
    except Refused as e:
        form.add_error("measured_on", str(e))
        return _target_page(request, target, measurement_form=form)
    url = reverse("target_detail", args=[programme_id, target.pk])
    record(request, url)
    messages.success(request, "Mätvärdet är sparat.")
    return redirect(url)


@require_POST
def target_colour(request: AuthenticatedHttpRequest, programme_id, target_id) -> HttpResponse:
    target = get_target_for_user(request, programme_id, target_id, write=True)
    form = ColourForm(request.POST)
    if not form.is_valid():
        return _target_page(request, target, colour_form=form)
    programme = target.focus_area.programme
    data = unmasked(form.cleaned_data, {"reason": target.override_reason}, programme.hidden)
    try:
        services.set_colour(target, colour=data["colour"], reason=data["reason"], by=request.user)
    except Refused as e:
        form.add_error(None, mask(str(e), programme.hidden))
        return _target_page(request, target, colour_form=form)
    messages.success(request, "Färgen är sparad.")
    return redirect("target_detail", programme_id=programme_id, target_id=target.pk)


@require_GET
def target_chart(request: AuthenticatedHttpRequest, programme_id, target_id) -> HttpResponse:
    """The target's measurements against its path and styrgräns, as SVG (the page's <img>)."""
    target = get_target_for_user(request, programme_id, target_id)
    measurements = list(
        target.measurements.filter(voided_at__isnull=True).order_by("measured_on", "entered_at")
    )
    return _svg(
        _charts().target_chart(
            target, measurements, timezone.localdate(), target.focus_area.programme.hidden
        )
    )


def _charts():
    # matplotlib takes seconds to import on a busy host: the first chart pays for it, not
    # every process's first page (the URLconf imports these views).
    from omstallning import charts

    return charts


@require_GET
def programme_log(request: AuthenticatedHttpRequest, programme_id) -> HttpResponse:
    """The programme's whole log, newest first, LOG_PAGE_SIZE entries a page (?sida=n), with
    plain links between the pages; a page past the last shows the last, and anything else
    that is not a page (0, -1, "x") the first."""
    programme = get_programme_for_user(request, programme_id)
    entries = programme.log_entries.select_related("author").order_by("-created_at", "-pk")
    paginator = Paginator(entries, LOG_PAGE_SIZE)
    asked = request.GET.get("sida", "")
    # get_page answers the last page for 0 and below (EmptyPage): those mean the first.
    wanted = int(asked) if asked.isascii() and asked.isdigit() else 1
    page = paginator.get_page(max(wanted, 1))
    context = {
        "programme": programme,
        "page": page,
        "numbers": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "gap": Paginator.ELLIPSIS,
    }
    return render(request, "omstallning/programme_log.html", context)
