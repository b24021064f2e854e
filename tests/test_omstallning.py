"""Omställningsprogram (issue 15) through HTTP: starting one from an event, the plan's
versions and approvals, the status rule at each boundary, the summary line, what a
programme member outside a confidential event may see, charts without inline style, the
measurement reminders and query counts that do not grow with the programme."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commsplan.services import plan_for
from events.models import Event, Membership, Phase
from notices.models import Notice
from omstallning import services, status
from omstallning.models import Measurement, PlanVersion, Programme, Target
from tests.personas import create_event_row
from tests.programmes import TARGET, a_programme, a_target, an_area

pytestmark = pytest.mark.usefixtures("frozen")


def page(client, name, *args, **query):
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.text


def measure(target, value, on, by):
    return Measurement.objects.create(
        target=target, value=Decimal(value), measured_on=on, source="SCB", entered_by=by
    )


# Starting and linking -----------------------------------------------------------------


def test_the_startgrupp_starts_a_programme_from_a_closed_event(client, cast):
    cast.event.phase = Phase.AVSLUTAD
    cast.event.affected_employees = 38
    cast.event.description = "Fabriken läggs ner."
    cast.event.save()
    client.force_login(cast.utvecklingschef)
    form = page(client, "programme_start", cast.event.pk)
    assert "Omställning efter Granlunds Snickeri AB" in form
    data = {
        "title": "Omställning Norsjö",
        "started_on": "2026-02-01",
        "planned_end_on": "2031-12-31",
    }
    response = client.post(reverse("programme_start", args=[cast.event.pk]), data)
    programme = Programme.objects.get()
    assert response["Location"] == reverse("programme_detail", args=[programme.pk])
    assert set(programme.members.all()) == set(cast.startgrupp)
    plan = programme.versions.get()
    assert plan.status == PlanVersion.Status.UTKAST
    assert "Fabriken läggs ner." in plan.background
    assert "Berörda anställda: 38." in plan.background
    assert programme.log_entries.filter(text__contains=cast.event.case_number).exists()
    # Everyone added is told, but not the one who started it.
    told = set(
        Notice.objects.filter(kind="programme_member_added").values_list("recipient", flat=True)
    )
    assert told == {u.pk for u in cast.startgrupp} - {cast.utvecklingschef.pk}


def test_the_kommunikationsstrategi_starts_from_the_events_communication_plan(client, cast):
    plan = plan_for(cast.event)
    plan.problem = "Varslet oroar hela bygden."
    plan.save(update_fields=["problem"])
    client.force_login(cast.kommunchef)
    data = {"title": "Program", "started_on": "2026-02-01", "planned_end_on": "2031-12-31"}
    client.post(reverse("programme_start", args=[cast.event.pk]), data)
    communication = PlanVersion.objects.get().communication
    assert communication.startswith(f"{cast.event.case_number}:\n")
    assert "Vad är problemet?: Varslet oroar hela bygden." in communication


def test_the_end_must_come_after_the_start(client, cast):
    client.force_login(cast.kommunchef)
    data = {"title": "X", "started_on": "2026-02-01", "planned_end_on": "2026-01-01"}
    response = client.post(reverse("programme_start", args=[cast.event.pk]), data)
    assert response.status_code == 200
    assert "Programmet måste sluta efter att det startar." in response.text
    assert 'value="X"' in response.text
    assert not Programme.objects.exists()


def test_only_a_member_of_an_event_may_link_it(client, cast, programme):
    other = create_event_row("Konkurs i Bastuträsk", cast.outsider, company_name="Träsk AB")
    Membership.objects.create(event=other, user=cast.outsider, group="startgrupp")
    client.force_login(cast.kommunchef)
    url = reverse("programme_link_event", args=[programme.pk])
    response = client.post(url, {"event": other.pk})
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert not programme.links.filter(event=other).exists()
    Membership.objects.create(event=other, user=cast.kommunchef, group="lasare")
    assert client.post(url, {"event": other.pk}).status_code == 302
    assert programme.links.filter(event=other).exists()


# Confidentiality -----------------------------------------------------------------------


def test_a_confidential_event_is_named_by_number_only_to_programme_members_outside_it(
    client, cast
):
    Event.objects.filter(pk=cast.event.pk).update(confidential=True)
    cast.event.refresh_from_db()
    programme = a_programme(cast)
    area = an_area(programme, cast)
    target = a_target(area, cast)
    measure(target, "160", date(2026, 1, 1), cast.kommunchef)
    # A member of the programme, not of the event.
    services.add_member(programme, cast.outsider, "medlem", by=cast.kommunchef)
    version = programme.versions.get()
    client.force_login(cast.outsider)
    pages = [
        ("programme_detail", programme.pk),
        ("programme_members", programme.pk),
        ("plan_detail", programme.pk, version.pk),
        ("plan_edit", programme.pk, version.pk),
        ("plan_compare", programme.pk),
        ("target_detail", programme.pk, target.pk),
        ("target_create", programme.pk, area.pk),
        ("programme_list",),
    ]
    for name, *args in pages:
        text = page(client, name, *args)
        assert cast.event.title not in text, name
        assert cast.event.company_name not in text, name
        assert "Granlunds" not in text.replace(programme.title, ""), name
    detail = page(client, "programme_detail", programme.pk)
    assert f"{cast.event.case_number} (sekretess)" in detail
    # The event's members see it named.
    client.force_login(cast.kommunchef)
    assert cast.event.title in page(client, "programme_detail", programme.pk)


def test_a_confidential_events_background_is_not_copied_into_the_plan(client, cast):
    Event.objects.filter(pk=cast.event.pk).update(confidential=True, description="Hemligt.")
    client.force_login(cast.kommunchef)
    form = page(client, "programme_start", cast.event.pk)
    # The title every programme member will read names the case by its number.
    assert f'value="Omställning efter {cast.event.case_number}"' in form
    data = {"title": "Program", "started_on": "2026-02-01", "planned_end_on": "2031-12-31"}
    client.post(reverse("programme_start", args=[cast.event.pk]), data)
    plan = PlanVersion.objects.get()
    assert plan.background == f"{cast.event.case_number}: sekretessbelagt ärende."


# The plan ------------------------------------------------------------------------------


def test_a_plan_is_drafted_approved_adopted_and_versioned(client, cast, programme):
    client.force_login(cast.arbetsgrupp)
    v1 = programme.versions.get()
    sections = {name: f"Text {name}" for name in PlanVersion.SECTIONS}
    client.post(reverse("plan_edit", args=[programme.pk, v1.pk]), sections)
    client.post(
        reverse("plan_budget_add", args=[programme.pk, v1.pk]),
        {"year": 2026, "source": "Tillväxtverket", "amount_kr": 1500000},
    )
    client.post(reverse("plan_approve", args=[programme.pk, v1.pk]))
    v1.refresh_from_db()
    assert (v1.status, v1.approved_by) == (PlanVersion.Status.GODKAND, cast.arbetsgrupp)
    assert "Godkänd av styrgruppen" in page(client, "plan_detail", programme.pk, v1.pk)
    # An approved version is kept as it was.
    response = client.post(
        reverse("plan_edit", args=[programme.pk, v1.pk]),
        {**sections, "vision": "Ändrad"},
        follow=True,
    )
    assert "Gör en ny version för att ändra planen." in response.text
    v1.refresh_from_db()
    assert v1.vision == "Text vision"
    client.post(
        reverse("plan_adopt", args=[programme.pk, v1.pk]),
        {"adopted_on": "2026-01-14", "paragraph": "§ 47"},
    )
    v1.refresh_from_db()
    assert (v1.status, v1.adopted_on, v1.adopted_paragraph) == (
        "antagen",
        date(2026, 1, 14),
        "§ 47",
    )
    text = page(client, "plan_detail", programme.pk, v1.pk)
    assert "Antagen av kommunfullmäktige" in text
    assert "§ 47" in text
    # A new version copies the text and the budget; the adopted one stays.
    client.post(reverse("plan_new_version", args=[programme.pk]))
    v2 = programme.versions.get(number=2)
    assert (v2.vision, v2.budget.get().amount_kr) == ("Text vision", 1500000)
    client.post(
        reverse("plan_edit", args=[programme.pk, v2.pk]), {**sections, "vision": "Ny vision"}
    )
    compared = page(client, "plan_compare", programme.pk, a=v1.pk, b=v2.pk)
    assert "Text vision" in compared
    assert "Ny vision" in compared
    assert compared.count("ändrat") == 1
    assert programme.log_entries.filter(text__contains="antogs av kommunfullmäktige").exists()


def test_adoption_needs_the_styrgrupps_approval_first(client, cast, programme):
    client.force_login(cast.kommunchef)
    v1 = programme.versions.get()
    response = client.post(
        reverse("plan_adopt", args=[programme.pk, v1.pk]),
        {"adopted_on": "2026-01-12", "paragraph": "§ 47"},
        follow=True,
    )
    assert "Bara en version som styrgruppen har godkänt kan antas." in response.text
    assert programme.versions.get().status == PlanVersion.Status.UTKAST


@pytest.mark.parametrize(("count", "warned"), [(2, True), (3, False), (4, False), (5, True)])
def test_a_plan_outside_three_to_four_insatsomraden_is_warned(
    client, cast, programme, count, warned
):
    for i in range(count):
        an_area(programme, cast, name=f"Område {i}")
    client.force_login(cast.kommunchef)
    text = page(client, "programme_detail", programme.pk)
    assert ("rekommenderar normalt tre till fyra" in text) is warned


# The status rule -----------------------------------------------------------------------

# Higher is better: 100 on 1 Jan 2025 to 200 on 1 Jan 2027, so the path is 150 on
# 1 Jan 2026 exactly; styrgräns 120. Lower is better: 200 to 100, styrgräns 180.
ON = date(2026, 1, 1)
LOWER = {
    "direction": Target.Direction.LOWER,
    "baseline_value": Decimal("200"),
    "target_value": Decimal("100"),
    "threshold": Decimal("180"),
}


@pytest.mark.parametrize(
    ("fields", "value", "colour"),
    [
        ({}, "150", "Grön"),  # on the path
        ({}, "190", "Grön"),
        ({}, "149.999", "Gul"),
        ({}, "120", "Gul"),  # at the styrgräns
        ({}, "119.999", "Röd"),
        (LOWER, "150", "Grön"),
        (LOWER, "100", "Grön"),
        (LOWER, "150.001", "Gul"),
        (LOWER, "180", "Gul"),
        (LOWER, "180.001", "Röd"),
    ],
)
def test_the_status_rule_at_each_boundary(client, cast, programme, fields, value, colour):
    target = a_target(an_area(programme, cast), cast, **fields)
    measure(target, value, ON, cast.arbetsgrupp)
    client.force_login(cast.lasare)
    assert f"Status: {colour}</span>" in page(client, "target_detail", programme.pk, target.pk)


@pytest.mark.parametrize(("days_ago", "colour"), [(136, "Grön"), (137, "Ej mätt")])
def test_a_measurement_older_than_one_and_a_half_periods_is_not_a_status(
    client, cast, programme, days_ago, colour
):
    # Quarterly: 91 days, so 136,5 days is the limit.
    target = a_target(an_area(programme, cast), cast)
    measure(target, "199", timezone.localdate() - timedelta(days=days_ago), cast.arbetsgrupp)
    client.force_login(cast.lasare)
    assert f"Status: {colour}</span>" in page(client, "target_detail", programme.pk, target.pk)


def test_a_target_never_measured_is_not_measured(client, cast, programme):
    target = a_target(an_area(programme, cast), cast)
    client.force_login(cast.lasare)
    assert "Status: Ej mätt</span>" in page(client, "target_detail", programme.pk, target.pk)


def test_a_member_overrides_the_colour_with_a_reason_shown_and_logged(client, cast, programme):
    target = a_target(an_area(programme, cast), cast)
    measure(target, "190", ON, cast.arbetsgrupp)
    client.force_login(cast.arbetsgrupp)
    url = reverse("target_colour", args=[programme.pk, target.pk])
    refused = client.post(url, {"colour": "rod", "reason": ""})
    assert "Skriv varför färgen sätts för hand." in refused.text
    client.post(url, {"colour": "rod", "reason": "Jobben är tillfälliga."})
    text = page(client, "target_detail", programme.pk, target.pk)
    assert "Status: Röd</span>" in text
    assert "Jobben är tillfälliga." in text
    assert "enligt regeln: Grön" in text
    assert programme.log_entries.filter(text__contains="Jobben är tillfälliga.").exists()
    client.post(url, {"colour": ""})
    assert "Status: Grön</span>" in page(client, "target_detail", programme.pk, target.pk)


def test_a_value_with_a_decimal_comma_is_read_as_typed(client, cast, programme):
    target = a_target(an_area(programme, cast), cast)
    client.force_login(cast.arbetsgrupp)
    url = reverse("measurement_add", args=[programme.pk, target.pk])
    client.post(url, {"value": "150,5", "measured_on": "2026-01-10", "source": "SCB"})
    assert target.measurements.get().value == Decimal("150.5")
    future = client.post(url, {"value": "151", "measured_on": "2026-02-10", "source": "SCB"})
    assert "Ett mätvärde kan inte vara från en dag som inte har kommit." in future.text
    assert 'value="151"' in future.text


# The summary ---------------------------------------------------------------------------


def test_the_summary_is_written_in_the_municipalitys_own_form(client, cast, programme):
    area = an_area(programme, cast)
    for value in ["160", "170", "150", "199", "180", "100", "110", "50"]:
        measure(a_target(area, cast), value, ON, cast.arbetsgrupp)
    a_target(area, cast)  # never measured
    client.force_login(cast.lasare)
    text = page(client, "programme_detail", programme.pk)
    assert "Av 8 mål är 5 gröna (62,5 %), 0 gula, 3 röda (37,5 %); 1 ej mätt" in text


@pytest.mark.parametrize(
    ("colours", "line"),
    [
        ([], "Inga mål än"),
        (["ej_matt", "ej_matt"], "Inget mål har någon färg än; 2 ej mätta"),
        (["gron"], "Av 1 mål är 1 grönt (100 %), 0 gula, 0 röda"),
        (["gron", "gul", "rod"], "Av 3 mål är 1 grönt (33,3 %), 1 gult (33,3 %), 1 rött (33,3 %)"),
        # 1/16 is 6,25 %: rounded half up, as a reader rounds.
        (["gul"] + ["gron"] * 15, "Av 16 mål är 15 gröna (93,8 %), 1 gult (6,3 %), 0 röda"),
    ],
)
def test_the_summarys_words_and_percentages(colours, line):
    assert status.summary(colours) == line


# Pictures ------------------------------------------------------------------------------


def test_the_charts_are_svg_with_no_inline_style_or_script_and_a_table_beside(
    client, cast, programme
):
    target = a_target(an_area(programme, cast), cast)
    measure(target, "130", date(2025, 6, 1), cast.arbetsgrupp)
    measure(target, "160", ON, cast.arbetsgrupp)
    client.force_login(cast.lasare)
    for url in (
        reverse("target_chart", args=[programme.pk, target.pk]),
        reverse("programme_status_chart", args=[programme.pk]),
    ):
        response = client.get(url)
        assert response["Content-Type"] == "image/svg+xml"
        svg = response.content.decode()
        assert svg.count("<svg") == 1
        for forbidden in ("style=", "<style", "<script", "javascript:", 'href="http'):
            assert forbidden not in svg
    detail = page(client, "target_detail", programme.pk, target.pk)
    assert f'src="{reverse("target_chart", args=[programme.pk, target.pk])}"' in detail
    # The table alternative: every value, and the path on its date.
    assert "<caption>Mätvärden</caption>" in detail
    assert "160" in detail
    assert "150" in detail
    for text in (detail, page(client, "programme_detail", programme.pk)):
        assert "style=" not in text
        assert "<script>" not in text


# Reminders -----------------------------------------------------------------------------


def test_whoever_measures_is_reminded_once_when_a_measurement_is_due(cast, programme):
    area = an_area(programme, cast)
    due = a_target(area, cast)
    measure(due, "150", date(2025, 10, 1), cast.kommunchef)  # due 31 Dec 2025
    fresh = a_target(area, cast, indicator="Nya företag")
    measure(fresh, "150", ON, cast.kommunchef)  # due in April
    now = timezone.now()
    assert services.scan_due_measurements(now) == 1
    assert services.scan_due_measurements(now) == 0
    notice = Notice.objects.get(kind="measurement_due")
    assert notice.recipient == cast.arbetsgrupp
    assert reverse("target_detail", args=[programme.pk, due.pk]) in notice.path


# Query counts --------------------------------------------------------------------------


def fill(programme, cast, targets, measurements):
    areas = [an_area(programme, cast, name=f"Område {i}") for i in range(4)]
    made = Target.objects.bulk_create(
        Target(focus_area=areas[i % 4], measured_by=cast.arbetsgrupp, **TARGET)
        for i in range(targets)
    )
    Measurement.objects.bulk_create(
        Measurement(
            target=t,
            value=Decimal(100 + j),
            measured_on=date(2025, 1, 1) + timedelta(days=91 * j),
            source="SCB",
            entered_by=cast.arbetsgrupp,
        )
        for t in made
        for j in range(measurements)
    )
    return made


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_programme_and_target_pages_cost_the_same_at_ten_times_the_size(client, cast):
    small, large = a_programme(cast), a_programme(cast)
    small_targets = fill(small, cast, 4, 2)
    large_targets = fill(large, cast, 40, 4)
    Measurement.objects.bulk_create(
        Measurement(
            target=large_targets[0],
            value=Decimal(j),
            measured_on=date(2020, 1, 1) + timedelta(days=j),
            source="SCB",
            entered_by=cast.arbetsgrupp,
        )
        for j in range(20)
    )
    client.force_login(cast.arbetsgrupp)
    for name, args_small, args_large in [
        ("programme_detail", [small.pk], [large.pk]),
        ("target_detail", [small.pk, small_targets[0].pk], [large.pk, large_targets[0].pk]),
    ]:
        queries(client, reverse(name, args=args_small))  # the session's first touch
        assert queries(client, reverse(name, args=args_small)) == queries(
            client, reverse(name, args=args_large)
        ), name
