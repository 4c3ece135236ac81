"""Clients racing through the booking form itself (HTTP), on PostgreSQL row locks."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from booking.models import BookingRequest
from tests.booking.views_helpers import (
    details_url,
    form_token,
    make_session,
    submit,
)
from tests.conftest import requires_postgres
from tests.factories import BusinessFactory, ServiceFactory, SessionFactory


def race(business, sessions, clients: int) -> list[int]:
    """``clients`` browsers, each with its own IP and form, submit at once."""
    barrier = threading.Barrier(clients)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        try:
            browser = Client(REMOTE_ADDR=f"10.0.0.{index + 1}")
            session = sessions[index % len(sessions)]
            token = form_token(browser, business, session)
            barrier.wait()
            response = submit(
                browser,
                business,
                session,
                token=token,
                client_name=f"Client {index}",
                client_email=f"c{index}@example.com",
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_clients_for_three_spots_make_exactly_three_bookings():
    business = BusinessFactory(timezone="Europe/London")
    session = make_session(business, days=3, hour=9, capacity=3)

    statuses = race(business, [session], clients=20)

    assert sorted(statuses) == [303] * 3 + [409] * 17
    assert BookingRequest.objects.filter(session=session).count() == 3


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_times_separated_only_by_the_buffer_get_at_most_one_booking():
    business = BusinessFactory(timezone="Europe/London")  # buffer: 15 minutes
    service = ServiceFactory(business=business, capacity=1, duration_minutes=60)
    first = make_session(business, days=3, hour=9, service=service)
    second = SessionFactory(
        service=service, starts_at=first.ends_at + timedelta(minutes=10)
    )

    statuses = race(business, [first, second], clients=10)

    assert statuses.count(303) == 1
    assert statuses.count(409) == 9
    assert BookingRequest.objects.filter(session__business=business).count() == 1


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_one_form_submitted_from_many_tabs_at_once_makes_one_booking():
    business = BusinessFactory(timezone="Europe/London")
    session = make_session(business, days=3, hour=9, capacity=5)
    token = form_token(Client(), business, session)
    barrier = threading.Barrier(6)
    locations: list[str] = []

    def attempt(index: int) -> None:
        try:
            browser = Client(REMOTE_ADDR=f"10.0.1.{index + 1}")
            barrier.wait()
            response = browser.post(
                details_url(business, session),
                {"token": token, "client_name": "Ada", "client_email": "a@b.example"},
            )
            locations.append(response["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(locations) == 6 and len(set(locations)) == 1
    assert BookingRequest.objects.filter(session=session).count() == 1
