# The outbox moved to the notices app (notices.Notice): its rows are copied there, with
# their targets and natural keys in the new form, so that nothing is sent twice or lost.

import unicodedata
from datetime import UTC, datetime

from django.db import migrations

OWNERS = {"convening": "convening", "report": "report"}


def copy_to_notices(apps, schema_editor):
    Notification = apps.get_model("events", "Notification")
    Notice = apps.get_model("notices", "Notice")
    ContentType = apps.get_model("contenttypes", "ContentType")

    def content_type(app_label, model):
        return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]

    types = {
        "event": content_type("events", "event"),
        "task": content_type("events", "task"),
        "convening": content_type("events", "convening"),
        "report": content_type("reports", "report"),
    }
    rows = []
    for n in Notification.objects.select_related("event").iterator():
        parts = n.key.split(":")
        occasion = n.occasion
        if n.task_id:
            target, target_id = "task", n.task_id
        elif n.kind in OWNERS:
            # Their keys held the convening's or the report's id: "convening:<id>:<user>".
            target, target_id = OWNERS[n.kind], parts[1]
        else:
            target, target_id = "event", n.event_id
        if n.kind == "info_gap" and occasion is None:
            # "info_gap:<event>:<user>:<start of the gap, epoch seconds>"
            occasion = datetime.fromtimestamp(int(parts[3]), tz=UTC)
        ct = types[target]
        reader = n.recipient_id or unicodedata.normalize("NFKC", n.email).strip().casefold()
        rows.append(
            Notice(
                id=n.id,
                key=f"{n.kind}:{ct.pk}.{target_id}:{reader}:"
                + (occasion.isoformat() if occasion else "-"),
                kind=n.kind,
                recipient_id=n.recipient_id,
                email=n.email,
                label=n.event.case_number,
                subject=n.subject,
                body=n.body,
                path=n.url,
                target_type=ct,
                target_id=target_id,
                occasion=occasion,
                ics=n.ics,
                attachment_name=n.attachment_name,
                attachment=n.attachment,
                due_at=n.due_at,
                created_at=n.created_at,
                read_at=n.read_at,
                claimed_at=n.claimed_at,
                attempts=n.attempts,
                sent_at=n.sent_at,
                cancelled_at=n.cancelled_at,
            )
        )
    Notice.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_task_rescheduled_at"),
        ("notices", "0001_initial"),
        ("reports", "0001_reports"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_to_notices, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
