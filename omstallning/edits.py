"""The omställningsprogram's corrections (what was entered, put right): an insatsområde,
a target, a measurement and a budget line edited from the version their page showed
(events.conflicts), avslutade or strukna with a reason instead of deleted, and a member
taken out. Access helper → form → service → render/redirect, as omstallning.views; plain
form posts throughout."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from events.conflicts import Conflict, rebind
from events.services import Refused
from omstallning import services
from omstallning.access import (
    get_focus_area_for_user,
    get_measurement_for_user,
    get_programme_for_user,
    get_target_for_user,
    mask,
    unmasked,
)
from omstallning.forms import (
    BudgetLineEditForm,
    EndForm,
    FocusAreaEditForm,
    MeasurementCorrectForm,
    TargetEditForm,
    VoidForm,
)
from omstallning.models import BudgetLine, Ending, FocusArea, Target
from omstallning.views import programme_version, refusing

# "Någon annan har … målet": what was done to it, by its Ending.
DONE = {"avslutad": "avslutat", "struken": "strukit"}
# Said when somebody saved the same row between the user's page and their save.
SAVED_MEANWHILE = (
    "Någon annan sparade en ändring medan du skrev. Det som nu är sparat står bredvid "
    "fälten; ditt eget står kvar. Spara igen om du vill ha ditt."
)


def _masked(thing, names, hidden):
    """`thing` with its text fields `names` masked for the reader (omstallning.access.mask),
    in memory only: what an edit form or a conflict shows a member outside a confidential
    linked event, who then saves the case number in place of its names."""
    if thing is not None:
        for name in names:
            setattr(thing, name, mask(getattr(thing, name), hidden))
    return thing


def _masked_text(thing, names, programme) -> dict:
    """The text fields `names` of `thing` as the reader may see them: an edit form's
    initial values (mask)."""
    return {name: mask(getattr(thing, name), programme.hidden) for name in names}


def _kept(data: dict, thing, names, programme) -> dict:
    """The form's `data` with each text field `names` the reader left as its masked form
    given back its stored text (omstallning.access.unmasked)."""
    return unmasked(data, {name: getattr(thing, name) for name in names}, programme.hidden)


AREA_TEXT = ("name", "description")
TARGET_TEXT = ("indicator", "unit", "baseline_source")


@require_POST
def programme_member_remove(
    request: AuthenticatedHttpRequest, programme_id, user_id
) -> HttpResponse:
    """Take a member out of the programme; never the last who writes (services)."""
    programme = get_programme_for_user(request, programme_id, write=True)
    membership = get_object_or_404(programme.memberships.select_related("user"), user_id=user_id)
    refusing(
        request,
        lambda: services.remove_member(programme, membership.user, by=request.user),
        f"{membership.user.get_full_name()} är borttagen ur programmet.",
        programme.hidden,
    )
    # Taken out by themselves, the programme's pages are 404 to them now.
    if (
        membership.user == request.user
        and not request.user.is_superuser
        and not programme.memberships.filter(user=request.user).exists()
    ):
        return redirect("programme_list")
    return redirect("programme_members", programme_id=programme.pk)


def _area_page(request, area, *, form=None, end_form=None, status_code=200):
    context = {
        "programme": area.programme,
        "area": area,
        "form": form
        or FocusAreaEditForm(
            instance=area,
            initial={"version": area.version, **_masked_text(area, AREA_TEXT, area.programme)},
        ),
        "end_form": end_form or EndForm(),
    }
    return render(request, "omstallning/focus_area_edit.html", context, status=status_code)


@require_http_methods(["GET", "POST"])
def focus_area_edit(
    request: AuthenticatedHttpRequest, programme_id, focus_area_id
) -> HttpResponse:
    """Rename or describe an insatsområde, from the version the page showed."""
    area = get_focus_area_for_user(request, programme_id, focus_area_id, write=True)
    if request.method == "GET":
        return _area_page(request, area)
    form = FocusAreaEditForm(request.POST, instance=FocusArea(pk=area.pk))
    if not form.is_valid():
        return _area_page(request, area, form=form)
    data = _kept(form.cleaned_data, area, AREA_TEXT, area.programme)
    try:
        services.edit_focus_area(
            area,
            name=data["name"],
            description=data["description"],
            version=data["version"],
            by=request.user,
        )
    except Refused as e:
        form.add_error("name", mask(str(e), area.programme.hidden))
        return _area_page(request, area, form=form)
    except Conflict as conflict:
        form = rebind(
            FocusAreaEditForm,
            request.POST,
            _masked(conflict.current, AREA_TEXT, area.programme.hidden),
            SAVED_MEANWHILE,
            instance=FocusArea(pk=area.pk),
        )
        return _area_page(request, area, form=form)
    messages.success(request, "Insatsområdet är sparat.")
    return redirect("programme_detail", programme_id=area.programme.pk)


# The ending and striking addresses answer a GET (a refused form's page reloaded, its
# address opened again) with the edit page they belong to, not a bare 405.


@require_http_methods(["GET", "POST"])
def focus_area_end(request: AuthenticatedHttpRequest, programme_id, focus_area_id) -> HttpResponse:
    """Avsluta or stryk an insatsområde with a reason; it is kept, never deleted."""
    area = get_focus_area_for_user(request, programme_id, focus_area_id, write=True)
    if request.method == "GET":
        return redirect("focus_area_edit", programme_id=area.programme.pk, focus_area_id=area.pk)
    end_form = EndForm(request.POST)
    if not end_form.is_valid():
        return _area_page(request, area, end_form=end_form)
    ended = end_form.cleaned_data["ended"]
    try:
        services.end_focus_area(
            area, ended=ended, reason=end_form.cleaned_data["reason"], by=request.user
        )
    except Refused as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"Insatsområdet är {Ending(ended).label.lower()}.")
    return redirect("programme_detail", programme_id=area.programme.pk)


def _target_edit_page(request, target, *, form=None, end_form=None):
    programme = target.focus_area.programme
    context = {
        "programme": programme,
        "target": target,
        "form": form
        or TargetEditForm(
            instance=target,
            initial={"version": target.version, **_masked_text(target, TARGET_TEXT, programme)},
            programme=programme,
        ),
        "end_form": end_form or EndForm(),
    }
    return render(request, "omstallning/target_edit.html", context)


@require_http_methods(["GET", "POST"])
def target_edit(request: AuthenticatedHttpRequest, programme_id, target_id) -> HttpResponse:
    """Change any field of a target: the same form and checks as a new one."""
    target = get_target_for_user(request, programme_id, target_id, write=True)
    programme = target.focus_area.programme
    if reason := target.unchangeable():
        messages.info(request, reason)
        return redirect("target_detail", programme_id=programme.pk, target_id=target.pk)
    if request.method == "GET":
        return _target_edit_page(request, target)
    # A fresh instance: the form's validation writes into it, and `target` is the row as
    # the user's page showed it (the log's "from").
    form = TargetEditForm(request.POST, instance=Target(pk=target.pk), programme=programme)
    if not form.is_valid():
        return _target_edit_page(request, target, form=form)
    data = _kept(
        {k: v for k, v in form.cleaned_data.items() if k != "version"},
        target,
        TARGET_TEXT,
        programme,
    )
    try:
        services.edit_target(target, data, version=form.cleaned_data["version"], by=request.user)
    except Refused as e:
        form.add_error(None, mask(str(e), programme.hidden))
        return _target_edit_page(request, target, form=form)
    except Conflict as conflict:
        if conflict.current.ended:
            messages.error(
                request,
                f"Någon annan har {DONE[conflict.current.ended]} målet medan du skrev. Det "
                "ändras inte längre.",
            )
            return redirect("target_detail", programme_id=programme.pk, target_id=target.pk)
        form = rebind(
            TargetEditForm,
            request.POST,
            _masked(conflict.current, TARGET_TEXT, programme.hidden),
            SAVED_MEANWHILE,
            instance=Target(pk=target.pk),
            programme=programme,
        )
        return _target_edit_page(request, target, form=form)
    messages.success(request, "Målet är sparat.")
    return redirect("target_detail", programme_id=programme.pk, target_id=target.pk)


@require_http_methods(["GET", "POST"])
def target_end(request: AuthenticatedHttpRequest, programme_id, target_id) -> HttpResponse:
    """Avsluta or stryk a target with a reason; it is kept, never deleted."""
    target = get_target_for_user(request, programme_id, target_id, write=True)
    if request.method == "GET":
        return redirect("target_edit", programme_id=programme_id, target_id=target.pk)
    end_form = EndForm(request.POST)
    if not end_form.is_valid():
        return _target_edit_page(request, target, end_form=end_form)
    ended = end_form.cleaned_data["ended"]
    try:
        services.end_target(
            target, ended=ended, reason=end_form.cleaned_data["reason"], by=request.user
        )
    except Refused as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"Målet är {Ending(ended).label.lower()}.")
    return redirect("target_detail", programme_id=programme_id, target_id=target.pk)


def _measurement_page(request, measurement, *, form=None, void_form=None):
    target = measurement.target
    context = {
        "programme": target.focus_area.programme,
        "target": target,
        "measurement": measurement,
        "form": form
        or MeasurementCorrectForm(
            initial={
                "value": measurement.value,
                "measured_on": measurement.measured_on,
                "source": mask(measurement.source, target.focus_area.programme.hidden),
                "version": measurement.version,
            }
        ),
        "void_form": void_form or VoidForm(),
    }
    return render(request, "omstallning/measurement_edit.html", context)


@require_http_methods(["GET", "POST"])
def measurement_edit(
    request: AuthenticatedHttpRequest, programme_id, target_id, measurement_id
) -> HttpResponse:
    """Correct a typo in a measurement (value, date, source), from the version the page
    showed; a struck one is shown, not corrected."""
    measurement = get_measurement_for_user(
        request, programme_id, target_id, measurement_id, write=True
    )
    back = redirect("target_detail", programme_id=programme_id, target_id=target_id)
    if measurement.voided_at:
        messages.info(request, "Mätvärdet är struket och rättas inte.")
        return back
    if reason := measurement.target.unchangeable():
        messages.info(request, reason)
        return back
    if request.method == "GET":
        return _measurement_page(request, measurement)
    form = MeasurementCorrectForm(request.POST)
    if not form.is_valid():
        return _measurement_page(request, measurement, form=form)
    programme = measurement.target.focus_area.programme
    data = _kept(form.cleaned_data, measurement, ["source"], programme)
    try:
        services.correct_measurement(measurement, **data, by=request.user)
    except Refused as e:
        form.add_error("measured_on", mask(str(e), programme.hidden))
        return _measurement_page(request, measurement, form=form)
    except Conflict as conflict:
        if conflict.current.voided_at:
            messages.error(request, "Någon annan strök mätvärdet medan du skrev.")
            return back
        current = _masked(
            conflict.current, ["source"], measurement.target.focus_area.programme.hidden
        )
        form = rebind(MeasurementCorrectForm, request.POST, current, SAVED_MEANWHILE)
        return _measurement_page(request, measurement, form=form)
    messages.success(request, "Mätvärdet är rättat.")
    return back


@require_http_methods(["GET", "POST"])
def measurement_void(
    request: AuthenticatedHttpRequest, programme_id, target_id, measurement_id
) -> HttpResponse:
    """Strike a measurement entered in error, with a reason; it stays, struck through."""
    measurement = get_measurement_for_user(
        request, programme_id, target_id, measurement_id, write=True
    )
    if request.method == "GET":
        return redirect(
            "measurement_edit",
            programme_id=programme_id,
            target_id=target_id,
            measurement_id=measurement.pk,
        )
    void_form = VoidForm(request.POST)
    if not void_form.is_valid():
        return _measurement_page(request, measurement, void_form=void_form)
    refusing(
        request,
        lambda: services.void_measurement(
            measurement, reason=void_form.cleaned_data["reason"], by=request.user
        ),
        "Mätvärdet är struket. Det står kvar överstruket och räknas inte.",
    )
    return redirect("target_detail", programme_id=programme_id, target_id=target_id)


def _gone(request, programme, typed=None) -> None:
    """Say on the plan that the budget line is no longer there (another member took it out
    of the draft, or a second "Ta bort"), with what the user typed if they were editing
    it: nothing they wrote is lost without a word."""
    said = "Någon annan har tagit bort beloppet."
    if typed:
        parts = [typed.get(name, "").strip() for name in ("year", "source", "amount_kr")]
        said += f" Det du skrev sparades inte: {', '.join(p for p in parts if p)}."
    messages.error(request, mask(said, programme.hidden))


@require_http_methods(["GET", "POST"])
def budget_line_edit(
    request: AuthenticatedHttpRequest, programme_id, version_id, line_id
) -> HttpResponse:
    """Correct a budget line of a draft, from the version the page showed; a line taken
    out meanwhile leads back to the plan with what the user typed."""
    programme = get_programme_for_user(request, programme_id, write=True)
    version = programme_version(programme, version_id)
    back = redirect("plan_detail", programme_id=programme.pk, version_id=version.pk)
    typed = request.POST if request.method == "POST" else None
    line = BudgetLine.objects.filter(pk=line_id, version=version).first()
    if line is None:
        _gone(request, programme, typed)
        return back
    if not version.is_draft:
        messages.info(request, f"Version {version.number} är godkänd och ändras inte.")
        return back
    form = BudgetLineEditForm(
        typed,
        instance=BudgetLine(pk=line.pk, version=version),
        initial={
            "year": line.year,
            "source": mask(line.source, programme.hidden),
            "amount_kr": line.amount_kr,
            "revision": line.revision,
        },
        programme=programme,
    )
    if typed is not None and form.is_valid():
        data = unmasked(form.cleaned_data, {"source": line.source}, programme.hidden)
        try:
            services.edit_budget_line(line, **data, by=request.user)
        except Refused as e:
            form.add_error(None, mask(str(e), programme.hidden))
        except Conflict as conflict:
            if conflict.current is None:
                _gone(request, programme, typed)
                return back
            form = rebind(
                BudgetLineEditForm,
                request.POST,
                _masked(conflict.current, ["source"], programme.hidden),
                SAVED_MEANWHILE,
                instance=BudgetLine(pk=line.pk, version=version),
                programme=programme,
            )
        else:
            messages.success(request, "Beloppet är sparat.")
            return back
    context = {"programme": programme, "version": version, "line": line, "form": form}
    return render(request, "omstallning/budget_line_edit.html", context)


@require_POST
def budget_line_remove(
    request: AuthenticatedHttpRequest, programme_id, version_id, line_id
) -> HttpResponse:
    """Take a line out of a draft; the plan page says what happened (also when somebody
    took it out first)."""
    programme = get_programme_for_user(request, programme_id, write=True)
    version = programme_version(programme, version_id)
    back = redirect("plan_detail", programme_id=programme.pk, version_id=version.pk)
    line = BudgetLine.objects.filter(pk=line_id, version=version).first()
    if line is None:
        _gone(request, programme)
        return back
    refusing(
        request,
        lambda: services.remove_budget_line(line, by=request.user),
        f"Beloppet för {line.year} från {mask(line.source, programme.hidden)} är borttaget ur "
        "utkastet.",
        programme.hidden,
    )
    return back
