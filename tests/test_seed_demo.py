import pytest
from django.core.management import CommandError, call_command

from accounts.models import Function, User
from accounts.people import active_people
from events.access import may_log_events
from events.models import Event, LogEntry, Membership


def counts():
    return [m.objects.count() for m in (Function, User, Event, Membership, LogEntry)]


def test_seed_demo_is_idempotent(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert Function.objects.filter(in_startgroup=True).count() == 4
    assert Event.objects.get().memberships.filter(group="startgrupp").count() == 4


def test_the_demos_startgrupp_may_log_events_and_its_admin_is_offered_by_no_picker(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    startgrupp = [m.user for m in Event.objects.get().memberships.filter(group="startgrupp")]
    assert [user for user in startgrupp if not may_log_events(user)] == []
    assert not may_log_events(User.objects.get(username="sara"))
    assert not active_people().filter(username="admin").exists()


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert User.objects.count() == 0
