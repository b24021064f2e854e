"""Numbers in Swedish throughout the programme (omstallning.numbers): read as people type
them ("1 200", "12,5"), refused with a Swedish message when they are not a plain number
("1e3"), and written with a decimal comma and grouped thousands on the pages, in the log,
the budget and on the chart axes."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse

from omstallning import services
from omstallning.models import Measurement, Target
from omstallning.numbers import text
from tests.programmes import TARGET, a_target, an_area

NBSP = "\u00a0"


pytestmark = pytest.mark.usefixtures("frozen")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("12.500"), "12,5"),
        (Decimal("1200"), f"1{NBSP}200"),
        (Decimal("1234567.125"), f"1{NBSP}234{NBSP}567,125"),
        (Decimal("-1000"), f"\u22121{NBSP}000"),
        (Fraction(1, 3), "0,333"),
        (1e3, f"1{NBSP}000"),
        (0.25, "0,25"),
        (Decimal("0.000"), "0"),
        (None, ""),
    ],
)
def test_numbers_are_written_in_swedish(value, written):
    assert text(value) == written


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1 200", Decimal("1200")),
        (f"1{NBSP}200", Decimal("1200")),
        ("1\u202f200,5", Decimal("1200.5")),
        ("1,5", Decimal("1.5")),
        ("12.5", Decimal("12.5")),
        (" 150 ", Decimal("150")),
    ],
)
def test_a_measurement_is_read_as_typed(client, cast, programme, typed, stored):
    target = a_target(an_area(programme, cast), cast)
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        reverse("measurement_add", args=[programme.pk, target.pk]),
        {"value": typed, "measured_on": "2026-01-10", "source": "SCB"},
    )
    assert response.status_code == 302
    assert target.measurements.get().value == stored


@pytest.mark.parametrize("typed", ["1e3", "1E+3", "12,5,0", "1.200,5", "tolv", "1 2e3", "--3"])
def test_what_is_not_a_plain_number_is_refused_and_kept(client, cast, programme, typed):
    target = a_target(an_area(programme, cast), cast)
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        reverse("measurement_add", args=[programme.pk, target.pk]),
        {"value": typed, "measured_on": "2026-01-10", "source": "SCB"},
    )
    assert response.status_code == 200
    errors = response.context["measurement_form"].errors["value"]
    assert errors == ["Skriv ett tal, till exempel 1 200 eller 12,5."]
    assert f'value="{typed}"' in response.text
    assert not target.measurements.exists()


def test_a_targets_values_are_read_as_typed(client, cast, programme):
    area = an_area(programme, cast)
    client.force_login(cast.kommunchef)
    data = {
        **{name: str(value) for name, value in TARGET.items()},
        "baseline_value": "1 200",
        "target_value": f"2{NBSP}000,5",
        "threshold": "1 250",
        "measured_by": str(cast.arbetsgrupp.pk),
    }
    url = reverse("target_create", args=[programme.pk, area.pk])
    response = client.post(url, {**data, "threshold": "1e3"})
    assert response.context["form"].errors["threshold"]
    assert client.post(url, data).status_code == 302
    target = Target.objects.get()
    assert (target.baseline_value, target.target_value, target.threshold) == (
        Decimal("1200"),
        Decimal("2000.5"),
        Decimal("1250"),
    )
    detail = client.get(reverse("target_detail", args=[programme.pk, target.pk])).text
    assert f"1{NBSP}200 personer" in detail
    assert f"2{NBSP}000,5 personer" in detail


def test_the_log_table_and_chart_write_numbers_in_swedish(client, cast, programme):
    target = a_target(
        an_area(programme, cast),
        cast,
        baseline_value=Decimal("1000"),
        target_value=Decimal("2000"),
        threshold=Decimal("1100"),
    )
    services.add_measurement(
        target,
        value=Decimal("1200.5"),
        measured_on=date(2025, 6, 1),
        source="SCB",
        by=cast.arbetsgrupp,
    )
    services.add_measurement(
        target,
        value=Decimal("12.5"),
        measured_on=date(2025, 9, 1),
        source="SCB",
        by=cast.kommunchef,
    )
    client.force_login(cast.arbetsgrupp)
    detail = client.get(reverse("programme_detail", args=[programme.pk])).text
    assert f"Mätvärde 1{NBSP}200,5 personer" in detail
    assert "Mätvärde 12,5 personer" in detail
    assert "12.5" not in detail
    assert "1200.5" not in detail
    table = client.get(reverse("target_detail", args=[programme.pk, target.pk])).text
    assert f"<td>1{NBSP}200,5</td>" in table
    svg = client.get(reverse("target_chart", args=[programme.pk, target.pk])).content.decode()
    # Tick labels such as "1 000" (a no-break space, maybe written as a character reference).
    ticks = svg.replace("&#160;", NBSP)
    assert f"1{NBSP}000" in ticks
    assert "1000<" not in ticks
    assert ".0<" not in ticks


def test_the_budget_groups_thousands(client, cast, programme):
    version = programme.versions.get()
    services.add_budget_line(
        version, year=2026, source="Region", amount_kr=1_200_000, by=cast.kommunchef
    )
    client.force_login(cast.arbetsgrupp)
    page = client.get(reverse("plan_detail", args=[programme.pk, version.pk])).text
    assert f"<td>1{NBSP}200{NBSP}000{NBSP}kr</td>" in page


def test_a_fractional_axis_has_decimal_commas(client, cast, programme):
    target = a_target(
        an_area(programme, cast),
        cast,
        unit="procent",
        baseline_value=Decimal("1"),
        target_value=Decimal("2"),
        threshold=Decimal("1.1"),
    )
    Measurement.objects.create(
        target=target,
        value=Decimal("1.3"),
        measured_on=date(2025, 6, 1),
        source="SCB",
        entered_by=cast.arbetsgrupp,
    )
    client.force_login(cast.arbetsgrupp)
    svg = client.get(reverse("target_chart", args=[programme.pk, target.pk])).content.decode()
    assert "1,2" in svg
    assert ">1.2<" not in svg
