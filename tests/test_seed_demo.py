import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Function, User
from accounts.people import active_people
from events.access import may_log_events
from events.management.commands.seed_demo import EVENT_TITLE
from events.models import Event, LogEntry, Membership
from omstallning.models import Programme, Target
from omstallning.status import with_status


def counts():
    return [m.objects.count() for m in (Function, User, Event, Membership, LogEntry)]


def test_seed_demo_is_idempotent(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert Function.objects.filter(in_startgroup=True).count() == 4
    assert Event.objects.get(title=EVENT_TITLE).memberships.filter(group="startgrupp").count() == 4


def test_the_demos_startgrupp_may_log_events_and_its_admin_is_offered_by_no_picker(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    startgrupp = [
        m.user for m in Event.objects.get(title=EVENT_TITLE).memberships.filter(group="startgrupp")
    ]
    assert [user for user in startgrupp if not may_log_events(user)] == []
    assert not may_log_events(User.objects.get(username="sara"))
    assert not active_people().filter(username="admin").exists()


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert User.objects.count() == 0


def test_the_demo_has_a_programme_two_years_in_with_targets_in_every_status(db, settings):
    # Issue 15, item 7: three insatsområden, eight targets, every colour and "ej mätt".
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    programme = Programme.objects.get()
    assert (timezone.localdate() - programme.started_on).days >= 2 * 365
    assert programme.focus_areas.count() == 3
    targets = with_status(
        Target.objects.filter(focus_area__programme=programme), timezone.localdate()
    )
    assert len(targets) == 8
    assert {t.status.colour for t in targets} == {"gron", "gul", "rod", "ej_matt"}
    assert any(t.status.overridden for t in targets)
    assert all(t.measurements.exists() for t in targets)
