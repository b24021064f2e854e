"""The calendar invitation (.ics, iCalendar METHOD:REQUEST) for a startgrupp meeting."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vCalAddress
from icalendar import Event as VEvent


def meeting_title(convening) -> str:
    event = convening.event
    # A confidential event's company must not show in calendars others can see.
    name = event.case_number if event.confidential else event.title
    return f"Startgruppsmöte: {name}"


def convening_ics(convening, attendees, url: str) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//Norsjö kommun//Ärenden//SV")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = convening.event
    meeting = VEvent()
    # The same UID for every attendee: it is one meeting in everybody's calendar.
    meeting.add("uid", f"{convening.pk}@norsjo-arenden")
    meeting.add("dtstamp", timezone.now())
    meeting.add("dtstart", convening.meeting_at)
    meeting.add("dtend", convening.meeting_at + timedelta(minutes=convening.duration_minutes))
    meeting.add("summary", meeting_title(convening))
    # A confidential case's calendar entry carries no user-written text at all; the place
    # is on the case page.
    if convening.location and not event.confidential:
        meeting.add("location", convening.location)
    meeting.add("description", f"Handlingsplanen har aktiverats. Ärendet: {url}")
    organizer = vCalAddress(f"mailto:{convening.convened_by.email or settings.SERVER_EMAIL}")
    organizer.params["cn"] = str(convening.convened_by)
    meeting.add("organizer", organizer)
    for user in attendees:
        attendee = vCalAddress(f"mailto:{user.email}")
        attendee.params["cn"] = str(user)
        attendee.params["role"] = "REQ-PARTICIPANT"
        attendee.params["rsvp"] = "TRUE"
        meeting.add("attendee", attendee)
    calendar.add_component(meeting)
    return calendar.to_ical().decode()
