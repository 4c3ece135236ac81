"""Step 1's next time of each service (booking.steps.next_slots_by_service): read a
week first, then four, then the rest of the booking window, stopping once every
service asked about has its time."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from booking.steps import next_slots_by_service
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
