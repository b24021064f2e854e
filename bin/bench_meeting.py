"""A meeting's load (`make bench BENCH=meeting`): 30 participants with the bedömningsmall
open, against gunicorn as `make run` starts it with 2 workers, on PostgreSQL and Redis.

Each participant does what its page does (assessment/templates/assessment/sheet.html,
static/js/sheet.js): the live poll every 500 ms (skipped while one is in flight, and once
more straight after each htmx request), the presence poll every 10 s, and an edit saved
every 10 s on average (exponential gaps): open the row's form, type, save with the version
the form carries. Twenty edit a row of their own, ten share ten rows, so real conflicts
happen. The clients are one asyncio process; its CPU time is reported apart from the
server's (gunicorn's master and workers, from /proc).
"""

import asyncio
import itertools
import json
import random
import re
import subprocess
import time
import uuid
from html.parser import HTMLParser
from urllib.parse import urlencode

from bench import (
    Server,
    django_shell,
    login_cookies,
    percentile,
    postgres_env,
    request,
    server_cpu_s,
)

# A database number of its own on the machine's Redis (bench_reminders has 13); flushed.
REDIS_DB = 12
PARTICIPANTS = 30
SHARED = 10  # participants editing the same ten rows
WARM_UP_S = 10
MEASURE_S = 60
# After the last save, polls go on this long for every save to reach every page.
DRAIN_S = 5
SAVE_EVERY_S = 10
POLL_MS = 500  # static/js/sheet.js INTERVAL_MS
PRESENCE_S = 10  # sheet.html: hx-trigger="every 10s"
TIMEOUT_S = 10

# A sheet of 200 rows (the ten shared first, then one per participant) and 30 arbetsgrupp
# members; prints the event id and the row ids in order.
SETUP = """
import json
from assessment import services
from assessment.models import Row
from accounts.models import User
from events.models import Event, Membership
users = [User.objects.get_or_create(username=f"bench-m{i}",
         defaults={"first_name": "Deltagare", "last_name": str(i)})[0] for i in range(30)]
event = Event.objects.filter(case_number="BENCH MOTE").first()
if event is None:
    event = Event.objects.create(case_number="BENCH MOTE", title="Möte", kind="konkurs",
        notice_status="intraffad", company_name="Bench AB", impact_individ="hog",
        created_by=users[0])
    Membership.objects.bulk_create([Membership(event=event, user=u, group="arbetsgrupp")
                                    for u in users])
    sheet = services.sheet_of(event)
    Row.objects.bulk_create([Row(sheet=sheet, section="insatser", position=i,
        what=f"Rad {i}", who="Sara Eklund", when="v. 12", status="pagar",
        created_by=users[0], updated_by=users[0]) for i in range(200)])
rows = Row.objects.filter(sheet__event=event).order_by("position").values_list("pk", flat=True)
print(json.dumps([str(event.pk), [str(r) for r in rows]]))
"""

ROW_TAG = re.compile(r'<tr id="row-([0-9a-f-]+)"[^>]*?data-version="(\d+)"[^>]*>')
SAVED_MEANWHILE = "sparade raden"


class FormFields(HTMLParser):
    """The fields a form posts, in order, as the browser (htmx) sends them."""

    def __init__(self):
        super().__init__()
        self.fields, self._open, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            self.fields.append([a["name"], a.get("value") or ""])
        elif tag == "textarea":
            self._open = [a["name"], ""]
            self.fields.append(self._open)
        elif tag == "select":
            self._select = [a["name"], None]
            self.fields.append(self._select)
        elif tag == "option" and self._select and (self._select[1] is None or "selected" in a):
            self._select[1] = a.get("value", "")

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            # The browser drops one leading newline of a textarea (HTML spec).
            self._open[1] = self._open[1].removeprefix("\n")
            self._open = None
        elif tag == "select":
            self._select = None


def form_fields(html) -> list:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


class Meeting:
    """The shared record of one run: saves, what every page has seen, errors."""

    def __init__(self, port, event_id, run):
        self.port, self.event_id, self.run = port, event_id, run
        self.page = f"/arenden/{event_id}/bedomning/"
        self.measuring = False
        self.saving = True
        # (row, version) -> {"start", "saver", "text"}; accepted saves in the measured window.
        self.saves = {}
        self.save_ms, self.conflicts, self.errors = [], 0, []
        # seen[participant][row] = [(monotonic time, version)] of every poll answer.
        self.seen = {}

    def error(self, what):
        if self.warm:
            self.errors.append(what)


class Participant:
    def __init__(self, meeting, n, cookie, own_rows, rng):
        self.m, self.n, self.cookie, self.rows, self.rng = meeting, n, cookie, own_rows, rng
        self.counter = 0
        self.busy = False
        self.csrf = ""
        self.seen = meeting.seen.setdefault(n, {})
        self.tasks = set()

    def headers(self, htmx=True, **extra):
        headers = {"Cookie": f"{self.cookie}; csrftoken={self.csrf}"}
        if htmx:
            headers |= {
                "HX-Request": "true",
                "HX-Current-URL": f"http://127.0.0.1:{self.m.port}{self.m.page}",
                "X-CSRFToken": self.csrf,
            }
        return headers | extra

    async def call(self, method, path, headers, body=b""):
        """The answer, or None after counting a timeout, a refused connection or a 5xx."""
        try:
            answer = await request(self.m.port, method, path, headers, body, timeout=TIMEOUT_S)
        except (OSError, TimeoutError) as e:
            self.m.error(f"{method} {path}: {type(e).__name__}")
            return None
        if answer.status >= 500:
            self.m.error(f"{method} {path}: HTTP {answer.status}")
            return None
        return answer

    def note(self, html, at):
        for row, version in ROW_TAG.findall(html):
            self.seen.setdefault(row, []).append((at, int(version)))

    async def open_page(self):
        answer = await self.call("GET", self.m.page, self.headers(htmx=False))
        if answer is None or answer.status != 200:
            raise RuntimeError(f"participant {self.n} could not open the sheet")
        cookie = re.search(r"csrftoken=([^;]+)", answer.headers.get("set-cookie", ""))
        if cookie:
            self.csrf = cookie[1]
        self.counter = int(re.search(r'data-counter="(\d+)"', answer.text)[1])
        self.note(answer.text, answer.ended)

    def spawn(self, coroutine):
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def poll(self):
        if self.busy:
            return
        self.busy = True
        try:
            path = f"{self.m.page}andringar/?sedan={self.counter}"
            answer = await self.call("GET", path, self.headers())
            if answer is None:
                return
            if answer.status == 205:  # too far behind: sheet.js reloads the page
                await self.open_page()
            elif answer.status == 200:
                self.counter = int(answer.headers["x-sheet-counter"])
                self.note(answer.text, answer.ended)
            elif answer.status != 204:
                self.m.error(f"poll: HTTP {answer.status}")
        finally:
            self.busy = False

    def after_htmx(self):
        # sheet.js: a poll straight after each successful htmx request of the page.
        self.spawn(self.poll())

    async def polling(self, until):
        loop = asyncio.get_running_loop()
        tick = loop.time()
        while tick < until:
            tick += POLL_MS / 1000
            await asyncio.sleep(max(0.0, tick - loop.time()))
            self.spawn(self.poll())

    async def presence(self, until):
        loop = asyncio.get_running_loop()
        tick = loop.time() + self.rng.uniform(0, PRESENCE_S)
        while tick < until:
            await asyncio.sleep(max(0.0, tick - loop.time()))
            tick += PRESENCE_S
            headers = self.headers(**{"HX-Target": "presence", "HX-Trigger": "presence"})
            answer = await self.call("GET", f"{self.m.page}narvaro/", headers)
            if answer is not None and answer.status == 200:
                self.after_htmx()

    async def edit(self, row, number, due):
        """Ändra → type → Spara at `due` (loop time), as the row's links and form do with
        htmx."""
        url = f"{self.m.page}rader/{row}/"
        target = {"HX-Target": f"row-{row}"}
        answer = await self.call("GET", url, self.headers(**target))
        if answer is None:
            return
        self.after_htmx()
        fields = form_fields(answer.text.split("<form", 1)[1].split("</form>", 1)[0])
        text = f"deltagare {self.n} ändring {number} {self.m.run}"
        for field in fields:
            if field[0] == "what":
                field[1] = text
        await asyncio.sleep(max(0.0, due - asyncio.get_running_loop().time()))  # typing
        body = urlencode([(name, value or "") for name, value in fields]).encode()
        headers = self.headers(
            **target,
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://127.0.0.1:{self.m.port}",
            },
        )
        start, measured = time.monotonic(), self.m.measuring
        answer = await self.call("POST", url, headers, body)
        if answer is None:
            return
        if measured:
            self.m.save_ms.append((answer.ended - start) * 1000)
        tag = ROW_TAG.search(answer.text)
        sent = int(dict(fields)["version"])
        if answer.status != 200 or tag is None:
            self.m.error(f"save: HTTP {answer.status}, no row")
        elif 'class="editing' in answer.text:
            if SAVED_MEANWHILE in answer.text and "Spara min version" in answer.text:
                self.m.conflicts += measured
                # "Behåll deras version": the row as it is now.
                keep = await self.call("GET", url + "?visa=1", self.headers(**target))
                if keep is not None:
                    self.after_htmx()
            else:
                self.m.error(f"save: the form again, not as a conflict: {answer.text[:200]}")
        else:
            version = int(tag[2])
            self.after_htmx()
            self.m.saves[(row, version)] = {
                "start": start,
                "saver": self.n,
                "text": text,
                "sent": sent,
                "measured": measured,
            }

    async def editing(self, until):
        """Saves at exponential gaps (a Poisson process), each form opened 1 to 4 s before."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        for number in itertools.count(1):
            due += self.rng.expovariate(1 / SAVE_EVERY_S)
            if due >= until:
                return
            await asyncio.sleep(max(0.0, due - self.rng.uniform(1, 4) - loop.time()))
            await self.edit(self.rng.choice(self.rows), number, due)


async def meet(server, event_id, rows, cookies, run) -> Meeting:
    meeting = Meeting(server.port, event_id, run)
    shared, own = rows[:SHARED], rows[SHARED:]
    participants = [
        Participant(meeting, n, cookies[n], shared if n < SHARED else [own[n]], random.Random(n))
        for n in range(PARTICIPANTS)
    ]
    for p in participants:
        await p.open_page()
    loop = asyncio.get_running_loop()
    began = loop.time()
    edits_end = began + WARM_UP_S + MEASURE_S
    polls_end = edits_end + DRAIN_S + 4  # typing of the last edits, then the drain

    async def window():
        await asyncio.sleep(WARM_UP_S)
        meeting.measuring = meeting.warm = True
        before = server_cpu_s(server.process.pid), time.process_time()
        await asyncio.sleep(MEASURE_S)
        meeting.measuring = False
        after = server_cpu_s(server.process.pid), time.process_time()
        meeting.cpu = (after[0] - before[0], after[1] - before[1])

    jobs = [window()]
    for p in participants:
        jobs += [p.polling(polls_end), p.presence(polls_end), p.editing(edits_end)]
    await asyncio.gather(*jobs)
    for p in participants:
        await asyncio.gather(*p.tasks)
    return meeting


def visible_ms(meeting) -> list[float]:
    """For each save of the measured window: from its start until the last other page's
    poll answered the row at that version or a later one. A save some page never saw is
    an error."""
    timings = []
    for (row, version), save in meeting.saves.items():
        if not save["measured"]:
            continue
        latest = 0.0
        for n, seen in meeting.seen.items():
            if n == save["saver"]:
                continue
            at = next(
                (t for t, v in seen.get(row, []) if v >= version and t >= save["start"]), None
            )
            if at is None:
                meeting.errors.append(f"page {n} never saw row {row} version {version}")
                break
            latest = max(latest, at)
        else:
            timings.append((latest - save["start"]) * 1000)
    return timings


# Every revision of the run: text and version, to check each accepted save is there and was
# made on the version its form carried.
HISTORY = """
import json
from assessment.models import RowRevision
print(json.dumps([[r.after["what"], r.version] for r in RowRevision.objects.filter(
    sheet__event_id="{event_id}", kind="edited", after__what__endswith="{run}")]))
"""


def bench_meeting(results):
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "flushdb"], capture_output=True)
    env = postgres_env(
        "norsjo_bench_meeting",
        WEB_WORKERS="2",
        REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
    )
    event_id, rows = json.loads(django_shell(env, SETUP).splitlines()[-1])
    cookies = login_cookies(env, [f"bench-m{n}" for n in range(PARTICIPANTS)])
    run = uuid.uuid4().hex[:8]
    with Server(env) as server:
        meeting = asyncio.run(meet(server, event_id, rows, cookies, run))
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "flushdb"], capture_output=True)
    history = dict(
        json.loads(django_shell(env, HISTORY.format(event_id=event_id, run=run)).splitlines()[-1])
    )
    for (row, version), save in meeting.saves.items():
        if history.get(save["text"]) != version:
            meeting.errors.append(f"lost: row {row} version {version}")
        elif version != save["sent"] + 1:
            meeting.errors.append(f"overwrote unseen: row {row} version {version}")
    visible = visible_ms(meeting)
    server_cpu, client_cpu = meeting.cpu
    unit = (
        f"ms ({PARTICIPANTS} participants, {MEASURE_S} s, {len(visible)} saves, "
        "gunicorn 2 workers, PostgreSQL, Redis)"
    )
    results["meeting_edit_visible_p95_ms"] = {
        "value": round(percentile(visible, 0.95)),
        "unit": unit,
    }
    results["meeting_save_p95_ms"] = {
        "value": round(percentile(meeting.save_ms, 0.95)),
        "unit": unit,
    }
    results["meeting_errors"] = {
        "value": len(meeting.errors),
        "unit": "errors (5xx, timeout, lost write, unseen save, conflict not shown)"
        + (f": {meeting.errors[:3]}" if meeting.errors else ""),
    }
    results["meeting_conflicts"] = {"value": meeting.conflicts, "unit": "conflicts, shown"}
    results["meeting_server_cpu_s_per_participant_min"] = {
        "value": round(server_cpu / PARTICIPANTS / (MEASURE_S / 60), 3),
        "unit": f"CPU s (gunicorn master + 2 workers: {server_cpu:.1f} s in {MEASURE_S} s)",
    }
    results["meeting_client_cpu_s"] = {
        "value": round(client_cpu, 1),
        "unit": f"CPU s (the asyncio client, {MEASURE_S} s)",
    }


BENCHES = [bench_meeting]
