"""The target form's direction against its values: when higher is better the goal lies
above the baseline and the styrgräns below the goal (lower is better mirrors it), each
refused with a field message that keeps the input; and the direction is a choice of two
with no empty, pre-picked radio."""

import pytest
from django.urls import reverse

from omstallning.models import Target
from tests.programmes import TARGET, an_area

pytestmark = pytest.mark.usefixtures("frozen")


HIGHER = "Målvärdet ska vara högre än utgångsvärdet när högre är bättre."
LOWER = "Målvärdet ska vara lägre än utgångsvärdet när lägre är bättre."
LIMIT_HIGHER = "Styrgränsen ska vara lägre än målvärdet när högre är bättre."
LIMIT_LOWER = "Styrgränsen ska vara högre än målvärdet när lägre är bättre."


@pytest.mark.parametrize(
    ("direction", "base", "goal", "limit", "errors"),
    [
        ("hogre", "100", "200", "120", {}),
        ("hogre", "100", "200", "80", {}),  # a styrgräns under the baseline
        ("hogre", "200", "100", "50", {"target_value": HIGHER}),
        ("hogre", "100", "100", "50", {"target_value": HIGHER}),
        ("hogre", "100", "200", "200", {"threshold": LIMIT_HIGHER}),
        ("hogre", "100", "200", "250", {"threshold": LIMIT_HIGHER}),
        ("lagre", "200", "100", "180", {}),
        ("lagre", "200", "100", "220", {}),
        ("lagre", "100", "200", "250", {"target_value": LOWER}),
        ("lagre", "200", "100", "100", {"threshold": LIMIT_LOWER}),
        ("lagre", "200", "100", "50", {"threshold": LIMIT_LOWER}),
    ],
)
def test_the_direction_decides_where_goal_and_styrgrans_lie(
    client, cast, programme, direction, base, goal, limit, errors
):
    area = an_area(programme, cast)
    client.force_login(cast.kommunchef)
    data = {
        **{name: str(value) for name, value in TARGET.items()},
        "direction": direction,
        "baseline_value": base,
        "target_value": goal,
        "threshold": limit,
        "measured_by": str(cast.arbetsgrupp.pk),
    }
    response = client.post(reverse("target_create", args=[programme.pk, area.pk]), data)
    if not errors:
        assert response.status_code == 302
        assert Target.objects.get().direction == direction
        return
    assert response.status_code == 200
    form_errors = response.context["form"].errors
    for field, message in errors.items():
        assert form_errors[field] == [message]
        assert f'value="{data[field]}"' in response.text
    assert not Target.objects.exists()


def test_the_direction_has_no_empty_choice(client, cast, programme):
    area = an_area(programme, cast)
    client.force_login(cast.kommunchef)
    page = client.get(reverse("target_create", args=[programme.pk, area.pk])).text
    radios = [line for line in page.split("<input") if 'name="direction"' in line]
    assert len(radios) == 2
    assert not any('value=""' in radio for radio in radios)
    assert not any("checked" in radio for radio in radios)
    assert "Välj" not in page.split('name="direction"')[0][-400:]
