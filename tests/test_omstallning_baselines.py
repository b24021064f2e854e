"""A new target's baseline from the linked events (issue 15, item 3: "Baselines can come
from the event"): affected employees and the company's employees in the municipality, one
click filling value, date and source, a confidential event the user is outside named by
its case number only."""

from datetime import date

import pytest
from django.urls import reverse

from events.models import Event, Membership
from omstallning import numbers, services
from omstallning.models import Target
from tests.personas import create_event_row
from tests.programmes import an_area

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def linked(cast, programme):
    """cast.event (38 affected, 120 in the municipality, announced 1 Dec 2025) and a
    confidential konkurs Sara is outside of (12 affected, no local count)."""
    Event.objects.filter(pk=cast.event.pk).update(
        affected_employees=38, employees_local=120, announced_on=date(2025, 12, 1)
    )
    secret = create_event_row(
        "Konkurs hos Hemliga Gjuteriet",
        cast.kommunchef,
        kind="konkurs",
        company_name="Hemliga Gjuteriet AB",
        confidential=True,
        affected_employees=12,
        announced_on=date(2025, 11, 3),
    )
    Membership.objects.create(event=secret, user=cast.kommunchef, group="startgrupp")
    services.link_event(programme, secret, by=cast.kommunchef)
    return secret


def form_page(client, programme, area, **query):
    response = client.get(reverse("target_create", args=[programme.pk, area.pk]), query)
    assert response.status_code == 200
    return response


def test_the_events_offer_their_numbers_as_baselines(client, cast, programme, linked):
    area = an_area(programme, cast)
    client.force_login(cast.arbetsgrupp)
    page = form_page(client, programme, area).text
    number = cast.event.case_number
    assert f"{number} {cast.event.title}: berörda anställda: 38 personer" in page
    assert f"{number} {cast.event.title}: företagets anställda i kommunen: 120 personer" in page
    assert f"{linked.case_number} (sekretess): berörda anställda: 12 personer" in page
    for secret in ("Hemliga", "Gjuteriet"):
        assert secret not in page
    assert page.count("Använd som utgångsvärde") == 3


@pytest.mark.parametrize(
    ("which", "value", "day", "source"),
    [
        ("event:affected_employees", "38", "2025-12-01", "varsel/uppsägningar, berörda anställda"),
        (
            "event:employees_local",
            "120",
            "2025-12-01",
            "varsel/uppsägningar, företagets anställda i kommunen",
        ),
        ("secret:affected_employees", "12", "2025-11-03", "konkurs, berörda anställda"),
    ],
)
def test_one_click_fills_value_date_and_source(
    client, cast, programme, linked, which, value, day, source
):
    area = an_area(programme, cast)
    event = cast.event if which.startswith("event") else linked
    key = f"{event.pk}:{which.split(':')[1]}"
    client.force_login(cast.arbetsgrupp)
    response = form_page(client, programme, area, utgang=key)
    form = response.context["form"]
    assert form["baseline_value"].value() == value
    assert str(form["baseline_on"].value()) == day
    expected = f"Händelse {event.case_number}: {source}"
    assert form["baseline_source"].value() == expected
    assert "ifyllt nedan" in response.text
    assert "Hemliga" not in response.text
    # Posted with the rest, the target keeps the event's baseline.
    data = {
        "indicator": "Sysselsatta",
        "unit": "personer",
        "direction": "hogre",
        "baseline_value": value,
        "baseline_on": day,
        "baseline_source": expected,
        "target_value": "500",
        "target_on": "2029-01-01",
        "threshold": "200",
        "frequency_days": "91",
        "measured_by": str(cast.arbetsgrupp.pk),
    }
    url = reverse("target_create", args=[programme.pk, area.pk]) + f"?utgang={key}"
    assert client.post(url, data).status_code == 302
    target = Target.objects.get()
    assert (numbers.text(target.baseline_value), target.baseline_source) == (value, expected)


def test_an_event_member_sees_the_confidential_events_name(client, cast, programme, linked):
    area = an_area(programme, cast)
    client.force_login(cast.kommunchef)
    page = form_page(client, programme, area).text
    assert f"{linked.case_number} Konkurs hos Hemliga Gjuteriet: berörda anställda" in page
    # The source written into the target is read by every member: never a name.
    key = f"{linked.pk}:affected_employees"
    form = form_page(client, programme, area, utgang=key).context["form"]
    assert "Hemliga" not in form["baseline_source"].value()


def test_an_event_without_numbers_offers_nothing(client, cast, programme):
    Event.objects.filter(pk=cast.event.pk).update(affected_employees=None, employees_local=None)
    area = an_area(programme, cast)
    client.force_login(cast.arbetsgrupp)
    response = form_page(client, programme, area, utgang="nonsense")
    assert "Utgångsvärden från ärendena" not in response.text
    assert response.context["form"]["baseline_value"].value() is None


@pytest.mark.parametrize(
    ("jobs", "share"),
    [("1 850", "6,5"), ("1850", "6,5"), ("120", "100"), ("2\u00a0400", "5"), ("1 000 000", "0")],
)
def test_the_companys_share_of_the_local_jobs_is_worked_out_from_the_jobs_entered(
    client, cast, programme, linked, jobs, share
):
    # Seed 004 and the issue: "the company's share of the municipality's jobs, entered with
    # its source". 120 of 1 850 jobs is 6,49 %, shown to one decimal.
    area = an_area(programme, cast)
    key = f"{cast.event.pk}:employees_local"
    client.force_login(cast.arbetsgrupp)
    response = form_page(client, programme, area, andel=key, jobb=jobs, jobbkalla="SCB, 2025")
    form = response.context["form"]
    assert form["baseline_value"].value() == share
    assert form["unit"].value() == "procent"
    assert str(form["baseline_on"].value()) == "2025-12-01"
    assert form["baseline_source"].value() == (
        f"Händelse {cast.event.case_number}: varsel/uppsägningar, företagets anställda i "
        f"kommunen: 120 av {numbers.text(int(jobs.replace(' ', '').replace(chr(160), '')))} "
        "arbetstillfällen i kommunen (SCB, 2025)"
    )
    assert f"Andelen är {share} procent och ifylld nedan." in response.text
    # The target form posts back to the same query: a refused post keeps the share.
    action = reverse("target_create", args=[programme.pk, area.pk]) + "?andel="
    assert f'<form method="post" action="{action}' in response.text


@pytest.mark.parametrize(
    ("jobs", "source", "field", "message"),
    [
        ("", "SCB", "jobb", "Detta fält måste fyllas i."),
        ("90", "SCB", "jobb", "Företaget har 120 anställda i kommunen, fler än så många"),
        ("0", "SCB", "jobb", "Skriv antalet arbetstillfällen, minst 1."),
        ("1 850,5", "SCB", "jobb", "Skriv ett helt antal arbetstillfällen."),
        ("många", "SCB", "jobb", "Skriv ett tal"),
        ("1 850", "", "jobbkalla", "Detta fält måste fyllas i."),
        ("1 850", "\u200b", "jobbkalla", "Detta fält måste fyllas i."),
    ],
)
def test_jobs_that_cannot_give_a_share_are_refused_beside_the_field_and_kept(
    client, cast, programme, linked, jobs, source, field, message
):
    area = an_area(programme, cast)
    key = f"{cast.event.pk}:employees_local"
    client.force_login(cast.arbetsgrupp)
    response = form_page(client, programme, area, andel=key, jobb=jobs, jobbkalla=source)
    (_, share_form), *_ = response.context["share_forms"]
    assert message in " ".join(share_form.errors[field])
    assert f'value="{jobs}"' in response.text or not jobs
    # Nothing filled in from a share that could not be worked out.
    assert response.context["form"]["baseline_value"].value() is None
