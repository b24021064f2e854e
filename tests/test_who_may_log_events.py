"""Who may start the plan (issue 13): logging a new event convenes the startgrupp and
mails them at once, so it is for the startgrupp's functions and for accounts an
administrator marks "får logga händelser". Every person picker offers active colleagues
with a name, never a system account such as a bare `admin`."""

import pytest
from django.urls import reverse

from accounts.models import Function, User
from events.models import Event
from notices.models import Notice
from tests.personas import create_user
from tests.test_admin_membership import FormFields
from tests.test_event_create import minimal

NEW_EVENT = reverse("event_create")
BUTTON = f'href="{NEW_EVENT}">Logga ny händelse</a>'


def log_an_event(client, user, **extra):
    client.force_login(user)
    return client.post(NEW_EVENT, minimal(**extra))


@pytest.mark.parametrize("persona", ["arbetsgrupp", "outsider", "lasare", "task_holder"])
def test_somebody_outside_the_startgrupp_may_not_log_an_event_nor_sees_the_button(
    client, cast, persona
):
    user = getattr(cast, persona)
    client.force_login(user)
    assert BUTTON not in client.get(reverse("start")).text
    page = client.get(NEW_EVENT)
    assert page.status_code == 403
    assert "Det är startgruppen som loggar nya händelser" in page.text
    response = log_an_event(client, user, startgroup=[cast.kommunchef.pk])
    assert response.status_code == 403
    assert not Event.objects.filter(title=minimal()["title"]).exists()
    assert not Notice.objects.exists()


@pytest.mark.parametrize("persona", ["kommunchef", "kso", "utvecklingschef", "kommunikator"])
def test_each_startgrupp_function_sees_the_button_and_logs_an_event(client, cast, persona):
    user = getattr(cast, persona)
    client.force_login(user)
    assert BUTTON in client.get(reverse("start")).text
    assert log_an_event(client, user).status_code == 302
    assert Event.objects.filter(title=minimal()["title"], created_by=user).exists()


def test_a_deputy_whose_function_is_in_the_startgrupp_may_log_an_event(client, cast):
    # A function the municipality put in its startgrupp, with no role of the plan's own.
    deputy = Function.objects.create(name="Biträdande kommunchef", in_startgroup=True)
    karin = create_user("karin", "Karin", "Lund", deputy)
    assert log_an_event(client, karin).status_code == 302


def test_an_account_the_administrator_marks_may_log_events(client, cast):
    client.force_login(cast.superuser)
    url = reverse("admin:accounts_user_change", args=[cast.outsider.pk])
    parser = FormFields("user_form")
    parser.feed(client.get(url).text)
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    assert "may_log_events" not in data
    data["may_log_events"] = ["on"]
    assert client.post(url, data).status_code == 302
    client.force_login(cast.outsider)
    assert BUTTON in client.get(reverse("start")).text
    assert log_an_event(client, cast.outsider, startgroup=[cast.kommunchef.pk]).status_code == 302
    event = Event.objects.get(title=minimal()["title"])
    assert set(event.members.all()) == {cast.kommunchef, cast.outsider}


def test_nobody_logged_in_is_sent_to_the_login_page(client, cast):
    response = client.get(NEW_EVENT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def system_account(db):
    """An account with no name, as the demo's `admin`: a superuser, never a colleague."""
    return User.objects.create_superuser("system", "system@example.invalid", "x")


def choices(response, field) -> set[int]:
    return {choice.value for choice, _ in response.context["form"].fields[field].choices if choice}


def test_no_picker_offers_an_account_without_a_name(client, cast, system_account):
    gone = create_user("gunnar", "Gunnar", "Ek", is_active=False)
    client.force_login(cast.kommunchef)
    new_event = client.get(NEW_EVENT)
    decisions = client.get(reverse("decisions", args=[cast.event.pk]))
    startgroup = client.get(reverse("startgroup_edit", args=[cast.event.pk]))
    pickers = {
        "startgroup of a new event": choices(new_event, "startgroup"),
        "arbetsgrupp": choices(decisions, "workgroup"),
        "its lead": choices(decisions, "workgroup_lead"),
        "who reports": choices(decisions, "reporter"),
        "startgrupp": choices(startgroup, "members"),
    }
    for picker, offered in pickers.items():
        assert system_account.pk not in offered, picker
        assert gone.pk not in offered, picker
        # Colleagues are offered, members of the case or not.
        assert {cast.arbetsgrupp.pk, cast.outsider.pk} <= offered, picker
    assert "system" not in new_event.text
    # The new event's startgrupp is proposed from the startgrupp's functions.
    assert set(new_event.context["form"]["startgroup"].initial) == {
        user.pk for user in cast.startgrupp
    }


def test_a_system_account_without_a_name_may_not_log_an_event_even_as_superuser(
    client, system_account
):
    client.force_login(system_account)
    assert BUTTON not in client.get(reverse("start")).text
    assert log_an_event(client, system_account).status_code == 403
    assert not Event.objects.filter(title="Konkurs vid Norsjö Mekaniska AB").exists()
