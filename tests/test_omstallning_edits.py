"""Correcting what was entered (issue 15, what was left): an insatsområde, a target, a
measurement and a budget line are edited through the same forms and checks as when made,
from the version their page showed (events.conflicts); what was entered in error is struck
or ended with a reason, never deleted; a member is taken out, never the last who writes.
Every change is logged. All through HTTP, as a municipal user does it."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notices.models import Notice
from omstallning import services, status
from omstallning.models import BudgetLine, FocusArea, Measurement, ProgrammeLogEntry, Target
from tests.programmes import TARGET, a_programme, a_target, an_area

pytestmark = pytest.mark.usefixtures("frozen")

NBSP, THIN, NARROW = "\u00a0", "\u2009", "\u202f"


def last_log(programme) -> str:
    return programme.log_entries.order_by("-created_at", "-pk").first().text


def measure(target, value, on, by):
    return services.add_measurement(
        target, value=Decimal(value), measured_on=on, source="SCB", by=by
    )


# Insatsområden --------------------------------------------------------------------------


def test_an_insatsomrade_is_renamed_and_described(client, cast, programme):
    area = an_area(programme, cast)
    client.force_login(cast.arbetsgrupp)
    url = reverse("focus_area_edit", args=[programme.pk, area.pk])
    form = client.get(url)
    assert 'name="version" value="0"' in form.text
    response = client.post(
        url, {"name": "Näringsliv och jobb", "description": "Nya jobb.", "version": "0"}
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.name, area.description, area.version) == ("Näringsliv och jobb", "Nya jobb.", 1)
    assert last_log(programme) == "Insatsområdet Näringsliv och jobb ändrades (hette Näringsliv)."


def test_two_editing_one_insatsomrade_the_second_is_shown_the_first(client, cast, programme):
    area = an_area(programme, cast)
    url = reverse("focus_area_edit", args=[programme.pk, area.pk])
    client.force_login(cast.kommunchef)
    client.post(url, {"name": "Kompetens", "description": "", "version": "0"})
    client.force_login(cast.arbetsgrupp)
    response = client.post(url, {"name": "Företagande", "description": "", "version": "0"})
    assert response.status_code == 200
    assert "Någon annan sparade en ändring medan du skrev" in response.text
    assert 'value="Företagande"' in response.text  # what she typed is kept
    assert "Det som nu är sparat" in response.text
    assert "Kompetens" in response.text
    assert 'name="version" value="1"' in response.text
    assert FocusArea.objects.get().name == "Kompetens"
    # Saving again on top of it is a knowing choice.
    client.post(url, {"name": "Företagande", "description": "", "version": "1"})
    assert FocusArea.objects.get().name == "Företagande"


def test_an_insatsomrade_may_not_take_anothers_name(client, cast, programme):
    area = an_area(programme, cast)
    an_area(programme, cast, name="Kompetens")
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        reverse("focus_area_edit", args=[programme.pk, area.pk]),
        {"name": "Kompetens", "description": "", "version": "0"},
    )
    assert response.status_code == 200
    assert "Programmet har redan insatsområdet Kompetens." in response.text
    area.refresh_from_db()
    assert area.name == "Näringsliv"


@pytest.mark.parametrize(("ended", "word"), [("avslutad", "avslutat"), ("struken", "struket")])
def test_an_insatsomrade_is_ended_with_a_reason_and_kept(client, cast, programme, ended, word):
    areas = [an_area(programme, cast, name=n) for n in ("A", "B", "D")]
    kept = a_target(areas[0], cast)
    gone = a_target(areas[2], cast, indicator="Gamla målet")
    client.force_login(cast.arbetsgrupp)
    url = reverse("focus_area_end", args=[programme.pk, areas[2].pk])
    # No reason: refused in Swedish, nothing ended, the choice kept and the error beside
    # its field; the address opened again leads to the edit page, not a bare 405.
    response = client.post(url, {"end-ended": ended, "end-reason": ""})
    assert response.status_code == 200
    assert "Skriv varför." in response.text
    assert response.context["end_form"]["ended"].value() == ended
    edit = reverse("focus_area_edit", args=[programme.pk, areas[2].pk])
    assert client.get(url)["Location"] == edit
    assert (
        client.post(url, {"end-ended": ended, "end-reason": "Slogs ihop med A."}).status_code
        == 302
    )
    area = FocusArea.objects.get(pk=areas[2].pk)
    assert (area.ended, area.ended_reason, area.ended_by) == (
        ended,
        "Slogs ihop med A.",
        cast.arbetsgrupp,
    )
    assert last_log(programme) == f"Insatsområdet D är {word}: Slogs ihop med A."
    detail = client.get(reverse("programme_detail", args=[programme.pk])).text
    assert "<del>D</del>" in detail
    assert "Slogs ihop med A." in detail
    # Two left: a warning; only the kept target counts.
    assert "Programmet har 2 insatsområden" in detail
    assert "Inget mål har någon färg än; 1 ej mätt" in detail
    # No new target under it; it stays readable; ending twice is refused.
    assert client.get(reverse("target_create", args=[programme.pk, area.pk])).status_code == 302
    assert client.get(reverse("target_detail", args=[programme.pk, gone.pk])).status_code == 200
    client.post(url, {"end-ended": "avslutad", "end-reason": "Igen."})
    assert FocusArea.objects.get(pk=area.pk).ended_reason == "Slogs ihop med A."
    assert kept.pk
    assert FocusArea.objects.count() == 3


# Targets --------------------------------------------------------------------------------


def target_form(target, **changes) -> dict:
    data = {
        "indicator": target.indicator,
        "unit": target.unit,
        "direction": target.direction,
        "baseline_value": "100",
        "baseline_on": "2025-01-01",
        "baseline_source": target.baseline_source,
        "target_value": "200",
        "target_on": "2027-01-01",
        "threshold": "120",
        "frequency_days": str(target.frequency_days),
        "measured_by": str(target.measured_by_id),
        "version": str(target.version),
    }
    return data | changes


def test_every_field_of_a_target_is_edited_and_logged(client, cast, programme):
    target = a_target(an_area(programme, cast), cast)
    client.force_login(cast.kommunchef)
    url = reverse("target_edit", args=[programme.pk, target.pk])
    page = client.get(url).text
    assert 'value="Sysselsatta i kommunen"' in page
    assert 'name="version" value="0"' in page
    data = target_form(
        target,
        indicator="Sysselsatta i Norsjö",
        unit="jobb",
        direction="lagre",
        baseline_value="1 200",
        baseline_on="2025-02-01",
        baseline_source="SCB",
        target_value="1 000,5",
        target_on="2028-01-01",
        threshold="1 150",
        frequency_days="365",
        measured_by=str(cast.kso.pk),
    )
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.indicator == "Sysselsatta i Norsjö"
    assert (target.baseline_value, target.target_value, target.threshold) == (
        Decimal("1200"),
        Decimal("1000.5"),
        Decimal("1150"),
    )
    assert (target.direction, target.frequency_days, target.measured_by) == (
        "lagre",
        365,
        cast.kso,
    )
    assert target.version == 1
    line = last_log(programme)
    assert line.startswith("Målet Sysselsatta i Norsjö ändrades: ")
    assert f"målvärde 200 → 1{NBSP}000,5" in line
    assert "utgångsvärdets datum 1 januari 2025 → 1 februari 2025" in line
    assert "mäts av Sara Eklund → Erik Nordström" in line
    # The new measurer is told (the old was told when the target was made).
    assert Notice.objects.filter(kind="target_measurer", recipient=cast.kso).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target_value": "90"}, "target_value", "Målvärdet ska vara högre"),
        ({"threshold": "250"}, "threshold", "Styrgränsen ska vara lägre"),
        ({"target_on": "2024-01-01"}, "target_on", "Måldatumet måste komma efter"),
        ({"baseline_value": "1e3"}, "baseline_value", "Skriv ett tal"),
        ({"measured_by": "PIA"}, "measured_by", "Välj ett giltigt alternativ"),
    ],
)
def test_an_edited_target_is_checked_as_a_new_one(
    client, cast, programme, changes, field, message
):
    target = a_target(an_area(programme, cast), cast)
    if changes.get("measured_by") == "PIA":
        changes = {"measured_by": str(cast.lasare.pk)}
    client.force_login(cast.kommunchef)
    response = client.post(
        reverse("target_edit", args=[programme.pk, target.pk]), target_form(target, **changes)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in e for e in form.errors[field]), form.errors
    # What was typed is kept.
    assert form[field].value() == next(iter(changes.values()))
    target.refresh_from_db()
    assert target.version == 0
    assert target.target_value == Decimal("200")


def test_a_baseline_may_not_move_past_a_measurement(client, cast, programme):
    target = a_target(an_area(programme, cast), cast)
    measure(target, "110", date(2025, 3, 1), cast.arbetsgrupp)
    client.force_login(cast.kommunchef)
    response = client.post(
        reverse("target_edit", args=[programme.pk, target.pk]),
        target_form(target, baseline_on="2025-06-01"),
    )
    assert "Målet har ett mätvärde från 1 mars 2025" in response.text
    target.refresh_from_db()
    assert target.baseline_on == date(2025, 1, 1)


def test_two_editing_one_target_the_second_sees_the_first(client, cast, programme):
    target = a_target(an_area(programme, cast), cast)
    url = reverse("target_edit", args=[programme.pk, target.pk])
    client.force_login(cast.kommunchef)
    client.post(url, target_form(target, target_value="1 200,5"))
    client.force_login(cast.arbetsgrupp)
    response = client.post(url, target_form(target, threshold="150"))
    assert "Någon annan sparade en ändring medan du skrev" in response.text
    # What is saved now reads as the field writes it, not as Python does ("1200.500").
    assert response.context["form"]["target_value"].theirs == "1\u00a0200,5"
    target.refresh_from_db()
    assert (target.target_value, target.threshold) == (Decimal("1200.5"), Decimal("120"))


@pytest.mark.parametrize("ended", ["avslutad", "struken"])
def test_an_ended_target_leaves_the_status_and_stays_on_the_page(client, cast, programme, ended):
    area = an_area(programme, cast)
    green = a_target(area, cast, indicator="Grönt mål")
    red = a_target(area, cast, indicator="Rött mål")
    measure(green, "200", date(2026, 1, 1), cast.arbetsgrupp)
    measure(red, "50", date(2026, 1, 1), cast.arbetsgrupp)
    client.force_login(cast.arbetsgrupp)
    detail = reverse("programme_detail", args=[programme.pk])
    assert "Av 2 mål är 1 grönt (50 %), 0 gula, 1 rött (50 %)" in client.get(detail).text
    url = reverse("target_end", args=[programme.pk, red.pk])
    assert (
        client.post(url, {"end-ended": ended, "end-reason": "Fel indikator."}).status_code == 302
    )
    page = client.get(detail).text
    assert "Av 1 mål är 1 grönt (100 %), 0 gula, 0 röda" in page
    assert "<del>Rött mål</del>" in page
    assert "Fel indikator." in page
    target_page = client.get(reverse("target_detail", args=[programme.pk, red.pk])).text
    assert "<del>Rött mål</del>" in target_page
    assert "Nytt mätvärde" not in target_page
    # No further measurement, edit or reminder for it.
    client.post(
        reverse("measurement_add", args=[programme.pk, red.pk]),
        {"value": "60", "measured_on": "2026-01-10", "source": "SCB"},
    )
    assert red.measurements.count() == 1
    edit = client.get(reverse("target_edit", args=[programme.pk, red.pk]))
    assert edit.status_code == 302
    services.scan_due_measurements(services.timezone.now().replace(year=2027))
    assert not Notice.objects.filter(kind="measurement_due", path__contains=str(red.pk)).exists()
    assert Target.objects.filter(pk=red.pk, ended=ended).exists()


# Measurements ---------------------------------------------------------------------------


def test_a_typo_in_a_measurement_is_corrected_and_the_old_value_logged(client, cast, programme):
    target = a_target(an_area(programme, cast), cast)
    measurement = measure(target, "12", date(2026, 1, 2), cast.arbetsgrupp)
    client.force_login(cast.kommunchef)
    url = reverse("measurement_edit", args=[programme.pk, target.pk, measurement.pk])
    assert 'value="12"' in client.get(url).text
    data = {"value": "121", "measured_on": "2026-01-03", "source": "SCB, rättat", "version": "0"}
    assert client.post(url, data).status_code == 302
    measurement.refresh_from_db()
    assert (measurement.value, measurement.measured_on) == (Decimal("121"), date(2026, 1, 3))
    assert measurement.entered_by == cast.arbetsgrupp  # who entered it stays
    assert measurement.corrected_by == cast.kommunchef
    assert last_log(programme) == (
        "Mätvärdet för Sysselsatta i kommunen rättades: 12 personer (2 januari 2026, källa "
        "SCB) blev 121 personer (3 januari 2026, källa SCB, rättat)."
    )
    page = client.get(reverse("target_detail", args=[programme.pk, target.pk])).text
    assert "rättat av Anna Lindqvist" in page


def test_a_correction_is_checked_as_a_new_measurement(client, cast, programme):
    target = a_target(an_area(programme, cast), cast)
    measurement = measure(target, "12", date(2026, 1, 2), cast.arbetsgrupp)
    client.force_login(cast.arbetsgrupp)
    url = reverse("measurement_edit", args=[programme.pk, target.pk, measurement.pk])
    for data, message in [
        ({"value": "12", "measured_on": "2026-02-01"}, "en dag som inte har kommit"),
        ({"value": "12", "measured_on": "2024-12-31"}, "före utgångsvärdet"),
        ({"value": "tolv", "measured_on": "2026-01-02"}, "Skriv ett tal"),
    ]:
        response = client.post(url, data | {"source": "SCB", "version": "0"})
        assert response.status_code == 200
        assert message in response.text
        assert f'value="{data["value"]}"' in response.text
    measurement.refresh_from_db()
    assert measurement.value == Decimal("12")
    assert measurement.version == 0


def test_two_correcting_one_measurement_the_second_sees_the_first(client, cast, programme):
    target = a_target(an_area(programme, cast), cast)
    measurement = measure(target, "12", date(2026, 1, 2), cast.arbetsgrupp)
    url = reverse("measurement_edit", args=[programme.pk, target.pk, measurement.pk])
    client.force_login(cast.kommunchef)
    data = {"value": "21", "measured_on": "2026-01-02", "source": "SCB", "version": "0"}
    client.post(url, data)
    client.force_login(cast.arbetsgrupp)
    response = client.post(url, data | {"value": "13"})
    assert "Någon annan sparade en ändring medan du skrev" in response.text
    assert response.context["form"]["value"].theirs == "21"
    assert Measurement.objects.get().value == Decimal("21")


def test_a_measurement_entered_in_error_is_struck_not_deleted(client, cast, programme):
    target = a_target(an_area(programme, cast), cast)
    measure(target, "150", date(2025, 12, 1), cast.arbetsgrupp)
    wrong = measure(target, "15", date(2026, 1, 2), cast.arbetsgrupp)
    assert status.with_status(Target.objects.all(), date(2026, 1, 14))[0].status.colour == "rod"
    client.force_login(cast.arbetsgrupp)
    url = reverse("measurement_void", args=[programme.pk, target.pk, wrong.pk])
    response = client.post(url, {"void-reason": ""})
    assert "Skriv varför värdet stryks." in response.text
    assert client.post(url, {"void-reason": "Fel kommun."}).status_code == 302
    wrong.refresh_from_db()
    assert wrong.voided_by == cast.arbetsgrupp
    assert wrong.voided_reason == "Fel kommun."
    assert Measurement.objects.count() == 2
    # The status and the chart go by the one before; the page shows it struck.
    assert status.with_status(Target.objects.all(), date(2026, 1, 14))[0].status.colour == "gron"
    page = client.get(reverse("target_detail", args=[programme.pk, target.pk])).text
    assert "<del>15</del>" in page
    assert "Fel kommun." in page
    assert "Status: Grön" in page
    assert last_log(programme) == (
        "Mätvärdet 15 personer (2 januari 2026, källa SCB) för Sysselsatta i kommunen "
        "ströks: Fel kommun."
    )
    # Neither corrected nor struck again.
    edit = reverse("measurement_edit", args=[programme.pk, target.pk, wrong.pk])
    assert client.get(edit).status_code == 302
    client.post(url, {"void-reason": "Igen."})
    wrong.refresh_from_db()
    assert wrong.voided_reason == "Fel kommun."


def test_a_struck_measurement_is_not_drawn(client, cast, programme):
    target = a_target(an_area(programme, cast), cast)
    kept = measure(target, "150", date(2025, 12, 1), cast.arbetsgrupp)
    wrong = measure(target, "15", date(2026, 1, 2), cast.arbetsgrupp)
    client.force_login(cast.arbetsgrupp)
    chart = reverse("target_chart", args=[programme.pk, target.pk])
    both = client.get(chart).content
    services.void_measurement(wrong, reason="Fel.", by=cast.arbetsgrupp)
    one = client.get(chart).content
    assert one != both
    services.void_measurement(kept, reason="Fel.", by=cast.arbetsgrupp)
    page = client.get(reverse("programme_detail", args=[programme.pk])).text
    assert "Inget mål har någon färg än; 1 ej mätt" in page


# Budget ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("1 200 000", "1200000", f"1{NBSP}200{NBSP}000{NBSP}kr"),
        ("1 200 000 kr", "1200000", f"1{NBSP}200{NBSP}000{NBSP}kr"),
        ("1200000,50", "1200000.50", f"1{NBSP}200{NBSP}000,50{NBSP}kr"),
        (f"1{NBSP}200{NBSP}000", "1200000", f"1{NBSP}200{NBSP}000{NBSP}kr"),
        (f"1{THIN}200{THIN}000 kr", "1200000", f"1{NBSP}200{NBSP}000{NBSP}kr"),
        (f"1{NARROW}200{NARROW}000,5", "1200000.50", f"1{NBSP}200{NBSP}000,50{NBSP}kr"),
        ("350 000:-", "350000", f"350{NBSP}000{NBSP}kr"),
        (" 75 000 KR ", "75000", f"75{NBSP}000{NBSP}kr"),
        ("0", "0", f"0{NBSP}kr"),
    ],
)
def test_a_budget_amount_is_read_as_typed(client, cast, programme, typed, stored, shown):
    version = programme.versions.get()
    client.force_login(cast.arbetsgrupp)
    client.post(
        reverse("plan_budget_add", args=[programme.pk, version.pk]),
        {"year": "2026", "source": "Region", "amount_kr": typed},
    )
    assert BudgetLine.objects.get().amount_kr == Decimal(stored)
    page = client.get(reverse("plan_detail", args=[programme.pk, version.pk])).text
    assert f"<td>{shown}</td>" in page
    assert last_log(programme).endswith(f": {shown}.")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12e5", "Skriv ett belopp i kronor"),
        ("en miljon", "Skriv ett belopp i kronor"),
        ("-5 000", "Beloppet kan inte vara mindre än noll."),
        ("1 000,505", "högst två decimaler"),
        ("", "Detta fält måste fyllas i."),
    ],
)
def test_a_budget_amount_that_is_no_amount_is_refused_and_kept(
    client, cast, programme, typed, message
):
    version = programme.versions.get()
    line = BudgetLine.objects.create(version=version, year=2026, source="Region", amount_kr=5)
    client.force_login(cast.arbetsgrupp)
    url = reverse("budget_line_edit", args=[programme.pk, version.pk, line.pk])
    response = client.post(
        url, {"year": "2026", "source": "Region", "amount_kr": typed, "revision": "0"}
    )
    assert response.status_code == 200
    assert message in response.text
    assert f'value="{typed}"' in response.text or not typed
    assert BudgetLine.objects.get().amount_kr == 5


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12e5", "Skriv ett belopp i kronor"),
        ("1 000 000 euro", "Skriv ett belopp i kronor"),
        ("-1", "Beloppet kan inte vara mindre än noll."),
        ("0,001", "högst två decimaler"),
    ],
)
def test_a_new_budget_amount_that_is_no_amount_is_shown_beside_the_field(
    client, cast, programme, typed, message
):
    version = programme.versions.get()
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        reverse("plan_budget_add", args=[programme.pk, version.pk]),
        {"year": "2026", "source": "Region", "amount_kr": typed},
    )
    assert response.status_code == 200
    assert message in response.context["budget_form"].errors["amount_kr"][0]
    assert f'value="{typed}"' in response.text
    assert not BudgetLine.objects.exists()


def test_a_budget_line_is_corrected_while_the_plan_is_a_draft(client, cast, programme):
    version = programme.versions.get()
    services.add_budget_line(
        version, year=2026, source="Region", amount_kr=Decimal(500_000), by=cast.kommunchef
    )
    line = BudgetLine.objects.get()
    url = reverse("budget_line_edit", args=[programme.pk, version.pk, line.pk])
    client.force_login(cast.arbetsgrupp)
    form = client.get(url).text
    assert f'value="500{NBSP}000{NBSP}kr"' in form
    assert 'name="revision" value="0"' in form
    data = {"year": "2027", "source": "Tillväxtverket", "amount_kr": "750 000", "revision": "0"}
    assert client.post(url, data).status_code == 302
    line.refresh_from_db()
    assert (line.year, line.source, line.amount_kr) == (2027, "Tillväxtverket", 750_000)
    assert last_log(programme) == (
        f"Budget 2026 från Region i version 1 ändrades: 500{NBSP}000{NBSP}kr blev 2027 från "
        f"Tillväxtverket: 750{NBSP}000{NBSP}kr."
    )
    # A colleague on the old page: told, and shown what is saved now.
    client.force_login(cast.kommunchef)
    response = client.post(url, data | {"amount_kr": "1", "revision": "0"})
    assert "Någon annan sparade en ändring medan du skrev" in response.text
    assert BudgetLine.objects.get().amount_kr == 750_000
    # Approved, the line is kept as it was.
    services.approve_plan(version, by=cast.kommunchef)
    assert client.get(url).status_code == 302
    client.post(url, data | {"amount_kr": "1", "revision": "1"})
    assert BudgetLine.objects.get().amount_kr == 750_000


def test_a_budget_line_may_not_take_anothers_year_and_source(client, cast, programme):
    version = programme.versions.get()
    for year in (2026, 2027):
        services.add_budget_line(
            version, year=year, source="Region", amount_kr=Decimal(1), by=cast.kommunchef
        )
    line = BudgetLine.objects.get(year=2027)
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        reverse("budget_line_edit", args=[programme.pk, version.pk, line.pk]),
        {"year": "2026", "source": "Region", "amount_kr": "2", "revision": "0"},
    )
    assert "Region har redan ett belopp för 2026." in response.text
    assert BudgetLine.objects.get(pk=line.pk).year == 2027


def test_a_budget_line_is_taken_out_of_a_draft_and_kept_in_an_approved_version(
    client, cast, programme
):
    version = programme.versions.get()
    for source in ("Region", "Tillväxtverket"):
        services.add_budget_line(
            version, year=2026, source=source, amount_kr=Decimal(250_000), by=cast.kommunchef
        )
    region = BudgetLine.objects.get(source="Region")
    client.force_login(cast.arbetsgrupp)
    edit = client.get(reverse("budget_line_edit", args=[programme.pk, version.pk, region.pk]))
    remove = reverse("budget_line_remove", args=[programme.pk, version.pk, region.pk])
    assert f'action="{remove}"' in edit.text
    response = client.post(remove, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "plan_detail", args=[programme.pk, version.pk]
    )
    assert "Beloppet för 2026 från Region är borttaget ur utkastet." in response.text
    assert list(BudgetLine.objects.values_list("source", flat=True)) == ["Tillväxtverket"]
    assert last_log(programme) == (
        f"Budget 2026 från Region togs bort ur version 1: 250{NBSP}000{NBSP}kr."
    )
    # Approved, the plan is kept as it was approved: nothing is taken out of it.
    services.approve_plan(version, by=cast.kommunchef)
    other = BudgetLine.objects.get()
    url = reverse("budget_line_remove", args=[programme.pk, version.pk, other.pk])
    response = client.post(url, follow=True)
    assert "Den här versionen är godkänd" in response.text
    assert BudgetLine.objects.filter(pk=other.pk).exists()


# Members --------------------------------------------------------------------------------


def test_a_member_is_taken_out_and_then_sees_nothing(client, cast, programme):
    client.force_login(cast.kommunchef)
    url = reverse("programme_member_remove", args=[programme.pk, cast.arbetsgrupp.pk])
    assert client.post(url).status_code == 302
    assert not programme.memberships.filter(user=cast.arbetsgrupp).exists()
    assert last_log(programme) == "Sara Eklund togs bort ur programmet."
    client.force_login(cast.arbetsgrupp)
    assert client.get(reverse("programme_detail", args=[programme.pk])).status_code == 404


def test_the_last_member_who_writes_is_not_taken_out(client, cast, programme):
    writers = list(programme.memberships.filter(group="medlem").exclude(user=cast.kommunchef))
    for membership in writers:
        services.remove_member(programme, membership.user, by=cast.kommunchef)
    client.force_login(cast.kommunchef)
    response = client.post(
        reverse("programme_member_remove", args=[programme.pk, cast.kommunchef.pk]), follow=True
    )
    assert "Anna Lindqvist är den enda medlemmen som kan ändra i programmet" in response.text
    assert programme.memberships.filter(user=cast.kommunchef).exists()
    # Nor made läsbehörig.
    client.post(
        reverse("programme_members", args=[programme.pk]),
        {"user": cast.kommunchef.pk, "group": "lasare"},
    )
    assert programme.memberships.get(user=cast.kommunchef).group == "medlem"
    # A läsbehörig goes: Pia reads no more.
    services.remove_member(programme, cast.lasare, by=cast.kommunchef)
    assert not programme.memberships.filter(user=cast.lasare).exists()


def test_one_who_measures_is_taken_out_after_another_measures(client, cast, programme):
    target = a_target(an_area(programme, cast), cast)
    client.force_login(cast.kommunchef)
    url = reverse("programme_member_remove", args=[programme.pk, cast.arbetsgrupp.pk])
    response = client.post(url, follow=True)
    assert "Sara Eklund mäter 1 mål (Sysselsatta i kommunen)" in response.text
    client.post(
        reverse("target_edit", args=[programme.pk, target.pk]),
        target_form(target, measured_by=str(cast.kommunchef.pk)),
    )
    assert client.post(url).status_code == 302
    assert not programme.memberships.filter(user=cast.arbetsgrupp).exists()


def test_a_member_who_takes_themselves_out_lands_on_the_list(client, cast, programme):
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        reverse("programme_member_remove", args=[programme.pk, cast.arbetsgrupp.pk])
    )
    assert response["Location"] == reverse("programme_list")


def test_the_log_is_written_in_each_change_and_the_stored_rows_stay(client, cast, programme):
    area = an_area(programme, cast)
    target = a_target(area, cast)
    measurement = measure(target, "12", date(2026, 1, 2), cast.arbetsgrupp)
    before = ProgrammeLogEntry.objects.count()
    services.void_measurement(measurement, reason="Fel.", by=cast.kommunchef)
    services.end_target(target, ended="struken", reason="Fel.", by=cast.kommunchef)
    services.end_focus_area(area, ended="avslutad", reason="Klart.", by=cast.kommunchef)
    assert ProgrammeLogEntry.objects.count() == before + 3
    assert (FocusArea.objects.count(), Target.objects.count(), Measurement.objects.count()) == (
        1,
        1,
        1,
    )
    assert TARGET["indicator"] in last_log(programme) or "Näringsliv" in last_log(programme)


def test_a_target_ended_while_it_was_edited_is_not_changed(client, cast, programme):
    target = a_target(an_area(programme, cast), cast)
    client.force_login(cast.arbetsgrupp)
    page = client.get(reverse("target_edit", args=[programme.pk, target.pk]))
    assert 'name="version" value="0"' in page.text
    services.end_target(target, ended="struken", reason="Dubblett.", by=cast.kommunchef)
    response = client.post(
        reverse("target_edit", args=[programme.pk, target.pk]),
        target_form(target, target_value="300"),
        follow=True,
    )
    assert "Målet är struket och ändras inte." in response.text
    target.refresh_from_db()
    assert target.target_value == Decimal("200")


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_ended_and_struck_rows_cost_no_query_each(client, cast):
    """The programme page with avslutade insatsområden and targets, and the target page with
    struck and corrected measurements, at ten times the rows: the same queries."""
    pages = []
    for size in (1, 10):
        programme = a_programme(cast)
        for i in range(size):
            area = an_area(programme, cast, name=f"Område {i}")
            kept, ended = a_target(area, cast), a_target(area, cast, indicator=f"Slut {i}")
            services.end_target(ended, ended="avslutad", reason="Klart.", by=cast.kommunchef)
            for day in range(2 * size):
                m = measure(kept, "150", date(2025, 2, 1 + day), cast.arbetsgrupp)
                if day % 2:
                    services.void_measurement(m, reason="Fel.", by=cast.kommunchef)
                else:
                    services.correct_measurement(
                        m,
                        value=151,
                        measured_on=m.measured_on,
                        source="SCB",
                        version=0,
                        by=cast.kommunchef,
                    )
            if i:
                services.end_focus_area(area, ended="struken", reason="Fel.", by=cast.kommunchef)
        pages.append((programme, kept))
    client.force_login(cast.arbetsgrupp)
    (small, small_target), (large, large_target) = pages
    for name, args_small, args_large in [
        ("programme_detail", [small.pk], [large.pk]),
        ("target_detail", [small.pk, small_target.pk], [large.pk, large_target.pk]),
        ("programme_log", [small.pk], [large.pk]),
    ]:
        queries(client, reverse(name, args=args_small))  # the session's first touch
        assert queries(client, reverse(name, args=args_small)) == queries(
            client, reverse(name, args=args_large)
        ), name


@pytest.mark.parametrize("what", ["area", "target", "measurement"])
def test_an_ending_refused_is_shown_on_its_edit_page_and_its_address_leads_there(
    client, cast, programme, what
):
    area = an_area(programme, cast)
    target = a_target(area, cast)
    measurement = measure(target, "150", date(2025, 12, 1), cast.arbetsgrupp)
    url, edit, data, message = {
        "area": (
            reverse("focus_area_end", args=[programme.pk, area.pk]),
            reverse("focus_area_edit", args=[programme.pk, area.pk]),
            {"end-ended": "struken", "end-reason": " "},
            "Skriv varför.",
        ),
        "target": (
            reverse("target_end", args=[programme.pk, target.pk]),
            reverse("target_edit", args=[programme.pk, target.pk]),
            {"end-ended": "struken", "end-reason": "\u200b"},
            "Skriv varför.",
        ),
        "measurement": (
            reverse("measurement_void", args=[programme.pk, target.pk, measurement.pk]),
            reverse("measurement_edit", args=[programme.pk, target.pk, measurement.pk]),
            {"void-reason": ""},
            "Skriv varför värdet stryks.",
        ),
    }[what]
    client.force_login(cast.arbetsgrupp)
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in response.text
    # Reloaded without the post, or opened again: the edit page, not a bare 405.
    assert client.get(url)["Location"] == edit
    assert client.get(edit).status_code == 200
    assert not FocusArea.objects.exclude(ended="").exists()
    assert not Target.objects.exclude(ended="").exists()
    assert not Measurement.objects.exclude(voided_at=None).exists()
