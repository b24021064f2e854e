"""Plan versions once approved: the edit page sends back to the version (no form that
could not be saved), two versions compared are two different ones, and kommunfullmäktige
adopts a plan on or after the day the styrgrupp approved it."""

import pytest
from django.urls import reverse

from omstallning import services
from omstallning.models import PlanVersion
from tests.programmes import NOW

pytestmark = pytest.mark.usefixtures("frozen")


def approved(programme, cast) -> PlanVersion:
    version = programme.versions.get()
    services.approve_plan(version, by=cast.kommunchef)
    version.refresh_from_db()
    return version


def adopted(programme, cast) -> PlanVersion:
    version = approved(programme, cast)
    services.adopt_plan(version, adopted_on=NOW.date(), paragraph="§ 4", by=cast.kommunchef)
    version.refresh_from_db()
    return version


@pytest.mark.parametrize(
    ("make", "status"), [(approved, "godkänd av styrgruppen"), (adopted, "antagen")]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_approved_versions_edit_page_sends_back_to_it(
    client, cast, programme, make, status, method
):
    version = make(programme, cast)
    client.force_login(cast.arbetsgrupp)
    url = reverse("plan_edit", args=[programme.pk, version.pk])
    response = getattr(client, method)(url, {"vision": "Ändrad"} if method == "post" else None)
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_detail", args=[programme.pk, version.pk])
    page = client.get(response["Location"]).text
    assert f"Version 1 är {status}" in page
    assert "Gör en ny version för att ändra planen." in page
    assert "Ändrad" not in PlanVersion.objects.get(pk=version.pk).vision


def test_a_draft_is_edited(client, cast, programme):
    client.force_login(cast.arbetsgrupp)
    version = programme.versions.get()
    response = client.get(reverse("plan_edit", args=[programme.pk, version.pk]))
    assert response.status_code == 200
    assert 'name="vision"' in response.text


def test_a_version_is_compared_with_another(client, cast, programme):
    v1 = adopted(programme, cast)
    v2 = services.new_plan_version(programme, by=cast.kommunchef)
    client.force_login(cast.arbetsgrupp)
    url = reverse("plan_compare", args=[programme.pk])
    for version in (v1, v2):
        response = client.get(url, {"a": version.pk, "b": version.pk})
        assert response.status_code == 200
        assert response.context["form"].errors["b"] == ["Välj en annan version att jämföra med."]
        assert not response.context["rows"]
    # The version page's form proposes the one before (or, for the first, the one after).
    for version, other in ((v2, v1), (v1, v2)):
        detail = client.get(reverse("plan_detail", args=[programme.pk, version.pk]))
        form = detail.context["compare_form"]
        assert (form["a"].value(), form["b"].value()) == (version.pk, other.pk)
    assert client.get(url, {"a": v1.pk, "b": v2.pk}).context["rows"]


@pytest.mark.parametrize(
    ("day", "taken"),
    [("2025-06-01", False), ("2026-01-13", False), ("2026-01-14", True), ("2026-01-20", True)],
)
def test_kommunfullmaktige_adopts_on_or_after_the_approval(client, cast, programme, day, taken):
    version = approved(programme, cast)  # approved on 14 January 2026
    client.force_login(cast.kommunchef)
    response = client.post(
        reverse("plan_adopt", args=[programme.pk, version.pk]),
        {"adopted_on": day, "paragraph": "§ 4"},
        follow=True,
    )
    version.refresh_from_db()
    assert (version.status == PlanVersion.Status.ANTAGEN) is taken
    refusal = (
        "Kommunfullmäktige kan inte ha antagit planen före styrgruppens godkännande "
        "(14 januari 2026)."
    )
    assert (refusal in response.text) is not taken
