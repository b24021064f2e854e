"""The path is compared at the precision it is shown with: a value that reads as on the
line (both printed to the thousandth a measurement is stored with) is grön, never gul
because the page rounded a path of 0,3333… to 0,333."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from omstallning.models import Measurement, Target
from tests.programmes import a_programme, a_target, an_area

# From 0 to 1 over three days: a third of the way on the first day.
THIRDS = {
    "baseline_value": Decimal("0"),
    "baseline_on": date(2025, 12, 1),
    "target_value": Decimal("1"),
    "target_on": date(2025, 12, 4),
    "threshold": Decimal("0"),
}
LOWER = {
    **THIRDS,
    "direction": Target.Direction.LOWER,
    "baseline_value": Decimal("1"),
    "target_value": Decimal("0"),
    "threshold": Decimal("1"),
}
# From 0 to 0,001 over two days: 0,0005 on the first, shown as 0,001 (halves rounded up).
HALF = {**THIRDS, "target_value": Decimal("0.001"), "target_on": date(2025, 12, 3)}


pytestmark = pytest.mark.usefixtures("frozen")


@pytest.mark.parametrize(
    ("fields", "value", "path", "colour"),
    [
        (THIRDS, "0.333", "0,333", "Grön"),  # 1/3 shown as 0,333: on the line
        (THIRDS, "0.332", "0,333", "Gul"),
        (LOWER, "0.667", "0,667", "Grön"),  # 2/3 shown as 0,667
        (LOWER, "0.668", "0,667", "Gul"),
        (HALF, "0.001", "0,001", "Grön"),
        (HALF, "0", "0,001", "Gul"),
    ],
)
def test_a_value_shown_on_the_path_is_on_it(client, cast, fields, value, path, colour):
    programme = a_programme(cast)
    target = a_target(an_area(programme, cast), cast, **fields)
    Measurement.objects.create(
        target=target,
        value=Decimal(value),
        measured_on=date(2025, 12, 2),
        source="SCB",
        entered_by=cast.arbetsgrupp,
    )
    client.force_login(cast.lasare)
    page = client.get(reverse("target_detail", args=[programme.pk, target.pk])).text
    assert f"Status: {colour}</span>" in page
    assert f"<td>{path}</td>" in page
    summary = client.get(reverse("programme_detail", args=[programme.pk])).text
    assert f"{colour}" in summary
