"""Rules a breaker found missing, each tested through HTTP: a measurer is not made
läsbehörig; an ended insatsområde's targets take no change; a budget line gone meanwhile;
the budget's years, one-time key and amounts; the log's pages; ASCII digits; Swedish days;
one full stop."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.moments import day_text
from events.models import Event
from events.submissions import ALREADY_SAVED
from omstallning import services
from omstallning.models import BudgetLine, Measurement, ProgrammeMembership
from tests.programmes import a_target, an_area

pytestmark = pytest.mark.usefixtures("frozen")

NBSP = "\u00a0"


def followed(client, response) -> str:
    assert response.status_code == 302, response
    return client.get(response["Location"]).text


def test_a_measurer_is_not_made_lasbehorig(client, cast, programme):
    a_target(an_area(programme, cast), cast)  # Sara measures it
    client.force_login(cast.kommunchef)
    response = client.post(
        reverse("programme_members", args=[programme.pk]),
        {"user": cast.arbetsgrupp.pk, "group": ProgrammeMembership.Group.LASARE},
    )
    assert response.status_code == 200
    assert "Sara Eklund mäter 1 mål (Sysselsatta i kommunen)" in response.text
    assert programme.memberships.get(user=cast.arbetsgrupp).group == "medlem"


@pytest.fixture
def ended_area(cast, programme):
    area = an_area(programme, cast)
    target = a_target(area, cast)
    measurement = services.add_measurement(
        target, value=130, measured_on=date(2025, 6, 1), source="SCB", by=cast.kommunchef
    )
    services.end_focus_area(area, ended="avslutad", reason="Klart.", by=cast.kommunchef)
    return area, target, measurement


def test_an_ended_areas_targets_take_no_measurement(client, cast, programme, ended_area):
    _, target, _ = ended_area
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        reverse("measurement_add", args=[programme.pk, target.pk]),
        {"value": "140", "measured_on": "2025-09-01", "source": "SCB"},
    )
    assert response.status_code == 200
    assert "Insatsområdet är avslutat" in response.text
    assert target.measurements.count() == 1


def test_an_ended_areas_target_is_not_edited(client, cast, programme, ended_area):
    _, target, _ = ended_area
    client.force_login(cast.arbetsgrupp)
    url = reverse("target_edit", args=[programme.pk, target.pk])
    assert "Insatsområdet är avslutat" in followed(client, client.get(url))
    followed(client, client.post(url, {"indicator": "Nytt", "version": "0"}))
    target.refresh_from_db()
    assert target.indicator == "Sysselsatta i kommunen"


def test_an_ended_areas_target_keeps_its_colour(client, cast, programme, ended_area):
    _, target, _ = ended_area
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        reverse("target_colour", args=[programme.pk, target.pk]),
        {"colour": "rod", "reason": "Sent."},
    )
    assert response.status_code == 200
    assert "Insatsområdet är avslutat" in response.text
    target.refresh_from_db()
    assert target.override == ""


def test_an_ended_areas_measurements_are_not_corrected(client, cast, programme, ended_area):
    _, target, measurement = ended_area
    client.force_login(cast.arbetsgrupp)
    url = reverse("measurement_edit", args=[programme.pk, target.pk, measurement.pk])
    data = {"value": "1", "measured_on": "2025-06-01", "source": "SCB", "version": "0"}
    assert "Insatsområdet är avslutat" in followed(client, client.post(url, data))
    measurement.refresh_from_db()
    assert measurement.value == 130


def test_an_ended_area_is_not_renamed(client, cast, programme, ended_area):
    area, *_ = ended_area
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        reverse("focus_area_edit", args=[programme.pk, area.pk]),
        {"name": "Nytt namn", "description": "", "version": "1"},
    )
    assert response.status_code == 200
    assert "Insatsområdet är avslutat och ändras inte." in response.text
    area.refresh_from_db()
    assert area.name == "Näringsliv"


# Budget ---------------------------------------------------------------------------------


@pytest.fixture
def line(cast, programme):
    version = programme.versions.get()
    services.add_budget_line(
        version, year=2026, source="Region", amount_kr=Decimal(500_000), by=cast.kommunchef
    )
    return BudgetLine.objects.get()


def test_a_budget_line_gone_meanwhile_is_said_with_what_was_typed(client, cast, programme, line):
    client.force_login(cast.arbetsgrupp)
    url = reverse("budget_line_edit", args=[programme.pk, line.version_id, line.pk])
    assert client.get(url).status_code == 200
    line.delete()
    data = {"year": "2027", "source": "Tillväxtverket", "amount_kr": "750 000", "revision": "0"}
    response = client.post(url, data)
    assert response["Location"] == reverse("plan_detail", args=[programme.pk, line.version_id])
    page = client.get(response["Location"]).text
    assert "Någon annan har tagit bort beloppet." in page
    assert "Det du skrev sparades inte: 2027, Tillväxtverket, 750 000." in page


def test_a_budget_line_removed_twice_is_said_not_404(client, cast, programme, line):
    client.force_login(cast.arbetsgrupp)
    url = reverse("budget_line_remove", args=[programme.pk, line.version_id, line.pk])
    assert "är borttaget ur utkastet" in followed(client, client.post(url))
    assert "Någon annan har tagit bort beloppet." in followed(client, client.post(url))


@pytest.mark.parametrize("year", ["2020", "2032", "0"])
def test_a_budget_year_outside_the_programme_is_refused(client, cast, programme, year):
    # The programme runs 2025 to 2030: 2024 to 2031 are taken.
    client.force_login(cast.arbetsgrupp)
    version = programme.versions.get()
    response = client.post(
        reverse("plan_budget_add", args=[programme.pk, version.pk]),
        {"year": year, "source": "Region", "amount_kr": "100"},
    )
    assert response.status_code == 200
    assert "Skriv ett år mellan 2024 och 2031" in response.text
    assert f'value="{year}"' in response.text
    assert not BudgetLine.objects.exists()


def test_a_budget_line_posted_twice_is_saved_once(client, cast, programme):
    client.force_login(cast.arbetsgrupp)
    version = programme.versions.get()
    page = client.get(reverse("plan_detail", args=[programme.pk, version.pk])).text
    assert 'name="submission"' in page
    data = {
        "year": "2026",
        "source": "Region",
        "amount_kr": "100",
        "submission": "8d3c1a4e-5b6f-4c2d-9e8f-0a1b2c3d4e5f",
    }
    url = reverse("plan_budget_add", args=[programme.pk, version.pk])
    assert "Beloppet är sparat." in followed(client, client.post(url, data))
    again = followed(client, client.post(url, data))
    assert ALREADY_SAVED in again
    assert "har redan ett belopp" not in again
    assert BudgetLine.objects.count() == 1


def test_the_budget_conflict_shows_money_as_a_budget_writes_it(client, cast, programme, line):
    client.force_login(cast.arbetsgrupp)
    services.edit_budget_line(
        line,
        year=2026,
        source="Region",
        amount_kr=Decimal("1234567.50"),
        revision=0,
        by=cast.kommunchef,
    )
    url = reverse("budget_line_edit", args=[programme.pk, line.version_id, line.pk])
    data = {"year": "2026", "source": "Region", "amount_kr": "600 000", "revision": "0"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert f"1{NBSP}234{NBSP}567,50{NBSP}kr" in response.text


@pytest.mark.parametrize(
    ("field", "typed"), [("amount_kr", "\u0663\u0660\u0660"), ("year", "\u0662\u0660\u0662\u0666")]
)
def test_arabic_indic_digits_are_refused(client, cast, programme, field, typed):
    client.force_login(cast.arbetsgrupp)
    version = programme.versions.get()
    data = {"year": "2026", "source": "Region", "amount_kr": "100", field: typed}
    response = client.post(reverse("plan_budget_add", args=[programme.pk, version.pk]), data)
    assert response.status_code == 200
    assert response.context["budget_form"].errors[field]
    assert not BudgetLine.objects.exists()


def test_arabic_indic_digits_are_refused_in_a_measurement(client, cast, programme):
    target = a_target(an_area(programme, cast), cast)
    client.force_login(cast.arbetsgrupp)
    response = client.post(
        reverse("measurement_add", args=[programme.pk, target.pk]),
        {"value": "\u0661\u0665\u0660", "measured_on": "2025-09-01", "source": "SCB"},
    )
    assert response.status_code == 200
    assert "Skriv ett tal" in response.text
    assert not Measurement.objects.exists()


# The log, the baselines, sentences -------------------------------------------------------


@pytest.mark.parametrize("asked", ["0", "-1", "x", ""])
def test_a_log_page_that_is_no_page_is_the_first(client, cast, programme, asked):
    client.force_login(cast.arbetsgrupp)
    response = client.get(reverse("programme_log", args=[programme.pk]) + f"?sida={asked}")
    assert response.context["page"].number == 1


def test_the_baselines_are_dated_in_swedish(client, cast, programme):
    Event.objects.filter(pk=cast.event.pk).update(affected_employees=40)
    area = an_area(programme, cast)
    client.force_login(cast.kommunchef)
    page = client.get(reverse("target_create", args=[programme.pk, area.pk])).text
    baseline = services.baselines_from(programme, cast.kommunchef)[0]
    assert f"({day_text(baseline.on)})" in page


def test_a_log_line_ends_in_one_full_stop(client, cast, programme):
    target = a_target(an_area(programme, cast), cast, indicator="Antal rev.")
    client.force_login(cast.arbetsgrupp)
    client.post(
        reverse("measurement_add", args=[programme.pk, target.pk]),
        {"value": "140", "measured_on": "2025-09-01", "source": "SCB"},
    )
    text = programme.log_entries.order_by("-created_at", "-pk").first().text
    assert text.endswith("för Antal rev.")
    services.end_target(target, ended="avslutad", reason="Klart.", by=cast.kommunchef)
    assert not any(e.text.endswith("..") for e in programme.log_entries.all())
