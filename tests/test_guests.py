"""External parties answer by invitation link (issue 17, items 2 and 3), through HTTP: the
link opens its own request only; guessed, expired and revoked links get the same 404; the
answer lands in the contact log and tells the requester; the guest pages set no cookie and
carry their headers; the rate limit holds across two server processes."""

import os
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.moments import clock
from assessment.models import Contact, ExternalParty
from events.models import LogEntry
from guests import reminders
from guests.models import GuestRequest, GuestVisit
from notices.models import Notice
from tests.conftest import BASE_DIR, free_port, worker_database_url

LINK = re.compile(r"http://[^/\s]+(/gast/[^/\s]+/)")
ORIGIN = {"Origin": "http://testserver"}


def a_party(event, user, organisation="Advokatfirman Ek", email="eva@ek.example"):
    return ExternalParty.objects.create(
        event=event,
        type=ExternalParty.Type.KONKURSFORVALTARE,
        organisation=organisation,
        contact_person="Eva Ek",
        email=email,
        created_by=user,
    )


@pytest.fixture
def party(cast):
    return a_party(cast.event, cast.arbetsgrupp)


def in_days(days: float) -> str:
    return clock(timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def send(client, cast, party, question="Hur många av de anställda har sagts upp?", **extra):
    client.force_login(cast.arbetsgrupp)
    data = {"kind": "question", "question": question, "due_at": in_days(3), **extra}
    return client.post(reverse("guest_requests", args=[cast.event.pk, party.pk]), data)


def sent_link(client, cast, party, mailoutbox, **kwargs) -> str:
    """Send a request as Sara and return the path of the link in its mail."""
    response = send(client, cast, party, **kwargs)
    assert response.status_code == 302, response.content.decode()
    return LINK.search(mailoutbox[-1].body).group(1)


@pytest.fixture
def guest(client):
    """The guest's browser: no account, no cookies of ours."""
    client.logout()
    client.cookies.clear()
    return client


def test_the_link_shows_only_its_request(client, cast, party, mailoutbox):
    cast.event.title = "Hemlig rubrik om Granlunds"
    cast.event.save()
    path = sent_link(client, cast, party, mailoutbox)
    mail = mailoutbox[-1]
    assert mail.to == ["eva@ek.example"]
    assert cast.event.case_number in mail.subject
    response = client.get(path)
    page = response.content.decode()
    assert response.status_code == 200
    for shown in (cast.event.case_number, "Hur många av de anställda", "Sara Eklund"):
        assert shown in page
    for hidden in (cast.event.title, cast.event.company_name, "Granlunds"):
        assert hidden not in page
        assert hidden not in mail.body


def test_a_link_cannot_read_or_answer_another_request(client, cast, party, mailoutbox):
    other_party = a_party(cast.event, cast.arbetsgrupp, "Unionen", "avd@unionen.example")
    mine = sent_link(client, cast, party, mailoutbox, question="Fråga till Ek")
    theirs = sent_link(client, cast, other_party, mailoutbox, question="Fråga till Unionen")
    client.logout()
    page = client.get(mine).content.decode()
    assert "Fråga till Ek" in page
    assert "Fråga till Unionen" not in page
    client.post(mine, {"answer": "Svar från Ek"}, headers=ORIGIN)
    assert GuestRequest.objects.get(question="Fråga till Unionen").answered_at is None
    assert "Svar från Ek" not in client.get(theirs).content.decode()
    # The request's id in the member's URL opens nothing for the guest.
    ek = GuestRequest.objects.get(question="Fråga till Ek")
    assert client.get(f"/gast/{ek.pk}/").status_code == 404


def test_guessed_expired_and_revoked_links_get_the_same_404(client, cast, party, mailoutbox):
    expiring = sent_link(client, cast, party, mailoutbox, question="Går ut")
    revoked = sent_link(client, cast, party, mailoutbox, question="Återkallas")
    request = GuestRequest.objects.get(question="Återkallas")
    revoke = reverse("guest_request_revoke", args=[cast.event.pk, party.pk, request.pk])
    assert client.post(revoke).status_code == 302
    client.logout()
    guessed = client.get("/gast/" + "A" * 43 + "/")
    assert guessed.status_code == 404
    assert client.get(revoked).content == guessed.content
    assert client.get(revoked).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)):
        expired = client.get(expiring)
    assert expired.status_code == 404
    assert expired.content == guessed.content
    assert b"Hur m\xc3\xa5nga" not in guessed.content


def test_after_answering_the_page_is_read_only(client, cast, party, mailoutbox):
    path = sent_link(client, cast, party, mailoutbox)
    client.logout()
    assert client.post(path, {"answer": "Trettioåtta."}, headers=ORIGIN).status_code == 302
    page = client.get(path).content.decode()
    assert "Trettioåtta." in page
    assert "<form" not in page
    assert "<textarea" not in page
    again = client.post(path, {"answer": "Ändrat svar"}, headers=ORIGIN)
    assert "Ändrat svar" not in client.get(path).content.decode()
    assert again.status_code in (200, 302)
    assert GuestRequest.objects.get().answer == "Trettioåtta."
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert client.get(path).status_code == 404


def test_the_answer_lands_in_the_contact_log_and_tells_the_requester(
    client, cast, party, mailoutbox
):
    path = sent_link(client, cast, party, mailoutbox)
    client.logout()
    client.post(path, {"answer": "38 personer, varav 12 i Norsjö."}, headers=ORIGIN)
    contact = Contact.objects.get(party=party)
    assert contact.direction == Contact.Direction.RECEIVED
    assert "38 personer, varav 12 i Norsjö." in contact.text
    notice = Notice.objects.get(kind="guest_answered")
    assert notice.recipient == cast.arbetsgrupp
    assert cast.event.case_number in notice.subject
    client.force_login(cast.arbetsgrupp)
    page = client.get(reverse("party_detail", args=[cast.event.pk, party.pk])).content.decode()
    assert "38 personer, varav 12 i Norsjö." in page
    assert LogEntry.objects.filter(event=cast.event, text__contains="38 personer").exists()


def test_every_open_and_answer_is_logged_with_time_and_address(client, cast, party, mailoutbox):
    path = sent_link(client, cast, party, mailoutbox)
    client.logout()
    client.get(path, REMOTE_ADDR="203.0.113.7")
    client.post(path, {"answer": "Ja."}, headers=ORIGIN, REMOTE_ADDR="203.0.113.8")
    visits = [(v.kind, v.address) for v in GuestVisit.objects.order_by("at", "id")]
    assert visits[0] == ("open", "203.0.113.7")
    assert ("answer", "203.0.113.8") in visits
    assert all(v.at for v in GuestVisit.objects.all())


def test_a_task_to_confirm_is_confirmed_without_a_comment(client, cast, party, mailoutbox):
    path = sent_link(
        client, cast, party, mailoutbox, kind="confirm", question="Lokalen bokas 3 februari."
    )
    client.logout()
    client.post(path, {"answer": ""}, headers=ORIGIN)
    assert "Bekräftat via länk: Lokalen bokas 3 februari." in Contact.objects.get().text


def test_an_answer_from_another_origin_is_refused(client, cast, party, mailoutbox):
    path = sent_link(client, cast, party, mailoutbox)
    client.logout()
    for headers in (
        {"Origin": "https://evil.example"},
        {},
        {"Origin": "null"},
        # A sandboxed frame elsewhere: its Origin is null, and Fetch Metadata says so.
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://testserver", "Sec-Fetch-Site": "same-site"},
    ):
        response = client.post(path, {"answer": "Förfalskat"}, headers=headers)
        assert response.status_code == 403
        assert "Svaret togs inte emot" in response.text
    assert GuestRequest.objects.get().answered_at is None


def test_an_answer_from_our_own_page_under_no_referrer_is_taken(client, cast, party, mailoutbox):
    # What a browser sends from the guest page itself: Referrer-Policy no-referrer makes
    # its Origin "null" (Fetch); Sec-Fetch-Site says it is our page.
    path = sent_link(client, cast, party, mailoutbox)
    client.logout()
    headers = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert client.post(path, {"answer": "Ja."}, headers=headers).status_code == 302
    assert GuestRequest.objects.get().answer == "Ja."


@pytest.mark.parametrize("case", ["open", "answer", "404", "other"])
def test_guest_pages_set_no_cookie_and_carry_their_headers(client, cast, party, mailoutbox, case):
    path = sent_link(client, cast, party, mailoutbox)
    # Sara's own browser: her session cookie goes along and is neither read, renewed
    # nor deleted.
    session_cookie = client.cookies["sessionid"].value
    if case == "open":
        response = client.get(path)
    elif case == "answer":
        response = client.post(path, {"answer": "Ja."}, headers=ORIGIN)
    elif case == "404":
        response = client.get("/gast/gissad/")
    else:
        response = client.get("/gast/")
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert client.cookies["sessionid"].value == session_cookie
    if case == "open":
        assert "Sara Eklund" not in response.content.decode().split("<main")[0]


def test_the_database_holds_no_token_in_clear(client, cast, party, mailoutbox):
    path = sent_link(client, cast, party, mailoutbox)
    token = path.split("/")[2]
    assert len(token) >= 43  # 32 random bytes, base64url
    client.logout()
    client.get(path)
    client.post(path, {"answer": "Ja."}, headers=ORIGIN)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the schema)
            for row in cursor.fetchall():
                assert not any(token in str(value) for value in row), table


def test_a_confidential_case_shows_the_mail_before_sending(client, cast, party, mailoutbox):
    cast.event.confidential = True
    cast.event.save()
    response = send(client, cast, party, question="Kan ni bekräfta antalet?")
    page = response.content.decode()
    assert response.status_code == 200
    assert not mailoutbox
    assert not GuestRequest.objects.exists()
    assert "konfidentiellt" in page
    assert "Kan ni bekräfta antalet?" in page
    assert cast.event.case_number in page
    key = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    data = {
        "kind": "question",
        "question": "Kan ni bekräfta antalet?",
        "due_at": in_days(3),
        "submission": key,
        "send": "1",
    }
    url = reverse("guest_requests", args=[cast.event.pk, party.pk])
    edit = client.post(url, {**data, "send": "", "edit": "1"})
    assert "Kan ni bekräfta antalet?" in edit.text
    assert "<textarea" in edit.text
    assert not mailoutbox
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a second click sends nothing
    assert len(mailoutbox) == 1
    assert cast.event.title not in mailoutbox[0].body
    assert "Kan ni bekräfta antalet?" in mailoutbox[0].body


def test_the_request_list_costs_the_same_queries_for_ten_times_the_requests(
    client, cast, party, mailoutbox
):
    url = reverse("guest_requests", args=[cast.event.pk, party.pk])

    def queries_for_page():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    sent_link(client, cast, party, mailoutbox)
    one = queries_for_page()
    for n in range(9):
        sent_link(client, cast, party, mailoutbox, question=f"Fråga {n}")
    assert queries_for_page() == one


def test_a_due_time_past_or_beyond_the_link_is_refused_keeping_the_text(client, cast, party):
    for due in (in_days(-1), in_days(20)):
        response = send(client, cast, party, question="Min fråga", due_at=due)
        assert response.status_code == 200
        assert "Min fråga" in response.content.decode()
    assert not GuestRequest.objects.exists()


def test_a_refusing_mail_server_makes_no_request(client, cast, party, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    response = send(client, cast, party, question="Går inte iväg")
    assert response.status_code == 200
    assert "kunde inte skickas" in response.content.decode()
    assert "Går inte iväg" in response.content.decode()
    assert not GuestRequest.objects.exists()
    assert not LogEntry.objects.filter(text__contains="Går inte iväg").exists()


def test_an_overdue_request_reminds_the_requester_once(client, cast, party, mailoutbox):
    sent_link(client, cast, party, mailoutbox)
    later = timezone.now() + timedelta(days=4)
    assert reminders.scan(later) == 1
    assert reminders.scan(later) == 0
    notice = Notice.objects.get(kind="guest_overdue")
    assert notice.recipient == cast.arbetsgrupp


def test_an_answered_request_reminds_nobody(client, cast, party, mailoutbox):
    path = sent_link(client, cast, party, mailoutbox)
    client.logout()
    client.post(path, {"answer": "Ja."}, headers=ORIGIN)
    assert reminders.scan(timezone.now() + timedelta(days=4)) == 0


def test_the_rate_limit_per_link_holds(client, cast, party, mailoutbox, settings):
    settings.GUEST_RATE_PER_TOKEN = 3
    path = sent_link(client, cast, party, mailoutbox)
    client.logout()
    assert [client.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_rate_limit_per_address_stops_guessing(client, cast, settings):
    settings.GUEST_RATE_PER_ADDRESS = 5
    codes = [client.get(f"/gast/gissning{n}/").status_code for n in range(6)]
    assert codes == [404] * 5 + [429]
    assert client.get("/gast/gissning/", REMOTE_ADDR="198.51.100.9").status_code == 404


# Two real server processes on one database ---------------------------------------------------


class Server:
    """`manage.py runserver` in its own process, against the test database."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        with log.open("w") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "runserver",
                    "--noreload",
                    "--skip-checks",
                    f"127.0.0.1:{self.port}",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while self.process.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except OSError:
                time.sleep(0.1)
                continue
            # Ready once it answers: its first request loads every view (seconds on a busy
            # machine). /healthz is not a guest page: the limits count nothing here.
            self.status("/healthz", timeout=90)
            return
        self.stop()
        pytest.fail(f"runserver did not start:\n{log.read_text()[-3000:]}", pytrace=False)

    def status(self, path: str, timeout: float = 30) -> int:
        try:
            with urlopen(Request(f"http://127.0.0.1:{self.port}{path}"), timeout=timeout) as r:
                return r.status
        except HTTPError as error:
            return error.code

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "DEBUG": "true",
        "VAR_DIR": str(tmp_path),
        "GUEST_RATE_PER_TOKEN": "4",
    }
    servers = [Server(env, tmp_path / "first.log"), Server(env, tmp_path / "second.log")]
    yield servers
    for server in servers:
        server.stop()


def test_the_rate_limit_holds_across_two_server_processes(two_servers, cast_live, mailoutbox):
    from django.test import Client

    cast = cast_live
    party = a_party(cast.event, cast.arbetsgrupp)
    path = sent_link(Client(), cast, party, mailoutbox)
    first, second = two_servers
    codes = [first.status(path), second.status(path), first.status(path), second.status(path)]
    assert codes == [200] * 4
    # Each process has seen two: a count per process would let both take two more.
    assert first.status(path) == 429
    assert second.status(path) == 429
