"""Step 1's next time of each service (booking.steps.next_slots_by_service): read a
week first, then four, then the rest of the booking window, stopping once every
service asked about has its time; and first, as far as the times were last time."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from booking.models import BookingRequest
from booking.steps import _read_ends, next_slots_by_service
from tests.booking.api_helpers import set_settings
from tests.factories import BookingRequestFactory, ServiceFactory, SessionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(days: int, hour: int = 10) -> datetime:
    return NOW.replace(hour=hour) + timedelta(days=days)


@pytest.fixture
def services(business):
    set_settings(business, max_advance_booking_days=90)
    return {
        name: ServiceFactory(business=business, name=name)
        for name in ("soon", "in three weeks", "in two months", "never", "full")
    }


@pytest.fixture
def sessions(services):
    made = {
        "soon": SessionFactory(service=services["soon"], starts_at=at(2)),
        "in three weeks": SessionFactory(
            service=services["in three weeks"], starts_at=at(21)
        ),
        "in two months": SessionFactory(
            service=services["in two months"], starts_at=at(60)
        ),
        "full": SessionFactory(service=services["full"], starts_at=at(1, 15)),
    }
    BookingRequestFactory(session=made["full"])
    # Beyond the booking window: never offered.
    SessionFactory(service=services["never"], starts_at=at(95))
    # A later time of "soon": its first one wins.
    SessionFactory(service=services["soon"], starts_at=at(40))
    return made


def test_each_service_gets_its_first_time_wherever_it_is(
    business, services, sessions, django_assert_num_queries
):
    ids = [service.pk for service in services.values()]
    # Weeks 1, 2-5 and the rest, each sessions + booked neighbours.
    with django_assert_num_queries(6):
        found = next_slots_by_service(
            business=business, zone=business.tz, now=NOW, service_ids=ids
        )
    assert {slot.service_id: slot.session_id for slot in found.values()} == {
        services[name].pk: sessions[name].pk
        for name in ("soon", "in three weeks", "in two months")
    }


def test_reading_stops_once_every_service_has_its_time(
    business, services, sessions, django_assert_num_queries
):
    ids = [services["soon"].pk, services["in three weeks"].pk]
    with django_assert_num_queries(4):  # weeks 1 and 2-5
        found = next_slots_by_service(
            business=business, zone=business.tz, now=NOW, service_ids=ids
        )
    assert found[services["in three weeks"].pk].session_id == (
        sessions["in three weeks"].pk
    )


def test_without_services_named_the_whole_window_is_read_at_once(
    business, services, sessions, django_assert_num_queries
):
    with django_assert_num_queries(2):
        found = next_slots_by_service(business=business, zone=business.tz, now=NOW)
    assert set(found) == {
        services[name].pk for name in ("soon", "in three weeks", "in two months")
    }


def test_the_next_look_reads_first_as_far_as_the_times_were(business, services):
    """Most services have a time soon and keep it: after a look that found every
    time within two days, the next reads those two days first."""
    for name, days in (("soon", 0), ("in three weeks", 2)):
        SessionFactory(service=services[name], starts_at=at(days, 15))
    ids = [services["soon"].pk, services["in three weeks"].pk]
    today, last_day = NOW.date(), (NOW + timedelta(days=90)).date()
    assert _read_ends(business.pk, today, last_day, True) == [
        today + timedelta(days=6),
        today + timedelta(days=34),
        last_day,
    ]
    next_slots_by_service(business=business, zone=business.tz, now=NOW, service_ids=ids)
    assert _read_ends(business.pk, today, last_day, True) == [
        today + timedelta(days=2),
        today + timedelta(days=6),
        today + timedelta(days=34),
        last_day,
    ]
    # Without services named the whole window is read at once, whatever was found.
    assert _read_ends(business.pk, today, last_day, False) == [last_day]


def test_a_time_taken_since_the_last_look_is_looked_for_further_on(
    business, services, django_assert_num_queries
):
    """Where the times were is only where to look first: one booked since is
    found again later in the week, exactly, with one more read."""
    first = SessionFactory(service=services["soon"], starts_at=at(1), capacity=1)
    later = SessionFactory(service=services["soon"], starts_at=at(4))
    other = SessionFactory(service=services["full"], starts_at=at(1, 15))
    ids = [services["soon"].pk, services["full"].pk]

    def look():
        found = next_slots_by_service(
            business=business, zone=business.tz, now=NOW, service_ids=ids
        )
        return {service: slot.session_id for service, slot in found.items()}

    with django_assert_num_queries(2):  # the first week
        assert look() == {services["soon"].pk: first.pk, services["full"].pk: other.pk}
    BookingRequestFactory(session=first, status=BookingRequest.Status.APPROVED)
    with django_assert_num_queries(4):  # the two days of last time, then the week
        assert look() == {services["soon"].pk: later.pk, services["full"].pk: other.pk}
    with django_assert_num_queries(2):  # now as far as day 4
        assert look() == {services["soon"].pk: later.pk, services["full"].pk: other.pk}
