"""The admin API's moves and staff entries (booking/api/admin.py).

POST /api/booking/requests/{id}/reschedule/, /move/approve/, /move/reject/ and
POST /api/booking/requests/: the rules of booking/services.py, answered in the one
error shape (400 field errors, 404, 409 rule refusals).
"""

import json
from datetime import time, timedelta

import pytest
from django.utils import timezone

from booking.models import BookingRequest, OutboundEmail
from tests.booking.api_helpers import (
    API,
    bearer,
    days_ahead,
    session_at,
    set_settings,
    token_for,
)
from tests.factories import BookingRequestFactory, ServiceFactory

pytestmark = pytest.mark.django_db
Status = BookingRequest.Status


@pytest.fixture
def auth(owner, business):
    return bearer(token_for(owner, business))


@pytest.fixture
def lesson(business):
    return ServiceFactory(business=business, name="Private Lesson", capacity=1)


@pytest.fixture
def booking(business, lesson):
    return BookingRequestFactory(
        session=session_at(business, days_ahead(business, 3), time(9), lesson),
        client_name="Ada Lovelace",
        client_email="ada@example.com",
    )


@pytest.fixture
def later(business, lesson):
    return session_at(business, days_ahead(business, 4), time(11), lesson)


def post(client, path, body=None, auth=None, **headers):
    return client.post(
        f"{API}{path}",
        json.dumps(body or {}),
        content_type="application/json",
        **(auth or {}),
        **headers,
    )


# --- reschedule -----------------------------------------------------------------------


def test_an_owner_moves_a_booking(client, auth, owner, booking, later):
    response = post(
        client,
        f"/requests/{booking.pk}/reschedule/",
        {"session_id": later.pk, "message": "Pool works on Thursday."},
        auth,
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["session"]["id"] == later.pk
    assert body["booking_reference"] == booking.booking_reference
    assert body["pending_move"] is None
    (event,) = body["history"]
    assert event["action"] == "moved"
    assert event["actor"] == owner.get_full_name()
    assert (event["from_session_id"], event["to_session_id"]) == (
        booking.session_id,
        later.pk,
    )
    assert event["note"] == "Pool works on Thursday."
    assert OutboundEmail.objects.filter(kind="booking_moved").count() == 1


def test_refusals_use_the_error_shape(client, auth, business, booking, later):
    BookingRequestFactory(session=later)
    full = post(
        client, f"/requests/{booking.pk}/reschedule/", {"session_id": later.pk}, auth
    )
    assert full.status_code == 409
    assert full.json() == {
        "code": "full",
        "message": "That session is full: every spot is taken.",
        "errors": {},
    }
    past = session_at(business, days_ahead(business, -1), time(9))
    assert (
        post(
            client, f"/requests/{booking.pk}/reschedule/", {"session_id": past.pk}, auth
        ).json()["code"]
        == "session_past"
    )
    same = post(
        client,
        f"/requests/{booking.pk}/reschedule/",
        {"session_id": booking.session_id},
        auth,
    )
    assert same.json()["code"] == "same_session"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "session_id"),
        ({"session_id": "soon"}, "session_id"),
        ({"session_id": 5, "when": "now"}, "when"),
        ({"session_id": 5, "message": "x" * 2001}, "message"),
    ],
)
def test_bad_bodies_are_400_with_field_errors(client, auth, booking, body, field):
    response = post(client, f"/requests/{booking.pk}/reschedule/", body, auth)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]


def test_unknown_sessions_and_other_businesses_are_404(
    client, auth, booking, other_business
):
    elsewhere = session_at(other_business, days_ahead(other_business, 3), time(9))
    response = post(
        client,
        f"/requests/{booking.pk}/reschedule/",
        {"session_id": elsewhere.pk},
        auth,
    )
    assert response.status_code == 404
    assert response.json()["errors"] == {
        "session_id": ["We could not find that time. Please pick another one."]
    }
    foreign = BookingRequestFactory(session=elsewhere)
    response = post(
        client,
        f"/requests/{foreign.pk}/reschedule/",
        {"session_id": elsewhere.pk},
        auth,
    )
    assert (response.status_code, response.json()["code"]) == (404, "request_not_found")


def test_a_retry_with_the_same_key_moves_once(client, auth, booking, later, lesson):
    path = f"/requests/{booking.pk}/reschedule/"
    key = {"HTTP_IDEMPOTENCY_KEY": "move-1"}
    first = post(client, path, {"session_id": later.pk}, auth, **key)
    again = post(client, path, {"session_id": later.pk}, auth, **key)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert booking.events.count() == 1
    other = session_at(
        booking.session.business,
        days_ahead(booking.session.business, 6),
        time(9),
        lesson,
    )
    reused = post(client, path, {"session_id": other.pk}, auth, **key)
    assert (reused.status_code, reused.json()["code"]) == (
        409,
        "idempotency_key_reused",
    )


def test_staff_tokens_may_move_bookings(client, staff, business, booking, later):
    response = post(
        client,
        f"/requests/{booking.pk}/reschedule/",
        {"session_id": later.pk},
        bearer(token_for(staff, business)),
    )
    assert response.status_code == 200


# --- a client's waiting move --------------------------------------------------------


@pytest.fixture
def waiting(business, booking, later):
    set_settings(business, requires_approval=True)
    booking.move_to = later
    booking.move_expires_at = timezone.now() + timedelta(hours=12)
    booking.save()
    return booking


def test_the_list_shows_a_waiting_move(client, auth, business, waiting, later):
    (row,) = client.get(f"{API}/requests/", **auth).json()["results"]
    assert row["pending_move"]["session"]["id"] == later.pk
    assert (
        row["pending_move"]["expires_at"]
        == waiting.move_expires_at.astimezone(business.tz)
        .replace(microsecond=0)
        .isoformat()
    )


def test_approving_and_rejecting_a_waiting_move(client, auth, waiting, later):
    missing_reason = post(client, f"/requests/{waiting.pk}/move/reject/", {}, auth)
    assert missing_reason.status_code == 400
    blank = post(client, f"/requests/{waiting.pk}/move/reject/", {"reason": " "}, auth)
    assert blank.json()["code"] == "reason_required"

    approved = post(client, f"/requests/{waiting.pk}/move/approve/", {}, auth)

    assert approved.status_code == 200
    assert approved.json()["session"]["id"] == later.pk
    assert approved.json()["history"][-1]["action"] == "move_approved"
    again = post(client, f"/requests/{waiting.pk}/move/approve/", {}, auth)
    assert (again.status_code, again.json()["code"]) == (409, "no_move_waiting")


def test_rejecting_keeps_the_original_time(client, auth, waiting):
    original = waiting.session_id
    response = post(
        client,
        f"/requests/{waiting.pk}/move/reject/",
        {"reason": "Full that day."},
        auth,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["session"]["id"], body["pending_move"]) == (original, None)
    assert body["history"][-1]["note"] == "Full that day."


# --- staff entry ----------------------------------------------------------------------


def entry(session, **fields):
    return {
        "session_id": session.pk,
        "client_name": "Bo Diddley",
        "client_phone": "07700 900123",
        **fields,
    }


def test_staff_enter_a_walk_in(client, staff, business, later):
    response = post(
        client,
        "/requests/",
        entry(later, channel="walk_in", notes="Paid cash"),
        bearer(token_for(staff, business)),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "approved"
    assert (body["client_phone"], body["notes"]) == ("07700900123", "Paid cash")
    (event,) = body["history"]
    assert (event["action"], event["channel"]) == ("entered", "walk_in")
    assert event["actor"] == staff.get_full_name()
    assert not OutboundEmail.objects.exists()


def test_staff_entry_with_an_email_confirms_it(client, auth, later):
    response = post(
        client, "/requests/", entry(later, client_email="bo@example.com"), auth
    )
    assert response.status_code == 201
    (email,) = OutboundEmail.objects.all()
    assert (email.kind, email.to_email) == ("booking_confirmed", "bo@example.com")


def test_staff_override_the_window_never_capacity(client, auth, business, lesson):
    set_settings(business, max_advance_booking_days=2, is_active=False)
    far = session_at(business, days_ahead(business, 20), time(9), lesson)
    assert post(client, "/requests/", entry(far), auth).status_code == 201
    full = post(client, "/requests/", entry(far, client_name="Second"), auth)
    assert (full.status_code, full.json()["code"]) == (409, "full")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"client_phone": ""}, "client_email"),
        ({"client_email": "not-an-email"}, "client_email"),
        ({"client_name": " "}, "client_name"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_bad_entries_are_400(client, auth, later, fields, field):
    response = post(client, "/requests/", entry(later, **fields), auth)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not BookingRequest.objects.exists()


def test_an_entry_retried_with_its_key_books_once(client, auth, later):
    key = {"HTTP_IDEMPOTENCY_KEY": "desk-7"}
    first = post(client, "/requests/", entry(later), auth, **key)
    again = post(client, "/requests/", entry(later), auth, **key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = post(client, "/requests/", entry(later, client_name="Someone"), auth, **key)
    assert other.json()["code"] == "idempotency_key_reused"
    assert BookingRequest.objects.count() == 1
