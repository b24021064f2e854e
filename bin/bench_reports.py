"""Bench of the lägesrapport: its PDF through the download URL (warm gunicorn) for an event
with 500 sheet rows and 200 tasks (target: median ≤ 500 ms), on SQLite and PostgreSQL."""

import json

from bench import Server, bench_env, django_shell, floor_env, login_cookie, postgres_env

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


# Where the floor's time goes: styles, layout, drawing; and its pages. Prints JSON.
FLOOR_PROFILE = """
import json, statistics, time
from weasyprint import HTML
from floor_urls import final_html, render_floor
from events import pdf
html = final_html("{report_id}")
render_floor(html)
phases = {{"styles_and_layout": [], "draw_and_write": []}}
for _ in range(5):
    start = time.perf_counter()
    document = HTML(string=html, url_fetcher=pdf.StaticOnlyFetcher()).render(
        stylesheets=[pdf._stylesheet()], font_config=pdf._FONTS, cache=pdf._IMAGES)
    laid_out = time.perf_counter()
    document.write_pdf()
    phases["styles_and_layout"].append((laid_out - start) * 1000)
    phases["draw_and_write"].append((time.perf_counter() - laid_out) * 1000)
print(json.dumps({{"pages": len(document.pages),
                  **{{k: statistics.median(v) for k, v in phases.items()}}}}))
"""


def _measure(env, results, name):
    """The download URL against its floor (bin/floor_urls.py: WeasyPrint alone on the
    report's final HTML, same stylesheet, fonts and caches), in turns on one server."""
    event_id, report_id = django_shell(env, SETUP).split()[-2:]
    cookie = login_cookie(env, "bench_reports")
    path = f"/arenden/{event_id}/rapporter/{report_id}/pdf/"
    with Server(floor_env(env)) as server:
        status, content = server.get(path, {"Cookie": cookie})
        assert status == 200, status
        assert content.startswith(b"%PDF")
        page, floor = server.medians_ms(
            [path, f"/golv/rapport/{report_id}/"], {"Cookie": cookie}, runs=30, rounds=5
        )
    results[name] = {"value": page, "unit": "ms"}
    results[name.replace("pdf", "pdf_floor")] = {"value": floor, "unit": "ms (WeasyPrint alone)"}
    results[name.replace("median_ms", "to_floor")] = {
        "value": round(page / floor, 2),
        "unit": "× (≤ 1.25)",
    }
    return report_id


def bench_report_pdf(results):
    env = bench_env()
    report_id = _measure(env, results, "report_pdf_median_ms")
    out = django_shell(floor_env(env), FLOOR_PROFILE.format(report_id=report_id))
    floor = json.loads(out.splitlines()[-1])
    results["report_pdf_floor_pages"] = {"value": floor["pages"], "unit": "pages"}
    for phase in ("styles_and_layout", "draw_and_write"):
        results[f"report_pdf_floor_{phase}_ms"] = {
            "value": round(floor[phase]),
            "unit": "ms (median of 5, in a shell)",
        }


def bench_report_pdf_postgresql(results):
    _measure(postgres_env(PG_DATABASE), results, "report_pdf_postgresql_median_ms")


BENCHES = [bench_report_pdf, bench_report_pdf_postgresql]
