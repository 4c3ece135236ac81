"""Sessions one by one and as weekly series: wall-clock times across DST changes."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest

from booking import scheduling
from booking.errors import BookingError
from booking.models import BookingRequest, Session
from booking.scheduling import (
    AMBIGUOUS,
    NONEXISTENT,
    SchedulingError,
    resolve_local_start,
    series_create,
    series_plan,
    session_create,
    session_update,
)
from tests.factories import (
    BookingRequestFactory,
    BusinessFactory,
    ServiceFactory,
    SessionFactory,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
LORD_HOWE = zoneinfo.ZoneInfo("Australia/Lord_Howe")  # a 30-minute DST shift


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected_utc", "note"),
    [
        # ordinary days: the wall time, in winter and in summer offsets
        (
            LONDON,
            date(2026, 1, 12),
            time(18),
            datetime(2026, 1, 12, 18, tzinfo=UTC),
            "",
        ),
        (
            LONDON,
            date(2026, 7, 13),
            time(18),
            datetime(2026, 7, 13, 17, tzinfo=UTC),
            "",
        ),
        (
            TOKYO,
            date(2026, 3, 29),
            time(1, 30),
            datetime(2026, 3, 28, 16, 30, tzinfo=UTC),
            "",
        ),
        # spring forward: 01:30 does not exist in London; it becomes 02:30 BST
        (
            LONDON,
            date(2026, 3, 29),
            time(1, 30),
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
            NONEXISTENT,
        ),
        # New York skips 02:00–03:00 on 8 March 2026
        (
            NEW_YORK,
            date(2026, 3, 8),
            time(2, 15),
            datetime(2026, 3, 8, 7, 15, tzinfo=UTC),
            NONEXISTENT,
        ),
        # fall back: 01:30 happens twice in London; the first (BST) is used
        (
            LONDON,
            date(2026, 10, 25),
            time(1, 30),
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            AMBIGUOUS,
        ),
        # Lord Howe moves by 30 minutes: 02:10 is skipped on 4 October 2026
        (
            LORD_HOWE,
            date(2026, 10, 4),
            time(2, 10),
            datetime(2026, 10, 3, 15, 40, tzinfo=UTC),
            NONEXISTENT,
        ),
    ],
)
def test_resolve_local_start(zone, day, at, expected_utc, note):
    start = resolve_local_start(day, at, zone)
    assert start.starts_at == expected_utc
    assert start.note == note
    assert start.starts_at.tzinfo == UTC
    assert start.local.tzinfo == zone


def test_a_skipped_time_moves_forward_by_the_gap_and_says_so():
    start = resolve_local_start(date(2026, 3, 29), time(1, 30), LONDON)
    assert start.local.strftime("%H:%M %Z") == "02:30 BST"
    assert "does not exist" in start.explanation
    assert "02:30 BST" in start.explanation


def test_a_repeated_time_takes_the_first_and_says_so():
    start = resolve_local_start(date(2026, 10, 25), time(1, 30), LONDON)
    assert start.local.strftime("%H:%M %Z") == "01:30 BST"
    assert "happens twice" in start.explanation
    assert (
        resolve_local_start(date(2026, 10, 26), time(1, 30), LONDON).explanation == ""
    )


@pytest.fixture
def london(db):
    return BusinessFactory(timezone="Europe/London")


@pytest.fixture
def lesson(london):
    return ServiceFactory(business=london, duration_minutes=45, capacity=6)


def test_series_keeps_the_wall_clock_time_across_the_spring_change(london, lesson):
    # Mondays and Wednesdays at 18:00 from 16 March to 8 April 2026: BST from 29 March.
    sessions = series_create(
        business=london,
        service=lesson,
        weekdays={0, 2},
        start_time=time(18, 0),
        first_date=date(2026, 3, 16),
        last_date=date(2026, 4, 8),
    )
    local = [s.starts_at.astimezone(LONDON) for s in sessions]
    assert [d.date() for d in local] == [
        date(2026, 3, 16),
        date(2026, 3, 18),
        date(2026, 3, 23),
        date(2026, 3, 25),
        date(2026, 3, 30),
        date(2026, 4, 1),
        date(2026, 4, 6),
        date(2026, 4, 8),
    ]
    assert {d.time() for d in local} == {time(18, 0)}
    utc_hours = [s.starts_at.astimezone(UTC).hour for s in sessions]
    assert utc_hours == [18, 18, 18, 18, 17, 17, 17, 17]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=45) for s in sessions)
    assert {s.capacity for s in sessions} == {6}
    assert Session.objects.filter(service=lesson).count() == 8


def test_series_keeps_the_wall_clock_time_across_the_autumn_change_in_new_york(db):
    business = BusinessFactory(timezone="America/New_York")
    service = ServiceFactory(business=business)
    plan = series_plan(
        business=business,
        service=service,
        weekdays={5, 6},
        start_time=time(9, 30),
        first_date=date(2026, 10, 31),
        last_date=date(2026, 11, 8),
    )
    assert [s.starts_at.astimezone(NEW_YORK).time() for s in plan.starts] == [
        time(9, 30)
    ] * 4
    assert [s.starts_at.astimezone(UTC).hour for s in plan.starts] == [13, 14, 14, 14]


def test_series_preview_reports_clock_change_adjustments(london, lesson):
    plan = series_plan(
        business=london,
        service=lesson,
        weekdays={6},
        start_time=time(1, 30),
        first_date=date(2026, 3, 22),
        last_date=date(2026, 11, 1),
    )
    assert [(s.day, s.note) for s in plan.adjusted] == [
        (date(2026, 3, 29), NONEXISTENT),
        (date(2026, 10, 25), AMBIGUOUS),
    ]


def test_series_skips_sessions_that_already_exist(london, lesson):
    first = dict(
        business=london,
        service=lesson,
        weekdays={0},
        start_time=time(18),
        first_date=date(2026, 6, 1),
        last_date=date(2026, 6, 15),
    )
    assert len(series_create(**first)) == 3
    again = series_plan(**{**first, "last_date": date(2026, 6, 29)})
    assert again.count == 2
    assert [s.day for s in again.existing] == [
        date(2026, 6, 1),
        date(2026, 6, 8),
        date(2026, 6, 15),
    ]


def test_series_with_no_matching_weekday_plans_nothing(london, lesson):
    plan = series_plan(
        business=london,
        service=lesson,
        weekdays={6},
        start_time=time(9),
        first_date=date(2026, 6, 1),  # a Monday
        last_date=date(2026, 6, 5),
    )
    assert plan.count == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"weekdays": set()}, "weekdays", "at least one day"),
        ({"last_date": date(2026, 5, 31)}, "last_date", "must not be before"),
        ({"last_date": date(2027, 6, 2)}, "last_date", "at most 366 days"),
    ],
)
def test_series_refuses_bad_plans(london, lesson, changes, field, message):
    kwargs = dict(
        business=london,
        service=lesson,
        weekdays={0},
        start_time=time(9),
        first_date=date(2026, 6, 1),
        last_date=date(2026, 6, 30),
    )
    with pytest.raises(SchedulingError) as caught:
        series_plan(**{**kwargs, **changes})
    assert caught.value.field == field
    assert message in caught.value.message


def test_series_refuses_another_business_service(london):
    foreign = ServiceFactory(business=BusinessFactory())
    with pytest.raises(SchedulingError) as caught:
        series_plan(
            business=london,
            service=foreign,
            weekdays={0},
            start_time=time(9),
            first_date=date(2026, 6, 1),
            last_date=date(2026, 6, 30),
        )
    assert caught.value.field == "service"


def test_series_refuses_more_than_the_maximum(london, lesson, monkeypatch):
    monkeypatch.setattr(scheduling, "MAX_SERIES_SESSIONS", 3)
    with pytest.raises(SchedulingError, match="at most 3 sessions"):
        series_create(
            business=london,
            service=lesson,
            weekdays={0, 1, 2, 3, 4, 5, 6},
            start_time=time(9),
            first_date=date(2026, 6, 1),
            last_date=date(2026, 6, 30),
        )
    assert not Session.objects.exists()


def test_session_create_uses_the_business_zone_and_service_defaults(db):
    tokyo = BusinessFactory(timezone="Asia/Tokyo")
    service = ServiceFactory(business=tokyo, duration_minutes=90, capacity=3)
    session, start = session_create(
        business=tokyo,
        service=service,
        day=date(2026, 6, 1),
        start_time=time(8, 0),
        booking_deadline_hours=12,
        is_bookable=False,
    )
    session.refresh_from_db()
    assert session.starts_at == datetime(2026, 5, 31, 23, 0, tzinfo=UTC)
    assert session.ends_at - session.starts_at == timedelta(minutes=90)
    assert (session.capacity, session.booking_deadline_hours) == (3, 12)
    assert session.is_bookable is False
    assert start.note == ""


NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def booked_session(lesson):
    session = SessionFactory(
        service=lesson, starts_at=datetime(2026, 6, 10, 17, tzinfo=UTC), capacity=4
    )
    BookingRequestFactory(session=session, status=BookingRequest.Status.APPROVED)
    BookingRequestFactory(
        session=session,
        status=BookingRequest.Status.PENDING,
        expires_at=NOW + timedelta(hours=5),
    )
    BookingRequestFactory(  # lapsed: holds nothing
        session=session,
        status=BookingRequest.Status.PENDING,
        expires_at=NOW - timedelta(hours=1),
    )
    return session


def test_session_update_changes_what_it_may(booked_session):
    session, _ = session_update(
        session_id=booked_session.pk,
        day=date(2026, 6, 10),
        start_time=time(18, 0),  # 17:00 UTC = 18:00 BST: unchanged
        capacity=2,
        booking_deadline_hours=6,
        is_bookable=False,
        now=NOW,
    )
    session.refresh_from_db()
    assert (session.capacity, session.booking_deadline_hours) == (2, 6)
    assert session.is_bookable is False


def test_session_update_refuses_moving_a_session_with_bookings(booked_session):
    with pytest.raises(BookingError) as caught:
        session_update(
            session_id=booked_session.pk,
            day=date(2026, 6, 10),
            start_time=time(19, 0),
            capacity=4,
            booking_deadline_hours=24,
            is_bookable=True,
            now=NOW,
        )
    assert caught.value.code == "session_has_bookings"


def test_session_update_refuses_capacity_below_the_bookings_held(booked_session):
    with pytest.raises(BookingError) as caught:
        session_update(
            session_id=booked_session.pk,
            day=date(2026, 6, 10),
            start_time=time(18, 0),
            capacity=1,
            booking_deadline_hours=24,
            is_bookable=True,
            now=NOW,
        )
    assert caught.value.code == "capacity_below_bookings"
    assert "holds 2 bookings" in caught.value.message


def test_session_update_moves_an_unbooked_session_keeping_its_length(lesson):
    session = SessionFactory(
        service=lesson, starts_at=datetime(2026, 3, 28, 18, tzinfo=UTC)
    )
    moved, _ = session_update(
        session_id=session.pk,
        day=date(2026, 3, 30),
        start_time=time(18, 0),
        capacity=1,
        booking_deadline_hours=24,
        is_bookable=True,
        now=NOW,
    )
    assert moved.starts_at == datetime(2026, 3, 30, 17, tzinfo=UTC)  # 18:00 BST
    assert moved.ends_at - moved.starts_at == timedelta(minutes=45)


def test_session_update_refuses_a_cancelled_session(lesson):
    session = SessionFactory(service=lesson, cancelled_at=NOW)
    with pytest.raises(BookingError) as caught:
        session_update(
            session_id=session.pk,
            day=date(2026, 6, 10),
            start_time=time(18, 0),
            capacity=1,
            booking_deadline_hours=24,
            is_bookable=True,
            now=NOW,
        )
    assert caught.value.code == "session_cancelled"


def test_a_series_over_the_repeated_hour_is_found_again_when_rerun(london, lesson):
    kwargs = dict(
        business=london,
        service=lesson,
        weekdays={6},
        start_time=time(1, 30),
        first_date=date(2026, 10, 18),
        last_date=date(2026, 11, 1),
    )
    created = series_create(**kwargs)
    assert [s.starts_at.astimezone(UTC).hour for s in created] == [0, 0, 1]
    again = series_plan(**kwargs)
    assert again.count == 0
    assert len(again.existing) == 3
