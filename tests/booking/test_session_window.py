"""When online booking of a session opens and closes: the one rule
(``availability.session_window``), which availability, bookings and the owner's pages
all read."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.availability import (
    check_session_offered,
    closing_lead,
    session_window,
    window_problem,
)
from booking.errors import BookingError
from booking.models import BookingSettings
from booking.scheduling import default_deadline_hours, series_create, session_create
from tests.factories import BusinessFactory, ServiceFactory, SessionFactory

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # Saturday; London's clocks go forward
LONDON = ZoneInfo("Europe/London")


def rules(min_notice: int, max_days: int = 30) -> BookingSettings:
    return BookingSettings(
        min_advance_booking_hours=min_notice, max_advance_booking_days=max_days
    )


@pytest.mark.parametrize(
    ("min_notice", "deadline", "lead"),
    [(2, 0, 2), (2, 24, 24), (48, 24, 48), (0, 0, 0), (2, 2, 2)],
)
def test_the_longer_of_the_notice_and_the_deadline_closes_it(
    min_notice, deadline, lead
):
    assert closing_lead(rules(min_notice), deadline) == timedelta(hours=lead)
    starts = datetime(2026, 3, 30, 9, 0, tzinfo=LONDON)
    window = session_window(
        starts_at=starts, deadline_hours=deadline, settings=rules(min_notice)
    )
    real = starts.astimezone(UTC)  # hours as they pass, not as the clock shows
    assert window.closes_at == real - timedelta(hours=lead)
    assert window.opens_at == real - timedelta(days=30)


@pytest.mark.parametrize(
    ("starts_in", "problem"),
    [
        (timedelta(hours=2), None),  # closes exactly now: still open
        (timedelta(hours=2) - timedelta(seconds=1), "too_soon"),
        (timedelta(days=30), None),  # opens exactly now
        (timedelta(days=30, seconds=1), "too_far"),
        (-timedelta(hours=1), "too_soon"),
    ],
)
def test_the_window_at_its_edges(starts_in, problem):
    window = session_window(
        starts_at=NOW + starts_in, deadline_hours=0, settings=rules(2)
    )
    assert window.problem(NOW) == problem
    assert (
        window_problem(
            starts_at=NOW + starts_in, deadline_hours=0, settings=rules(2), now=NOW
        )
        == problem
    )


def test_across_the_clock_change_the_window_counts_real_hours():
    # Sunday 29 March 2026, 09:00 BST is 08:00 UTC: 24 h before is Saturday 08:00 UTC
    # (08:00 GMT), not Saturday 09:00.
    starts = datetime(2026, 3, 29, 9, 0, tzinfo=LONDON)
    window = session_window(starts_at=starts, deadline_hours=24, settings=rules(2))
    assert window.closes_at == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)
    assert window.closes_at.astimezone(LONDON).hour == 8


@pytest.mark.django_db
def test_booking_refuses_what_the_window_closes():
    business = BusinessFactory(timezone="Pacific/Auckland")
    service = ServiceFactory(business=business)
    business.booking_settings.min_advance_booking_hours = 2
    session = SessionFactory(
        service=service, starts_at=NOW + timedelta(hours=5), booking_deadline_hours=6
    )
    with pytest.raises(BookingError) as refused:
        check_session_offered(
            session=session, settings=business.booking_settings, now=NOW
        )
    assert refused.value.code == "too_soon"
    window = session_window(
        starts_at=session.starts_at,
        deadline_hours=6,
        settings=business.booking_settings,
    )
    assert window.closes_at == NOW - timedelta(hours=1)


@pytest.mark.django_db
def test_new_sessions_default_to_the_business_minimum_notice():
    business = BusinessFactory(timezone="Europe/London")
    business.booking_settings.min_advance_booking_hours = 3
    business.booking_settings.save()
    service = ServiceFactory(business=business)
    assert default_deadline_hours(business) == 3
    one, _ = session_create(
        business=business,
        service=service,
        day=NOW.date() + timedelta(days=2),
        start_time=datetime(2026, 1, 1, 9, 0).time(),
    )
    series = series_create(
        business=business,
        service=service,
        weekdays={0},
        start_time=datetime(2026, 1, 1, 18, 0).time(),
        first_date=NOW.date(),
        last_date=NOW.date() + timedelta(days=13),
    )
    assert one.booking_deadline_hours == 3
    assert {s.booking_deadline_hours for s in series} == {3}
    longer, _ = session_create(
        business=business,
        service=service,
        day=NOW.date() + timedelta(days=3),
        start_time=datetime(2026, 1, 1, 9, 0).time(),
        booking_deadline_hours=24,
    )
    assert longer.booking_deadline_hours == 24
