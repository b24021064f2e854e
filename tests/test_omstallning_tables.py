"""Tables that scroll sideways on a narrow screen sit in a box a keyboard can reach and a
screen reader names (axe: scrollable-region-focusable), the budget too; and one
insatsområde is written in the singular."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from omstallning import services
from omstallning.models import Measurement
from tests.programmes import NOW, a_programme, a_target, an_area

pytestmark = pytest.mark.usefixtures("frozen")


BOX = re.compile(r'<div class="table-wrap"[^>]*>')


def test_every_scrolling_table_box_is_focusable_and_named(client, cast):
    programme = a_programme(cast)
    target = a_target(an_area(programme, cast), cast)
    Measurement.objects.create(
        target=target,
        value=Decimal("150"),
        measured_on=NOW.date(),
        source="SCB",
        entered_by=cast.arbetsgrupp,
    )
    v1 = programme.versions.get()
    services.add_budget_line(v1, year=2026, source="Region", amount_kr=5000, by=cast.kommunchef)
    services.approve_plan(v1, by=cast.kommunchef)
    v2 = services.new_plan_version(programme, by=cast.kommunchef)
    client.force_login(cast.arbetsgrupp)
    urls = {
        "programme": reverse("programme_detail", args=[programme.pk]),
        "target": reverse("target_detail", args=[programme.pk, target.pk]),
        "plan": reverse("plan_detail", args=[programme.pk, v1.pk]),
        "compare": reverse("plan_compare", args=[programme.pk]) + f"?a={v1.pk}&b={v2.pk}",
    }
    for name, url in urls.items():
        page = client.get(url).text
        boxes = BOX.findall(page)
        assert boxes, name
        for box in boxes:
            assert 'tabindex="0"' in box, (name, box)
            assert 'role="region"' in box, (name, box)
            assert re.search(r'aria-label="[^"]+"', box), (name, box)
    plan = client.get(urls["plan"]).text
    assert re.search(r'aria-label="Budget per år och källa"><table', plan)


@pytest.mark.parametrize(
    ("count", "words"),
    [
        (0, "0 insatsområden"),
        (1, "1 insatsområde."),
        (2, "2 insatsområden"),
        (5, "5 insatsområden"),
    ],
)
def test_the_warning_counts_insatsomraden_in_swedish(count, words):
    assert f"Programmet har {words}" in services.focus_area_warning(count)


def test_one_insatsomrade_is_singular_on_the_page(client, cast):
    programme = a_programme(cast)
    an_area(programme, cast)
    client.force_login(cast.arbetsgrupp)
    page = client.get(reverse("programme_detail", args=[programme.pk])).text
    assert "Programmet har 1 insatsområde." in page
    assert "1 insatsområden" not in page
