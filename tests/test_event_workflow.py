from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from events.models import Convening, Event, LogEntry, Membership, SituationPicture
from notices.models import Notice
from tests.test_event_create import minimal

ANSWERS = {
    "what_happened": "Varsel om 38 tjänster.",
    "individuals": "38 anställda och ett tiotal hos underleverantörer.",
    "company_impact": "Produktionen flyttar till Skellefteå.",
    "other_companies": "Två åkerier tappar sin största kund.",
    "society": "Färre barnfamiljer; skolan i Bastuträsk berörs.",
    "communication": "Inget förrän företaget gått ut, planerat till fredag.",
}


def test_the_six_answers_become_the_dated_nulagesbild(client, cast):
    client.force_login(cast.kso)
    url = reverse("picture_edit", args=[cast.event.pk])
    assert client.post(url, {**ANSWERS, "based_on": 0}).status_code == 302
    page = client.get(reverse("event_detail", args=[cast.event.pk])).text
    assert "Version 1" in page
    assert "Två åkerier tappar sin största kund." in page


def test_the_six_questions_start_from_what_the_new_event_form_said(client, cast):
    client.force_login(cast.kommunchef)
    registered = {
        "description": "Granlunds lägger ned tillverkningen i Norsjö.",
        "affected_employees": 38,
        "affected_subcontractor_staff": 12,
    }
    assert client.post(reverse("event_create"), minimal(**registered)).status_code == 302
    event = Event.objects.get(title=minimal()["title"])
    url = reverse("picture_edit", args=[event.pk])
    form = client.get(url).context["form"]
    assert form["what_happened"].value() == "Granlunds lägger ned tillverkningen i Norsjö."
    assert form["individuals"].value() == "38 anställda och 12 hos underleverantörer."
    assert form["company_impact"].value() in (None, "")
    # Saved as they stand (or changed), they are the first nulägesbild; from then on the
    # form starts from the latest answers.
    client.post(url, {"what_happened": "Nedläggning i juni.", "individuals": "", "based_on": 0})
    form = client.get(url).context["form"]
    assert form["what_happened"].value() == "Nedläggning i juni."
    assert form["individuals"].value() == ""


def test_the_number_affected_reads_well_whatever_was_given(client, cast):
    client.force_login(cast.kommunchef)
    url = reverse("picture_edit", args=[cast.event.pk])
    for employees, subcontractors, expected in [
        (1, None, "1 anställd."),
        (None, 7, "7 hos underleverantörer."),
        (None, None, ""),
    ]:
        cast.event.affected_employees = employees
        cast.event.affected_subcontractor_staff = subcontractors
        cast.event.save()
        assert client.get(url).context["form"]["individuals"].value() == expected


def test_each_revision_is_kept_with_who_and_when(client, cast):
    client.force_login(cast.kso)
    url = reverse("picture_edit", args=[cast.event.pk])
    client.post(url, {**ANSWERS, "based_on": 0})
    client.force_login(cast.kommunchef)
    client.post(url, {**ANSWERS, "individuals": "41 anställda.", "based_on": 1})
    revisions = list(SituationPicture.objects.values_list("revision", "author", "individuals"))
    assert revisions == [
        (2, cast.kommunchef.pk, "41 anställda."),
        (1, cast.kso.pk, ANSWERS["individuals"]),
    ]
    history = client.get(reverse("picture_history", args=[cast.event.pk])).text
    assert "41 anställda." in history
    assert ANSWERS["individuals"] in history
    assert LogEntry.objects.filter(kind="edit").count() == 2


def test_a_save_from_a_stale_page_shows_both_versions_and_overwrites_nothing(client, cast):
    url = reverse("picture_edit", args=[cast.event.pk])
    client.force_login(cast.kso)
    client.post(url, {**ANSWERS, "based_on": 0})
    # Anna opened the form before Erik saved and now saves her own text.
    client.force_login(cast.kommunchef)
    mine = {**ANSWERS, "society": "Annas bedömning av samhället.", "based_on": 0}
    response = client.post(url, mine)
    assert response.status_code == 200
    assert "sparade en nyare nulägesbild" in response.text
    assert "Annas bedömning av samhället." in response.text  # hers, kept
    assert ANSWERS["society"] in response.text  # his, beside it
    assert SituationPicture.objects.count() == 1
    # Saving again, now knowingly on top of his version, works.
    assert client.post(url, {**mine, "based_on": 1}).status_code == 302
    assert SituationPicture.objects.first().society == "Annas bedömning av samhället."


def test_the_startgrupp_forms_the_arbetsgrupp_and_decides_on_politicians(client, cast):
    client.force_login(cast.kommunchef)
    url = reverse("decisions", args=[cast.event.pk])
    response = client.post(
        url,
        {
            "inform_politicians": "ja",
            "politicians_interval_days": 7,
            "workgroup": [cast.arbetsgrupp.pk, cast.outsider.pk],
            "workgroup_lead": cast.arbetsgrupp.pk,
            "reporter": cast.outsider.pk,
            "report_interval_days": 3,
        },
    )
    assert response.status_code == 302
    cast.event.refresh_from_db()
    assert cast.event.inform_politicians is True
    assert cast.event.reporter == cast.outsider
    assert cast.event.memberships.get(user=cast.outsider).group == Membership.Group.ARBETSGRUPP
    decision = LogEntry.objects.get(kind="decision")
    assert "Politiken informeras löpande, var 7:e dag." in decision.text
    assert "Olle Nilsson informerar startgruppen var 3:e dag." in decision.text
    # Olle, now a member, can open the event.
    client.force_login(cast.outsider)
    assert client.get(reverse("event_detail", args=[cast.event.pk])).status_code == 200


def test_decisions_are_checked_field_by_field(client, cast):
    client.force_login(cast.kommunchef)
    response = client.post(
        reverse("decisions", args=[cast.event.pk]),
        {
            "inform_politicians": "ja",
            "workgroup": [cast.arbetsgrupp.pk],
            "reporter": cast.outsider.pk,
            "politicians_interval_days": "ofta",
        },
    )
    errors = response.context["form"].errors
    assert errors["politicians_interval_days"] == ["Fyll i ett heltal."]
    assert errors["reporter"] == ["Välj någon som ingår i arbetsgruppen."]
    assert errors["report_interval_days"] == ["Ange hur ofta startgruppen ska informeras."]
    assert 'value="ofta"' in response.text


def test_a_phase_change_is_explicit_and_logged_and_closing_makes_it_read_only(client, cast):
    client.force_login(cast.arbetsgrupp)
    url = reverse("phase_change", args=[cast.event.pk])
    client.post(url, {"phase": "analysera"})
    # Closing asks why first (tests/test_close_reopen.py).
    close = client.post(url, {"phase": "avslutad"})["Location"]
    client.post(close, {"reason": "Klart.", "confirm": "on"})
    texts = list(LogEntry.objects.filter(kind="phase").values_list("text", flat=True))
    assert "Fas ändrad från Analysera till Avslutad: ärendet är avslutat. Skäl: Klart." in texts
    assert "Fas ändrad från Planera till Analysera." in texts
    assert client.post(url, {"phase": "planera"}).status_code == 403
    page = client.get(reverse("event_detail", args=[cast.event.pk])).text
    assert "Byt fas" not in page
    assert "Lägg till i loggen" not in page


def test_answering_records_who_attended_the_startgrupp_meeting(client, cast):
    from django.utils import timezone

    from events.models import Convening

    convening = Convening.objects.create(
        event=cast.event, meeting_at=timezone.now(), convened_by=cast.utvecklingschef
    )
    client.force_login(cast.kso)
    url = reverse("picture_edit", args=[cast.event.pk])
    attendees = [cast.kso.pk, cast.kommunchef.pk]
    client.post(url, {**ANSWERS, "based_on": 0, "attendees": attendees})
    convening.refresh_from_db()
    assert convening.held_at is not None
    assert set(convening.attendees.values_list("pk", flat=True)) == set(attendees)
    form = client.get(url).context["form"]
    assert set(form["attendees"].initial) == set(attendees)


def test_the_startgrupp_is_changed_and_a_newcomer_invited_to_the_coming_meeting(client, cast):
    Convening.objects.create(
        event=cast.event,
        meeting_at=timezone.now() + timedelta(hours=1),
        location="KS-salen",
        convened_by=cast.utvecklingschef,
    )
    client.force_login(cast.kommunchef)
    url = reverse("startgroup_edit", args=[cast.event.pk])
    assert client.get(url).status_code == 200
    keep = [cast.kommunchef, cast.utvecklingschef, cast.kommunikator]
    response = client.post(url, {"members": [u.pk for u in [*keep, cast.arbetsgrupp]]})
    assert response.status_code == 302
    groups = dict(cast.event.memberships.values_list("user__username", "group"))
    assert groups["sara"] == "startgrupp"
    assert "erik" not in groups  # Erik, away, is no longer on the event
    entry = LogEntry.objects.get(kind="membership")
    assert "Med i startgruppen: Sara Eklund." in entry.text
    assert "Inte längre i startgruppen: Erik Nordström." in entry.text
    [invitation] = Notice.objects.filter(kind="convening")
    assert invitation.recipient == cast.arbetsgrupp
    assert "KS-salen" in invitation.body


def test_the_startgrupp_cannot_be_emptied(client, cast):
    client.force_login(cast.kommunchef)
    response = client.post(reverse("startgroup_edit", args=[cast.event.pk]), {})
    assert "Välj minst en person i startgruppen." in response.text
    assert cast.event.memberships.filter(group="startgrupp").count() == 4


def test_a_lasbehorig_who_joins_the_arbetsgrupp_may_write(client, cast):
    client.force_login(cast.kommunchef)
    client.post(
        reverse("decisions", args=[cast.event.pk]),
        {
            "inform_politicians": "nej",
            "workgroup": [cast.arbetsgrupp.pk, cast.lasare.pk],
            "reporter": cast.lasare.pk,
            "report_interval_days": 7,
        },
    )
    assert cast.event.memberships.get(user=cast.lasare).group == "arbetsgrupp"
    client.force_login(cast.lasare)
    assert client.get(reverse("event_edit", args=[cast.event.pk])).status_code == 200


def test_a_tampered_revision_number_is_taken_as_a_first_answer(client, cast):
    client.force_login(cast.kso)
    url = reverse("picture_edit", args=[cast.event.pk])
    response = client.post(url, {**ANSWERS, "based_on": 3})
    assert response.status_code == 200
    assert ANSWERS["what_happened"] in response.text  # kept, ready to save again
    client.post(url, {**ANSWERS, "based_on": 0})
    assert cast.event.pictures.count() == 1
