"""Public JSON API: business, services, availability (booking/api/public.py)."""

from datetime import UTC, time, timedelta
from decimal import Decimal

import pytest

from booking.models import BookingSettings, Business
from tests.booking.api_helpers import (
    API,
    days_ahead,
    next_dst_change,
    public_url,
    session_at,
    set_settings,
)
from tests.factories import BookingRequestFactory, ServiceFactory

pytestmark = pytest.mark.django_db

ERROR_KEYS = ["code", "message", "errors"]


def assert_no_cookies(response) -> None:
    assert not response.cookies
    assert "Set-Cookie" not in response.headers


# --- business -------------------------------------------------------------------------


def test_business_answers_the_spec_shape(client, business):
    set_settings(business, requires_approval=True, buffer_time_minutes=20)
    response = client.get(public_url(business))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert list(body) == ["business", "settings"]
    assert list(body["business"]) == [
        "name",
        "description",
        "address",
        "phone",
        "email",
        "timezone",
    ]
    assert list(body["settings"]) == [
        "requires_approval",
        "buffer_time_minutes",
        "is_active",
    ]
    assert body["business"] == {
        "name": "Swim School Pro",
        "description": business.description,
        "address": business.address,
        "phone": business.phone,
        "email": business.email,
        "timezone": "Europe/London",
    }
    assert body["settings"] == {
        "requires_approval": True,
        "buffer_time_minutes": 20,
        "is_active": True,
    }
    assert_no_cookies(response)


@pytest.mark.parametrize("rest", ["", "services/", "availability/"])
def test_unknown_slug_is_404_with_the_error_shape(client, db, rest):
    response = client.get(f"{API}/public/no-such-business/{rest}")
    assert response.status_code == 404
    body = response.json()
    assert list(body) == ERROR_KEYS
    assert body["code"] == "business_not_found"
    assert body["errors"] == {}
    assert_no_cookies(response)


@pytest.mark.parametrize("slug", ["bad%20slug", "%00", "x" * 101])
def test_malformed_slugs_are_404_without_a_query(
    client, db, slug, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(f"{API}/public/{slug}/")
    assert response.status_code == 404


def test_an_old_slug_redirects_permanently_keeping_the_query(client, business):
    old = business.slug
    business.slug = "swim-school-london"
    business.save()
    response = client.get(f"{API}/public/{old}/availability/?tz=Asia/Tokyo")
    assert response.status_code == 308
    assert response["Location"] == (
        f"{API}/public/swim-school-london/availability/?tz=Asia/Tokyo"
    )
    assert client.get(response["Location"]).status_code == 200


def test_a_business_without_settings_gets_the_defaults(client, db):
    business = Business.objects.create(name="No Settings Yet", timezone="UTC")
    response = client.get(public_url(business))
    assert response.status_code == 200
    assert response.json()["settings"] == {
        "requires_approval": False,
        "buffer_time_minutes": 15,
        "is_active": True,
    }
    assert BookingSettings.objects.filter(business=business).exists()


# --- services -------------------------------------------------------------------------


def test_services_lists_active_ones_by_name(client, business, other_business):
    ServiceFactory(
        business=business,
        name="Private Swimming Lesson",
        description="One-on-one instruction",
        duration_minutes=60,
        capacity=1,
        price=Decimal("50"),
    )
    ServiceFactory(business=business, name="Group Lesson", price=Decimal("7.5"))
    ServiceFactory(business=business, name="Retired", is_active=False)
    ServiceFactory(business=other_business, name="Elsewhere")
    response = client.get(public_url(business, "services/"))
    assert response.status_code == 200
    body = response.json()
    assert [s["name"] for s in body] == ["Group Lesson", "Private Swimming Lesson"]
    private = body[1]
    assert list(private) == [
        "id",
        "name",
        "description",
        "duration_minutes",
        "capacity",
        "price",
        "currency",
    ]
    assert private["currency"] == business.currency == "GBP"
    assert private["description"] == "One-on-one instruction"
    assert (private["duration_minutes"], private["capacity"]) == (60, 1)
    assert private["price"] == "50.00"
    assert body[0]["price"] == "7.50"
    assert_no_cookies(response)


# --- availability ---------------------------------------------------------------------


def test_availability_answers_the_spec_shape(client, business):
    day = days_ahead(business, 2)
    session = session_at(business, day, time(9), capacity=3)
    BookingRequestFactory(session=session)
    response = client.get(
        public_url(business, "availability/"),
        {"start_date": day.isoformat(), "end_date": day.isoformat()},
    )
    assert response.status_code == 200
    assert response.json() == {
        day.isoformat(): [
            {
                "start_time": "09:00",
                "end_time": "10:00",
                "available_spots": 2,
                "session_id": session.pk,
            }
        ]
    }
    assert list(response.json()[day.isoformat()][0]) == [
        "start_time",
        "end_time",
        "available_spots",
        "session_id",
    ]
    assert_no_cookies(response)


def test_availability_defaults_to_today_and_six_more_days(client, business):
    service = ServiceFactory(business=business)
    inside = [
        session_at(business, days_ahead(business, d), time(10), service) for d in (1, 6)
    ]
    session_at(business, days_ahead(business, 7), time(10), service)
    body = client.get(public_url(business, "availability/")).json()
    assert list(body) == [days_ahead(business, d).isoformat() for d in (1, 6)]
    assert [slots[0]["session_id"] for slots in body.values()] == [s.pk for s in inside]


def test_only_dates_with_slots_appear_and_rules_apply(client, business):
    """Full, unbookable and inactive-service sessions are left out (engine rules)."""
    service = ServiceFactory(business=business)
    set_settings(business, buffer_time_minutes=0)
    full = session_at(business, days_ahead(business, 1), time(9), service)
    BookingRequestFactory(session=full)
    session_at(business, days_ahead(business, 2), time(9), service, is_bookable=False)
    retired = ServiceFactory(business=business, is_active=False)
    session_at(business, days_ahead(business, 3), time(9), retired)
    open_ = session_at(business, days_ahead(business, 4), time(9), service)
    body = client.get(public_url(business, "availability/")).json()
    assert body == {
        days_ahead(business, 4).isoformat(): [
            {
                "start_time": "09:00",
                "end_time": "10:00",
                "available_spots": 1,
                "session_id": open_.pk,
            }
        ]
    }


def test_service_filter(client, business):
    day = days_ahead(business, 1)
    swim = session_at(business, day, time(9))
    session_at(business, day, time(11))
    body = client.get(
        public_url(business, "availability/"), {"service_id": swim.service_id}
    ).json()
    assert [s["session_id"] for s in body[day.isoformat()]] == [swim.pk]


def test_keys_and_times_follow_the_requested_zone(client, business):
    """London 09:00 and 20:00 on one day are 17:00/18:00 and 04:00/05:00 the next
    day in Tokyo."""
    day = days_ahead(business, 3)
    morning = session_at(business, day, time(9))
    evening = session_at(business, day, time(20), morning.service)
    body = client.get(
        public_url(business, "availability/"),
        {
            "start_date": day.isoformat(),
            "end_date": (day + timedelta(days=1)).isoformat(),
            "tz": "Asia/Tokyo",
        },
    ).json()
    offset = 9 - morning.starts_at.astimezone(business.tz).utcoffset().seconds // 3600
    assert body == {
        day.isoformat(): [
            {
                "start_time": f"{9 + offset:02d}:00",
                "end_time": f"{10 + offset:02d}:00",
                "available_spots": 1,
                "session_id": morning.pk,
            }
        ],
        (day + timedelta(days=1)).isoformat(): [
            {
                "start_time": f"{20 + offset - 24:02d}:00",
                "end_time": f"{21 + offset - 24:02d}:00",
                "available_spots": 1,
                "session_id": evening.pk,
            }
        ],
    }


def test_wall_clock_times_hold_across_a_dst_change(client, business):
    set_settings(business, max_advance_booking_days=365)
    change = next_dst_change("Europe/London", days_ahead(business, 2))
    service = ServiceFactory(business=business)
    before = session_at(business, change - timedelta(days=1), time(9), service)
    after = session_at(business, change, time(9), service)
    elapsed = after.starts_at.astimezone(UTC) - before.starts_at.astimezone(UTC)
    assert elapsed != timedelta(days=1)  # a DST change lies between them
    body = client.get(
        public_url(business, "availability/"),
        {
            "start_date": (change - timedelta(days=1)).isoformat(),
            "end_date": change.isoformat(),
        },
    ).json()
    assert [(day, slots[0]["start_time"]) for day, slots in body.items()] == [
        ((change - timedelta(days=1)).isoformat(), "09:00"),
        (change.isoformat(), "09:00"),
    ]
    # The same instants in Tokyo (no DST there) are an hour apart in wall-clock time.
    tokyo = client.get(
        public_url(business, "availability/"),
        {
            "start_date": (change - timedelta(days=1)).isoformat(),
            "end_date": change.isoformat(),
            "tz": "Asia/Tokyo",
        },
    ).json()
    times = [slots[0]["start_time"] for slots in tokyo.values()]
    assert len(set(times)) == 2


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"start_date": "2024-13-01"}, "start_date"),
        ({"end_date": "tomorrow"}, "end_date"),
        ({"start_date": "0001-01-01"}, "start_date"),
        ({"start_date": "2026-03-10", "end_date": "2026-03-01"}, "end_date"),
        ({"start_date": "2026-01-01", "end_date": "2026-03-05"}, "end_date"),
        ({"tz": "Mars/Olympus_Mons"}, "tz"),
        ({"service_id": "abc"}, "service_id"),
        ({"service_id": "0"}, "service_id"),
        ({"service_id": "999999"}, "service_id"),
    ],
)
def test_bad_availability_questions_name_the_parameter(client, business, query, param):
    response = client.get(public_url(business, "availability/"), query)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ERROR_KEYS
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [param]
    assert all(isinstance(m, str) and m for m in body["errors"][param])


def test_another_business_service_is_unknown(client, business, other_business):
    foreign = ServiceFactory(business=other_business)
    response = client.get(
        public_url(business, "availability/"), {"service_id": foreign.pk}
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["service_id"]


def test_empty_query_values_mean_not_given(client, business):
    day = days_ahead(business, 1)
    session = session_at(business, day, time(9))
    response = client.get(
        public_url(business, "availability/") + "?service_id=&start_date=&end_date=&tz="
    )
    assert response.status_code == 200
    assert response.json()[day.isoformat()][0]["session_id"] == session.pk


def test_sixty_two_days_is_the_longest_range(client, business):
    start = days_ahead(business, 0)
    response = client.get(
        public_url(business, "availability/"),
        {
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=61)).isoformat(),
        },
    )
    assert response.status_code == 200


def test_an_inactive_link_offers_nothing(client, business):
    session_at(business, days_ahead(business, 1), time(9))
    set_settings(business, is_active=False)
    response = client.get(public_url(business, "availability/"))
    assert (response.status_code, response.json()) == (200, {})


@pytest.mark.parametrize("sessions", [2, 25])
def test_availability_queries_do_not_grow_with_sessions(
    client, business, sessions, django_assert_num_queries
):
    service = ServiceFactory(business=business, capacity=3)
    for index in range(sessions):
        day = days_ahead(business, 1 + index % 6)
        session = session_at(business, day, time(6 + index // 6 * 2), service)
        if index % 3 == 0:
            BookingRequestFactory(session=session)
    # business + settings with the service check, candidate sessions, booked
    # neighbours
    with django_assert_num_queries(3):
        response = client.get(
            public_url(business, "availability/"), {"service_id": service.pk}
        )
    assert sum(len(slots) for slots in response.json().values()) == sessions


# --- CORS -----------------------------------------------------------------------------


def test_public_answers_allow_any_origin(client, business):
    ok = client.get(public_url(business), HTTP_ORIGIN="https://www.swimschool.com")
    missing = client.get(f"{API}/public/nobody/")
    for response in (ok, missing):
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("rest", ["", "services/", "availability/", "book/"])
def test_cors_preflight(client, business, rest):
    response = client.options(
        public_url(business, rest),
        HTTP_ORIGIN="https://www.swimschool.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, idempotency-key",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Idempotency-Key" in response["Access-Control-Allow-Headers"]
    assert_no_cookies(response)
