"""An event made confidential AFTER it was linked to a programme: what the programme shows
follows the event's current confidentiality. Its title and company, typed into the
programme's title or prefilled into the plan while the event was open, are shown to a
programme member outside the event by case number only, on every programme page, in the
charts and in the notices written since."""

import pytest
from django.urls import reverse

from events.models import Event, Membership
from notices.models import Notice
from omstallning import services
from omstallning.models import PlanVersion, Programme
from tests.personas import create_event_row
from tests.programmes import a_target, an_area

pytestmark = pytest.mark.usefixtures("frozen")


def started(client, cast) -> Programme:
    """Started through the form from the open event, its prefilled title kept."""
    client.force_login(cast.kommunchef)
    form = client.get(reverse("programme_start", args=[cast.event.pk]))
    assert "Omställning efter Granlunds Snickeri AB" in form.text
    data = {
        "title": "Omställning efter Granlunds Snickeri AB",
        "started_on": "2025-01-01",
        "planned_end_on": "2030-12-31",
    }
    assert client.post(reverse("programme_start", args=[cast.event.pk]), data).status_code == 302
    programme = Programme.objects.get()
    assert "Granlunds Snickeri AB" in PlanVersion.objects.get().background
    return programme


def pages(programme, area, target, versions):
    a, b = versions
    return [
        reverse("programme_detail", args=[programme.pk]),
        reverse("programme_members", args=[programme.pk]),
        reverse("programme_status_chart", args=[programme.pk]),
        reverse("plan_detail", args=[programme.pk, a.pk]),
        reverse("plan_detail", args=[programme.pk, b.pk]),
        reverse("plan_edit", args=[programme.pk, b.pk]),
        reverse("plan_compare", args=[programme.pk]) + f"?a={a.pk}&b={b.pk}",
        reverse("target_detail", args=[programme.pk, target.pk]),
        reverse("target_chart", args=[programme.pk, target.pk]),
        reverse("target_create", args=[programme.pk, area.pk]),
        reverse("programme_list"),
        reverse("notifications"),
    ]


SECRETS = ["Varsel vid Granlunds Snickeri AB", "Granlunds Snickeri AB", "Granlunds Snickeri"]


def test_an_event_made_confidential_after_linking_is_masked_everywhere(client, cast):
    programme = started(client, cast)
    # A second event, open, linked by its member: its names stay readable.
    other = create_event_row("Konkurs i Bastuträsk", cast.kommunchef, company_name="Träsk AB")
    Membership.objects.create(event=other, user=cast.kommunchef, group="startgrupp")
    services.link_event(programme, other, by=cast.kommunchef)
    area = an_area(programme, cast)
    services.add_member(programme, cast.arbetsgrupp, "medlem", by=cast.kommunchef)
    target = a_target(area, cast)
    first = programme.versions.get()
    services.approve_plan(first, by=cast.kommunchef)
    second = services.new_plan_version(programme, by=cast.kommunchef)

    Event.objects.filter(pk=cast.event.pk).update(confidential=True)
    # Olle and Lena join the programme afterwards; neither is a member of the event.
    services.add_member(programme, cast.outsider, "medlem", by=cast.kommunchef)
    services.add_member(programme, cast.task_holder, "medlem", by=cast.kommunchef)
    a_target(area, cast, indicator="Nya företag", measured_by=cast.outsider)
    for reader in (cast.outsider, cast.task_holder):
        client.force_login(reader)
        for url in pages(programme, area, target, (first, second)):
            response = client.get(url)
            assert response.status_code == 200, url
            text = response.content.decode()
            for secret in SECRETS:
                assert secret.lower() not in text.lower(), (reader, url, secret)
        detail = client.get(reverse("programme_detail", args=[programme.pk])).text
        assert f"Omställning efter {cast.event.case_number}" in detail
        assert "Konkurs i Bastuträsk" in detail
    notices = Notice.objects.filter(recipient__in=[cast.outsider, cast.task_holder])
    assert notices.count() >= 3  # added to the programme (both), Olle measures a target
    for notice in notices:
        for secret in SECRETS:
            assert secret not in f"{notice.subject} {notice.body} {notice.ics}"
    # Saved unchanged by a member outside the event (the form showed the case number),
    # the plan keeps what the event's members wrote, and the log says nothing changed.
    client.force_login(cast.outsider)
    before = PlanVersion.objects.get(pk=second.pk).background
    form = client.get(reverse("plan_edit", args=[programme.pk, second.pk])).context["form"]
    data = {name: form[name].value() or "" for name in PlanVersion.SECTIONS}
    assert "Granlunds" not in data["background"]
    client.post(reverse("plan_edit", args=[programme.pk, second.pk]), data)
    second.refresh_from_db()
    assert second.background == before
    assert "Granlunds Snickeri AB" in second.background
    assert programme.log_entries.order_by("-pk").first().text.endswith("utan ändringar.")
    # A member of the event still reads it all; the stored title is unchanged.
    client.force_login(cast.kommunchef)
    detail = client.get(reverse("programme_detail", args=[programme.pk])).text
    assert "Omställning efter Granlunds Snickeri AB" in detail
    assert cast.event.title in detail
