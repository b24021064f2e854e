"""Bench of the start page (`make bench BENCH=start`): "Väntar på dig" and the case list for
a user on 50 cases with 500 items waiting, through warm gunicorn as event_page_median_ms is
measured, beside a floor (/robots.txt) measured by the same server in the same run."""

from bench import Server, bench_env, django_shell, login_cookie

CASES = 50

# 50 varsel cases for bench_start (startgrupp, the reporter) with a colleague, each with ten
# items waiting for bench_start: a task, a follow-up, a meeting, the varsel clock's three
# milestones, a press text to fact-check and one to approve, a report to approve and the
# next report due. Times are set again on every run, so a database kept from an earlier
# day still has all 500; prints how many wait.
SETUP = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from commsplan.models import PressText
from commsplan.services import plan_for
from events.access import events_for_user
from events.models import Convening, Event, Membership, Task
from events.waiting import waiting_for
from reports.models import Report
user, _ = User.objects.get_or_create(username="bench_start",
    defaults={"first_name": "Anna", "last_name": "Lindqvist"})
colleague, _ = User.objects.get_or_create(username="bench_start_colleague",
    defaults={"first_name": "Jonas", "last_name": "Berg"})
checker, _ = User.objects.get_or_create(username="bench_start_checker",
    defaults={"first_name": "Erik", "last_name": "Nordström"})
now = timezone.now()
cases = Event.objects.filter(case_number__startswith="BENCH START ")
if not cases.exists():
    events = Event.objects.bulk_create([Event(case_number=f"BENCH START {i}",
        title=f"Varsel vid Företag {i} AB", kind="varsel", notice_status="aviserad",
        company_name=f"Företag {i} AB", impact_individ="hog", created_by=user,
        reporter=user, report_interval_days=7) for i in range(%(cases)d)])
    Membership.objects.bulk_create([Membership(event=e, user=u, group="startgrupp")
        for e in events for u in (user, colleague)])
    Task.objects.bulk_create([t for e in events for t in (
        Task(event=e, what="Ring facket om varslet", assignee=user),
        Task(event=e, what="Boka lokal för informationsmöte", assignee=colleague,
             delegated_by=user))])
    Convening.objects.bulk_create([Convening(event=e, meeting_at=now, convened_by=user)
        for e in events])
    PressText.objects.bulk_create([PressText(row=row, title="Kommunen stöttar de varslade",
        body="<p>Stöd.</p>", author=colleague, contact=colleague, **step)
        for row in [plan_for(e).rows.get(position=0) for e in events]
        for step in ({"fact_check_requested_at": now}, {"status": "faktagranskad",
            "fact_checked_by": checker, "fact_checked_at": now})])
    Report.objects.bulk_create([Report(event=e, version=1, content={}, author=colleague,
        approval_requested_at=now) for e in events])
# Registered just now, with the meeting within the hour: the meeting, not the six answers,
# waits (events.waiting), as on a case the startgrupp convened in time.
cases.update(announced_on=timezone.localdate(), reporting_since=now - timedelta(days=6),
    created_at=now)
Task.objects.filter(event__in=cases, assignee=user).update(due_at=now + timedelta(days=3))
Task.objects.filter(event__in=cases, delegated_by=user).update(
    follow_up_at=now + timedelta(days=1))
Convening.objects.filter(event__in=cases).update(meeting_at=now + timedelta(hours=1))
print(len(waiting_for(user, events_for_user(user), now)))
"""

QUERY_COUNT = """
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from accounts.models import User
client = Client()
client.force_login(User.objects.get(username="bench_start"))
client.get("/")  # the session's once-a-minute refresh out of the way
with CaptureQueriesContext(connection) as ctx:
    assert client.get("/").status_code == 200
print(len(ctx.captured_queries))
"""


def bench_start_page(results):
    env = bench_env()
    waiting = int(django_shell(env, SETUP % {"cases": CASES}).splitlines()[-1])
    assert waiting == 10 * CASES, waiting
    session = login_cookie(env, "bench_start")
    with Server(env) as server:
        results["start_page_floor_median_ms"] = {
            "value": server.median_ms("/robots.txt"),
            "unit": "ms (/robots.txt, same server and run)",
        }
        results["start_page_median_ms"] = {
            "value": server.median_ms("/", {"Cookie": session}, runs=100),
            "unit": f"ms ({CASES} cases, {waiting} waiting, gunicorn, SQLite)",
        }
    queries = int(django_shell(env, QUERY_COUNT).splitlines()[-1])
    results["start_page_queries"] = {
        "value": queries,
        "unit": "queries (same at a tenth of the cases, see tests/test_waiting.py)",
    }


BENCHES = [bench_start_page]
