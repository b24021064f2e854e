"""The programme's log, all of it, fifty entries a page with plain links, at the same
number of queries whatever its length; and a confidential linked event's names kept out of
it, and out of every free text of the programme, for a member outside the event."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Membership
from omstallning import services
from omstallning.models import PlanVersion, ProgrammeLogEntry
from tests.personas import create_event_row
from tests.programmes import a_programme, a_target

pytestmark = pytest.mark.usefixtures("frozen")


def fill_log(programme, cast, n):
    start = timezone.now() - timedelta(days=1)
    ProgrammeLogEntry.objects.bulk_create(
        ProgrammeLogEntry(
            programme=programme,
            author=(cast.kommunchef, cast.arbetsgrupp, None)[i % 3],
            text=f"Post {i + 1:04d}.",
            created_at=start + timedelta(minutes=i),
        )
        for i in range(n)
    )


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_log_is_paged_fifty_at_a_time_newest_first(client, cast, programme):
    ProgrammeLogEntry.objects.filter(programme=programme).delete()
    fill_log(programme, cast, 120)
    client.force_login(cast.lasare)
    url = reverse("programme_log", args=[programme.pk])
    first = client.get(url).text
    assert "Post 0120." in first
    assert "Post 0071." in first
    assert "Post 0070." not in first
    assert "Sida 1 av 3." in first
    assert '<a href="?sida=2" rel="next">Äldre</a>' in first
    second = client.get(url, {"sida": 2}).text
    assert "Post 0070." in second
    assert "Post 0021." in second
    assert "Post 0071." not in second
    assert "Post 0020." not in second
    assert '<a href="?sida=1" rel="prev">Nyare</a>' in second
    last = client.get(url, {"sida": 3}).text
    assert "Post 0001." in last
    assert "Systemet" in last
    assert "Äldre" not in last
    # A page past the end, or no number, shows the nearest.
    assert "Sida 3 av 3." in client.get(url, {"sida": 99}).text
    assert "Sida 1 av 3." in client.get(url, {"sida": "x"}).text
    # The programme page links to it.
    detail = client.get(reverse("programme_detail", args=[programme.pk])).text
    assert url in detail


def test_the_log_costs_the_same_at_ten_times_the_length(client, cast):
    small, large = a_programme(cast), a_programme(cast)
    fill_log(small, cast, 60)
    fill_log(large, cast, 600)
    client.force_login(cast.arbetsgrupp)
    small_url = reverse("programme_log", args=[small.pk])
    queries(client, small_url)  # the session's first touch
    assert queries(client, small_url) == queries(client, reverse("programme_log", args=[large.pk]))
    assert queries(client, small_url + "?sida=2") == queries(
        client, reverse("programme_log", args=[large.pk]) + "?sida=7"
    )


# Confidential names in the programme's free text ------------------------------------------


SECRET_TITLE, SECRET_COMPANY = "Nedläggning hos Hemliga Gjuteriet", "Hemliga Gjuteriet AB"


@pytest.fixture
def secret(cast, programme):
    """A confidential event Anna links; Sara (a programme member) is outside it. Members
    then type its company's name, in part, into the programme's free text."""
    event = create_event_row(
        SECRET_TITLE, cast.kommunchef, company_name=SECRET_COMPANY, confidential=True
    )
    Membership.objects.create(event=event, user=cast.kommunchef, group="startgrupp")
    services.link_event(programme, event, by=cast.kommunchef)
    area = services.add_focus_area(
        programme,
        name="Jobb efter Hemliga Gjuteriet",
        description="Alla som slutar på hemliga gjuteriet ska få stöd.",
        by=cast.kommunchef,
    )
    target = a_target(
        area,
        cast,
        indicator="Nya jobb för Hemliga Gjuteriets anställda",
        baseline_source="Hemliga Gjuteriet AB:s personalkontor",
    )
    measurement = services.add_measurement(
        target,
        value=110,
        measured_on=target.baseline_on + timedelta(days=10),
        source="Lista från Hemliga Gjuteriet",
        by=cast.kommunchef,
    )
    version = programme.versions.get()
    services.add_budget_line(
        version, year=2026, source="Hemliga Gjuteriet AB", amount_kr=100, by=cast.kommunchef
    )
    services.set_colour(
        target, colour="gul", reason="Hemliga Gjuteriet dröjer.", by=cast.kommunchef
    )
    services.approve_plan(version, by=cast.kommunchef)
    second = services.new_plan_version(programme, by=cast.kommunchef)
    services.save_plan(
        second,
        {name: f"Efter {SECRET_COMPANY}." for name in PlanVersion.SECTIONS},
        by=cast.kommunchef,
    )
    event.area, event.target, event.measurement = area, target, measurement
    event.versions = (version, second)
    return event


def secret_pages(programme, secret):
    area, target, (a, b) = secret.area, secret.target, secret.versions
    line = a.budget.get()
    return [
        reverse("programme_detail", args=[programme.pk]),
        reverse("programme_log", args=[programme.pk]),
        reverse("plan_detail", args=[programme.pk, a.pk]),
        reverse("plan_detail", args=[programme.pk, b.pk]),
        reverse("plan_edit", args=[programme.pk, b.pk]),
        reverse("plan_compare", args=[programme.pk]) + f"?a={a.pk}&b={b.pk}",
        reverse("budget_line_edit", args=[programme.pk, b.pk, b.budget.get().pk]),
        reverse("target_detail", args=[programme.pk, target.pk]),
        reverse("target_edit", args=[programme.pk, target.pk]),
        reverse("target_create", args=[programme.pk, area.pk]),
        reverse("focus_area_edit", args=[programme.pk, area.pk]),
        reverse("measurement_edit", args=[programme.pk, target.pk, secret.measurement.pk]),
        reverse("programme_members", args=[programme.pk]),
    ], line


def test_a_confidential_events_names_are_masked_in_every_free_text(
    client, cast, programme, secret
):
    pages, _ = secret_pages(programme, secret)
    for persona in ("arbetsgrupp", "lasare"):
        client.force_login(getattr(cast, persona))
        for url in pages:
            response = client.get(url)
            if persona == "lasare" and response.status_code == 403:
                continue  # a form a läsbehörig may not open
            assert response.status_code in (200, 302), url
            text = response.content.decode().lower()
            for name in (SECRET_TITLE, "hemliga gjuteriet", "hemliga"):
                assert name.lower() not in text, (persona, url, name)
    client.force_login(cast.arbetsgrupp)
    detail = client.get(pages[0]).text
    assert f"Jobb efter {secret.case_number}" in detail
    assert f"Nya jobb för {secret.case_number}s anställda" in detail
    # A member of the event reads it all.
    client.force_login(cast.kommunchef)
    assert "Jobb efter Hemliga Gjuteriet" in client.get(pages[0]).text


def test_prefill_uses_only_events_the_user_may_read_in_full(client, cast):
    """Started by Maria from an event she is in; another open event is linked by Anna,
    who alone is in it; Maria's next programme from the same events: the plan she starts
    copies only what she may read."""
    open_other = create_event_row(
        "Flytt av Bastuträsk Plåt", cast.kommunchef, company_name="Bastuträsk Plåt AB"
    )
    Membership.objects.create(event=open_other, user=cast.kommunchef, group="startgrupp")
    Event.objects.filter(pk=cast.event.pk).update(description="Fabriken läggs ner.")
    programme = services.start_programme(
        cast.event,
        title="Omställning",
        started_on=timezone.localdate(),
        planned_end_on=timezone.localdate() + timedelta(days=900),
        by=cast.utvecklingschef,
    )
    services.add_member(programme, cast.kommunchef, "medlem", by=cast.utvecklingschef)
    services.link_event(programme, open_other, by=cast.kommunchef)
    maria = services.background_from(programme, cast.utvecklingschef)
    assert "Fabriken läggs ner." in maria
    assert open_other.case_number in maria
    assert "Bastuträsk" not in maria
    assert "Bastuträsk" not in services.communication_from(programme, cast.utvecklingschef)
    anna = services.background_from(programme, cast.kommunchef)
    assert "Flytt av Bastuträsk Plåt" in anna
    # A confidential event: by number only, even for its member.
    Event.objects.filter(pk=open_other.pk).update(confidential=True)
    assert "Bastuträsk" not in services.background_from(programme, cast.kommunchef)
