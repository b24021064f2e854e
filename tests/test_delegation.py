"""Delegation reaches anyone in the municipality (issue 12): a task goes to any colleague
with an account, found by name or address, members of the case first; a person without an
account gets it by address and keeps it when they get an account."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.people import swedish_key
from events.models import LogEntry, Membership, Task
from events.varsel import MILESTONES
from tests import sheets
from tests.personas import create_user

HTMX = {"HX-Request": "true"}
PASSED = "Tiden har redan passerat. Välj en tid framåt."


def list_url(cast):
    return reverse("task_list", args=[cast.event.pk])


def search_url(cast):
    return reverse("person_search", args=[cast.event.pk])


def colleague(username, first, last, email=None, **extra) -> User:
    """Somebody in the municipality who is on no event."""
    return User.objects.create(
        username=username,
        first_name=first,
        last_name=last,
        email=email or f"{username}@norsjo.example",
        **extra,
    )


def delegate(client, cast, **data):
    return client.post(list_url(cast), {"what": "Boka lokal för informationsmötet", **data})


def test_a_task_goes_to_a_colleague_who_is_on_no_event_and_reaches_their_own_list(client, cast):
    client.force_login(cast.arbetsgrupp)
    found = client.get(search_url(cast), {"vem": "olle"}, headers=HTMX)
    assert f'name="assignee" value="{cast.outsider.pk}"' in found.text
    response = delegate(client, cast, vem="olle", assignee=cast.outsider.pk)
    assert response.status_code == 302
    task = Task.objects.get(what="Boka lokal för informationsmötet")
    assert (task.assignee, task.assignee_name, task.assignee_email) == (cast.outsider, "", "")
    client.force_login(cast.outsider)
    mine = client.get(reverse("my_tasks"))
    assert [t.what for t in mine.context["tasks"]] == ["Boka lokal för informationsmötet"]
    detail = reverse("task_detail", args=[cast.event.pk, task.pk])
    assert client.get(detail).status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"vem": "OLLE@Norsjo.EXAMPLE"},
        {"vem": "ｏｌｌｅ@ｎｏｒｓｊｏ.example"},  # full-width letters: the same after NFKC
        {"vem": "Olle Nilsson (olle@norsjo.example)"},
        {"assignee_name": "Olle", "assignee_email": "Olle@NORSJO.example"},
        {"assignee_name": "Olle", "assignee_email": "ｏｌｌｅ@norsjo.example"},
    ],
    ids=["vem-case", "vem-full-width", "vem-label", "address-case", "address-full-width"],
)
def test_a_typed_address_of_an_account_is_that_account(client, cast, data):
    client.force_login(cast.arbetsgrupp)
    assert delegate(client, cast, **data).status_code == 302
    task = Task.objects.get(what="Boka lokal för informationsmötet")
    assert (task.assignee, task.assignee_name, task.assignee_email) == (cast.outsider, "", "")


@pytest.mark.parametrize("typed", ["Olle Nilsson", "nilsson", "  olle  "])
def test_a_typed_name_that_matches_one_account_is_that_account(client, cast, typed):
    client.force_login(cast.arbetsgrupp)
    assert delegate(client, cast, vem=typed).status_code == 302
    assert Task.objects.get(what="Boka lokal för informationsmötet").assignee == cast.outsider


def test_a_name_that_matches_several_is_refused_with_the_choices_and_the_text_kept(client, cast):
    other = colleague("lena.berg", "Lena", "Berg")
    client.force_login(cast.arbetsgrupp)
    response = delegate(client, cast, vem="Lena")
    assert response.status_code == 200
    assert "Flera personer matchar ”Lena”" in " ".join(response.context["form"].errors["vem"])
    assert 'value="Lena"' in response.text
    # Without JavaScript: both are offered as radio buttons, and posting one delegates.
    for person in (other, cast.task_holder):
        assert f'name="assignee" value="{person.pk}"' in response.text
    assert not Task.objects.filter(what="Boka lokal för informationsmötet").exists()
    assert delegate(client, cast, vem="Lena", assignee=other.pk).status_code == 302
    assert Task.objects.get(what="Boka lokal för informationsmötet").assignee == other


def test_a_name_that_matches_nobody_is_refused_with_the_text_kept(client, cast):
    client.force_login(cast.arbetsgrupp)
    response = delegate(client, cast, vem="Kim på Fastighet")
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["vem"])
    assert "Ingen med konto heter ”Kim på Fastighet”" in errors
    assert 'value="Kim på Fastighet"' in response.text


def test_a_choice_gives_way_to_a_text_changed_since_without_javascript(client, cast):
    # The page showed Lena chosen; the user typed Olle's name over it and did not choose.
    client.force_login(cast.arbetsgrupp)
    delegate(client, cast, vem="Olle Nilsson", assignee=cast.task_holder.pk)
    assert Task.objects.get(what="Boka lokal för informationsmötet").assignee == cast.outsider


def test_a_task_is_moved_to_a_colleague_by_typing_their_name(client, cast):
    client.force_login(cast.arbetsgrupp)
    url = reverse("task_edit", args=[cast.event.pk, cast.task.pk])
    assert 'value="Lena Öberg (lena@norsjo.example)"' in client.get(url).text
    data = {"what": cast.task.what, "vem": "Olle Nilsson", "version": cast.task.version}
    assert client.post(url, data).status_code == 302
    cast.task.refresh_from_db()
    assert cast.task.assignee == cast.outsider


def test_an_inactive_account_cannot_be_chosen(client, cast):
    gone = colleague("bo", "Bo", "Borta", is_active=False)
    client.force_login(cast.arbetsgrupp)
    response = delegate(client, cast, assignee=gone.pk)
    assert "kontot är avstängt" in response.text
    assert "Ingen med konto heter ”Bo”" in delegate(client, cast, vem="Bo").text


def test_a_person_without_an_account_still_gets_the_task_by_name_and_address(client, cast):
    client.force_login(cast.arbetsgrupp)
    delegate(client, cast, assignee_name="Kim Fastighet", assignee_email="kim@fastighet.example")
    task = Task.objects.get(what="Boka lokal för informationsmötet")
    assert (task.assignee, task.assignee_label) == (None, "Kim Fastighet")


def test_the_search_lists_members_first_then_others_in_swedish_order(client, cast):
    mail = "grannkommun.example"
    for username, first, last in [
        ("orjan", "Örjan", "Öberg"),
        ("asa", "Åsa", "Lund"),
        ("zara", "Zara", "Ahl"),
        ("arla", "Ärla", "Sten"),
    ]:
        colleague(username, first, last, f"{username}@{mail}")
    member = colleague("anders", "Anders", "Ek", f"anders@{mail}")
    Membership.objects.create(event=cast.event, user=member, group="arbetsgrupp")
    colleague("adam", "Adam", "Borta", f"adam@{mail}", is_active=False)
    colleague("backup", "", "", f"backup@{mail}")  # a service account without a name
    client.force_login(cast.arbetsgrupp)
    response = client.get(search_url(cast), {"vem": mail}, headers=HTMX)
    assert [str(person) for person in response.context["people"]] == [
        "Anders Ek",
        "Zara Ahl",
        "Åsa Lund",
        "Ärla Sten",
        "Örjan Öberg",
    ]
    assert "i ärendet" in response.text
    assert "<html" not in response.text  # the radio buttons only
    assert "HX-Request" in response["Vary"]


def test_a_varsel_milestones_field_searches_under_its_own_name(client, cast):
    client.force_login(cast.arbetsgrupp)
    params = {"falt": "delmal1", "delmal1-vem": "olle"}
    response = client.get(search_url(cast), params, headers=HTMX)
    assert f'name="delmal1-assignee" value="{cast.outsider.pk}"' in response.text


def test_the_search_is_a_page_of_its_own_without_javascript(client, cast):
    client.force_login(cast.arbetsgrupp)
    response = client.get(search_url(cast), {"vem": "Öberg"})
    assert "<h1>Sök person</h1>" in response.text
    assert "Lena Öberg – lena@norsjo.example" in response.text


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("lasare", 403)])
def test_only_writers_on_the_event_may_search(client, cast, persona, status):
    client.force_login(getattr(cast, persona))
    response = client.get(search_url(cast), {"vem": "a"}, headers=HTMX)
    assert response.status_code == status
    assert b"norsjo.example" not in response.content


def test_the_search_costs_the_same_queries_with_ten_times_the_people(client, cast):
    def add(n, start):
        User.objects.bulk_create(
            User(username=f"p{i}", first_name="Per", last_name=f"Nr {i}", email=f"p{i}@x.se")
            for i in range(start, start + n)
        )

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(search_url(cast), {"vem": "per"}, headers=HTMX).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(cast.arbetsgrupp)
    add(10, 0)
    few = queries()
    add(90, 10)
    assert queries() == few


def test_swedish_order_puts_a_ring_and_umlauts_after_z_whatever_the_case():
    names = ["öberg", "Zara", "Åsa", "ärla", "Adam", "Émile", "Östen", "Åke"]
    assert sorted(names, key=swedish_key) == [
        "Adam",
        "Émile",
        "Zara",
        "Åke",
        "Åsa",
        "ärla",
        "öberg",
        "Östen",
    ]


def test_tasks_given_by_address_go_to_the_account_made_later_with_it(client, cast):
    client.force_login(cast.arbetsgrupp)
    for what in ("Kartlägg lokaler", "Gammal uppgift"):
        data = {"assignee_name": "Lena Extern", "assignee_email": "lena.extern@norsjo.example"}
        delegate(client, cast, **data | {"what": what})
    Task.objects.filter(what="Gammal uppgift").update(status="klar")
    lena = create_user("lenaextern", "Lena", "Extern")
    lena.email = "Lena.Extern@Norsjo.example"
    lena.save()
    client.force_login(lena)
    mine = client.get(reverse("my_tasks"))
    assert [t.what for t in mine.context["tasks"]] == ["Kartlägg lokaler"]
    task = Task.objects.get(what="Kartlägg lokaler")
    assert (task.assignee, task.assignee_email) == (lena, "")
    assert client.get(reverse("task_detail", args=[cast.event.pk, task.pk])).status_code == 200
    log = LogEntry.objects.get(kind="task", text__contains="kopplad till kontot")
    assert "Kartlägg lokaler" in log.text
    assert Task.objects.get(what="Gammal uppgift").assignee is None  # done is done


def test_a_login_does_not_look_for_tasks_to_attach(cast, django_assert_num_queries):
    cast.outsider.email = "kim@fastighet.example"
    cast.outsider.save()
    with django_assert_num_queries(1):
        cast.outsider.save(update_fields=["last_login"])


def test_a_sheet_rows_vem_nar_and_uppfoljning_fill_in_its_task(client, cast):
    row = sheets.a_row(cast, what="Ring facket", section="initiala")
    row.who, row.when, row.follow_up = "Olle Nilsson", "2030-03-02 14:00", "5/3 2030"
    row.save()
    client.force_login(cast.arbetsgrupp)
    url = reverse("row_delegate", args=[cast.event.pk, row.pk])
    page = client.get(url).text
    assert 'value="Olle Nilsson (olle@norsjo.example)"' in page
    assert 'value="2030-03-02T14:00"' in page
    assert 'value="2030-03-05T12:00"' in page  # a day alone: noon
    data = {
        "what": "Ring facket",
        "vem": "Olle Nilsson (olle@norsjo.example)",
        "due_at": "2030-03-02T14:00",
        "version": row.version,
    }
    assert client.post(url, data).status_code == 302
    task = Task.objects.get(what="Ring facket")
    assert (task.assignee, task.due_at.date()) == (cast.outsider, date(2030, 3, 2))
    client.force_login(cast.outsider)
    assert "Ring facket" in client.get(reverse("my_tasks")).text


def test_a_sheet_rows_text_that_names_no_one_and_no_time_is_shown(client, cast):
    row = sheets.a_row(cast, what="Boka lokal", section="initiala")
    row.who, row.when = "Kim på Fastighet", "fredag"
    row.save()
    client.force_login(cast.arbetsgrupp)
    page = client.get(reverse("row_delegate", args=[cast.event.pk, row.pk])).text
    assert 'value="Kim på Fastighet"' in page
    assert "Ingen med konto matchar ”Kim på Fastighet”" in page
    assert "I raden: ”fredag”." in page


def varsel_event(cast):
    cast.event.announced_on = date(2026, 11, 20)
    cast.event.affected_employees = 38
    cast.event.workgroup_lead = cast.arbetsgrupp
    cast.event.save()


# The day after the notice of 20 November: none of its milestones' days has passed yet.
@time_machine.travel("2026-11-21 09:00 +01:00")
def test_each_varsel_milestone_gets_its_own_person_and_day_or_is_skipped(client, cast):
    varsel_event(cast)
    client.force_login(cast.kommunchef)
    page = client.get(reverse("varsel_clock", args=[cast.event.pk])).text
    assert 'name="delmal0-due_on" value="2026-11-22"' in page  # 20 November + 2 days
    assert 'name="delmal0-vem" value="Sara Eklund (sara@norsjo.example)"' in page
    response = client.post(
        reverse("varsel_tasks", args=[cast.event.pk]),
        {
            "delmal0-vem": "olle@norsjo.example",
            "delmal0-due_on": "2026-11-23",
            "delmal1-skip": "on",
            "delmal2-vem": "Sara Eklund (sara@norsjo.example)",
            "delmal2-due_on": "",
        },
    )
    assert response.status_code == 302
    tasks = Task.objects.filter(what__in=[what for _, what in MILESTONES]).order_by("due_at")
    assert [(t.what, t.assignee, t.due_at.date()) for t in tasks] == [
        ("Kontakta Arbetsförmedlingen om varslet", cast.outsider, date(2026, 11, 23)),
        (
            "Rapportera varslet och kommunens insatser till kommunstyrelsen",
            cast.arbetsgrupp,
            date(2026, 12, 4),  # the computed day, left empty
        ),
    ]
    # The skipped one is still offered; the delegated ones are not.
    page = client.get(reverse("varsel_clock", args=[cast.event.pk])).text
    assert "<legend>Kontakta omställningsfonden om stöd till de berörda</legend>" in page
    assert "<legend>Kontakta Arbetsförmedlingen om varslet</legend>" not in page


def test_a_milestone_for_nobody_known_delegates_none_and_keeps_the_input(client, cast):
    varsel_event(cast)
    client.force_login(cast.kommunchef)
    response = client.post(
        reverse("varsel_tasks", args=[cast.event.pk]), {"delmal1-vem": "Ingen Alls"}
    )
    assert response.status_code == 200
    assert "Ingen med konto heter ”Ingen Alls”" in response.text
    assert 'value="Ingen Alls"' in response.text
    assert not Task.objects.filter(what__in=[what for _, what in MILESTONES]).exists()


ONE_PER_TASK = "Välj en person per uppgift."


@pytest.mark.parametrize(
    "typed",
    [
        "lena@norsjo.example; olle@norsjo.example",
        "lena@norsjo.example, olle@norsjo.example",
        "lena@norsjo.example olle@norsjo.example",
        "Lena Öberg (lena@norsjo.example)；Olle Nilsson",  # a full-width semicolon
        "Lena Öberg\nOlle Nilsson",
        "Lena Öberg, Olle Nilsson",
        "lena; olle",
    ],
    ids=["semicolon", "comma", "space", "full-width", "lines", "names", "words"],
)
def test_a_list_of_people_is_refused_with_the_text_kept(client, cast, typed):
    client.force_login(cast.arbetsgrupp)
    response = delegate(client, cast, vem=typed)
    assert response.status_code == 200
    form = response.context["form"]
    (error,) = form.errors["vem"]
    assert error.endswith(f"nämner flera personer. {ONE_PER_TASK}")
    assert form["vem"].value() == typed
    assert not Task.objects.filter(what="Boka lokal för informationsmötet").exists()


def test_a_list_of_people_is_refused_on_every_person_field(client, cast):
    typed = "lena@norsjo.example; olle@norsjo.example"
    client.force_login(cast.arbetsgrupp)
    # Moving a task.
    url = reverse("task_edit", args=[cast.event.pk, cast.task.pk])
    data = {"what": cast.task.what, "vem": typed, "version": cast.task.version}
    assert ONE_PER_TASK in " ".join(client.post(url, data).context["form"].errors["vem"])
    cast.task.refresh_from_db()
    assert cast.task.assignee == cast.task_holder
    # Even with a choice left checked from before: the text was changed since.
    data["assignee"] = cast.task_holder.pk
    assert ONE_PER_TASK in " ".join(client.post(url, data).context["form"].errors["vem"])
    # A sheet row's Vem that lists two is shown as written, with the reason, and refused.
    row = sheets.a_row(cast, what="Ring facket", section="initiala")
    row.who = "Lena Öberg, Olle Nilsson"
    row.save()
    url = reverse("row_delegate", args=[cast.event.pk, row.pk])
    page = client.get(url).text
    assert 'value="Lena Öberg, Olle Nilsson"' in page
    assert f"”Lena Öberg, Olle Nilsson” nämner flera personer. {ONE_PER_TASK}" in page
    posted = client.post(url, {"what": "Ring facket", "vem": row.who, "version": row.version})
    assert ONE_PER_TASK in " ".join(posted.context["form"].errors["vem"])
    # A varsel milestone.
    varsel_event(cast)
    with time_machine.travel("2026-11-21 09:00 +01:00"):
        response = client.post(
            reverse("varsel_tasks", args=[cast.event.pk]), {"delmal1-vem": typed}
        )
    assert response.status_code == 200
    assert ONE_PER_TASK in response.text
    assert f'value="{typed}"' in response.text
    assert not Task.objects.filter(what__in=[what for _, what in MILESTONES]).exists()


def test_a_surname_first_with_a_comma_is_one_person(client, cast):
    client.force_login(cast.arbetsgrupp)
    assert delegate(client, cast, vem="Öberg, Lena").status_code == 302
    assert Task.objects.get(what="Boka lokal för informationsmötet").assignee == cast.task_holder


@pytest.mark.parametrize("typed", ["oberg", "lena oberg", "LENA OBERG", "Ｏｂｅｒｇ", "Öberg"])
def test_a_name_is_found_whatever_the_keyboard_wrote_for_its_diacritics(client, cast, typed):
    client.force_login(cast.arbetsgrupp)
    found = client.get(search_url(cast), {"vem": typed}, headers=HTMX)
    assert [person.pk for person in found.context["people"]] == [cast.task_holder.pk]
    assert delegate(client, cast, vem=typed).status_code == 302
    assert Task.objects.get(what="Boka lokal för informationsmötet").assignee == cast.task_holder


def test_diacritics_typed_find_a_name_written_without_them_and_others(client, cast):
    rene = colleague("rene", "René", "Åkesson")
    plain = colleague("per", "Per", "Ostlund")
    client.force_login(cast.arbetsgrupp)
    assert delegate(client, cast, vem="Rene Akesson").status_code == 302
    assert delegate(client, cast, vem="Per Östlund", what="Ring Per").status_code == 302
    assert Task.objects.get(what="Boka lokal för informationsmötet").assignee == rene
    assert Task.objects.get(what="Ring Per").assignee == plain


def test_a_full_name_without_diacritics_prefers_the_one_with_exactly_that_name(client, cast):
    # "Lena Oberg" is written exactly as one of them; the other matches only loosely.
    exact = colleague("lena.o", "Lena", "Oberg")
    client.force_login(cast.arbetsgrupp)
    assert delegate(client, cast, vem="Lena Oberg").status_code == 302
    assert delegate(client, cast, vem="Lena Öberg", what="Ring Lena").status_code == 302
    assert Task.objects.get(what="Boka lokal för informationsmötet").assignee == exact
    assert Task.objects.get(what="Ring Lena").assignee == cast.task_holder
    # Neither exactly: both, to choose from.
    response = delegate(client, cast, vem="oberg", what="Ring någon")
    assert "Flera personer matchar ”oberg”" in " ".join(response.context["form"].errors["vem"])


def test_matching_ignores_diacritics_but_the_order_stays_swedish(client, cast):
    for username, last in [
        ("k1", "Ödberg"),
        ("k2", "Zodberg"),
        ("k3", "Odberg"),
        ("k4", "Ådberg"),
    ]:
        colleague(username, "Kim", last)
    client.force_login(cast.arbetsgrupp)
    response = client.get(search_url(cast), {"vem": "kim odberg"}, headers=HTMX)
    assert [str(person) for person in response.context["people"]] == [
        "Kim Odberg",
        "Kim Zodberg",
        "Kim Ödberg",
    ]
    response = client.get(search_url(cast), {"vem": "kim dberg"}, headers=HTMX)
    assert [person.last_name for person in response.context["people"]] == [
        "Odberg",
        "Zodberg",
        "Ådberg",
        "Ödberg",
    ]


def test_a_milestone_whose_day_has_passed_is_refused_on_its_field_with_the_input_kept(
    client, cast
):
    varsel_event(cast)  # notice 20 November: days 22 and 25 November, 4 December
    client.force_login(cast.kommunchef)
    url = reverse("varsel_tasks", args=[cast.event.pk])
    data = {
        "delmal0-vem": "olle@norsjo.example",
        "delmal0-due_on": "2026-11-22",
        "delmal1-due_on": "",  # its computed day, 25 November
        "delmal2-vem": "Erik",
    }
    with time_machine.travel("2026-11-29 20:00 +01:00"):
        page = client.get(reverse("varsel_clock", args=[cast.event.pk])).text
        response = client.post(url, data)
    assert "Den beräknade dagen, 22 november 2026, har redan passerat" in page
    assert "Lämna tomt för 4 december 2026." in page
    assert response.status_code == 200
    forms = response.context["milestone_forms"]
    assert [form.errors.get("due_on") for form in forms] == [[PASSED], [PASSED], None]
    assert 'name="delmal0-due_on" value="2026-11-22"' in response.text
    assert 'name="delmal0-vem" value="olle@norsjo.example"' in response.text
    assert not Task.objects.filter(what__in=[what for _, what in MILESTONES]).exists()
    # Today at noon has passed in the evening too; tomorrow has not.
    with time_machine.travel("2026-11-29 20:00 +01:00"):
        today = client.post(url, data | {"delmal0-due_on": "2026-11-29", "delmal1-skip": "on"})
        assert today.context["milestone_forms"][0].errors["due_on"] == [PASSED]
        tomorrow = client.post(url, data | {"delmal0-due_on": "2026-11-30", "delmal1-skip": "on"})
    assert tomorrow.status_code == 302
    tasks = Task.objects.filter(what__in=[what for _, what in MILESTONES]).order_by("due_at")
    assert [(t.assignee, t.due_at.date()) for t in tasks] == [
        (cast.outsider, date(2026, 11, 30)),
        (cast.kso, date(2026, 12, 4)),
    ]
