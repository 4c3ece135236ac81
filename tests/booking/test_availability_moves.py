"""The availability engine and moves: a waiting move holds its spot; a booking being
moved never competes with itself; what staff may choose (booking/availability.py,
booking/selectors.py)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError

from booking.availability import check_session_offered, get_availability, staff_choices
from booking.errors import BookingError
from booking.models import BookingRequest, Session
from booking.selectors import sessions_with_counts, staff_choices_by_day
from tests.factories import (
    BookingRequestFactory,
    BusinessFactory,
    ServiceFactory,
    SessionFactory,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def biz():
    return BusinessFactory(timezone="Europe/London")


@pytest.fixture
def lesson(biz):
    return ServiceFactory(business=biz, capacity=2)


def at(service, start, **kwargs):
    return SessionFactory(service=service, starts_at=start, **kwargs)


def waiting_move(booking, target, *, until=NOW + timedelta(hours=5)):
    booking.move_to, booking.move_expires_at = target, until
    booking.save()
    return booking


def spots(business, session, now=NOW, **kwargs) -> int | None:
    found = get_availability(
        business=business,
        start_date=session.starts_at.date() - timedelta(days=1),
        end_date=session.starts_at.date() + timedelta(days=1),
        now=now,
        **kwargs,
    )
    return next((s.spots_left for s in found.slots if s.session_id == session.pk), None)


def test_a_waiting_move_holds_its_spot_until_it_lapses(biz, lesson):
    first = at(lesson, NOW + timedelta(days=2))
    target = at(lesson, NOW + timedelta(days=3))
    ada = BookingRequestFactory(session=first)
    assert spots(biz, target) == 2

    waiting_move(ada, target)

    assert (spots(biz, first), spots(biz, target)) == (1, 1)  # both held
    assert BookingRequest.objects.holding_spot_in(target.pk, NOW).get() == ada
    counted = sessions_with_counts(business=biz, now=NOW).get(pk=target.pk)
    assert counted.active_count == 1
    lapse = ada.move_expires_at
    assert spots(biz, target, now=lapse) == 2  # lapsed: released at read time
    assert Session.objects.with_spots_taken(lapse).get(pk=target.pk).active_count == 0


def test_a_waiting_move_blocks_neighbours_by_the_buffer(biz):
    lesson = ServiceFactory(business=biz, capacity=1)
    first = at(lesson, NOW + timedelta(days=2))
    target = at(lesson, NOW + timedelta(days=3))
    neighbour = at(lesson, target.ends_at + timedelta(minutes=5))
    waiting_move(BookingRequestFactory(session=first), target)

    assert spots(biz, neighbour) is None
    with pytest.raises(BookingError) as caught:
        check_session_offered(session=neighbour, settings=biz.booking_settings, now=NOW)
    assert caught.value.code == "buffer"


def test_the_database_keeps_moves_on_confirmed_bookings_only(biz, lesson):
    target = at(lesson, NOW + timedelta(days=3))
    cancelled = BookingRequestFactory(
        session=at(lesson, NOW + timedelta(days=2)),
        status=BookingRequest.Status.CANCELLED,
    )
    with pytest.raises(IntegrityError, match="move_waits_on_confirmed_booking"):
        waiting_move(cancelled, target)


def test_the_booking_being_moved_never_competes_with_itself(biz):
    lesson = ServiceFactory(business=biz, capacity=1)
    first = at(lesson, NOW + timedelta(days=2))
    close = at(lesson, first.ends_at + timedelta(minutes=10))
    ada = BookingRequestFactory(session=first)

    assert spots(biz, close) is None  # blocked by Ada's booking, for others
    assert spots(biz, close, moving_id=ada.pk) == 1
    assert spots(biz, first, moving_id=ada.pk) == 1  # her own time, as if free
    assert (
        check_session_offered(
            session=close, settings=biz.booking_settings, now=NOW, moving_id=ada.pk
        )
        == 1
    )


def test_staff_choices_say_what_each_session_can_take(biz):
    lesson = ServiceFactory(business=biz, capacity=1)
    settings = biz.booking_settings
    settings.max_advance_booking_days = 1  # staff are not held by the window
    settings.save()
    past = at(lesson, NOW - timedelta(hours=3))
    full = at(lesson, NOW + timedelta(days=5))
    BookingRequestFactory(session=full)
    blocked = at(lesson, full.ends_at + timedelta(minutes=10))
    free = at(lesson, NOW + timedelta(days=7), is_bookable=False)
    at(lesson, NOW + timedelta(days=8), cancelled_at=NOW)

    choices = staff_choices(
        business=biz,
        start=NOW - timedelta(days=1),
        end=NOW + timedelta(days=9),
        now=NOW,
    )

    found = {c.session.pk: (c.spots_left, c.problem) for c in choices}
    assert past.pk not in found
    assert found == {
        full.pk: (0, "full"),
        blocked.pk: (1, "buffer"),
        free.pk: (1, None),
    }


def test_staff_choices_by_day_use_the_business_zone_across_dst():
    tokyo = BusinessFactory(timezone="Asia/Tokyo")
    london = BusinessFactory(timezone="Europe/London")
    # 23:30 UTC on 28 March is Sunday 29 March in Tokyo (08:30) and Saturday in London.
    late = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    for business in (tokyo, london):
        at(ServiceFactory(business=business), late)
    before = datetime(2026, 3, 20, tzinfo=UTC)

    days_tokyo = dict(
        staff_choices_by_day(
            business=tokyo, first_day=date(2026, 3, 23), days=7, now=before
        )
    )
    days_london = dict(
        staff_choices_by_day(
            business=london, first_day=date(2026, 3, 23), days=7, now=before
        )
    )

    assert [len(days_tokyo[date(2026, 3, d)]) for d in (28, 29)] == [0, 1]
    assert [len(days_london[date(2026, 3, d)]) for d in (28, 29)] == [1, 0]
