"""Bench of the lägesrapport: its PDF through the download URL (warm gunicorn) for an event
with 500 sheet rows and 200 tasks (target: median ≤ 500 ms), on SQLite and PostgreSQL."""

from bench import Server, bench_env, django_shell, login_cookie, postgres_env

PG_DATABASE = "norsjo_bench_reports"

# An event with 500 rows across the parts the report draws on and 200 tasks (a third done,
# a third overdue, a third open), and a draft compiled from it; prints event and report id.
SETUP = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from assessment.models import Row, Sheet
from events.models import Event, Membership, Task
from reports.models import Report
from reports.services import create_draft
user, _ = User.objects.get_or_create(username="bench_reports",
    defaults={"first_name": "Sara", "last_name": "Eklund", "email": "sara@norsjo.example"})
event = Event.objects.filter(case_number="BENCH RAPPORT").first()
if event is None:
    event = Event.objects.create(case_number="BENCH RAPPORT", title="Varsel vid Åsele Såg AB",
        kind="varsel", notice_status="aviserad", company_name="Åsele Såg AB",
        impact_individ="hog", affected_employees=120, announced_on=timezone.localdate(),
        created_by=user)
    Membership.objects.create(event=event, user=user, group="startgrupp")
    sheet = Sheet.objects.create(event=event)
    sections = ["fakta", "antaganden", "konsekvens_individ", "konsekvens_naringsliv",
        "insatser", "initiala", "langsiktiga", "arbetsplan"]
    Row.objects.bulk_create([Row(sheet=sheet, section=sections[i % len(sections)], position=i,
        what=f"Rad {i}: kommunen följer upp de berörda i Bastuträsk och Norsjö, åtgärd nr {i}.",
        who="Sara Eklund", when="v. 48", status="pagar" if i % 3 else "klar",
        created_by=user, updated_by=user) for i in range(500)])
    now = timezone.now()
    statuses = ["klar", "ny", "pagar"]
    Task.objects.bulk_create([Task(event=event, what=f"Uppgift {i}: ring berörd part om stödet",
        assignee=user, status=statuses[i % 3], status_changed_at=now,
        due_at=now + timedelta(days=(i % 7) - 3)) for i in range(200)])
Report.objects.filter(event=event).delete()
report = create_draft(event, summary="Läget i Bastuträsk är stabilt. Åtgärderna pågår.",
    decisions_needed="Besluta om budget för träffpunkten.", hidden=[], by=user)
print(event.pk, report.pk)
"""


def _measure(env, results, name):
    event_id, report_id = django_shell(env, SETUP).split()[-2:]
    cookie = login_cookie(env, "bench_reports")
    path = f"/arenden/{event_id}/rapporter/{report_id}/pdf/"
    with Server(env) as server:
        status, content = server.get(path, {"Cookie": cookie})
        assert status == 200, status
        assert content.startswith(b"%PDF")
        results[name] = {
            "value": server.median_ms(path, {"Cookie": cookie}, runs=30),
            "unit": "ms",
        }


def bench_report_pdf(results):
    _measure(bench_env(), results, "report_pdf_median_ms")


def bench_report_pdf_postgresql(results):
    _measure(postgres_env(PG_DATABASE), results, "report_pdf_postgresql_median_ms")


BENCHES = [bench_report_pdf, bench_report_pdf_postgresql]
