"""Data migrations keep what production holds."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("events", "0006_task_rescheduled_at"), ("notices", "0001_initial")]
AFTER = [("events", "0007_notices_moved_to_their_app")]


def migrate(targets):
    """Migrate to `targets` (accounts always at its latest); the apps as they were then."""
    executor = MigrationExecutor(connection)
    accounts = [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] == "accounts"]
    executor.migrate([*targets, *accounts])
    return executor.loader.project_state([*targets, *accounts]).apps


@pytest.mark.django_db(transaction=True)
def test_the_outbox_rows_move_to_notices_with_their_targets_and_keys():
    apps = migrate(BEFORE)
    User = apps.get_model("accounts", "User")
    Event = apps.get_model("events", "Event")
    Task = apps.get_model("events", "Task")
    Notification = apps.get_model("events", "Notification")
    anna = User.objects.create(username="anna", email="anna@norsjo.example")
    event = Event.objects.create(
        case_number="KS 2026/0001",
        title="Varsel",
        kind="varsel",
        notice_status="aviserad",
        company_name="Granlunds Snickeri AB",
        impact_individ="hog",
        created_by=anna,
    )
    task = Task.objects.create(event=event, what="Ring facket", assignee=anna)
    due = datetime(2026, 12, 1, 12, tzinfo=UTC)
    gap = datetime(2026, 11, 20, 8, tzinfo=UTC)
    sent = datetime(2026, 11, 29, 9, tzinfo=UTC)
    common = {"event": event, "subject": "s", "body": "b", "url": "/x/"}
    Notification.objects.create(
        key=f"task_due:{task.pk}:{due.isoformat()}:{anna.pk}",
        kind="task_due",
        task=task,
        recipient=anna,
        occasion=due,
        sent_at=sent,
        **common,
    )
    Notification.objects.create(
        key=f"info_gap:{event.pk}:{anna.pk}:{int(gap.timestamp())}",
        kind="info_gap",
        recipient=anna,
        **common,
    )
    Notification.objects.create(
        key=f"task_assigned:{task.pk}:Kim@X.se", kind="task_assigned", email="Kim@X.se", **common
    )

    apps = migrate(AFTER)
    Notice = apps.get_model("notices", "Notice")
    ContentType = apps.get_model("contenttypes", "ContentType")
    task_type = ContentType.objects.get(app_label="events", model="task")
    event_type = ContentType.objects.get(app_label="events", model="event")
    reminder = Notice.objects.get(kind="task_due")
    assert (reminder.target_type, reminder.target_id, reminder.occasion) == (
        task_type,
        task.pk,
        due,
    )
    assert reminder.key == f"task_due:{task_type.pk}.{task.pk}:{anna.pk}:{due.isoformat()}"
    assert (reminder.sent_at, reminder.label, reminder.path) == (sent, "KS 2026/0001", "/x/")
    # The gap's start, once only in the key, is the occasion a later scan compares.
    info = Notice.objects.get(kind="info_gap")
    assert (info.target_type, info.occasion) == (event_type, gap)
    assert Notice.objects.get(kind="task_assigned").key.endswith(":kim@x.se:-")

    # Back to the latest schema for the tests that follow.
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())
