"""The omställningsprogram the tests share: started by Anna from cast.event, with Sara a
member and Pia läsbehörig (Lena and Olle stay outside), one insatsområde and one target.

A pytest plugin (tests/conftest.py): the fixtures `frozen` (the tests' today, NOW; a module
takes it with `pytestmark = pytest.mark.usefixtures("frozen")`) and `programme`."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from omstallning import services
from omstallning.models import ProgrammeMembership, Target

# The tests' today: a programme started on 1 Jan 2025 is a year in.
NOW = datetime(2026, 1, 14, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def frozen():
    """The clock stopped at NOW."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def programme(cast):
    """a_programme: no insatsområde yet."""
    return a_programme(cast)


def a_programme(cast):
    programme = services.start_programme(
        cast.event,
        title="Omställning efter Granlunds",
        started_on=date(2025, 1, 1),
        planned_end_on=date(2030, 12, 31),
        by=cast.kommunchef,
    )
    services.add_member(programme, cast.arbetsgrupp, "medlem", by=cast.kommunchef)
    services.add_member(
        programme, cast.lasare, ProgrammeMembership.Group.LASARE, by=cast.kommunchef
    )
    return programme


def an_area(programme, cast, name="Näringsliv"):
    return services.add_focus_area(programme, name=name, description="", by=cast.kommunchef)


TARGET = {
    "indicator": "Sysselsatta i kommunen",
    "unit": "personer",
    "direction": Target.Direction.HIGHER,
    "baseline_value": Decimal("100"),
    "baseline_on": date(2025, 1, 1),
    "baseline_source": "Ärendets berörda anställda",
    "target_value": Decimal("200"),
    "target_on": date(2027, 1, 1),
    "threshold": Decimal("120"),
    "frequency_days": Target.Frequency.KVARTAL,
}


def a_target(area, cast, **fields):
    data = {**TARGET, "measured_by": cast.arbetsgrupp, **fields}
    return services.create_target(area, data, by=cast.kommunchef)
