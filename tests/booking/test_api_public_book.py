"""POST /api/booking/public/{slug}/book/ (booking/api/public.py): bookings through
booking.services."""

import json
import re
import threading
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import BookingRequest
from tests.booking.api_helpers import (
    API,
    days_ahead,
    public_url,
    session_at,
    set_settings,
)
from tests.conftest import requires_postgres
from tests.factories import BookingRequestFactory, BusinessFactory, ServiceFactory

pytestmark = pytest.mark.django_db

BOOKING_KEYS = ["booking_reference", "status", "expires_at", "session", "manage_url"]
SESSION_KEYS = ["id", "service_id", "service_name", "starts_at", "ends_at", "timezone"]
Status = BookingRequest.Status


@pytest.fixture
def session(business):
    return session_at(business, days_ahead(business, 3), time(9))


def book(client, business, body, **headers):
    return client.post(
        public_url(business, "book/"),
        json.dumps(body) if not isinstance(body, str) else body,
        content_type="application/json",
        **headers,
    )


def details(session, **extra):
    return {
        "session_id": session.pk,
        "client_name": "Ada Lovelace",
        "client_email": "ada@example.com",
        "client_phone": "+44 20 7946 0000",
        "notes": "First time swimmer",
        **extra,
    }


def test_an_instant_booking_is_201_approved(client, business, session, settings):
    settings.BOOKING_BASE_URL = "https://book.example.com"
    response = book(client, business, details(session))
    assert response.status_code == 201
    body = response.json()
    assert list(body) == BOOKING_KEYS
    assert list(body["session"]) == SESSION_KEYS
    booking = BookingRequest.objects.get()
    assert body == {
        "booking_reference": booking.booking_reference,
        "status": "approved",
        "expires_at": None,
        "session": {
            "id": session.pk,
            "service_id": session.service_id,
            "service_name": session.service.name,
            "starts_at": session.starts_at.astimezone(business.tz).isoformat(),
            "ends_at": session.ends_at.astimezone(business.tz).isoformat(),
            "timezone": "Europe/London",
        },
        "manage_url": f"https://book.example.com/bookings/{booking.access_token}/",
    }
    assert body["session"]["starts_at"].endswith(("+00:00", "+01:00"))
    assert (booking.client_phone, booking.notes) == (
        "+442079460000",
        "First time swimmer",
    )
    assert not response.cookies


def test_with_approval_it_is_pending_and_says_until_when(client, business, session):
    set_settings(business, requires_approval=True, booking_expiry_hours=24)
    before = timezone.now()
    response = book(client, business, details(session))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending"
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", body["expires_at"]
    )
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at.utcoffset() == expires_at.astimezone(business.tz).utcoffset()
    assert timedelta(hours=23) < expires_at - before <= timedelta(hours=24, seconds=5)
    assert BookingRequest.objects.get().status == Status.PENDING


def test_times_come_in_the_clients_zone_when_given(client, business, session):
    response = book(client, business, details(session, client_timezone="Asia/Tokyo"))
    body = response.json()
    assert body["session"]["timezone"] == "Asia/Tokyo"
    assert body["session"]["starts_at"].endswith("+09:00")
    starts_at = datetime.fromisoformat(body["session"]["starts_at"])
    assert starts_at == session.starts_at
    assert BookingRequest.objects.get().client_timezone == "Asia/Tokyo"


def test_phone_alone_is_enough(client, business, session):
    response = book(
        client,
        business,
        {"session_id": session.pk, "client_name": "Bo", "client_phone": "07700 900101"},
    )
    assert response.status_code == 201
    assert BookingRequest.objects.get().client_email == ""


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"client_name": "  "}, ["client_name"]),
        ({"client_email": "not-an-email"}, ["client_email"]),
        ({"client_phone": "call me"}, ["client_phone"]),
        ({"client_email": None, "client_phone": ""}, ["client_email", "client_phone"]),
        ({"notes": "x" * 2001}, ["notes"]),
        ({"client_name": "Ada\x00"}, ["client_name"]),
        ({"client_timezone": "Mars/Base"}, ["client_timezone"]),
        ({"session_id": "nine"}, ["session_id"]),
        ({"session_id": 2**64}, ["session_id"]),
        ({"surprise": 1}, ["surprise"]),
    ],
)
def test_bad_details_are_400_with_field_errors(
    client, business, session, change, fields
):
    response = book(client, business, details(session, **change))
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["code", "message", "errors"]
    assert body["code"] == "invalid"
    assert sorted(body["errors"]) == sorted(fields)
    assert not BookingRequest.objects.exists()


def test_the_form_words_reach_the_client(client, business, session):
    body = book(client, business, details(session, client_name="")).json()
    assert body["errors"] == {"client_name": ["Please enter your name."]}


def test_missing_fields_and_bodies(client, business, session):
    missing = book(client, business, {"client_name": "Ada"}).json()
    assert missing["errors"]["session_id"] == ["This field is required."]
    for raw in ("not json", "[1, 2]", ""):
        response = book(client, business, raw)
        assert response.status_code == 400, raw
        assert list(response.json()["errors"]) == ["body"]


def test_inactive_link_is_403(client, business, session):
    set_settings(business, is_active=False)
    response = book(client, business, details(session))
    assert response.status_code == 403
    assert response.json()["code"] == "link_inactive"


def test_unknown_slug_is_404(client, business, session):
    response = client.post(
        f"{API}/public/nobody-here/book/", details(session), "application/json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "business_not_found"


def test_another_business_session_is_404(client, business, other_business):
    foreign = session_at(other_business, days_ahead(other_business, 3), time(9))
    response = book(client, business, details(foreign))
    assert response.status_code == 404
    assert response.json()["code"] == "session_not_found"
    assert list(response.json()["errors"]) == ["session_id"]


def test_full_session_is_409(client, business, session):
    BookingRequestFactory(session=session)
    response = book(client, business, details(session))
    assert response.status_code == 409
    assert response.json() == {
        "code": "full",
        "message": "That time was just taken. Please pick another time.",
        "errors": {},
    }


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda s: setattr(s, "is_bookable", False) or s.save(), "not_bookable"),
        (
            lambda s: setattr(s, "cancelled_at", timezone.now()) or s.save(),
            "not_bookable",
        ),
        (
            lambda s: setattr(s, "booking_deadline_hours", 24 * 5) or s.save(),
            "too_soon",
        ),
        (
            lambda s: s.service.__class__.objects.filter(pk=s.service_id).update(
                is_active=False
            ),
            "service_inactive",
        ),
    ],
)
def test_closed_sessions_are_409(client, business, session, setup, code):
    setup(session)
    response = book(client, business, details(session))
    assert response.status_code == 409
    assert response.json()["code"] == code


def test_a_session_blocked_by_the_buffer_is_409(client, business):
    set_settings(business, buffer_time_minutes=15)
    day = days_ahead(business, 3)
    service = ServiceFactory(business=business)
    booked = session_at(business, day, time(9), service)
    BookingRequestFactory(session=booked)
    near = session_at(business, day, time(10, 10), service)
    response = book(client, business, details(near))
    assert response.status_code == 409
    assert response.json()["code"] == "buffer"


# --- idempotency ----------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_first_answer(client, business, session):
    key = {"HTTP_IDEMPOTENCY_KEY": "7f1c0c9e-5b1e-4c55-9a43-2b0f3f2f6c11"}
    first = book(client, business, details(session), **key)
    again = book(client, business, details(session), **key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert BookingRequest.objects.count() == 1


def test_without_a_key_a_retry_is_a_new_attempt(client, business, session):
    assert book(client, business, details(session)).status_code == 201
    assert book(client, business, details(session)).status_code == 409


def test_a_key_reused_for_another_booking_is_409(client, business, session):
    key = {"HTTP_IDEMPOTENCY_KEY": "one-key"}
    book(client, business, details(session), **key)
    response = book(client, business, details(session, client_name="Bob"), **key)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert BookingRequest.objects.count() == 1


def test_keys_are_per_business(client, business, session):
    other = BusinessFactory()
    other_session = session_at(other, days_ahead(other, 3), time(9))
    key = {"HTTP_IDEMPOTENCY_KEY": "shared"}
    assert book(client, business, details(session), **key).status_code == 201
    assert book(client, other, details(other_session), **key).status_code == 201
    assert BookingRequest.objects.count() == 2


@pytest.mark.parametrize("key", ["x" * 201, "has space"])
def test_bad_keys_are_400(client, business, session, key):
    response = book(client, business, details(session), HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["Idempotency-Key"]


def test_a_replay_shows_the_current_status(client, business, session, owner):
    from booking import services

    set_settings(business, requires_approval=True)
    key = {"HTTP_IDEMPOTENCY_KEY": "k"}
    assert book(client, business, details(session), **key).json()["status"] == "pending"
    services.booking_approve(booking_id=BookingRequest.objects.get().pk, actor=owner)
    again = book(client, business, details(session), **key)
    assert (again.status_code, again.json()["status"]) == (201, "approved")


# --- rate limits ----------------------------------------------------------------------


def test_booking_is_rate_limited_per_ip(client, business, settings):
    settings.BOOKING_API_BOOK_RATE = "2/h"
    service = ServiceFactory(business=business, capacity=10)
    session = session_at(business, days_ahead(business, 3), time(9), service)
    answers = [
        book(client, business, details(session, client_email=f"c{i}@example.com"))
        for i in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 429]
    limited = answers[2]
    assert limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) >= 1
    assert limited["Access-Control-Allow-Origin"] == "*"
    other_ip = client.post(
        public_url(business, "book/"),
        json.dumps(details(session, client_email="d@example.com")),
        content_type="application/json",
        REMOTE_ADDR="203.0.113.9",
    )
    assert other_ip.status_code == 201


def test_every_replay_counts_against_the_limit(client, business, session, settings):
    settings.BOOKING_API_BOOK_RATE = "2/h"
    key = {"HTTP_IDEMPOTENCY_KEY": "retry-me"}
    answers = [book(client, business, details(session), **key) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].json()["code"] == "rate_limited"
    assert BookingRequest.objects.count() == 1


def test_a_replay_is_answered_without_locking_the_business(client, business, session):
    key = {"HTTP_IDEMPOTENCY_KEY": "retry-me"}
    first = book(client, business, details(session), **key)
    with CaptureQueriesContext(connection) as queries:
        again = book(client, business, details(session), **key)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert not [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]


def test_reads_are_rate_limited_across_public_endpoints(client, business, settings):
    settings.BOOKING_API_READ_RATE = "3/m"
    paths = ["", "services/", "availability/", ""]
    codes = [client.get(public_url(business, p)).status_code for p in paths]
    assert codes == [200, 200, 200, 429]


def test_limits_can_be_switched_off(client, business, settings):
    settings.BOOKING_API_READ_RATE = "1/m"
    settings.RATELIMIT_ENABLE = False
    codes = {client.get(public_url(business)).status_code for _ in range(3)}
    assert codes == {200}


# --- races (PostgreSQL row locks) -----------------------------------------------------


def _race(business, bodies, keys) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(bodies))
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def attempt(body, key) -> None:
        try:
            barrier.wait()
            headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
            response = book(Client(), business, body, **headers)
            answer = (response.status_code, response.json())
        finally:
            connection.close()
        with lock:
            answers.append(answer)

    workers = [
        threading.Thread(target=attempt, args=pair)
        for pair in zip(bodies, keys, strict=True)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sorted(answers, key=lambda answer: answer[0])


# --- what a booking costs -------------------------------------------------------------


@pytest.mark.parametrize("booked", [0, 4])
def test_a_booking_takes_eleven_queries_however_many_spots_are_held(
    client, business, owner, staff, booked, django_assert_num_queries
):
    day = days_ahead(business, 3)
    service = ServiceFactory(business=business, capacity=10)
    session = session_at(business, day, time(9), service)
    for n in range(booked):  # in the session, and elsewhere that day
        BookingRequestFactory(session=session)
        BookingRequestFactory(session=session_at(business, day, time(12 + n), service))
    # The business (before the transaction); the transaction's start, its lock, the
    # session, its holders and booked neighbours (one query), the booking, its
    # history line, the members, their in-app notices, the three emails (one
    # INSERT), its end. (Here a savepoint and its release inside the test's
    # transaction; BEGIN and COMMIT in production.)
    with django_assert_num_queries(11):
        response = book(client, business, details(session))
    assert response.status_code == 201
    booking = BookingRequest.objects.get(
        booking_reference=response.json()["booking_reference"]
    )
    assert sorted(booking.emails.values_list("to_email", flat=True)) == [
        "ada@example.com",
        "olivia.owner@example.com",
        "sam.staff@example.com",
    ]
    assert booking.notifications.count() == 2


def test_a_refusal_takes_seven_queries(
    client, business, session, django_assert_num_queries
):
    BookingRequestFactory(session=session)
    # The business; a savepoint, the lock, the session, its holders and neighbours,
    # the rollback to the savepoint and its release (BEGIN and ROLLBACK in
    # production: six).
    with django_assert_num_queries(7):
        response = book(client, business, details(session))
    assert response.json()["code"] == "full"


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_clients_get_one_booking_and_one_409(business, session):
    bodies = [details(session, client_email=f"racer{i}@example.com") for i in range(6)]
    answers = _race(business, bodies, [None] * 6)
    assert [status for status, _ in answers] == [201] + [409] * 5
    assert {body["code"] for _, body in answers[1:]} == {"full"}
    assert BookingRequest.objects.count() == 1


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_retries_with_one_key_book_once(business, session):
    answers = _race(business, [details(session)] * 4, ["same-key"] * 4)
    assert [status for status, _ in answers] == [201] * 4
    assert len({body["booking_reference"] for _, body in answers}) == 1
    assert BookingRequest.objects.count() == 1
