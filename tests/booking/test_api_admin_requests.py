"""GET /api/booking/requests/ (booking/api/admin.py): filters, pages, query counts."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from booking.models import BookingRequest
from tests.booking.api_helpers import API, bearer, days_ahead, session_at, token_for
from tests.factories import BookingRequestFactory, ServiceFactory

pytestmark = pytest.mark.django_db
Status = BookingRequest.Status

PAGE_KEYS = ["count", "page", "page_size", "num_pages", "next", "previous", "results"]
REQUEST_KEYS = [
    "id",
    "booking_reference",
    "status",
    "client_name",
    "client_email",
    "client_phone",
    "client_timezone",
    "notes",
    "rejection_reason",
    "cancellation_reason",
    "created_at",
    "expires_at",
    "approved_at",
    "decided_at",
    "session",
    "pending_move",
    "history",
]


@pytest.fixture
def auth(owner, business):
    return bearer(token_for(owner, business))


def listing(client, auth, **query):
    response = client.get(f"{API}/requests/", query, **auth)
    assert response.status_code == 200, response.content
    return response.json()


def refs(body) -> list[str]:
    return [row["booking_reference"] for row in body["results"]]


def test_one_request_in_full(client, business, auth):
    session = session_at(business, days_ahead(business, 3), time(9))
    booking = BookingRequestFactory(
        session=session,
        client_name="Ada Lovelace",
        client_email="ada@example.com",
        client_phone="+442079460000",
        notes="First time",
        status=Status.PENDING,
    )
    body = listing(client, auth)
    assert list(body) == PAGE_KEYS
    assert (body["count"], body["page"], body["page_size"], body["num_pages"]) == (
        1,
        1,
        25,
        1,
    )
    assert (body["next"], body["previous"]) == (None, None)
    (row,) = body["results"]
    assert list(row) == REQUEST_KEYS
    assert row["id"] == booking.pk
    assert row["status"] == "pending"
    assert (row["client_name"], row["client_phone"], row["notes"]) == (
        "Ada Lovelace",
        "+442079460000",
        "First time",
    )
    assert row["session"] == {
        "id": session.pk,
        "service_id": session.service_id,
        "service_name": session.service.name,
        "starts_at": session.starts_at.astimezone(business.tz).isoformat(),
        "ends_at": session.ends_at.astimezone(business.tz).isoformat(),
        "timezone": "Europe/London",
    }
    assert row["expires_at"][-6:] in {"+00:00", "+01:00"}
    assert row["approved_at"] is None
    assert (row["pending_move"], row["history"]) == (None, [])


def test_only_this_business_requests(client, business, other_business, auth):
    mine = BookingRequestFactory(
        session=session_at(business, days_ahead(business, 2), time(9))
    )
    BookingRequestFactory(
        session=session_at(other_business, days_ahead(other_business, 2), time(9))
    )
    assert refs(listing(client, auth)) == [mine.booking_reference]


def test_status_filter_uses_the_status_readers_see(client, business, auth):
    service = ServiceFactory(business=business, capacity=10)
    session = session_at(business, days_ahead(business, 3), time(9), service)
    live = BookingRequestFactory(session=session, status=Status.PENDING)
    lapsed = BookingRequestFactory(
        session=session,
        status=Status.PENDING,
        expires_at=timezone.now() - timedelta(minutes=5),
    )
    marked = BookingRequestFactory(session=session, status=Status.EXPIRED)
    approved = BookingRequestFactory(session=session, status=Status.APPROVED)
    assert refs(listing(client, auth, status="pending")) == [live.booking_reference]
    expired = listing(client, auth, status="expired")
    assert set(refs(expired)) == {lapsed.booking_reference, marked.booking_reference}
    assert {row["status"] for row in expired["results"]} == {"expired"}
    assert refs(listing(client, auth, status="approved")) == [
        approved.booking_reference
    ]


def test_service_and_date_filters(client, business, auth):
    swim, splash = ServiceFactory(business=business), ServiceFactory(business=business)
    day = days_ahead(business, 5)
    early = BookingRequestFactory(session=session_at(business, day, time(0, 30), swim))
    late = BookingRequestFactory(
        session=session_at(business, day + timedelta(days=1), time(23, 30), splash)
    )
    BookingRequestFactory(
        session=session_at(business, day + timedelta(days=2), time(9), swim)
    )
    by_service = listing(client, auth, service_id=splash.pk)
    assert refs(by_service) == [late.booking_reference]
    # Dates are the business's (London) dates, whatever UTC says at 00:30 and 23:30.
    window = listing(
        client,
        auth,
        date_from=day.isoformat(),
        date_to=(day + timedelta(days=1)).isoformat(),
    )
    assert set(refs(window)) == {early.booking_reference, late.booking_reference}
    assert refs(listing(client, auth, date_to=day.isoformat())) == [
        early.booking_reference
    ]


@pytest.mark.parametrize(
    ("q", "who"),
    [("ada", "ada"), ("LOVELACE", "ada"), ("bo@ex", "bo"), ("07700 900", "bo")],
)
def test_free_text_search(client, business, auth, q, who):
    session = session_at(business, days_ahead(business, 3), time(9), capacity=5)
    people = {
        "ada": BookingRequestFactory(
            session=session, client_name="Ada Lovelace", client_email="a@l.example"
        ),
        "bo": BookingRequestFactory(
            session=session,
            client_name="Bo Diddley",
            client_email="bo@example.com",
            client_phone="+447700900101",
        ),
    }
    assert refs(listing(client, auth, q=q)) == [people[who].booking_reference]


def test_search_by_reference(client, business, auth):
    booking = BookingRequestFactory(
        session=session_at(business, days_ahead(business, 3), time(9))
    )
    found = listing(client, auth, q=booking.booking_reference.lower())
    assert refs(found) == [booking.booking_reference]


def test_pages_newest_first_with_links(client, business, auth):
    service = ServiceFactory(business=business, capacity=40)
    session = session_at(business, days_ahead(business, 3), time(9), service)
    made = [BookingRequestFactory(session=session) for _ in range(30)]
    newest_first = [b.booking_reference for b in reversed(made)]
    first = listing(client, auth, status="approved")
    assert (first["count"], first["num_pages"], len(first["results"])) == (30, 2, 25)
    assert refs(first) == newest_first[:25]
    assert first["previous"] is None
    assert (
        first["next"]
        == "http://testserver/api/booking/requests/?status=approved&page=2"
    )
    second = client.get(first["next"], **auth).json()
    assert refs(second) == newest_first[25:]
    assert (second["next"], second["page"]) == (None, 2)
    assert second["previous"].endswith("?status=approved&page=1")
    small = listing(client, auth, page_size=10, page=3)
    assert refs(small) == newest_first[20:]


def test_empty_filters_mean_none(client, business, auth):
    BookingRequestFactory(
        session=session_at(business, days_ahead(business, 3), time(9))
    )
    response = client.get(
        f"{API}/requests/?status=&service_id=&date_from=&date_to=&q=&page=", **auth
    )
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"status": "maybe"}, 400, "status"),
        ({"service_id": "x"}, 400, "service_id"),
        ({"date_from": "2026-02-30"}, 400, "date_from"),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, 400, "date_to"),
        ({"page": "0"}, 400, "page"),
        ({"page_size": "101"}, 400, "page_size"),
        ({"q": "a\x00b"}, 400, "q"),
        ({"page": "2"}, 404, None),
    ],
)
def test_bad_list_queries(client, auth, query, status, field):
    response = client.get(f"{API}/requests/", query, **auth)
    assert response.status_code == status
    body = response.json()
    if field:
        assert list(body["errors"]) == [field]
    else:
        assert body["code"] == "page_not_found"


@pytest.mark.parametrize("rows", [3, 40])
def test_list_queries_do_not_grow_with_rows(
    client, business, auth, rows, django_assert_num_queries
):
    for index in range(rows):
        service = ServiceFactory(business=business)
        session = session_at(
            business, days_ahead(business, 1 + index % 9), time(8), service
        )
        BookingRequestFactory(session=session)
    client.get(f"{API}/link/", **auth)  # last_used_at is now fresh: no write below
    # token, membership, count, page of rows with session and service, their history
    with django_assert_num_queries(5):
        body = listing(client, auth, page_size=50)
    assert len(body["results"]) == rows
