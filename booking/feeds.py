"""The owner's calendar feed: a secret URL serving the business's approved bookings.

Owners subscribe to it from Google Calendar, Apple Calendar or Outlook
(``links.calendar_feed_url`` / ``calendar_feed_webcal_url``). Whoever has the URL sees
client names and contacts, so the token is unguessable and can be replaced at any time
with ``calendar_feed_regenerate``; the old URL then stops working.
"""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from booking.calendar import PRODID, event_uid
from booking.links import dashboard_request_url
from booking.models import BookingRequest, BookingSettings, Business, new_token

# Keep recent history in the calendar: a lesson should not vanish the moment it ends.
PAST_DAYS = 30


def calendar_feed_regenerate(*, business: Business) -> str:
    """Give the business a new secret feed token (the old URL stops working)."""
    with transaction.atomic():
        settings = BookingSettings.objects.select_for_update().get(business=business)
        settings.calendar_feed_token = new_token()
        settings.save(update_fields=["calendar_feed_token", "updated_at"])
    business.booking_settings = settings
    return settings.calendar_feed_token


def feed_bookings(business: Business, *, now: datetime):
    """Approved bookings of sessions ending after ``now − PAST_DAYS``, soonest first."""
    return (
        BookingRequest.objects.filter(
            session__business=business,
            status=BookingRequest.Status.APPROVED,
            session__ends_at__gte=now - timedelta(days=PAST_DAYS),
        )
        .select_related("session__service", "session__business")
        .order_by("session__starts_at", "pk")
    )


def _event(booking: BookingRequest, *, now: datetime) -> Event:
    session = booking.session
    event = Event()
    # Not the client's UID: the owner's copy is a different event in another calendar.
    event.add("uid", f"owner-{event_uid(booking)}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", f"{booking.client_name} · {session.service.name}")
    lines = [f"Client: {booking.client_name}"]
    lines += [f"Email: {booking.client_email}"] if booking.client_email else []
    lines += [f"Phone: {booking.client_phone}"] if booking.client_phone else []
    lines += [f"Notes: {booking.notes}"] if booking.notes else []
    lines += [
        f"Reference: {booking.booking_reference}",
        f"Manage: {dashboard_request_url(booking)}",
    ]
    event.add("description", "\n".join(lines))
    if session.business.address:
        event.add("location", session.business.address)
    event.add("sequence", booking.sequence)
    event.add("status", "CONFIRMED")
    return event


def business_feed_ics(business: Business, *, now: datetime | None = None) -> bytes:
    """The iCalendar feed (METHOD:PUBLISH) of the business's approved bookings."""
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{business.name} bookings")
    calendar.add("x-wr-timezone", business.timezone)
    # Hints for how often subscribers refetch (Apple, Outlook; Google decides alone).
    calendar.add(
        "refresh-interval", timedelta(minutes=15), parameters={"VALUE": "DURATION"}
    )
    calendar.add("x-published-ttl", "PT15M")
    for booking in feed_bookings(business, now=now):
        calendar.add_component(_event(booking, now=now))
    return calendar.to_ical()


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    settings = (
        BookingSettings.objects.select_related("business")
        .filter(calendar_feed_token=token)
        .first()
    )
    if settings is None:
        raise Http404("No calendar feed here (it may have been replaced).")
    response = HttpResponse(
        business_feed_ics(settings.business),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{settings.business.slug}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
