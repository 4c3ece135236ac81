"""The booking rules, read side: booking/availability.py, table-driven."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from booking.availability import (
    AvailabilityError,
    _booked_query,
    _candidates_query,
    check_session_offered,
    get_availability,
)
from booking.errors import BookingError
from booking.models import BookingRequest, Business
from tests.conftest import requires_postgres
from tests.factories import (
    BookingRequestFactory,
    BusinessFactory,
    ServiceFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday, GMT (UTC+0) in London
LONDON = ZoneInfo("Europe/London")
Status = BookingRequest.Status


@pytest.fixture
def biz():
    business = BusinessFactory(timezone="Europe/London")
    settings = business.booking_settings
    settings.buffer_time_minutes = 15
    settings.min_advance_booking_hours = 0
    settings.max_advance_booking_days = 30
    settings.save()
    return business


@pytest.fixture
def service(biz):
    return ServiceFactory(business=biz, duration_minutes=60, capacity=1)


def at(day: int, hour: int, minute: int = 0, tz=LONDON) -> datetime:
    """An instant ``day`` days after NOW's date, at a wall-clock time in ``tz``."""
    base = NOW.astimezone(tz).date() + timedelta(days=day)
    return datetime(base.year, base.month, base.day, hour, minute, tzinfo=tz)


def make_session(service, starts_at, minutes=None, **kwargs):
    minutes = minutes or service.duration_minutes
    return SessionFactory(
        service=service,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        capacity=kwargs.pop("capacity", service.capacity),
        **kwargs,
    )


def offered_ids(business, *, now=NOW, days=14, tz=None, service_id=None) -> list[int]:
    start = now.astimezone(ZoneInfo(tz or business.timezone)).date()
    result = get_availability(
        business=Business.objects.select_related("booking_settings").get(
            pk=business.pk
        ),
        start_date=start,
        end_date=start + timedelta(days=days - 1),
        now=now,
        tz=tz,
        service_id=service_id,
    )
    return [slot.session_id for slot in result.slots]


# --- active bookings and spots left ---------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expires_in", "offered"),
    [
        (Status.APPROVED, None, False),
        (Status.PENDING, timedelta(hours=1), False),  # pending holds its spot
        (Status.PENDING, timedelta(0), True),  # expires_at == now: lapsed
        (Status.PENDING, -timedelta(minutes=1), True),  # expired pending frees it
        (Status.EXPIRED, None, True),
        (Status.REJECTED, None, True),
        (Status.CANCELLED, None, True),
    ],
)
def test_which_bookings_hold_the_only_spot(biz, service, status, expires_in, offered):
    session = make_session(service, at(1, 10))
    BookingRequestFactory(
        session=session,
        status=status,
        expires_at=NOW + expires_in if expires_in is not None else None,
    )
    assert (session.pk in offered_ids(biz)) is offered


def test_spots_left_counts_only_active_bookings(biz):
    group = ServiceFactory(business=biz, capacity=4)
    session = make_session(group, at(1, 10))
    BookingRequestFactory(session=session, status=Status.APPROVED)
    BookingRequestFactory(
        session=session, status=Status.PENDING, expires_at=NOW + timedelta(1)
    )
    BookingRequestFactory(session=session, status=Status.PENDING, expires_at=NOW)
    BookingRequestFactory(session=session, status=Status.CANCELLED)
    BookingRequestFactory(session=session, status=Status.REJECTED)
    (slot,) = get_availability(
        business=biz, start_date=date(2026, 3, 3), end_date=date(2026, 3, 3), now=NOW
    ).slots
    assert (slot.capacity, slot.spots_left) == (4, 2)


# --- the booking window ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("min_advance_h", "deadline_h", "starts_in", "offered"),
    [
        (2, 0, timedelta(hours=2), True),  # exactly at the minimum advance
        (2, 0, timedelta(hours=2) - timedelta(minutes=1), False),
        (0, 0, timedelta(minutes=1), True),
        (2, 24, timedelta(hours=10), False),  # per-session deadline beats min advance
        (2, 24, timedelta(hours=24), True),
        (48, 24, timedelta(hours=30), False),  # the larger of the two wins either way
        (48, 24, timedelta(hours=48), True),
        (0, 0, timedelta(days=30), True),  # exactly at the maximum advance
        (0, 0, timedelta(days=30, minutes=1), False),
        (0, 0, -timedelta(hours=1), False),  # already started
    ],
)
def test_booking_window(biz, service, min_advance_h, deadline_h, starts_in, offered):
    biz.booking_settings.min_advance_booking_hours = min_advance_h
    biz.booking_settings.save()
    session = make_session(service, NOW + starts_in, booking_deadline_hours=deadline_h)
    start = (NOW - timedelta(days=1)).date()
    result = get_availability(
        business=biz,
        start_date=start,
        end_date=start + timedelta(days=40),
        now=NOW,
        max_range_days=None,
    )
    assert (session.pk in [s.session_id for s in result.slots]) is offered


# --- the buffer -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "minutes", "offered"),
    [
        ((10, 15), 60, True),  # starts exactly one buffer after T ends
        ((10, 14), 60, False),  # one minute less is blocked
        ((10, 10), 30, False),
        ((7, 45), 60, True),  # ends exactly one buffer before T starts
        ((7, 46), 60, False),
        ((9, 30), 30, False),  # inside T
        ((8, 0), 240, False),  # around T
        ((12, 0), 60, True),
    ],
)
def test_buffer_edges_around_a_booked_session(biz, service, start, minutes, offered):
    booked = make_session(service, at(1, 9))  # T: 09:00–10:00, booked
    BookingRequestFactory(session=booked, status=Status.APPROVED)
    other_service = ServiceFactory(business=biz, duration_minutes=minutes)
    candidate = make_session(other_service, at(1, *start), minutes=minutes)
    assert (candidate.pk in offered_ids(biz)) is offered


@pytest.mark.parametrize(
    ("status", "expires_in", "blocks"),
    [
        (Status.APPROVED, None, True),
        (Status.PENDING, timedelta(hours=3), True),
        (Status.PENDING, -timedelta(minutes=1), False),
        (Status.CANCELLED, None, False),
        (Status.REJECTED, None, False),
        (Status.EXPIRED, None, False),
    ],
)
def test_only_active_bookings_make_a_session_block(
    biz, service, status, expires_in, blocks
):
    neighbour = make_session(service, at(1, 9))
    BookingRequestFactory(
        session=neighbour,
        status=status,
        expires_at=NOW + expires_in if expires_in is not None else None,
    )
    candidate = make_session(service, at(1, 10, 5))
    assert (candidate.pk in offered_ids(biz)) is (not blocks)


def test_a_session_does_not_block_itself_and_unbooked_neighbours_do_not_block(biz):
    group = ServiceFactory(business=biz, capacity=3, duration_minutes=60)
    session = make_session(group, at(1, 9))
    BookingRequestFactory(session=session, status=Status.APPROVED)
    unbooked = make_session(group, at(1, 13))
    unbooked_neighbour = make_session(group, at(1, 14))
    assert offered_ids(biz) == [session.pk, unbooked.pk, unbooked_neighbour.pk]


def test_zero_buffer_lets_sessions_touch(biz, service):
    biz.booking_settings.buffer_time_minutes = 0
    biz.booking_settings.save()
    BookingRequestFactory(
        session=make_session(service, at(1, 9)), status=Status.APPROVED
    )
    touching = make_session(service, at(1, 10))
    overlapping = make_session(service, at(1, 9, 59))
    assert offered_ids(biz) == [touching.pk]
    assert overlapping.pk not in offered_ids(biz)


def test_buffer_applies_across_services_but_not_across_businesses(biz, service):
    other = BusinessFactory()
    foreign = SessionFactory(
        service=ServiceFactory(business=other), starts_at=at(1, 9), ends_at=at(1, 10)
    )
    BookingRequestFactory(session=foreign, status=Status.APPROVED)
    mine = make_session(service, at(1, 10))
    assert offered_ids(biz) == [mine.pk]


def test_a_long_booked_session_that_began_days_before_still_blocks(biz, service):
    # Booked sessions are read from (start - the business's longest session): a
    # three-day camp booked from day 1 blocks a lesson on day 3, however far back
    # it started, and frees the time 15 minutes (the buffer) after it ends.
    camp = make_session(ServiceFactory(business=biz), at(1, 9), minutes=3 * 24 * 60)
    BookingRequestFactory(session=camp, status=Status.APPROVED)
    during = make_session(service, at(3, 10))
    in_buffer = make_session(service, at(4, 9, 10))
    after = make_session(service, at(4, 9, 15))
    for first_day in (at(2, 0), at(3, 0), at(4, 0)):
        result = get_availability(
            business=Business.objects.select_related("booking_settings").get(pk=biz.pk),
            start_date=first_day.date(),
            end_date=at(5, 0).date(),
            now=NOW,
        )
        assert [slot.session_id for slot in result.slots] == [after.pk]
    assert {during.pk, in_buffer.pk}.isdisjoint(offered_ids(biz))


# --- what is offered at all -----------------------------------------------------------


def test_only_bookable_sessions_of_active_services_on_an_active_link(biz, service):
    offered = make_session(service, at(1, 9))
    make_session(service, at(1, 12), is_bookable=False)
    make_session(service, at(1, 14), cancelled_at=NOW)
    retired = ServiceFactory(business=biz, is_active=False)
    make_session(retired, at(1, 16))
    assert offered_ids(biz) == [offered.pk]

    biz.booking_settings.is_active = False
    biz.booking_settings.save()
    assert offered_ids(biz) == []


def test_filter_by_service(biz, service):
    mine = make_session(service, at(1, 9))
    other = ServiceFactory(business=biz)
    theirs = make_session(other, at(1, 12))
    assert offered_ids(biz, service_id=service.pk) == [mine.pk]
    assert offered_ids(biz, service_id=other.pk) == [theirs.pk]


# --- grouping and time zones ----------------------------------------------------------


def test_a_session_at_2330_utc_is_on_the_next_day_in_tokyo(biz, service):
    session = make_session(service, datetime(2026, 3, 4, 23, 30, tzinfo=UTC))
    tokyo = get_availability(
        business=biz,
        start_date=date(2026, 3, 3),
        end_date=date(2026, 3, 9),
        now=NOW,
        tz="Asia/Tokyo",
    )
    london = get_availability(
        business=biz, start_date=date(2026, 3, 3), end_date=date(2026, 3, 9), now=NOW
    )
    assert list(tokyo.days) == [date(2026, 3, 5)]
    assert tokyo.days[date(2026, 3, 5)][0].starts_at.strftime("%H:%M") == "08:30"
    assert list(london.days) == [date(2026, 3, 4)]
    assert london.days[date(2026, 3, 4)][0].session_id == session.pk


def test_range_is_in_the_display_zone(biz, service):
    # 23:30 UTC on the 4th is the 5th in Tokyo: a Tokyo range to the 4th misses it
    make_session(service, datetime(2026, 3, 4, 23, 30, tzinfo=UTC))
    result = get_availability(
        business=biz,
        start_date=date(2026, 3, 3),
        end_date=date(2026, 3, 4),
        now=NOW,
        tz="Asia/Tokyo",
    )
    assert result.days == {}


@pytest.mark.parametrize(
    ("zone", "dst_day", "utc_before", "utc_after"),
    [
        ("Europe/London", date(2026, 3, 29), 9, 8),  # GMT → BST
        ("America/New_York", date(2026, 3, 8), 14, 13),  # EST → EDT
        ("Europe/London", date(2026, 10, 25), 8, 9),  # BST → GMT
    ],
)
def test_a_week_across_a_dst_change_keeps_local_times(
    zone, dst_day, utc_before, utc_after
):
    tz = ZoneInfo(zone)
    business = BusinessFactory(timezone=zone)
    business.booking_settings.max_advance_booking_days = 365
    business.booking_settings.save()
    service = ServiceFactory(business=business)
    now = datetime.combine(
        dst_day - timedelta(days=10), datetime.min.time(), tzinfo=UTC
    )
    days = [dst_day + timedelta(days=offset) for offset in range(-3, 4)]
    for day in days:
        make_session(service, datetime(day.year, day.month, day.day, 9, 0, tzinfo=tz))
    result = get_availability(
        business=business, start_date=days[0], end_date=days[-1], now=now
    )
    assert list(result.days) == days
    for day, slots in result.days.items():
        (slot,) = slots
        assert slot.starts_at.strftime("%H:%M") == "09:00"
        assert slot.ends_at.strftime("%H:%M") == "10:00"
        expected_utc = utc_before if day < dst_day else utc_after
        assert slot.starts_at.astimezone(UTC).hour == expected_utc


# --- bad questions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"start_date": date(2026, 3, 10), "end_date": date(2026, 3, 9)}, "end_date"),
        ({"start_date": date(2026, 3, 1), "end_date": date(2026, 5, 2)}, "end_date"),
        ({"tz": "Mars/Olympus_Mons"}, "tz"),
        ({"tz": "europe/london"}, "tz"),
    ],
)
def test_invalid_questions_raise_a_clear_error(biz, kwargs, param):
    args = {"start_date": date(2026, 3, 3), "end_date": date(2026, 3, 9), **kwargs}
    with pytest.raises(AvailabilityError) as error:
        get_availability(business=biz, now=NOW, **args)
    assert error.value.param == param
    assert error.value.message


def test_62_days_is_the_largest_range(biz, service):
    result = get_availability(
        business=biz, start_date=date(2026, 3, 1), end_date=date(2026, 5, 1), now=NOW
    )
    assert result.end_date == date(2026, 5, 1)


def test_now_must_be_aware(biz):
    with pytest.raises(ValueError, match="aware"):
        get_availability(
            business=biz,
            start_date=date(2026, 3, 3),
            end_date=date(2026, 3, 3),
            now=NOW.replace(tzinfo=None),
        )


# --- query counts ---------------------------------------------------------------------


def _populate(service, sessions: int) -> None:
    for index in range(sessions):
        session = make_session(service, at(1 + index % 28, 8 + (index * 2) % 10))
        if index % 3 == 0:
            BookingRequestFactory(session=session, status=Status.APPROVED)


@pytest.mark.parametrize(("days", "sessions"), [(1, 1), (7, 10), (62, 120)])
def test_query_count_is_constant(biz, django_assert_num_queries, days, sessions):
    group = ServiceFactory(business=biz, capacity=5)
    _populate(group, sessions)
    business = Business.objects.select_related("booking_settings").get(pk=biz.pk)
    start = date(2026, 3, 3)
    with django_assert_num_queries(2):  # candidate sessions + booked neighbours
        result = get_availability(
            business=business,
            start_date=start,
            end_date=start + timedelta(days=days - 1),
            now=NOW,
        )
    assert result.slots  # something was offered, so both queries ran


def test_settings_cost_one_query_when_not_selected(
    biz, service, django_assert_num_queries
):
    make_session(service, at(1, 9))
    business = Business.objects.get(pk=biz.pk)
    with django_assert_num_queries(3):
        get_availability(
            business=business,
            start_date=date(2026, 3, 3),
            end_date=date(2026, 3, 9),
            now=NOW,
        )


# --- one session, under the lock ------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("link_inactive", "link_inactive"),
        ("service_inactive", "service_inactive"),
        ("not_bookable", "not_bookable"),
        ("cancelled", "not_bookable"),
        ("too_soon", "too_soon"),
        ("too_far", "too_far"),
        ("full", "full"),
        ("full_of_pending", "full"),  # a pending request holds its spot
        ("buffer", "buffer"),
        ("buffer_of_pending", "buffer"),
        ("lapsed_pending", None),  # holds nothing: offered
        ("lapsed_neighbour", None),
        (None, None),
    ],
)
def test_get_availability_and_check_session_offered_agree_on_every_refusal(
    biz, service, setup, code
):
    session = make_session(service, at(2, 9))
    settings = biz.booking_settings
    held = {"status": Status.PENDING, "expires_at": NOW + timedelta(minutes=1)}
    lapsed = {"status": Status.PENDING, "expires_at": NOW}
    if setup == "link_inactive":
        settings.is_active = False
    elif setup == "service_inactive":
        service.is_active = False
        service.save()
    elif setup == "not_bookable":
        session.is_bookable = False
    elif setup == "cancelled":
        session.cancelled_at = NOW
    elif setup == "too_soon":
        session.booking_deadline_hours = 72
    elif setup == "too_far":
        settings.max_advance_booking_days = 1
    elif setup in {"full", "full_of_pending", "lapsed_pending"}:
        booking = {"full": {"status": Status.APPROVED}, "lapsed_pending": lapsed}
        BookingRequestFactory(session=session, **booking.get(setup, held))
    elif setup in {"buffer", "buffer_of_pending", "lapsed_neighbour"}:
        neighbour = make_session(service, at(2, 10, 10))
        booking = {"buffer": {"status": Status.APPROVED}, "lapsed_neighbour": lapsed}
        BookingRequestFactory(session=neighbour, **booking.get(setup, held))
    settings.save()
    session.save()

    offered = session.pk in offered_ids(biz)
    if code is None:
        spots = check_session_offered(session=session, settings=settings, now=NOW)
        assert (offered, spots) == (True, 1)
        return
    with pytest.raises(BookingError) as error:
        check_session_offered(session=session, settings=settings, now=NOW)
    assert error.value.code == code
    assert not offered


def test_check_session_offered_returns_spots_left(biz):
    group = ServiceFactory(business=biz, capacity=3)
    session = make_session(group, at(2, 9))
    BookingRequestFactory(session=session, status=Status.APPROVED)
    assert (
        check_session_offered(session=session, settings=biz.booking_settings, now=NOW)
        == 2
    )


@requires_postgres
@pytest.mark.parametrize("with_lapses", [False, True])
def test_booked_neighbours_are_looked_up_per_session_whatever_the_statistics(
    biz, service, with_lapses
):
    """The buffer's booked sessions (``booked_sessions``, the cache's next lapse)
    read the holders of each session of the window through the holders' indexes.
    With ``EXISTS`` PostgreSQL made it a semi-join and, on tables without statistics
    (as after a business imports its timetable), joined every session of the window
    to every request holding a spot anywhere: 57 ms for one availability read with
    1,000 bookings in the table (docs/PERFORMANCE.md, "Booking under load")."""
    elsewhere = ServiceFactory(business=BusinessFactory(), capacity=3)
    for hour in range(8, 18):
        booked = make_session(service, at(2, hour))
        BookingRequestFactory(session=booked, status=Status.APPROVED)
        make_session(service, at(3, hour))
        BookingRequestFactory(
            session=make_session(elsewhere, at(2, hour)), status=Status.PENDING
        )
    query = _booked_query(
        with_lapses=with_lapses,
        business_id=biz.pk,
        start=at(1, 0),
        end=at(5, 0),
        now=NOW,
        moving_id=None,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # As on a table big enough for its indexes (the test's is a page or two).
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s",
            [BookingRequest._meta.db_table],
        )
        indexes = {name for (name,) in cursor.fetchall()}
    assert "Join" not in plan and "booking_bookingrequest" not in plan.split("Plan")[0]
    scans = re.findall(r"Index Scan (?:on|using) (\w+).*\n\s*Index Cond: (.*)", plan)
    reads = [condition for index, condition in scans if index in indexes]
    assert reads and all("_id = booking_session.id)" in cond for cond in reads)
    booked = biz.sessions.filter(booking_requests__isnull=False).order_by("starts_at")
    rows = list(query)
    if with_lapses:  # every session touching, each with [holders, next lapse]
        assert len(rows) == biz.sessions.filter(starts_at__lt=at(5, 0)).count()
        rows = [row for row in rows if row[3][0]]
    assert [row[2] for row in rows] == list(booked.values_list("pk", flat=True))


@requires_postgres
@pytest.mark.parametrize("one_service", [False, True])
def test_candidates_are_read_by_owner_and_time_whatever_the_statistics(
    biz, service, one_service
):
    """The sessions an answer weighs are read through an index on the business (or
    the service) *and* the start, the range in the index condition. With an index
    on the business alone, PostgreSQL read all 10,000 of the busy business's
    sessions and filtered the two days of step 1 out of them (1 ms instead of 0.03)
    whenever its statistics overestimated the range (docs/PERFORMANCE.md)."""
    for day in range(1, 6):
        for hour in range(8, 18):
            make_session(service, at(day, hour))
    query = _candidates_query(
        with_lapses=True,
        business_id=biz.pk,
        lo=at(1, 0),
        hi=at(3, 0),
        until=at(30, 0),
        now=NOW,
        service_id=service.pk if one_service else None,
        moving_id=None,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'booking_session'"
        )
        indexes = [definition for (definition,) in cursor.fetchall()]
    scans = re.findall(r"Index Scan (?:on|using) (\w+).*\n\s*Index Cond: (.*)", plan)
    sessions = [cond for index, cond in scans if index.startswith("session_")]
    assert sessions and all("starts_at >=" in cond for cond in sessions), plan
    # Nothing for the planner to prefer: no index on the business or service alone.
    alone = [d for d in indexes if re.search(r"\((business|service)_id\)$", d)]
    assert alone == []
    assert len(list(query)) == 20  # the two days, each session once


@requires_postgres
@pytest.mark.parametrize("where", ["shown", "neighbour", "move"])
def test_the_first_lapse_is_read_to_the_microsecond(biz, service, where):
    """The cache's ``valid_until`` is the first instant a held spot lapses, read
    with each session's count in one probe (a Unix time in a double): a pending
    hold in a shown session, or in a booked neighbour only the buffer reaches,
    and a waiting move, each to the microsecond, the earliest winning."""
    from booking.availability import _offered_days

    shown = make_session(service, at(1, 10), capacity=4)
    other = ServiceFactory(business=biz, duration_minutes=60, capacity=3)
    neighbour = make_session(other, at(1, 11, 5))
    held_in = neighbour if where == "neighbour" else shown
    first = NOW + timedelta(hours=5, microseconds=987_654)
    hold = first + timedelta(hours=1) if where == "move" else first
    BookingRequestFactory(session=held_in, status=Status.PENDING, expires_at=hold)
    BookingRequestFactory(
        session=held_in,
        status=Status.PENDING,
        expires_at=hold + timedelta(microseconds=1),
    )
    BookingRequestFactory(  # a waiting move into the session shown
        session=make_session(service, at(9, 10)),
        status=Status.APPROVED,
        move_to=shown,
        move_expires_at=first if where == "move" else first + timedelta(hours=2),
    )
    settings = biz.booking_settings
    days, valid_until = _offered_days(
        business_id=biz.pk,
        settings=settings,
        zone=LONDON,
        lo=at(1, 0),
        hi=at(2, 0),
        latest=NOW + timedelta(days=30),
        now=NOW,
        service_id=service.pk,
        moving_id=None,
        with_lapses=True,
    )
    assert valid_until == first
    # The counts came with the lapses: 4 - 2 held - the move, or blocked by the buffer.
    offered = [(s.session_id, s.spots_left) for slots in days.values() for s in slots]
    assert offered == ([(shown.pk, 1)] if where in {"shown", "move"} else [])
