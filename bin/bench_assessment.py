"""Benches of the bedömningsmall (`make bench BENCH=sheet`): page, Excel, live sync and
concurrent writers. Each row says what data it ran on."""

import http.client
import json
import os
import random
import re
import statistics
import threading
import time
import uuid

from bench import Server, bench_env, django_shell, floor_env, login_cookie, postgres_env

# An event with a sheet of `count` rows spread over every section (a tenth of the
# scenario rows in chains) and 10 arbetsgrupp members bench-s0..9; prints the event id.
SHEET = """
from assessment import services
from assessment.models import Row
from assessment.parts import SECTIONS
from accounts.models import User
from events.models import Event, Membership
count = {count}
users = [User.objects.get_or_create(username=f"bench-s{{i}}")[0] for i in range(10)]
case = f"BENCH SHEET {{count}}"
event = Event.objects.filter(case_number=case).first()
if event is None:
    event = Event.objects.create(case_number=case, title="Stor mall", kind="konkurs",
        notice_status="intraffad", company_name="Bench AB", impact_individ="hog",
        created_by=users[0])
    Membership.objects.bulk_create([Membership(event=event, user=u, group="arbetsgrupp")
                                    for u in users])
    sheet = services.sheet_of(event)
    sections = list(SECTIONS)
    rows = [Row(sheet=sheet, section=sections[i % len(sections)], position=i,
                what=f"Rad {{i}}: " + "text som beskriver vad som ska göras " * 3,
                who="Sara Eklund", when="v. 12", follow_up="Avstämning på fredag",
                status="pagar" if SECTIONS[sections[i % len(sections)]].has_status else "",
                created_by=users[0], updated_by=users[0]) for i in range(count)]
    Row.objects.bulk_create(rows)
print(event.pk)
"""


def make_sheet(env, count) -> str:
    return django_shell(env, SHEET.format(count=count)).splitlines()[-1]


def bench_sheet_page(results):
    """The page against its floor (bin/floor_urls.py: one values_list() of the same rows and
    one template loop of five cells a row, behind the same middleware), in turns on one
    server."""
    env = bench_env()
    event_id = make_sheet(env, 1000)
    cookie = login_cookie(env, "bench-s0")
    with Server(floor_env(env)) as server:
        page, floor = server.medians_ms(
            [f"/arenden/{event_id}/bedomning/", f"/golv/bedomning/{event_id}/"],
            {"Cookie": cookie},
            runs=100,
        )
    unit = "ms (1,000 rows, gunicorn, SQLite)"
    results["sheet_page_median_ms"] = {"value": page, "unit": unit}
    results["sheet_floor_median_ms"] = {"value": floor, "unit": unit}
    results["sheet_page_to_floor"] = {"value": round(page / floor, 2), "unit": "× (≤ 2)"}
    out = django_shell(
        env,
        f"""
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from accounts.models import User
client = Client()
client.force_login(User.objects.get(username="bench-s0"))
client.get("/arenden/{event_id}/bedomning/")
with CaptureQueriesContext(connection) as ctx:
    assert client.get("/arenden/{event_id}/bedomning/").status_code == 200
print(len(ctx.captured_queries))
""",
    )
    results["sheet_page_queries"] = {
        "value": int(out.splitlines()[-1]),
        "unit": "queries (1,000 rows; same at 10, see tests)",
    }


# Export through the view vs openpyxl alone writing the same cells; then the import's
# preview (upload, checks, parse, compare, draft) vs openpyxl alone reading the file.
EXCEL = """
import io, statistics, time
import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from accounts.models import User
client = Client()
client.force_login(User.objects.get(username="bench-s0"))
url = "/arenden/{event_id}/bedomning/excel/"

def timed(fn, runs=7):
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)

data = client.get(url).content
ws = openpyxl.load_workbook(io.BytesIO(data))["Bedömningsmall"]
cells = [[c.value for c in line] for line in ws.iter_rows()]

def openpyxl_write():
    wb = openpyxl.Workbook()
    sheet = wb.active
    for line in cells:
        sheet.append(line)
    wb.save(io.BytesIO())

def openpyxl_read():
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    for line in wb["Bedömningsmall"].iter_rows(values_only=True):
        pass
    wb.close()

def preview():
    response = client.post(url + "las-in/", {{"file": SimpleUploadedFile("m.xlsx", data)}})
    assert "inga ändringar" in response.text, response.text[-3000:]

print(timed(lambda: client.get(url)), timed(openpyxl_write), timed(preview), timed(openpyxl_read))
"""


def bench_sheet_excel(results):
    env = bench_env()
    event_id = make_sheet(env, 2000)
    out = django_shell(env, EXCEL.format(event_id=event_id)).splitlines()[-1]
    export, write, preview, read = (round(float(x), 1) for x in out.split())
    unit = "ms (2,000 rows, median of 7)"
    results["export_2000_ms"] = {"value": export, "unit": unit}
    results["openpyxl_write_2000_ms"] = {"value": write, "unit": unit}
    results["import_preview_2000_ms"] = {"value": preview, "unit": unit}
    results["openpyxl_read_2000_ms"] = {"value": read, "unit": unit}


def bench_sheet_live_sync(results):
    """Two browser contexts on gunicorn (2 workers): one saves 20 edits through the page,
    the other's page shows each; the time from the click to the other page showing it."""
    from playwright.sync_api import sync_playwright

    env = bench_env()
    event_id = make_sheet(env, 100)
    row_id = django_shell(
        env,
        "from assessment.models import Row;"
        f"print(Row.objects.filter(sheet__event_id='{event_id}', section='fakta')"
        ".order_by('position').first().pk)",
    ).splitlines()[-1]
    cookies = [login_cookie(env, f"bench-s{i}").split("=", 1)[1] for i in range(2)]
    timings = []
    with Server(env) as server, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu"],
        )
        base = f"http://127.0.0.1:{server.port}"
        pages = []
        for session in cookies:
            # The measuring predicate is evaluated as a string, which our CSP forbids.
            context = browser.new_context(bypass_csp=True)
            context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
            page = context.new_page()
            page.goto(f"{base}/arenden/{event_id}/bedomning/")
            pages.append(page)
        writer, reader = pages
        row = f"#row-{row_id}"
        for i in range(20):
            writer.locator(row).get_by_role("link", name="Ändra").click()
            writer.locator(row).get_by_label("Vad").fill(f"Ändring nummer {i}")
            start = time.perf_counter()
            writer.locator(row).get_by_role("button", name="Spara").click()
            reader.wait_for_function(
                f"document.querySelector('{row}').textContent.includes('Ändring nummer {i}')",
                polling=10,
                timeout=10000,
            )
            timings.append((time.perf_counter() - start) * 1000)
            writer.locator(row).get_by_role("link", name="Ändra").wait_for()
        browser.close()
    timings.sort()
    unit = "ms (20 edits, 2 contexts, gunicorn 2 workers)"
    results["live_sync_median_ms"] = {"value": round(statistics.median(timings)), "unit": unit}
    results["live_sync_p95_ms"] = {
        "value": round(timings[int(len(timings) * 0.95) - 1]),
        "unit": unit,
    }
    results["live_sync_max_ms"] = {"value": round(timings[-1]), "unit": unit}


def concurrent_writes(env, suffix, results):
    """10 writers over HTTP, 1,000 saves, 30 % to one shared row; each save is based on
    the version the writer last saw. Lost = saves reported applied that are not in the
    row's history, plus saves answered with neither (an error)."""
    event_id = make_sheet(env, 200)
    rows = json.loads(
        django_shell(
            env,
            "import json; from assessment.models import Row;"
            f"print(json.dumps([[str(r.pk), r.version] for r in Row.objects.filter("
            f"sheet__event_id='{event_id}', section='fakta').order_by('position')[:11]]))",
        ).splitlines()[-1]
    )
    hot, own = rows[0], rows[1:]
    cookies = [login_cookie(env, f"bench-s{i}") for i in range(10)]
    applied, conflicts, errors = [], [], []
    # Texts unique to this run: a previous run's history must not vouch for this one's writes.
    run = uuid.uuid4().hex[:8]
    with Server(env) as server:

        def writer(n):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            conn.request("GET", f"/arenden/{event_id}/bedomning/", headers={"Cookie": cookies[n]})
            response = conn.getresponse()
            response.read()
            csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
            token = csrf[1] if csrf else ""
            seen = {hot[0]: hot[1], own[n][0]: own[n][1]}
            rng = random.Random(n)
            for i in range(100):
                row = hot[0] if rng.random() < 0.3 else own[n][0]
                text = f"skrivare {n} sparning {i} {run}"
                body = f"what={text.replace(' ', '+')}&version={seen[row]}"
                headers = {
                    "Cookie": f"{cookies[n]}; csrftoken={token}",
                    "X-CSRFToken": token,
                    "HX-Request": "true",
                    "Content-Type": "application/x-www-form-urlencoded",
                }
                try:
                    conn.request(
                        "POST", f"/arenden/{event_id}/bedomning/rader/{row}/", body, headers
                    )
                    response = conn.getresponse()
                    page = response.read().decode()
                except OSError as e:
                    errors.append(str(e))
                    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                    continue
                version = re.search(r'data-version="(\d+)"', page)
                if response.status != 200 or version is None:
                    errors.append(response.status)
                elif "sparade raden" in page:
                    conflicts.append(text)
                    seen[row] = int(version[1])  # the next save is made on top of theirs
                else:
                    applied.append((row, text))
                    seen[row] = int(version[1])

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(10)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
    texts = json.loads(
        django_shell(
            env,
            "import json; from assessment.models import RowRevision;"
            "print(json.dumps([r.after['what'] for r in RowRevision.objects.filter("
            f"sheet__event_id='{event_id}', kind='edited')]))",
        ).splitlines()[-1]
    )
    texts = [text for text in texts if text.endswith(run)]
    in_history = set(texts)
    lost = sum(1 for _, text in applied if text not in in_history) + len(errors)
    results[f"concurrent_writes_lost_{suffix}"] = {
        "value": lost,
        "unit": f"lost ({len(applied)} applied, {len(conflicts)} conflicts, "
        f"{len(errors)} errors, {len(texts)} in history, {seconds:.1f} s)",
    }


def bench_sheet_concurrent_sqlite(results):
    concurrent_writes(bench_env(), "sqlite", results)


def bench_sheet_concurrent_postgresql(results):
    concurrent_writes(postgres_env("norsjo_bench_assess"), "postgresql", results)


BENCHES = [
    bench_sheet_page,
    bench_sheet_excel,
    bench_sheet_live_sync,
    bench_sheet_concurrent_sqlite,
    bench_sheet_concurrent_postgresql,
]
