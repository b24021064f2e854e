from django.utils import timezone

from events.models import Event, LogEntry


def add_log_entry(event: Event, *, by, text: str, happened_at=None) -> LogEntry:
    now = timezone.now()
    return LogEntry.objects.create(
        event=event, author=by, text=text, created_at=now, happened_at=happened_at or now
    )
