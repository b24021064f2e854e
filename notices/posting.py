"""Writing notices: one outbox row per message, in the caller's transaction. A row's `key`
is its natural key (kind, target, reader, occasion) under a unique constraint, so writing
the same reminder twice — a second scan, a second beat — is a no-op."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
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
    Notice.objects.bulk_create(rows, ignore_conflicts=True)
    # The ids we generated are the new rows' ids only where our insert won.
    written = list(
        Notice.objects.filter(
            key__in=[r.key for r in rows], pk__in=[r.pk for r in rows]
        ).values_list("pk", flat=True)
    )
    enqueue(written)
    return len(written)


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
