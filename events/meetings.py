"""The startgrupp's meeting once it is called (events.services.convene_startgroup): moved or
cancelled by the startgrupp, every attendee's calendar kept in step (events.ics). Workflows
as in events.services, split off by resource: each takes the acting user as `by` and writes
the händelselogg in the same transaction."""

from django.db import transaction
from django.utils import timezone

from events.conflicts import Conflict, update_if_current
from events.models import Convening, LogEntry
from events.services import (
    add_log_entry,
    meeting_place,
    meeting_time,
    send_meeting,
    startgroup_of,
)


def _booked(convening: Convening) -> str:
    # For the log, which only the case's members read: the place as typed.
    place = f", {convening.location}" if convening.location else ""
    return meeting_time(convening) + place


@transaction.atomic
def move_meeting(convening: Convening, *, meeting_at, location: str, sequence: int, by) -> bool:
    """Move the meeting to `meeting_at` at `location` if it is still as the user's page
    showed it (`sequence`; else Conflict, events.conflicts). Every attendee but `by` is
    sent the new version: the same UID, SEQUENCE + 1, METHOD:REQUEST. Logged. False, with
    nothing sent, if it is already booked so (the same form posted twice)."""
    if not convening.is_coming:
        raise Conflict(convening)
    if (convening.meeting_at, convening.location) == (meeting_at, location):
        return False
    before, now = _booked(convening), timezone.now()
    _next_version(convening, sequence, now, meeting_at=meeting_at, location=location)
    event = convening.event
    attendees = startgroup_of(event)
    send_meeting(
        convening,
        "convening_moved",
        attendees,
        to=attendees,
        sentence=f"{by} har flyttat startgruppens möte i ärendet {event.case_number} till "
        f"{meeting_time(convening)}{meeting_place(convening)}.",
        by=by,
    )
    add_log_entry(
        event,
        by=by,
        kind=LogEntry.Kind.CONVENING,
        text=f"Startgruppens möte flyttades från {before} till {_booked(convening)}.",
    )
    return True


def _next_version(convening: Convening, sequence: int, now, **fields):
    """Save `fields` as the meeting's next version (SEQUENCE + 1) if it is still the version
    the user's page showed and neither held nor cancelled: a conditional UPDATE, so of two
    members changing it at once, one does; Conflict for the other. `convening` follows."""
    coming = Convening.objects.filter(held_at__isnull=True, cancelled_at__isnull=True)
    convening.sequence = update_if_current(
        coming, convening.pk, "sequence", sequence, changed_at=now, **fields
    )
    for field, value in fields.items():
        setattr(convening, field, value)
    convening.changed_at = now


@transaction.atomic
def cancel_meeting(convening: Convening, *, reason: str, sequence: int, by) -> bool:
    """Cancel the meeting if it is still as the user's page showed it (`sequence`; else
    Conflict). Every attendee but `by` is sent the cancellation: the same UID, SEQUENCE
    + 1, METHOD:CANCEL, STATUS:CANCELLED; `reason` only where the case is not confidential.
    Logged with the reason. False, with nothing sent, if it is cancelled already (the same
    form posted twice, or by someone else)."""
    if convening.cancelled_at is not None:
        return False
    if convening.held_at is not None:
        raise Conflict(convening)
    now = timezone.now()
    _next_version(convening, sequence, now, cancelled_at=now, cancel_reason=reason)
    event = convening.event
    attendees = startgroup_of(event)
    send_meeting(
        convening,
        "convening_cancelled",
        attendees,
        to=attendees,
        sentence=f"{by} har ställt in startgruppens möte i ärendet {event.case_number} "
        f"{meeting_time(convening)}.",
        details=f"Skäl: {reason}",
        by=by,
    )
    add_log_entry(
        event,
        by=by,
        kind=LogEntry.Kind.CONVENING,
        text=f"Startgruppens möte {_booked(convening)} ställdes in. Skäl: {reason}",
    )
    return True
