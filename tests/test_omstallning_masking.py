"""A confidential linked event's names, kept from a programme member outside the event as a
KIND: every free-text field of every omställning model, on every page and chart, in every
notice the app posts, however the name is spelled; and a form filled with the masked text,
saved unchanged, never overwrites what the event's members wrote."""

import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from events.models import Membership
from notices.models import Notice
from omstallning import services
from omstallning.access import mask
from omstallning.models import (
    BudgetLine,
    FocusArea,
    Measurement,
    PlanVersion,
    Programme,
    ProgrammeLogEntry,
    Target,
)
from tests.personas import create_event_row
from tests.programmes import a_programme, a_target, an_area

pytestmark = pytest.mark.usefixtures("frozen")

COMPANY = "Hemliga Sågen AB"
TITLE = "Nedläggning på Hemliga Sågen"
# The name as people type and paste it: doubled, no-break, thin and narrow spaces, a hyphen
# or a dash between the words, any case, decomposed (NFD) letters.
SPELLINGS = [
    "Hemliga Sågen",
    "hemliga  sågen",
    "Hemliga\u00a0Sågen",
    "HEMLIGA\u2009SÅGEN",
    "Hemliga\u202fSågen",
    "Hemliga-Sågen",
    "Hemliga\u2013Sågen",
    unicodedata.normalize("NFD", "Hemliga Sågen"),
    "Hemliga \t\n Sågen",
]


def leaks(text: str) -> bool:
    text = unicodedata.normalize("NFC", text).casefold()
    return "hemliga" in text or "sågen" in text


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_mask_finds_the_name_however_it_is_spelled(spelling):
    names = [("Hemliga Sågen", "KS 2026/0099")]
    assert mask(f"Jobb efter {spelling}s nedläggning", names) == (
        "Jobb efter KS 2026/0099s nedläggning"
    )


def test_mask_leaves_other_words_alone():
    names = [("Hemliga Sågen", "KS 2026/0099")]
    assert mask("Hemliga planer, Sågen i Bastuträsk", names) == (
        "Hemliga planer, Sågen i Bastuträsk"
    )


def free_text_fields() -> set[tuple[str, str]]:
    """Every user-written text field of every omställning model: (model, field)."""
    return {
        (model.__name__, field.name)
        for model in apps.get_app_config("omstallning").get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices
    }


@pytest.fixture
def secret(cast):
    """A programme answering a confidential event Anna is in and Sara is not (Sara is a
    programme member), with the event's name planted, in one spelling or another, in every
    free-text field of every model of the app."""
    event = create_event_row(TITLE, cast.kommunchef, company_name=COMPANY, confidential=True)
    Membership.objects.create(event=event, user=cast.kommunchef, group="startgrupp")
    programme = a_programme(cast)
    services.link_event(programme, event, by=cast.kommunchef)
    live, ended_area = an_area(programme, cast), an_area(programme, cast, name="Gammalt")
    target = a_target(live, cast)
    ended_target = a_target(live, cast, indicator="Avslutat mål")
    in_ended_area = a_target(ended_area, cast, indicator="I gamla området")
    kept = services.add_measurement(
        target, value=130, measured_on=date(2025, 6, 1), source="SCB", by=cast.kommunchef
    )
    voided = services.add_measurement(
        target, value=9, measured_on=date(2025, 7, 1), source="SCB", by=cast.kommunchef
    )
    services.void_measurement(voided, reason="Fel.", by=cast.kommunchef)
    services.set_colour(target, colour="gul", reason="Dröjer.", by=cast.kommunchef)
    services.end_target(ended_target, ended="avslutad", reason="Klart.", by=cast.kommunchef)
    services.end_focus_area(ended_area, ended="struken", reason="Fel.", by=cast.kommunchef)
    first = programme.versions.get()
    services.approve_plan(first, by=cast.kommunchef)
    services.adopt_plan(
        first, adopted_on=timezone.localdate(), paragraph="§ 1", by=cast.kommunchef
    )
    second = services.new_plan_version(programme, by=cast.kommunchef)
    services.add_budget_line(
        second, year=2026, source="Region", amount_kr=Decimal(100), by=cast.kommunchef
    )
    spelling = iter(SPELLINGS * 10)

    def plant(queryset, *names):
        for row in queryset:
            queryset.model.objects.filter(pk=row.pk).update(
                **{name: f"{next(spelling)} {name}"[:40] for name in names}
            )
        return {(queryset.model.__name__, name) for name in names}

    planted = set()
    planted |= plant(Programme.objects.filter(pk=programme.pk), "title")
    planted |= plant(FocusArea.objects.filter(programme=programme), "name", "description")
    planted |= plant(FocusArea.objects.filter(pk=ended_area.pk), "ended_reason")
    planted |= plant(
        Target.objects.filter(focus_area__programme=programme),
        "indicator",
        "unit",
        "baseline_source",
    )
    planted |= plant(Target.objects.filter(pk=target.pk), "override_reason")
    planted |= plant(Target.objects.filter(pk=ended_target.pk), "ended_reason")
    planted |= plant(Measurement.objects.filter(target=target), "source")
    planted |= plant(Measurement.objects.filter(pk=voided.pk), "voided_reason")
    planted |= plant(BudgetLine.objects.filter(version=second), "source")
    planted |= plant(PlanVersion.objects.filter(programme=programme), *PlanVersion.SECTIONS)
    planted |= plant(PlanVersion.objects.filter(pk=first.pk), "adopted_paragraph")
    planted |= plant(ProgrammeLogEntry.objects.filter(programme=programme), "text")
    programme.refresh_from_db()
    programme.event = event
    programme.rows = {
        "live": live,
        "ended_area": ended_area,
        "target": target,
        "ended_target": ended_target,
        "in_ended_area": in_ended_area,
        "measurement": kept,
        "voided": voided,
        "first": first,
        "second": second,
        "line": second.budget.get(),
        "planted": planted,
    }
    return programme


def pages(programme) -> list[str]:
    r = programme.rows
    p = programme.pk
    targets = (r["target"], r["ended_target"], r["in_ended_area"])
    return [
        reverse("programme_list"),
        reverse("programme_detail", args=[p]),
        reverse("programme_log", args=[p]),
        reverse("programme_members", args=[p]),
        reverse("programme_status_chart", args=[p]),
        reverse("plan_detail", args=[p, r["first"].pk]),
        reverse("plan_detail", args=[p, r["second"].pk]),
        reverse("plan_edit", args=[p, r["second"].pk]),
        reverse("plan_compare", args=[p]) + f"?a={r['first'].pk}&b={r['second'].pk}",
        reverse("budget_line_edit", args=[p, r["second"].pk, r["line"].pk]),
        reverse("focus_area_edit", args=[p, r["live"].pk]),
        reverse("focus_area_edit", args=[p, r["ended_area"].pk]),
        reverse("target_create", args=[p, r["live"].pk]),
        reverse("target_edit", args=[p, r["target"].pk]),
        reverse("measurement_edit", args=[p, r["target"].pk, r["measurement"].pk]),
        *(reverse("target_detail", args=[p, t.pk]) for t in targets),
        *(reverse("target_chart", args=[p, t.pk]) for t in targets),
        reverse("notifications"),
    ]


def test_every_free_text_of_every_model_is_masked_on_every_page_and_chart(client, cast, secret):
    # The fixture plants every free-text field the app's models have: a new one is
    # planted (and so checked) or this fails.
    assert secret.rows["planted"] == free_text_fields()
    client.force_login(cast.arbetsgrupp)
    for url in pages(secret):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not leaks(response.content.decode()), url
    detail = client.get(reverse("programme_detail", args=[secret.pk])).text
    assert secret.event.case_number in detail
    # The event's member reads the names.
    client.force_login(cast.kommunchef)
    assert leaks(
        client.get(reverse("target_chart", args=[secret.pk, secret.rows["target"].pk])).text
    )


def test_every_notice_the_app_posts_names_the_case_by_number(client, cast):
    """programme_member_added, target_measurer and measurement_due, each to Sara, a member
    outside the confidential event: subject and body carry its case number, never a name."""
    event = create_event_row(TITLE, cast.kommunchef, company_name=COMPANY, confidential=True)
    Membership.objects.create(event=event, user=cast.kommunchef, group="startgrupp")
    programme = services.start_programme(
        event,
        title="Omställning efter Hemliga\u00a0Sågen",
        started_on=date(2025, 1, 1),
        planned_end_on=date(2030, 12, 31),
        by=cast.kommunchef,
    )
    services.add_member(programme, cast.arbetsgrupp, "medlem", by=cast.kommunchef)
    area = an_area(programme, cast)
    target = a_target(area, cast, indicator="Jobb efter hemliga-sågen")
    a_target(area, cast, indicator="Hemliga Sågens lokaler", measured_by=cast.kommunchef)
    # One scan, two readers: each reads it as they may.
    assert services.scan_due_measurements(timezone.now()) == 2
    anna = Notice.objects.get(recipient=cast.kommunchef, kind="measurement_due")
    assert "Hemliga Sågens lokaler" in anna.subject
    notices = Notice.objects.filter(recipient=cast.arbetsgrupp)
    assert sorted(notices.values_list("kind", flat=True)) == [
        "measurement_due",
        "programme_member_added",
        "target_measurer",
    ]
    for notice in notices:
        assert not leaks(f"{notice.subject} {notice.body}"), notice.kind
        assert event.case_number in notice.subject, notice.kind
    # In the notice list too.
    client.force_login(cast.arbetsgrupp)
    assert not leaks(client.get(reverse("notifications")).text)
    assert target.pk


def test_the_app_posts_notices_through_one_door_only():
    """omstallning.services._post masks every notice; nothing else in the app posts."""
    from pathlib import Path

    import omstallning

    root = Path(omstallning.__file__).parent
    for path in root.rglob("*.py"):
        source = path.read_text()
        if path.name == "services.py":
            assert source.count("return post(") == 1
            continue
        assert "from notices" not in source or path.name == "apps.py", path
        assert "post(" not in source.replace("request.POST", ""), path


# Saved unchanged from a masked form ------------------------------------------------------


def form_data(response, **changes) -> dict:
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    return {k: "" if v is None else v for k, v in {**data, **changes}.items()}


def last_log(programme) -> str:
    return programme.log_entries.order_by("-created_at", "-pk").first().text


@pytest.fixture
def masked_forms(cast):
    """Sara's programme with a confidential event's names (Anna's) in every text she
    edits."""
    event = create_event_row(TITLE, cast.kommunchef, company_name=COMPANY, confidential=True)
    Membership.objects.create(event=event, user=cast.kommunchef, group="startgrupp")
    programme = a_programme(cast)
    services.link_event(programme, event, by=cast.kommunchef)
    area = services.add_focus_area(
        programme, name="Efter Hemliga Sågen", description="Hemliga Sågen.", by=cast.kommunchef
    )
    target = a_target(
        area,
        cast,
        indicator="Jobb efter Hemliga Sågen",
        unit="Hemliga Sågen-jobb",
        baseline_source="Hemliga Sågen AB",
    )
    measurement = services.add_measurement(
        target,
        value=130,
        measured_on=date(2025, 6, 1),
        source="Hemliga Sågens lista",
        by=cast.kommunchef,
    )
    services.set_colour(target, colour="gul", reason="Hemliga Sågen dröjer.", by=cast.kommunchef)
    version = programme.versions.get()
    services.save_plan(
        version,
        {name: f"{name}: Hemliga Sågen." for name in PlanVersion.SECTIONS},
        by=cast.kommunchef,
    )
    services.add_budget_line(
        version, year=2026, source="Hemliga Sågen AB", amount_kr=100, by=cast.kommunchef
    )
    return programme, area, target, measurement, version


def test_an_area_saved_unchanged_keeps_its_text(client, cast, masked_forms):
    programme, area, *_ = masked_forms
    client.force_login(cast.arbetsgrupp)
    url = reverse("focus_area_edit", args=[programme.pk, area.pk])
    data = form_data(client.get(url))
    assert not leaks(str(data))
    assert client.post(url, data).status_code == 302
    area.refresh_from_db()
    assert (area.name, area.description) == ("Efter Hemliga Sågen", "Hemliga Sågen.")
    assert "hette" not in last_log(programme)
    # A field they did change is saved; the one they left keeps its text.
    assert (
        client.post(url, {**form_data(client.get(url)), "description": "Nytt."}).status_code == 302
    )
    area.refresh_from_db()
    assert (area.name, area.description) == ("Efter Hemliga Sågen", "Nytt.")


def test_a_target_saved_unchanged_keeps_its_text_and_logs_nothing_new(client, cast, masked_forms):
    programme, _, target, *_ = masked_forms
    client.force_login(cast.arbetsgrupp)
    url = reverse("target_edit", args=[programme.pk, target.pk])
    data = form_data(client.get(url))
    assert not leaks(str(data))
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert (target.indicator, target.unit, target.baseline_source) == (
        "Jobb efter Hemliga Sågen",
        "Hemliga Sågen-jobb",
        "Hemliga Sågen AB",
    )
    assert last_log(programme).endswith("(inget nytt).")


def test_a_measurement_saved_unchanged_keeps_its_source(client, cast, masked_forms):
    programme, _, target, measurement, _ = masked_forms
    client.force_login(cast.arbetsgrupp)
    url = reverse("measurement_edit", args=[programme.pk, target.pk, measurement.pk])
    data = form_data(client.get(url))
    assert not leaks(str(data))
    assert client.post(url, data).status_code == 302
    measurement.refresh_from_db()
    assert measurement.source == "Hemliga Sågens lista"
    assert measurement.corrected_at is None
    assert last_log(programme).endswith("sparades utan ändringar.")


def test_a_budget_line_saved_unchanged_keeps_its_source(client, cast, masked_forms):
    programme, *_, version = masked_forms
    line = version.budget.get()
    client.force_login(cast.arbetsgrupp)
    url = reverse("budget_line_edit", args=[programme.pk, version.pk, line.pk])
    data = form_data(client.get(url))
    assert not leaks(str(data))
    assert client.post(url, data).status_code == 302
    line.refresh_from_db()
    assert line.source == "Hemliga Sågen AB"
    assert last_log(programme).endswith("sparades utan ändringar.")


def test_the_plan_saved_unchanged_keeps_its_text(client, cast, masked_forms):
    programme, *_, version = masked_forms
    client.force_login(cast.arbetsgrupp)
    url = reverse("plan_edit", args=[programme.pk, version.pk])
    data = form_data(client.get(url))
    assert not leaks(str(data))
    assert client.post(url, data).status_code == 302
    version.refresh_from_db()
    assert version.vision == "vision: Hemliga Sågen."
    assert last_log(programme).endswith("sparades utan ändringar.")


def test_a_colour_saved_unchanged_keeps_its_reason(client, cast, masked_forms):
    programme, _, target, *_ = masked_forms
    client.force_login(cast.arbetsgrupp)
    page = client.get(reverse("target_detail", args=[programme.pk, target.pk]))
    reason = page.context["colour_form"]["reason"].value()
    assert not leaks(reason)
    url = reverse("target_colour", args=[programme.pk, target.pk])
    assert client.post(url, {"colour": "gul", "reason": reason}).status_code == 302
    target.refresh_from_db()
    assert target.override_reason == "Hemliga Sågen dröjer."
