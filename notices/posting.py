"""Writing notices: one outbox row per message, in the caller's transaction. A row's `key`
is its natural key (kind, target, reader, occasion) under a unique constraint, so writing
the same reminder twice — a second scan, a second beat — is a no-op."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from accounts.people import normalise_email
from notices import kinds
from notices.kinds import Message
from notices.models import Notice
from notices.tasks import enqueue


def post(messages: list[Message], *, by=None) -> int:
    """See notices.post; messages to `by` are left out."""
    rows = [_row(m) for m in messages if not _is_actor(m.to, by)]
    if not rows:
        return 0
    written = _insert_postgresql(rows) if connection.vendor == "postgresql" else _insert(rows)
    enqueue(written)
    return len(written)


def _insert(rows: list[Notice]) -> list:
    """Write `rows`, skipping those whose key is taken; return the ids of those written."""
    Notice.objects.bulk_create(rows, ignore_conflicts=True)
    # The ids we generated (uuid4, in _row) are in the table only where our insert won: a
    # row that lost to an existing key was not written. By primary key alone: also
    # matching the keys would double the parameters and find nothing more.
    return list(Notice.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True))


def _insert_postgresql(rows: list[Notice]) -> list:
    """`_insert` in one statement: a column of values per field (unnest of arrays), and
    RETURNING the ids ON CONFLICT DO NOTHING wrote. A scan's batch of 500 rows through
    bulk_create is a VALUES list of 11,500 parameters, which psycopg splits in Python and
    PostgreSQL plans, and a second query to learn which rows won: together most of a
    reminder scan's time (bin/bench_reminders.py). The values go through each field's
    pre_save and get_db_prep_save as bulk_create sends them (CleanCharField's NFC
    included)."""
    fields = Notice._meta.concrete_fields
    columns = [
        [field.get_db_prep_save(field.pre_save(row, True), connection) for row in rows]
        for field in fields
    ]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    arrays = ", ".join(f"%s::{_element_type(field)}[]" for field in fields)
    table = connection.ops.quote_name(Notice._meta.db_table)
    # Names and types come from the model, every value is a parameter.
    sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) "  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql + "ON CONFLICT DO NOTHING RETURNING id", columns)
        return [pk for (pk,) in cursor.fetchall()]


def _element_type(field) -> str:
    # A cast to varchar(n) would cut a longer text without a word; as text, the column
    # refuses it as bulk_create's INSERT would.
    db_type = field.db_type(connection)
    return "text" if db_type.startswith("varchar") else db_type


def _is_actor(to, by) -> bool:
    if by is None:
        return False
    if isinstance(to, str):
        return bool(by.email) and normalise_email(to) == normalise_email(by.email)
    return to.pk == by.pk


def _row(m: Message) -> Notice:
    kind = kinds.get(m.kind)
    account = None if isinstance(m.to, str) else m.to
    reader = account.pk if account else normalise_email(m.to)
    target_type = ContentType.objects.get_for_model(m.target) if m.target is not None else None
    target = f"{target_type.pk}.{m.target.pk}" if target_type else "-"
    occasion = m.occasion.isoformat() if m.occasion else "-"
    subject = f"{kind.title} – {m.label}"
    if m.topic and not m.confidential:
        subject += f": {m.topic}"
    body = m.sentence
    if m.details and not m.confidential:
        body += f"\n\n{m.details}"
    # Someone without an account has nothing to open: a link would answer 404.
    if account:
        body += f"\n\nÖppna: {settings.SITE_URL}{m.path}"
    now = timezone.now()
    return Notice(
        key=f"{m.kind}:{target}:{reader}:{occasion}",
        kind=m.kind,
        recipient=account,
        email="" if account else m.to.strip(),
        reply_to=m.reply_to,
        label=m.label[:200],
        subject=_one_line(subject)[:200],
        body=body + "\n",
        path=m.path,
        target_type=target_type,
        target_id=m.target.pk if target_type else None,
        occasion=m.occasion,
        ics=m.ics,
        attachment_name=m.attachment[0] if m.attachment else "",
        attachment=m.attachment[1] if m.attachment else None,
        due_at=m.due_at or now,
        created_at=now,
    )


def _one_line(text: str) -> str:
    # A mail header cannot hold a line break; user text (a task's "vad") may.
    return " ".join(text.split())
