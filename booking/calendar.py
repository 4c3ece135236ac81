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


def event_description(booking: BookingRequest) -> str:
    lines = [
        f"Booking reference: {booking.booking_reference}",
        f"Status: {booking.get_status_display()}",
    ]
    business = booking.session.business
    contact = " · ".join(part for part in (business.phone, business.email) if part)
    if contact:
        lines.append(f"{business.name}: {contact}")
    lines.append(f"View or cancel: {manage_url(booking)}")
    return "\n".join(lines)


def booking_ics(booking: BookingRequest, *, method: str = "PUBLISH") -> bytes:
    """An iCalendar file with one event for ``booking``.

    ``method``: PUBLISH for a download, REQUEST for an invitation email, CANCEL to
    remove the event from the client's calendar.
    """
    session = booking.session
    business = session.business
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", event_uid(booking))
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", event_title(booking))
    event.add("description", event_description(booking))
    if business.address:
        event.add("location", business.address)
    event.add("url", manage_url(booking))
    event.add("sequence", booking.sequence)
    cancelled = method == "CANCEL" or booking.status in {
        BookingRequest.Status.CANCELLED,
        BookingRequest.Status.REJECTED,
        BookingRequest.Status.EXPIRED,
    }
    event.add(
        "status",
        "CANCELLED"
        if cancelled
        else "CONFIRMED"
        if booking.status == BookingRequest.Status.APPROVED
        else "TENTATIVE",
    )
    if business.email:
        organizer = vCalAddress(f"mailto:{business.email}")
        organizer.params["cn"] = vText(business.name)
        event.add("organizer", organizer)
    if booking.client_email:
        attendee = vCalAddress(f"mailto:{booking.client_email}")
        attendee.params["cn"] = vText(booking.client_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_calendar_url(booking: BookingRequest) -> str:
    """Google Calendar's "create event" link, dates in UTC."""
    session = booking.session
    query = {
        "action": "TEMPLATE",
        "text": event_title(booking),
        "dates": f"{_utc_stamp(session.starts_at)}/{_utc_stamp(session.ends_at)}",
        "details": event_description(booking),
        "location": session.business.address,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_calendar_url(booking: BookingRequest) -> str:
    """Outlook.com's "new event" deep link, dates in UTC (ISO 8601)."""
    session = booking.session
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event_title(booking),
        "startdt": session.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": session.ends_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": event_description(booking),
        "location": session.business.address,
    }
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(query)
