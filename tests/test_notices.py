"""What other programs read of a notice's mail: the bytes Django's SMTP backend puts on the
wire, read back by a modern and a legacy parser (issue 14: subjects that decode to what was
sent; calendar parts where calendar clients look for them)."""

import re
from datetime import timedelta
from email import message_from_bytes, policy
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import mailers
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import reminders
from events.models import Task
from notices import outbox
from notices.models import Notice
from notices.outbox import NoticeMail
from tests.conftest import free_port
from tests.test_meeting import SECOND, cancel, log_event, move

# A reminder's subject as users wrote it (issue 14, item 6): it arrived as
# "skatteintäkterfrån", or with two spaces.
REPORTED = "Ta fram siffror på kommunens skatteintäkter från de berörda"
WORDS = (
    "Försenad uppgift – KS 2026/0001: Ta fram siffror på kommunens skatteintäkter från "
    "de berörda företagen och ring Åsa på Arbetsförmedlingen om de 38 som är varslade "
) * 2
ENCODED_WORD = re.compile(rb"=\?[^?]+\?[qQbB]\?[^?]*\?=")


class Wire:
    """Stands in for smtplib's connection: keeps the bytes Django's SMTP backend sends."""

    def __init__(self):
        self.sent = []

    def sendmail(self, from_addr, to_addrs, msg):
        self.sent.append(msg)


def on_the_wire(mails, settings) -> list[bytes]:
    """The bytes of each mail as Django's SMTP backend sends them."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1"},
        }
    }
    backend = mailers.default
    backend.connection = Wire()
    backend.send_messages(mails)
    return backend.connection.sent


class Received:
    """A real SMTP server on loopback that keeps every message's bytes as they arrived."""

    def __init__(self):
        self.raw = []

    async def handle_DATA(self, server, session, envelope):
        self.raw.append(envelope.original_content)
        return "250 OK"


@pytest.fixture
def mail_server(settings):
    """The outbox mails through Django's SMTP backend to a server on loopback."""
    received = Received()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "use_tls": False},
        }
    }
    yield received
    controller.stop()


def subjects_read_back(raw: bytes) -> tuple[str, str, str]:
    """The Subject as a modern parser (email.policy.default) reads it, and as a legacy one
    does (decode_header, joined by make_header and piece by piece)."""
    modern = message_from_bytes(raw, policy=policy.default)["Subject"]
    header = message_from_bytes(raw, policy=policy.compat32)["Subject"]
    pieces = "".join(
        text.decode(charset or "ascii") if isinstance(text, bytes) else text
        for text, charset in decode_header(header)
    )
    return str(modern), str(make_header(decode_header(header))), pieces


def assert_subject_as_the_standards_say(raw: bytes):
    """Lines of at most 78 (RFC 5322 2.1.1), encoded words of at most 75 holding whole
    characters (RFC 2047 2 and 5)."""
    head = raw.split(b"\r\n\r\n")[0]
    assert max(map(len, head.split(b"\r\n"))) <= 78
    for word in ENCODED_WORD.findall(head):
        assert len(word) <= 75
        [(octets, charset)] = decode_header(word.decode())
        octets.decode(charset)  # whole characters: a split UTF-8 sequence raises


def with_letter(length: int, offset: int) -> str:
    """WORDS cut to `length`, with å, ä or ö at `offset` (the letter changes with it)."""
    text = WORDS[:length]
    return text[:offset] + "åäö"[offset % 3] + text[offset + 1 :]


# Subjects of 40 to 200 characters, a Swedish letter at every offset: wherever the fold
# falls, letters are on both sides of it, next to a space and not.
SUBJECTS = sorted(
    {
        subject
        for length in [*range(40, 200, 16), 200]
        for offset in range(length)
        # Not where a subject would begin or end with a space (subjects are stripped).
        if (subject := with_letter(length, offset)) == subject.strip()
    }
)


def test_every_subject_reads_back_as_written_in_a_modern_and_a_legacy_parser(settings):
    mails = [NoticeMail(subject=s, body="x", to=["lena@norsjo.example"]) for s in SUBJECTS]
    wrong = []
    for subject, raw in zip(SUBJECTS, on_the_wire(mails, settings), strict=True):
        if set(subjects_read_back(raw)) != {subject}:
            wrong.append(subject)
        assert_subject_as_the_standards_say(raw)
    assert len(SUBJECTS) > 1200
    assert wrong == []


@pytest.mark.parametrize(
    "what",
    [
        REPORTED,
        "Ta fram siffror på kommunens skatteintäkter från de berörda och de nyanställda",
        "Boka lokal",
        "Öppna träffpunkt för de varslade på biblioteket " * 5,
    ],
)
def test_a_reminder_subject_arrives_over_smtp_as_written(cast, mail_server, what):
    Task.objects.create(
        event=cast.event,
        what=what.strip(),
        assignee=cast.task_holder,
        delegated_by=cast.arbetsgrupp,
        due_at=timezone.now() - timedelta(hours=1),
    )
    reminders.scan()
    notice = Notice.objects.get(kind="task_overdue")
    assert outbox.send(notice.pk)
    [raw] = mail_server.raw
    assert set(subjects_read_back(raw)) == {notice.subject}
    assert notice.subject.endswith(what.strip()[: 200 - len(notice.subject)])
    assert_subject_as_the_standards_say(raw)


def mime_tree(part) -> list:
    """(content type with its parameters, disposition, children) of a parsed message."""
    children = [mime_tree(child) for child in part.iter_parts()] if part.is_multipart() else []
    params = {k: v for k, v in part.get_params()[1:] if k != "boundary"}
    return [part.get_content_type(), params, part.get_content_disposition(), children]


def test_a_calendar_arrives_where_calendar_clients_look_with_the_calendars_method(
    client, cast, mail_server
):
    def send_all():
        for pk in Notice.objects.filter(sent_at__isnull=True).values_list("pk", flat=True):
            outbox.send(pk)

    convening = log_event(client, cast.kommunchef, cast.startgrupp)
    send_all()
    move(client, convening, by=cast.kommunchef, at=SECOND, sequence=0)
    send_all()
    cancel(client, convening, by=cast.kommunchef, reason="Fel dag.", sequence=1)
    send_all()
    messages = [message_from_bytes(raw, policy=policy.default) for raw in mail_server.raw]
    # The invitation, the move and the cancellation to the three others; none to Anna.
    assert len(messages) == 9
    assert cast.kommunchef.email not in {m["To"] for m in messages}
    methods = []
    for message in messages:
        [alternative, attachment] = message.iter_parts()
        [text, calendar] = alternative.iter_parts()
        method = str(Calendar.from_ical(calendar.get_content())["METHOD"])
        calendar_type = ["text/calendar", {"method": method, "charset": "utf-8"}]
        assert mime_tree(message) == [
            "multipart/mixed",
            {},
            None,
            [
                [
                    "multipart/alternative",
                    {},
                    None,
                    [["text/plain", {"charset": "utf-8"}, None, []], [*calendar_type, None, []]],
                ],
                [*calendar_type, "attachment", []],
            ],
        ]
        assert attachment.get_filename() == "kallelse.ics"
        assert attachment.get_content() == calendar.get_content()
        assert reverse("event_detail", args=[convening.event_id]) in text.get_content()
        methods.append(method)
    assert sorted(methods) == ["CANCEL"] * 3 + ["REQUEST"] * 6
