"""Times on the reader's 12- or 24-hour clock (Accept-Language, Babel's CLDR data),
always with the zone named; pages that show times vary on Accept-Language."""

from datetime import UTC, datetime

import pytest
import time_machine

from booking.clock import clock, hour_cycle
from tests.booking.views_helpers import details_url, text, week_url
from tests.factories import BookingRequestFactory, ServiceFactory, SessionFactory

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "cycle"),
    [
        ("en-US,en;q=0.9", "12"),
        ("en-GB,en;q=0.9", "24"),
        ("de-DE", "24"),
        ("ja", "24"),
        ("hi-IN", "12"),
        ("fr;q=0.5, en-US", "12"),  # the most wanted first, whatever the order
        ("en-US;q=0, de", "24"),  # q=0: not wanted
        ("xx-YY, ko", "12"),  # an unknown tag is skipped
        ("", "24"),
        ("*", "24"),
        ("en-US;q=abc", "24"),
    ],
)
def test_the_clock_follows_the_readers_language(header, cycle):
    assert hour_cycle(header) == cycle


def test_times_on_each_clock():
    morning = datetime(2026, 3, 28, 9, 5, tzinfo=UTC)
    assert clock(morning, "24") == "09:05"
    assert clock(morning, "12") == "9:05 AM"
    assert clock(morning.replace(hour=0), "12") == "12:05 AM"
    assert clock(morning.replace(hour=12), "12") == "12:05 PM"
    assert clock(morning.replace(hour=17), "12") == "5:05 PM"


@pytest.mark.django_db
def test_the_week_and_details_use_the_readers_clock_with_the_zone_named(
    client, business
):
    with time_machine.travel(NOW, tick=False):
        service = ServiceFactory(business=business, duration_minutes=60)
        # Either side of London's clock change (29 March), shown in New York.
        before = SessionFactory(
            service=service, starts_at=datetime(2026, 3, 28, 9, tzinfo=business.tz)
        )
        SessionFactory(
            service=service, starts_at=datetime(2026, 3, 30, 14, tzinfo=business.tz)
        )
        url = week_url(business, service, tz="America/New_York", start="2026-03-27")

        us = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        gb = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB")
        details = client.get(
            details_url(business, before, tz="America/New_York"),
            HTTP_ACCEPT_LANGUAGE="en-US",
        )

    page = text(us)
    # 09:00 GMT is 5:00 AM EDT; 14:00 BST is 9:00 AM EDT.
    assert '">5:00 AM</time>–<time' in page and '">6:00 AM</time>' in page
    assert '">9:00 AM</time>–<time' in page
    assert 'title="America/New_York">EDT</abbr>' in page
    assert '">05:00</time>–<time' in text(gb)
    assert "Accept-Language" in us["Vary"] and "HX-Request" in us["Vary"]
    summary = text(details)
    assert "Saturday 28 March 2026, 5:00 AM</time>–6:00 AM America/New_York (EDT)" in (
        summary
    )
    assert (
        "Swim School Pro's time: Saturday 28 March, 9:00 AM–10:00 AM Europe/London"
        in (summary)
    )


@pytest.mark.django_db
def test_the_booking_page_uses_the_readers_clock_too(client, business):
    session = SessionFactory(
        service=ServiceFactory(business=business),
        starts_at=datetime(2026, 7, 1, 15, tzinfo=business.tz),
    )
    booking = BookingRequestFactory(session=session, client_timezone="Europe/London")
    from django.urls import reverse

    page = text(
        client.get(
            reverse("booking:manage", args=[booking.access_token]),
            HTTP_ACCEPT_LANGUAGE="en-US",
        )
    )

    assert "Wednesday 1 July 2026, 3:00 PM</time>–4:00 PM Europe/London (BST)" in page
