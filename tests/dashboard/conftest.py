"""Dashboard fixtures: logged-in clients for the named people, and their business's
services, sessions, bookings and notifications.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking.models import BookingNotification, BookingRequest
from tests.factories import BookingRequestFactory, ServiceFactory, SessionFactory

# The public origin in emailed links (``public_origin`` sets it).
ORIGIN = "https://book.example.com"


@pytest.fixture
def public_origin(settings):
    settings.BOOKING_BASE_URL = ORIGIN


def link_in(text: str, path: str) -> str:
    """The first link in ``text`` under ``ORIGIN + path``."""
    return re.search(rf"{re.escape(ORIGIN + path)}\S+/", text).group(0)


def url(name: str, business, **kwargs) -> str:
    """A dashboard URL of ``business``: ``url("request_detail", business, pk=3)``."""
    return reverse(f"dashboard:{name}", kwargs={"business_id": business.pk, **kwargs})


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return logged_in(owner)


@pytest.fixture
def staff_client(staff):
    return logged_in(staff)


@pytest.fixture
def other_client(other_owner):
    return logged_in(other_owner)


@pytest.fixture
def service(business):
    return ServiceFactory(business=business, name="Private Lesson", capacity=2)


@pytest.fixture
def session(service):
    return SessionFactory(service=service, starts_at=timezone.now() + timedelta(days=3))


@pytest.fixture
def pending(session):
    return BookingRequestFactory(
        session=session,
        client_name="Penny Pending",
        client_email="penny@example.com",
        status=BookingRequest.Status.PENDING,
    )


@pytest.fixture
def approved(session):
    return BookingRequestFactory(
        session=session,
        client_name="Andy Approved",
        client_email="andy@example.com",
        status=BookingRequest.Status.APPROVED,
    )


def notify(user, booking, **fields) -> BookingNotification:
    return BookingNotification.objects.create(
        user=user,
        booking_request=booking,
        type=fields.pop("type", "booking_request"),
        title=fields.pop("title", f"New request from {booking.client_name}"),
        message=fields.pop("message", "Waiting for your approval."),
        **fields,
    )
