"""Each step's view runs a fixed number of queries, however many sessions exist."""

import pytest
from django.urls import reverse

from booking.models import BookingRequest
from tests.booking.views_helpers import (
    details_url,
    form_token,
    local_at,
    make_session,
    submit,
    week_url,
)
from tests.factories import BookingRequestFactory, ServiceFactory, SessionFactory

pytestmark = pytest.mark.django_db


def grow(business, service, sessions: int) -> None:
    """``sessions`` more sessions in the first week, every other one booked.

    Two hours apart, so the buffer blocks none of them: every unbooked one is open.
    """
    for index in range(sessions):
        session = make_session(
            business, days=1 + index % 6, hour=7 + 2 * (index // 6), service=service
        )
        if index % 2:
            BookingRequestFactory(session=session)
    extra = ServiceFactory(business=business)
    SessionFactory(service=extra, starts_at=local_at(business, 2, 6))


@pytest.fixture
def service(business):
    return ServiceFactory(business=business, capacity=1)


@pytest.mark.parametrize("sessions", [2, 30])
def test_start_queries(client, business, service, sessions, django_assert_num_queries):
    grow(business, service, sessions)
    # business + settings, services, the first week's availability (sessions,
    # booked neighbours); ``grow``'s extra service has no open time in it (its only
    # session is blocked by the buffer), so the rest of the 30-day window is read
    # too: its sessions (none open, so no neighbours).
    with django_assert_num_queries(5):
        response = client.get(reverse("booking:start", args=[business.slug]))
    assert response.status_code == 200


@pytest.mark.parametrize("sessions", [2, 30])
def test_start_queries_when_every_service_has_a_time_this_week(
    client, business, service, sessions, django_assert_num_queries
):
    grow(business, service, sessions)
    for other in business.services.exclude(pk=service.pk):
        make_session(business, days=3, hour=20, service=other)
    # business + settings, services, the first week's availability (sessions,
    # booked neighbours): the rest of the booking window is not read.
    with django_assert_num_queries(4):
        response = client.get(reverse("booking:start", args=[business.slug]))
    assert response.status_code == 200


@pytest.mark.parametrize("sessions", [2, 30])
def test_week_queries(client, business, service, sessions, django_assert_num_queries):
    grow(business, service, sessions)
    # business + settings, service, availability (sessions, booked neighbours)
    with django_assert_num_queries(4):
        response = client.get(week_url(business, service))
    assert response.status_code == 200


@pytest.mark.parametrize("sessions", [0, 30])
def test_empty_week_with_look_ahead_queries(
    client, business, service, sessions, django_assert_num_queries
):
    grow(business, ServiceFactory(business=business), sessions)
    make_session(business, days=20, hour=9, service=service)
    # business + settings, service, this week and its month's sessions, their
    # neighbours: the month already holds the next week with a time (no look-ahead).
    with django_assert_num_queries(4):
        response = client.get(week_url(business, service))
    assert response.status_code == 200
    assert "Go to the next week with a time" in response.content.decode()


def test_empty_month_with_look_ahead_queries(
    client, business, service, django_assert_num_queries
):
    business.booking_settings.max_advance_booking_days = 200
    business.booking_settings.save()
    make_session(business, days=100, hour=9, service=service)
    # business + settings, service, the week and its month (no sessions: no
    # neighbours), then the look-ahead past the month (sessions, neighbours).
    with django_assert_num_queries(5):
        response = client.get(week_url(business, service))
    assert response.status_code == 200
    assert "Go to the next week with a time" in response.content.decode()


@pytest.mark.parametrize("sessions", [2, 30])
def test_details_queries(
    client, business, service, sessions, django_assert_num_queries
):
    grow(business, service, sessions)
    session = make_session(business, days=12, hour=9, service=service)
    # business + settings, session + service, the session's window with each
    # session's holders (spots taken, booked neighbours)
    with django_assert_num_queries(3):
        response = client.get(details_url(business, session))
    assert response.status_code == 200


@pytest.mark.parametrize("sessions", [2, 30])
def test_submit_queries(
    client, business, service, sessions, django_assert_max_num_queries
):
    grow(business, service, sessions)
    session = make_session(business, days=12, hour=9, service=service)
    token = form_token(client, business, session)
    # business, session; then the service's lock, idempotency look-up, session,
    # checks, insert, history, the client's outbox email, the members to notify
    # (plus savepoint bookkeeping). None of it grows with the sessions.
    with django_assert_max_num_queries(14):
        response = submit(client, business, session, token=token)
    assert response.status_code == 303
    assert BookingRequest.objects.filter(session=session).count() == 1


@pytest.mark.parametrize("sessions", [2, 30])
def test_manage_queries(client, business, service, sessions, django_assert_num_queries):
    grow(business, service, sessions)
    booking = BookingRequestFactory(
        session=make_session(business, days=12, hour=9, service=service)
    )
    with django_assert_num_queries(1):
        response = client.get(reverse("booking:manage", args=[booking.access_token]))
    assert response.status_code == 200


def test_the_widgets_confirmation_queries(client, business, django_assert_num_queries):
    booking = BookingRequestFactory(session=make_session(business, days=12, hour=9))
    url = reverse("booking:embed_booked", args=[booking.access_token])
    # the booking with its session, service, business and settings
    with django_assert_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
