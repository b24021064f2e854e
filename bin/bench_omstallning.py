"""Bench of the omställningsprogram's page (warm gunicorn): 4 insatsområden, 40 targets and
6 years of quarterly measurements each (960 values). Target: median ≤ 150 ms (issue 15)."""

from bench import Server, bench_env, django_shell, login_cookie, postgres_env

PG_DATABASE = "norsjo_bench_omstallning"

# The programme, made once; prints its id.
SETUP = """
from datetime import timedelta
from django.utils import timezone
from decimal import Decimal
from accounts.models import User
from events.models import Event, Membership
from omstallning.models import (FocusArea, Measurement, Programme, ProgrammeEvent,
    ProgrammeMembership, Target)
user, _ = User.objects.get_or_create(username="bench_omstallning",
    defaults={"first_name": "Maria", "last_name": "Holm", "email": "maria@norsjo.example"})
programme = Programme.objects.filter(title="BENCH OMSTÄLLNING").first()
if programme is None:
    event = Event.objects.create(case_number="BENCH OMST", title="Nedläggning av Åsele Såg AB",
        kind="nedlaggning", notice_status="aviserad", company_name="Åsele Såg AB",
        impact_individ="hog", affected_employees=120, created_by=user)
    Membership.objects.create(event=event, user=user, group="startgrupp")
    # Six years of quarters up to today, so the latest values are current.
    start = timezone.localdate() - timedelta(days=91 * 24)
    programme = Programme.objects.create(title="BENCH OMSTÄLLNING", started_on=start,
        planned_end_on=start + timedelta(days=7 * 365), created_by=user)
    ProgrammeEvent.objects.create(programme=programme, event=event, linked_by=user)
    ProgrammeMembership.objects.create(programme=programme, user=user, group="medlem")
    areas = [FocusArea.objects.create(programme=programme, name=f"Insatsområde {i + 1}",
        position=i) for i in range(4)]
    targets = Target.objects.bulk_create([Target(focus_area=areas[i % 4],
        indicator=f"Indikator {i + 1}: nya arbetstillfällen i Norsjö", unit="st",
        direction="hogre" if i % 2 else "lagre", baseline_value=Decimal(100),
        baseline_on=start, baseline_source="SCB",
        target_value=Decimal(150 if i % 2 else 50),
        target_on=start + timedelta(days=7 * 365), threshold=Decimal(100), frequency_days=91,
        measured_by=user) for i in range(40)])
    Measurement.objects.bulk_create([Measurement(target=t, value=Decimal(100 + j * (i % 5 - 2)),
        measured_on=start + timedelta(days=91 * (j + 1)), source="SCB", entered_by=user)
        for i, t in enumerate(targets) for j in range(24)])
print(programme.pk)
"""


def _measure(env, results, name):
    programme_id = django_shell(env, SETUP).split()[-1]
    cookie = login_cookie(env, "bench_omstallning")
    path = f"/omstallning/{programme_id}/"
    with Server(env) as server:
        status, content = server.get(path, {"Cookie": cookie})
        assert status == 200, status
        assert "Måluppfyllelse".encode() in content
        results[name] = {"value": server.median_ms(path, {"Cookie": cookie}), "unit": "ms"}


def bench_programme_page(results):
    _measure(bench_env(), results, "programme_page_median_ms")


def bench_programme_page_postgresql(results):
    _measure(postgres_env(PG_DATABASE), results, "programme_page_postgresql_median_ms")


BENCHES = [bench_programme_page, bench_programme_page_postgresql]
