"""The client's booking page (confirmation), calendar file, cancelling.

The same pages in the widget: test_views_embed.py.
"""

import zoneinfo
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from booking.calendar import event_uid
from booking.models import BookingRequest
from tests.booking.views_helpers import (
    details_url,
    make_session,
    text,
    week_url,
)
from tests.factories import BookingRequestFactory

pytestmark = pytest.mark.django_db
Status = BookingRequest.Status
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


@pytest.fixture
def booking(business):
    session = make_session(business, days=3, hour=9)
    return BookingRequestFactory(
        session=session,
        client_name="Ada Lovelace",
        client_email="ada@example.com",
        client_timezone="Asia/Tokyo",
        notes="First lesson",
    )


def manage_url(booking, **query) -> str:
    url = reverse("booking:manage", args=[booking.access_token])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_booking_page_shows_everything_in_both_zones(client, business, booking):
    response = client.get(manage_url(booking))

    page = text(response)
    session = booking.session
    tokyo = session.starts_at.astimezone(TOKYO)
    assert response.status_code == 200
    assert booking.booking_reference in page
    assert "Approved" in page
    assert session.service.name in page
    assert f"{tokyo:%H:%M}</time>–" in page and "Asia/Tokyo (JST)" in page
    assert "Swim School Pro's time:" in page and "09:00–10:00 Europe/London" in page
    assert "Ada Lovelace" in page and "ada@example.com" in page
    assert f'href="tel:{business.phone}"' in page
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in page
    assert reverse("booking:ics", args=[booking.access_token]) in page
    assert reverse("booking:cancel", args=[booking.access_token]) in page
    assert "Your booking</h2>" in page and ">Booked</h2>" not in page


def test_the_booking_page_is_private(client, booking):
    response = client.get(manage_url(booking))
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert response["X-Frame-Options"] == "DENY"
    assert not response.cookies


def test_a_wrong_token_is_404(client, booking):
    assert client.get("/bookings/not-the-token/").status_code == 404
    assert client.get("/bookings/not-the-token/calendar.ics").status_code == 404
    assert client.post("/bookings/not-the-token/cancel/").status_code == 404


def test_the_page_can_show_another_zone(client, booking):
    page = text(client.get(manage_url(booking, tz="America/New_York")))
    assert "America/New_York (E" in page  # EST or EDT


@pytest.mark.parametrize(
    ("status", "phrase"),
    [
        (Status.CANCELLED, "This booking is cancelled."),
        (Status.REJECTED, "could not accept this booking. Their reason: “Pool closed”"),
    ],
)
def test_finished_bookings_say_so_and_offer_no_cancel(client, booking, status, phrase):
    booking.status = status
    booking.rejection_reason = "Pool closed"
    booking.save()
    page = text(client.get(manage_url(booking)))
    assert phrase in page
    assert reverse("booking:cancel", args=[booking.access_token]) not in page


def test_a_lapsed_request_reads_as_expired(client, booking):
    booking.status = Status.PENDING
    booking.expires_at = timezone.now() - timedelta(minutes=1)
    booking.save()
    page = text(client.get(manage_url(booking)))
    assert "This request lapsed before" in page
    assert "<dd>Expired</dd>" in page


def test_the_calendar_file_describes_the_booking(client, business, booking):
    response = client.get(reverse("booking:ics", args=[booking.access_token]))
    assert response["Content-Type"] == "text/calendar"
    assert (
        f'filename="{booking.booking_reference}.ics"' in response["Content-Disposition"]
    )
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == event_uid(booking)
    assert event.decoded("DTSTART") == booking.session.starts_at
    assert event.decoded("DTEND") == booking.session.ends_at
    assert str(event["SUMMARY"]) == f"{booking.session.service.name} · {business.name}"
    assert str(event["LOCATION"]) == business.address
    assert booking.booking_reference in str(event["DESCRIPTION"])


def test_cancel_asks_first_then_frees_the_spot(client, business, booking):
    session = booking.session
    cancel_url = reverse("booking:cancel", args=[booking.access_token])

    confirm = client.get(cancel_url)
    assert "Cancel your booking?" in text(confirm)
    assert "Yes, cancel my booking" in text(confirm)
    booking.refresh_from_db()
    assert booking.status == Status.APPROVED
    assert details_url(business, session) not in text(
        client.get(week_url(business, session.service))
    )

    response = client.post(cancel_url)

    assert response.status_code == 303
    assert response["Location"] == manage_url(booking)
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED
    assert booking.events.last().actor_label == "client"
    assert "This booking is cancelled." in text(client.get(manage_url(booking)))
    assert details_url(business, session) in text(
        client.get(week_url(business, session.service))
    )


def test_cancelling_twice_says_it_cannot(client, booking):
    cancel_url = reverse("booking:cancel", args=[booking.access_token])
    client.post(cancel_url)
    response = client.post(cancel_url)
    assert response.status_code == 409
    assert "it cannot be cancelled" in text(response)
    assert "This booking can no longer be cancelled" in text(client.get(cancel_url))


def test_no_cancel_link_or_cancel_once_the_session_has_started(client, business):
    start = timezone.now() - timedelta(minutes=5)
    session = make_session(business, days=0, hour=9)
    session.starts_at, session.ends_at = start, start + timedelta(hours=1)
    session.save()
    booking = BookingRequestFactory(session=session, client_email="ada@example.com")
    cancel = reverse("booking:cancel", args=[booking.access_token])

    assert cancel not in text(client.get(manage_url(booking)))
    response = client.post(cancel)

    assert response.status_code == 409
    assert "already started" in text(response)
    booking.refresh_from_db()
    assert booking.status == Status.APPROVED
