"""Calendar files and links: right instants in UTC, stable UID, across DST."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from booking.calendar import (
    booking_ics,
    event_uid,
    google_calendar_url,
    outlook_calendar_url,
)
from booking.links import booking_link, embed_snippet, manage_url
from tests.factories import (
    BookingRequestFactory,
    BusinessFactory,
    ServiceFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def booking(settings):
    settings.BOOKING_BASE_URL = "https://book.example.com"
    business = BusinessFactory(
        name="Swim School Pro", address="123 Pool Street", email="info@swimschool.com"
    )
    service = ServiceFactory(
        business=business, name="Private Lesson", duration_minutes=60
    )
    # 2026-03-29 is the day London moves to BST: 09:00 local is 08:00 UTC.
    start = datetime(2026, 3, 29, 9, 0, tzinfo=LONDON)
    session = SessionFactory(
        service=service, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    return BookingRequestFactory(
        session=session, client_name="Ada Lovelace", client_email="ada@example.com"
    )


def parse(ics: bytes):
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_ics_parses_back_with_the_right_instants(booking):
    calendar, event = parse(booking_ics(booking, method="REQUEST"))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTART") == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "Private Lesson · Swim School Pro"
    assert str(event["LOCATION"]) == "123 Pool Street"
    assert booking.booking_reference in str(event["DESCRIPTION"])
    assert manage_url(booking) in str(event["DESCRIPTION"])
    assert str(event["UID"]) == f"{booking.booking_reference}@book.example.com"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ATTENDEE"]) == "mailto:ada@example.com"
    assert str(event["ORGANIZER"]) == "mailto:info@swimschool.com"


def test_cancel_keeps_the_uid_and_raises_the_sequence(booking):
    _, first = parse(booking_ics(booking, method="REQUEST"))
    booking.sequence += 1
    booking.status = "cancelled"
    calendar, cancelled = parse(booking_ics(booking, method="CANCEL"))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert cancelled["UID"] == first["UID"] == event_uid(booking)
    assert cancelled.decoded("SEQUENCE") == first.decoded("SEQUENCE") + 1
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_pending_booking_is_tentative(booking):
    booking.status = "pending"
    _, event = parse(booking_ics(booking))
    assert str(event["STATUS"]) == "TENTATIVE"


def test_google_calendar_link_uses_utc(booking):
    query = parse_qs(urlsplit(google_calendar_url(booking)).query)
    assert query["dates"] == ["20260329T080000Z/20260329T090000Z"]
    assert query["text"] == ["Private Lesson · Swim School Pro"]
    assert query["location"] == ["123 Pool Street"]


def test_outlook_link_uses_utc(booking):
    query = parse_qs(urlsplit(outlook_calendar_url(booking)).query)
    assert query["startdt"] == ["2026-03-29T08:00:00Z"]
    assert query["enddt"] == ["2026-03-29T09:00:00Z"]


def test_links_use_the_public_base_url(booking):
    business = booking.session.business
    assert booking_link(business) == f"https://book.example.com/book/{business.slug}/"
    assert manage_url(booking).startswith("https://book.example.com/bookings/")
    assert booking.access_token in manage_url(booking)
    snippet = embed_snippet(business)
    assert f'src="https://book.example.com/embed/{business.slug}/"' in snippet
    assert 'title="Book with Swim School Pro"' in snippet
