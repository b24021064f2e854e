from django.forms.models import model_to_dict
from django.urls import reverse

from events.forms import EventEditForm
from events.models import Event, LogEntry


def form_data(event, **changes):
    data = model_to_dict(event, fields=EventEditForm.Meta.fields)
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["confidential"] = "on" if event.confidential else ""
    return {**data, "version": event.version, **changes}


def test_an_edit_is_saved_and_logged(client, cast):
    client.force_login(cast.arbetsgrupp)
    url = reverse("event_edit", args=[cast.event.pk])
    response = client.post(url, form_data(cast.event, affected_employees=41, sector="Snickeri"))
    assert response.status_code == 302
    event = Event.objects.get(pk=cast.event.pk)
    assert (event.affected_employees, event.sector, event.version) == (41, "Snickeri", 2)
    entry = LogEntry.objects.get(kind="edit")
    assert entry.text == "Uppgifter ändrade: bransch, berörda anställda."


def test_two_users_saving_from_stale_pages_do_not_overwrite_each_other(client, cast):
    url = reverse("event_edit", args=[cast.event.pk])
    stale = form_data(cast.event)
    client.force_login(cast.kommunchef)
    client.post(url, {**stale, "affected_employees": 41})
    client.force_login(cast.kso)
    response = client.post(url, {**stale, "affected_employees": 45, "sector": "Trä"})
    assert response.status_code == 200
    assert "Någon annan sparade ändringar" in response.text
    # Both versions shown: Erik's typed 45 in the field, Anna's saved 41 in the notice.
    assert 'value="45"' in response.text
    assert "<dd>41</dd>" in response.text
    assert Event.objects.get(pk=cast.event.pk).affected_employees == 41
    # Saving again (now on top of version 2) is deliberate and goes through.
    again = {**stale, "affected_employees": 45, "sector": "Trä", "version": 2}
    assert client.post(url, again).status_code == 302
    assert Event.objects.get(pk=cast.event.pk).affected_employees == 45


def test_bad_edits_are_refused_field_by_field(client, cast):
    client.force_login(cast.kommunchef)
    url = reverse("event_edit", args=[cast.event.pk])
    response = client.post(
        url, form_data(cast.event, org_number="123", impact_individ="ingen", title="Ny rubrik")
    )
    errors = response.context["form"].errors
    assert set(errors) == {"org_number", "impact_individ"}
    assert 'value="Ny rubrik"' in response.text
    assert Event.objects.get(pk=cast.event.pk).title == "Varsel vid Granlunds Snickeri AB"
