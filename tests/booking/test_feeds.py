"""The owner's secret calendar feed: booking/feeds.py."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from booking.feeds import business_feed_ics, calendar_feed_regenerate
from booking.links import calendar_feed_url, calendar_feed_webcal_url
from tests.booking.emailing import LONDON
from tests.factories import BookingRequestFactory, ServiceFactory, SessionFactory

pytestmark = pytest.mark.django_db


def feed_path(business) -> str:
    token = business.booking_settings.calendar_feed_token
    return reverse("booking:calendar_feed", kwargs={"token": token})


def events(body: bytes) -> dict:
    calendar = Calendar.from_ical(body)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def next_spring_forward_lesson(business):
    """A lesson at 09:00 London on the next morning the clocks go forward."""
    today = timezone.now().date()
    for year in (today.year, today.year + 1):
        last = date(year, 3, 31)
        sunday = last - timedelta(days=(last.weekday() + 1) % 7)
        if sunday > today:
            break
    start = datetime.combine(sunday, time(9, 0), tzinfo=LONDON)
    service = ServiceFactory(business=business, name="Private Lesson")
    return SessionFactory(
        service=service, starts_at=start, ends_at=start + timedelta(hours=1)
    )


def test_the_feed_lists_approved_bookings_with_utc_instants(client, team):
    lesson = next_spring_forward_lesson(team)
    ada = BookingRequestFactory(
        session=lesson,
        client_name="Ada Lovelace",
        client_email="ada@example.com",
        notes="First time swimmer",
    )
    BookingRequestFactory(session=lesson, client_name="Pete", status="pending")
    BookingRequestFactory(session=lesson, client_name="Cat", status="cancelled")
    BookingRequestFactory(client_name="Other Business Olga")

    response = client.get(feed_path(team))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    assert not response.cookies
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Swim School Pro bookings"
    assert str(calendar["METHOD"]) == "PUBLISH"
    found = events(response.content)
    assert set(found) == {"Ada Lovelace · Private Lesson"}
    event = found["Ada Lovelace · Private Lesson"]
    # 09:00 London on the morning the clocks go forward is 08:00 UTC.
    day = lesson.starts_at.date()
    assert event.decoded("DTSTART") == datetime.combine(day, time(8, 0), tzinfo=UTC)
    assert event.decoded("DTEND") == datetime.combine(day, time(9, 0), tzinfo=UTC)
    description = str(event["DESCRIPTION"])
    assert "Email: ada@example.com" in description
    assert "Notes: First time swimmer" in description
    assert f"/dashboard/{ada.session.business_id}/requests/{ada.pk}/" in description
    assert str(event["LOCATION"]) == "123 Pool Street"
    assert str(event["UID"]).startswith(f"owner-{ada.booking_reference}@")


def test_recent_history_stays_and_old_history_goes(team):
    service = ServiceFactory(business=team, name="Swim")
    now = timezone.now()
    for days, name in [(-40, "Long ago"), (-10, "Last week"), (5, "Next week")]:
        session = SessionFactory(service=service, starts_at=now + timedelta(days=days))
        BookingRequestFactory(session=session, client_name=name)
    assert set(events(business_feed_ics(team, now=now))) == {
        "Last week · Swim",
        "Next week · Swim",
    }


def test_the_feed_does_not_query_per_booking(
    client, team, django_assert_max_num_queries
):
    lesson = next_spring_forward_lesson(team)
    for n in range(3):
        BookingRequestFactory(session=lesson, client_name=f"Client {n}")
    with django_assert_max_num_queries(2):
        response = client.get(feed_path(team))
    assert len(events(response.content)) == 3


def test_an_unknown_token_is_not_found(client, team):
    url = reverse("booking:calendar_feed", kwargs={"token": "not-the-token"})
    assert client.get(url).status_code == 404
    assert client.post(feed_path(team)).status_code == 405
    assert client.head(feed_path(team)).status_code == 200


def test_regenerating_retires_the_old_url(client, team):
    old_path = feed_path(team)
    old_url = calendar_feed_url(team)
    token = calendar_feed_regenerate(business=team)
    assert token not in old_url
    assert len(token) >= 32
    team.booking_settings.refresh_from_db()
    assert team.booking_settings.calendar_feed_token == token
    assert client.get(old_path).status_code == 404
    assert client.get(feed_path(team)).status_code == 200
    assert calendar_feed_url(team) == f"http://127.0.0.1:8000/calendar/{token}.ics"
    assert (
        calendar_feed_webcal_url(team)
        == f"webcal://127.0.0.1:8000/calendar/{token}.ics"
    )
