"""The calendar file (.ics) of a startgrupp meeting, as iTIP (RFC 5546) for a mail (iMIP,
RFC 6047): the invitation, its updates and its cancellation.

Every version of one meeting has the same UID and its own SEQUENCE (Convening.sequence),
so a calendar replaces what it has with the newest. Times are written one way for every
version and every attendee: local time in Europe/Stockholm (TZID) with its VTIMEZONE, as
RFC 5545 3.2.19 requires; never UTC in one mail and local time in the next.
"""

from datetime import date, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vCalAddress
from icalendar import Event as VEvent


def meeting_title(convening) -> str:
    event = convening.event
    # A confidential event's company must not show in calendars others can see.
    name = event.case_number if event.confidential else event.title
    return f"Startgruppsmöte: {name}"


def convening_ics(convening, attendees, url: str, *, organizer, withdrawn=False) -> str:
    """The meeting as it stands now, sent by `organizer` (who made the change: RFC 5546
    2.1.5 lets the organiser change with a new SEQUENCE):
    - METHOD:REQUEST naming `attendees`: the invitation, or an update of it;
    - METHOD:CANCEL, STATUS:CANCELLED once the meeting is cancelled;
    - with `withdrawn`, METHOD:CANCEL naming only `attendees`, without STATUS: they are no
      longer invited, the meeting goes on without them (RFC 5546 3.2.5).
    A confidential case's file carries no text anybody typed: no title, place or reason."""
    event = convening.event
    cancelled = convening.cancelled_at is not None
    calendar = Calendar()
    calendar.add("prodid", "-//Norsjö kommun//Ärenden//SV")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled or withdrawn else "REQUEST")
    meeting = VEvent()
    # The same UID for every attendee and version: it is one meeting in everybody's calendar.
    meeting.add("uid", f"{convening.pk}@norsjo-arenden")
    meeting.add("sequence", convening.sequence)
    meeting.add("dtstamp", timezone.now())
    # In the municipality's own time zone whatever the active one or the database's (UTC).
    start = timezone.localtime(convening.meeting_at, timezone.get_default_timezone())
    meeting.add("dtstart", start)
    # The end on the clock, as people read a meeting: one from 02:30 on the night summer time
    # ends runs to 03:30. An hour of real time would end at the second 02:30, which a local
    # time cannot name (RFC 5545 3.3.5 reads the first).
    meeting.add("dtend", start + timedelta(minutes=convening.duration_minutes))
    meeting.add("summary", meeting_title(convening))
    if cancelled:
        meeting.add("status", "CANCELLED")
    elif not withdrawn:
        meeting.add("status", "CONFIRMED")
    if convening.location and not event.confidential:
        meeting.add("location", convening.location)
    description = "Handlingsplanen har aktiverats."
    if cancelled:
        description = "Mötet är inställt."
        if not event.confidential:
            description += f" Skäl: {convening.cancel_reason}"
    meeting.add("description", f"{description}\n\nÄrendet: {url}")
    meeting.add("organizer", _address(organizer))
    for user in attendees:
        attendee = _address(user)
        if user == organizer:
            # The organiser among the attendees: no answer is asked of them.
            attendee.params["role"] = "CHAIR"
            attendee.params["partstat"] = "ACCEPTED"
        else:
            attendee.params["role"] = "REQ-PARTICIPANT"
            attendee.params["rsvp"] = "TRUE"
        meeting.add("attendee", attendee)
    calendar.add_component(meeting)
    # The time zone's rules for this year and the next only: the default (1970 to 2038) would
    # put some 3 KB of past transitions into every mail.
    calendar.add_missing_timezones(
        first_date=date(start.year, 1, 1), last_date=date(start.year + 1, 12, 31)
    )
    return calendar.to_ical().decode()


def _address(user) -> vCalAddress:
    # An account without an address still needs one: the site's own (its bare address,
    # not "Norsjö kommun <…>").
    address = vCalAddress(f"mailto:{user.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    address.params["cn"] = str(user)
    return address
