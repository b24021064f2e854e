"""Who measures a target (issue 15, item 3: "who measures"): only a programme member who
may write can be chosen, in the form and in the service, and a reminder never goes to
someone who may no longer measure (removed, made läsbehörig, deactivated)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from events.services import Refused
from notices.models import Notice
from omstallning import services
from omstallning.models import Measurement, ProgrammeMembership, Target
from tests.programmes import TARGET, a_target, an_area

pytestmark = pytest.mark.usefixtures("frozen")


def target_data(measurer) -> dict:
    return {
        **{name: str(value) for name, value in TARGET.items()},
        "baseline_value": "100",
        "target_value": "200",
        "threshold": "120",
        "measured_by": str(measurer.pk),
    }


def test_the_picker_offers_the_programmes_writing_members_only(client, cast, programme):
    area = an_area(programme, cast)
    client.force_login(cast.kommunchef)
    response = client.get(reverse("target_create", args=[programme.pk, area.pk]))
    field = response.context["form"].fields["measured_by"]
    offered = set(field.queryset)
    assert {cast.kommunchef, cast.arbetsgrupp} <= offered
    # Läsbehörig, outside the programme (task holder, outsider, an event member who is not in
    # the programme), none of them.
    for person in (cast.lasare, cast.task_holder, cast.outsider, cast.superuser):
        assert person not in offered, person
        assert f'value="{person.pk}"' not in response.text


@pytest.mark.parametrize("persona", ["lasare", "outsider", "task_holder", "inactive"])
def test_a_measurer_who_may_not_write_is_refused_in_the_form(client, cast, programme, persona):
    area = an_area(programme, cast)
    if persona == "inactive":
        cast.arbetsgrupp.is_active = False
        cast.arbetsgrupp.save()
        measurer = cast.arbetsgrupp
    else:
        measurer = getattr(cast, persona)
    client.force_login(cast.kommunchef)
    response = client.post(
        reverse("target_create", args=[programme.pk, area.pk]), target_data(measurer)
    )
    assert response.status_code == 200
    assert "measured_by" in response.context["form"].errors
    assert "Sysselsatta i kommunen" in response.text  # what was typed is kept
    assert not Target.objects.exists()
    assert not Notice.objects.filter(kind="target_measurer").exists()


def test_a_member_who_writes_is_accepted_and_told(client, cast, programme):
    area = an_area(programme, cast)
    client.force_login(cast.kommunchef)
    response = client.post(
        reverse("target_create", args=[programme.pk, area.pk]), target_data(cast.arbetsgrupp)
    )
    assert response.status_code == 302
    assert Target.objects.get().measured_by == cast.arbetsgrupp
    assert Notice.objects.get(kind="target_measurer").recipient == cast.arbetsgrupp


@pytest.mark.parametrize("persona", ["lasare", "outsider"])
def test_the_service_refuses_a_measurer_who_may_not_write(cast, programme, persona):
    area = an_area(programme, cast)
    with pytest.raises(Refused):
        a_target(area, cast, measured_by=getattr(cast, persona))
    assert not Target.objects.exists()


def removed(programme, cast):
    ProgrammeMembership.objects.filter(programme=programme, user=cast.arbetsgrupp).delete()


def demoted(programme, cast):
    # Made läsbehörig before add_member refused that for a measurer (rows kept from then).
    ProgrammeMembership.objects.filter(programme=programme, user=cast.arbetsgrupp).update(
        group=ProgrammeMembership.Group.LASARE
    )


def deactivated(programme, cast):
    cast.arbetsgrupp.is_active = False
    cast.arbetsgrupp.save()


@pytest.mark.parametrize("change", [removed, demoted, deactivated])
def test_no_reminder_to_a_measurer_who_may_no_longer_measure(cast, programme, change):
    target = a_target(an_area(programme, cast), cast)
    Measurement.objects.create(
        target=target,
        value=Decimal("150"),
        measured_on=date(2025, 10, 1),  # due 31 Dec 2025
        source="SCB",
        entered_by=cast.kommunchef,
    )
    change(programme, cast)
    assert services.scan_due_measurements(timezone.now()) == 0
    assert not Notice.objects.filter(kind="measurement_due").exists()
    # Back as a member who writes, the reminder comes.
    cast.arbetsgrupp.is_active = True
    cast.arbetsgrupp.save()
    services.add_member(programme, cast.arbetsgrupp, "medlem", by=cast.kommunchef)
    assert services.scan_due_measurements(timezone.now()) == 1
    assert Notice.objects.get(kind="measurement_due").recipient == cast.arbetsgrupp
