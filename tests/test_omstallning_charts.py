"""Dates and words a chart must survive: every date in the programme's forms lies within
1900 to 2100 (Swedish field message, input kept), a measurement is never from before its
baseline, and the chart URL draws whatever is stored (dates at the ends of the calendar,
a unit matplotlib would read as mathtext) without a 500."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from omstallning.models import Measurement, PlanVersion, Programme, Target
from tests.programmes import NOW, TARGET, a_target, an_area

pytestmark = pytest.mark.usefixtures("frozen")


def chart(client, programme, target):
    response = client.get(reverse("target_chart", args=[programme.pk, target.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    return response.content.decode()


# Stored data, inserted past the forms -----------------------------------------------------


@pytest.mark.parametrize("unit", ["$\\foo$", "$^$", "$ per $", "kr/$", "50 %"])
def test_a_unit_is_drawn_as_written_never_as_mathtext(client, cast, programme, unit):
    target = Target.objects.create(
        focus_area=an_area(programme, cast),
        **{**TARGET, "unit": unit},
        measured_by=cast.arbetsgrupp,
    )
    Measurement.objects.create(
        target=target,
        value=Decimal("110"),
        measured_on=date(2025, 6, 1),
        source="SCB",
        entered_by=cast.arbetsgrupp,
    )
    client.force_login(cast.arbetsgrupp)
    svg = chart(client, programme, target)
    assert unit.replace("&", "&amp;") in svg
    detail = client.get(reverse("target_detail", args=[programme.pk, target.pk]))
    assert detail.status_code == 200


@pytest.mark.parametrize(
    ("baseline_on", "target_on", "measured_on"),
    [
        (date(1, 1, 1), date(2027, 1, 1), date(2025, 6, 1)),
        (date(2025, 1, 1), date(9999, 12, 31), date(2025, 6, 1)),
        (date(1, 1, 1), date(9999, 12, 31), date(25, 4, 1)),
        (date(2025, 1, 1), date(2027, 1, 1), date(25, 4, 1)),
        (date(2150, 1, 1), date(2200, 1, 1), date(9999, 12, 31)),
    ],
)
def test_stored_dates_at_the_ends_of_the_calendar_are_drawn(
    client, cast, programme, baseline_on, target_on, measured_on
):
    target = Target.objects.create(
        focus_area=an_area(programme, cast),
        **{**TARGET, "baseline_on": baseline_on, "target_on": target_on},
        measured_by=cast.arbetsgrupp,
    )
    Measurement.objects.create(
        target=target,
        value=Decimal("110"),
        measured_on=measured_on,
        source="SCB",
        entered_by=cast.arbetsgrupp,
    )
    client.force_login(cast.arbetsgrupp)
    assert "<svg" in chart(client, programme, target)
    detail = client.get(reverse("target_detail", args=[programme.pk, target.pk]))
    assert detail.status_code == 200
    programme_page = client.get(reverse("programme_detail", args=[programme.pk]))
    assert programme_page.status_code == 200


# The forms ------------------------------------------------------------------------------

OUT_OF_RANGE = ["0025-04-01", "0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"]
RANGE_MESSAGE = "Skriv ett datum mellan 1900 och 2100."


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_a_programme_starts_and_ends_within_1900_to_2100(client, cast, day):
    client.force_login(cast.kommunchef)
    url = reverse("programme_start", args=[cast.event.pk])
    for data, field in (
        ({"started_on": day, "planned_end_on": "2030-12-31"}, "started_on"),
        ({"started_on": "1900-01-01", "planned_end_on": day}, "planned_end_on"),
    ):
        response = client.post(url, {"title": "Omställning Norsjö", **data})
        assert response.status_code == 200
        errors = response.context["form"].errors
        if field == "planned_end_on" and day < "1900":
            continue  # refused as before the start, or out of range: refused either way
        assert errors[field] == [RANGE_MESSAGE]
        assert f'value="{day}"' in response.text
    assert not Programme.objects.exists()


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_a_targets_dates_lie_within_1900_to_2100(client, cast, programme, day):
    area = an_area(programme, cast)
    client.force_login(cast.kommunchef)
    data = {
        **{name: str(value) for name, value in TARGET.items()},
        "measured_by": str(cast.arbetsgrupp.pk),
    }
    for field in ("baseline_on", "target_on"):
        response = client.post(
            reverse("target_create", args=[programme.pk, area.pk]), {**data, field: day}
        )
        assert response.status_code == 200
        assert RANGE_MESSAGE in response.context["form"].errors[field]
        assert f'value="{day}"' in response.text
    assert not Target.objects.exists()


@pytest.mark.parametrize("day", ["0025-04-01", "0001-01-01", "1899-12-31"])
def test_a_measurement_date_lies_within_1900_to_2100(client, cast, programme, day):
    target = a_target(an_area(programme, cast), cast)
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        reverse("measurement_add", args=[programme.pk, target.pk]),
        {"value": "150", "measured_on": day, "source": "SCB"},
    )
    assert response.status_code == 200
    assert response.context["measurement_form"].errors["measured_on"] == [RANGE_MESSAGE]
    assert f'value="{day}"' in response.text
    assert not target.measurements.exists()


@pytest.mark.parametrize("day", ["2024-12-31", "2020-06-01", "1900-01-01"])
def test_a_measurement_is_never_from_before_its_baseline(client, cast, programme, day):
    target = a_target(an_area(programme, cast), cast)  # baseline 1 Jan 2025
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        reverse("measurement_add", args=[programme.pk, target.pk]),
        {"value": "150", "measured_on": day, "source": "SCB"},
    )
    assert response.status_code == 200
    errors = response.context["measurement_form"].errors["measured_on"]
    assert errors == ["Ett mätvärde kan inte vara från före utgångsvärdet (1 januari 2025)."]
    assert f'value="{day}"' in response.text
    assert not target.measurements.exists()
    # On the baseline's own day it is taken.
    response = client.post(
        reverse("measurement_add", args=[programme.pk, target.pk]),
        {"value": "150", "measured_on": "2025-01-01", "source": "SCB"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("day", ["9999-12-31", "0025-04-01"])
def test_an_adoption_date_lies_within_1900_to_2100(client, cast, programme, day):
    version = programme.versions.get()
    version.status = PlanVersion.Status.GODKAND
    version.approved_by = cast.kommunchef
    version.approved_at = NOW
    version.save()
    client.force_login(cast.kommunchef)
    response = client.post(
        reverse("plan_adopt", args=[programme.pk, version.pk]),
        {"adopted_on": day, "paragraph": "§ 4"},
        follow=True,
    )
    assert RANGE_MESSAGE in response.text
    version.refresh_from_db()
    assert version.adopted_on is None
