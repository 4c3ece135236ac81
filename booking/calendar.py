"""Calendar files and "add to calendar" links for a booking.

One UID per booking (``<reference>@<host>``), so a calendar app updates or removes the
same event when it gets a newer SEQUENCE or METHOD:CANCEL. Times are written in UTC.
"""

from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from booking.links import manage_url
from booking.models import BookingRequest

PRODID = "-//Booking Links//Bookings//EN"


def event_uid(booking: BookingRequest) -> str:
    host = urlsplit(settings.BOOKING_BASE_URL).hostname or "booking-links"
    return f"{booking.booking_reference}@{host}"


def event_title(booking: BookingRequest) -> str:
    session = booking.session
    return f"{session.service.name} · {session.business.name}"


def event_description(booking: BookingRequest, *, url: str) -> str:
    """The event's notes: reference, status, contact, and ``url`` (the booking's
    private page)."""
    lines = [
        f"Booking reference: {booking.booking_reference}",
        f"Status: {booking.get_status_display()}",
    ]
    business = booking.session.business
    contact = " · ".join(part for part in (business.phone, business.email) if part)
    if contact:
        lines.append(f"{business.name}: {contact}")
    lines.append(f"View or cancel: {url}")
    return "\n".join(lines)


def event_facts(booking: BookingRequest) -> dict:
    """What a calendar file or link says about ``booking`` now, as JSON-able text: an
    outbox row keeps it, so an invite built later says what was true at the change."""
    session = booking.session
    business = session.business
    url = manage_url(booking)
    return {
        "uid": event_uid(booking),
        "stamp": _utc_stamp(datetime.now(UTC)),
        "start": _utc_stamp(session.starts_at),
        "end": _utc_stamp(session.ends_at),
        "title": event_title(booking),
        "description": event_description(booking, url=url),
        "location": business.address,
        "url": url,
        "sequence": booking.sequence,
        "status": booking.status,
        "organizer": [business.email, business.name],
        "attendee": [booking.client_email, booking.client_name],
    }


def booking_ics(booking: BookingRequest, *, method: str = "PUBLISH") -> bytes:
    """An iCalendar file with one event for ``booking``.

    ``method``: PUBLISH for a download, REQUEST for an invitation email, CANCEL to
    remove the event from the client's calendar.
    """
    return ics_from(event_facts(booking), method=method)


def ics_from(facts: dict, *, method: str) -> bytes:
    """The iCalendar file of ``event_facts`` (see ``booking_ics``)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", facts["uid"])
    event.add("dtstamp", _instant(facts["stamp"]))
    event.add("dtstart", _instant(facts["start"]))
    event.add("dtend", _instant(facts["end"]))
    event.add("summary", facts["title"])
    event.add("description", facts["description"])
    if facts["location"]:
        event.add("location", facts["location"])
    event.add("url", facts["url"])
    event.add("sequence", facts["sequence"])
    status = facts["status"]
    cancelled = method == "CANCEL" or status in {
        BookingRequest.Status.CANCELLED,
        BookingRequest.Status.REJECTED,
        BookingRequest.Status.EXPIRED,
    }
    event.add(
        "status",
        "CANCELLED"
        if cancelled
        else "CONFIRMED"
        if status == BookingRequest.Status.APPROVED
        else "TENTATIVE",
    )
    organizer_email, organizer_name = facts["organizer"]
    if organizer_email:
        organizer = vCalAddress(f"mailto:{organizer_email}")
        organizer.params["cn"] = vText(organizer_name)
        event.add("organizer", organizer)
    attendee_email, attendee_name = facts["attendee"]
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params["cn"] = vText(attendee_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def _instant(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_calendar_url(booking: BookingRequest) -> str:
    """Google Calendar's "create event" link, dates in UTC."""
    return google_url_from(event_facts(booking))


def google_url_from(facts: dict) -> str:
    query = {
        "action": "TEMPLATE",
        "text": facts["title"],
        "dates": f"{facts['start']}/{facts['end']}",
        "details": facts["description"],
        "location": facts["location"],
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_calendar_url(booking: BookingRequest) -> str:
    """Outlook.com's "new event" deep link, dates in UTC (ISO 8601)."""
    return outlook_url_from(event_facts(booking))


def outlook_url_from(facts: dict) -> str:
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": facts["title"],
        "startdt": _instant(facts["start"]).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _instant(facts["end"]).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": facts["description"],
        "location": facts["location"],
    }
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(query)
