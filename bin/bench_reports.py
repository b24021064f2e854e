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


# Where the floor's time goes, in CPU milliseconds of this process (other load on the
# machine slows the wall clock, not these): parsing the HTML and computing styles and
# boxes, laying out the pages, drawing them and writing the file; with its pages and its
# line boxes (WeasyPrint's layout and drawing cost is per line). Prints JSON.
FLOOR_PROFILE = """
import json, statistics, time
from weasyprint import HTML, document as wdoc
from floor_urls import final_html, render_floor
from events import pdf
html = final_html("{report_id}")
render_floor(html)
laying_out = []
layout_document = wdoc.layout_document
def timed_layout(*args, **kwargs):
    start = time.process_time()
    pages = list(layout_document(*args, **kwargs))
    laying_out.append(time.process_time() - start)
    return iter(pages)
wdoc.layout_document = timed_layout
phases = {{"styles": [], "layout": [], "draw_and_write": [], "total": []}}
for _ in range(7):
    start = time.process_time()
    document = HTML(string=html, url_fetcher=pdf.StaticOnlyFetcher()).render(
        stylesheets=[pdf._stylesheet()], font_config=pdf._FONTS, cache=pdf._IMAGES)
    laid_out = time.process_time()
    document.write_pdf()
    end = time.process_time()
    phases["layout"].append(laying_out[-1])
    phases["styles"].append(laid_out - start - laying_out[-1])
    phases["draw_and_write"].append(end - laid_out)
    phases["total"].append(end - start)
def lines(box):
    return (type(box).__name__ == "LineBox") + sum(map(lines, getattr(box, "children", ())))
print(json.dumps({{"pages": len(document.pages),
                  "line_boxes": sum(lines(page._page_box) for page in document.pages),
                  **{{k: statistics.median(v) * 1000 for k, v in phases.items()}}}}))
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
    results["report_pdf_floor_line_boxes"] = {"value": floor["line_boxes"], "unit": "lines"}
    for phase in ("styles", "layout", "draw_and_write", "total"):
        results[f"report_pdf_floor_{phase}_cpu_ms"] = {
            "value": round(floor[phase]),
            "unit": "ms of CPU (median of 7, in a shell)",
        }


def bench_report_pdf_postgresql(results):
    _measure(postgres_env(PG_DATABASE), results, "report_pdf_postgresql_median_ms")


BENCHES = [bench_report_pdf, bench_report_pdf_postgresql]
