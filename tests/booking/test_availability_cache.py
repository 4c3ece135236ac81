"""The availability cache (booking/availability_cache.py) on real PostgreSQL + Redis.

Every write here commits (``transaction=True``), as in production: the version the
cache keys on is raised by triggers when a transaction commits. Each change that can
alter what a client sees must show in the very next answer, the JSON API's and the
week fragment's alike; a pending hold that lapses frees its spot with no write; a
Redis that is down or never answers leaves availability and booking working.
"""

import re
import socket
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.test import override_settings
from django.utils import timezone

from booking import availability_cache, metrics
from booking.models import BookingRequest, BookingSettings, Service, Session
from booking.scheduling import series_create
from booking.services import (
    booking_cancel,
    booking_create,
    booking_reject,
    session_cancel,
    session_set_bookable,
)
from config.cache import breaker_reset
from tests.booking.api_helpers import public_url
from tests.booking.views_helpers import details_url, week_url
from tests.conftest import HTMX, requires_postgres
from tests.factories import BookingRequestFactory, ServiceFactory, SessionFactory

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]

# A Wednesday noon in London (GMT): the week shown runs to Tuesday.
NOW = datetime(2027, 1, 13, 12, 0, 10, tzinfo=UTC)
SESSION_AT = datetime(2027, 1, 15, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.RATELIMIT_ENABLE = False
    settings.AVAILABILITY_CACHE = True
    breaker_reset()
    forget_answers()
    yield
    breaker_reset()


def forget_answers() -> None:
    """Delete every cached answer (a test database's versions start again each run;
    only the availability keys, not the rest of the Redis database)."""
    cache = caches[availability_cache.ALIAS]
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=cache.make_key("availability:*")):
        client.delete(key)
    caches[availability_cache.LOCAL_ALIAS].clear()  # and this process's copies


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def service(business):
    return ServiceFactory(business=business, name="Lengths", capacity=2)


@pytest.fixture
def session(service):
    return SessionFactory(service=service, starts_at=SESSION_AT, capacity=2)


def json_spots(client, business) -> dict[int, int]:
    """Session id -> spots left, from the public JSON API (all services)."""
    response = client.get(public_url(business, "availability/"))
    assert response.status_code == 200, response.content
    return {
        slot["session_id"]: slot["available_spots"]
        for slots in response.json().values()
        for slot in slots
    }


def html_spots(client, business, service) -> dict[int, str]:
    """Session id -> the spots label, from the week fragment (htmx)."""
    response = client.get(week_url(business, service), **HTMX)
    if response.status_code == 404:  # the service is no longer offered
        return {}
    assert response.status_code == 200
    page = response.content.decode()
    found = {}
    for match in re.finditer(r'href="([^"]+)"[^>]*>(.*?)</a>', page, re.S):
        for session in Session.objects.filter(business=business):
            if match.group(1).startswith(details_url(business, session)):
                spots = re.search(r"(\d+) spots? left", match.group(2))
                found[session.pk] = spots.group(1) if spots else "?"
    return found


def answers(client, business, service) -> tuple[dict, dict]:
    return json_spots(client, business), html_spots(client, business, service)


def cache_figures() -> tuple[float, float]:
    counter = metrics.AVAILABILITY_CACHE
    return (
        counter.labels("hit")._value.get(),
        counter.labels("miss")._value.get(),
    )


def cached(client, business, service) -> tuple[dict, dict]:
    """The answers, asked twice: the second pair comes from the cache."""
    first = answers(client, business, service)
    hits, misses = cache_figures()
    again = answers(client, business, service)
    # (A week with no time looks ahead too: more than one lookup for the page.)
    assert cache_figures()[0] >= hits + 2
    assert cache_figures()[1] == misses, "the second answers came from the cache"
    assert again == first
    return again


def test_a_repeated_question_is_answered_from_the_cache(
    client, clock, business, service, session, django_assert_max_num_queries
):
    assert cached(client, business, service) == (
        {session.pk: 2},
        {session.pk: "2"},
    )
    # A hit reads the business with its settings (and the API checks nothing
    # else): the two availability queries are not run.
    with django_assert_max_num_queries(1):
        assert json_spots(client, business) == {session.pk: 2}


def _pending(session):
    return BookingRequestFactory(
        session=session,
        status=BookingRequest.Status.PENDING,
        expires_at=NOW + timedelta(hours=5),
    )


# Each change: (what it does, what the next answer must then say about ``session``:
# its spots left, or None when it is no longer offered).
def book(business, session):
    booking_create(
        business=business,
        session_id=session.pk,
        client_name="Ada",
        client_email="ada@example.com",
    )
    return 1


def reject(business, session):
    booking = _pending(session)
    yield 1
    booking_reject(booking_id=booking.pk, actor=None, reason="Full")
    yield 2


def cancel(business, session):
    booking = BookingRequestFactory(session=session)
    yield 1
    booking_cancel(booking_id=booking.pk, actor=None)
    yield 2


def expire_in_bulk(business, session):
    booking = _pending(session)
    yield 1
    # A bulk write (as a task, the admin or psql would make): the triggers see it.
    BookingRequest.objects.filter(pk=booking.pk).update(status="expired")
    yield 2


def approve(business, session):
    booking = _pending(session)
    yield 1
    BookingRequest.objects.filter(pk=booking.pk).update(
        status="approved", expires_at=None
    )
    # Still one spot taken, and it no longer lapses.
    yield 1


def edit_session(business, session):
    Session.objects.filter(pk=session.pk).update(capacity=5)
    return 5


def close_session(business, session):
    session_set_bookable(session_id=session.pk, bookable=False)


def cancel_session(business, session):
    session_cancel(session_id=session.pk, actor=None)


def deactivate_service(business, session):
    Service.objects.filter(pk=session.service_id).update(is_active=False)


def deactivate_link(business, session):
    settings = BookingSettings.objects.get(business=business)
    settings.is_active = False
    settings.save()


def shorten_window(business, session):
    BookingSettings.objects.filter(business=business).update(max_advance_booking_days=1)


def widen_buffer(business, session):
    # A booked session 30 minutes after this one: with a 45-minute buffer it blocks.
    neighbour = SessionFactory(
        service=session.service,
        starts_at=session.ends_at + timedelta(minutes=30),
        capacity=1,
    )
    BookingRequestFactory(session=neighbour)
    yield 2
    BookingSettings.objects.filter(business=business).update(buffer_time_minutes=45)
    yield None


CHANGES = [
    book,
    reject,
    cancel,
    expire_in_bulk,
    approve,
    edit_session,
    close_session,
    cancel_session,
    deactivate_service,
    deactivate_link,
    shorten_window,
    widen_buffer,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_each_change_shows_in_the_very_next_answer(
    client, clock, business, service, session, change
):
    result = change(business, session) if _is_generator(change) else None
    before = next(result) if result is not None else 2
    assert cached(client, business, service) == _expect(session, before)

    after = next(result) if result is not None else change(business, session)
    assert answers(client, business, service) == _expect(session, after)


def _is_generator(change) -> bool:
    return change.__code__.co_flags & 0x20 != 0


def _expect(session, spots: int | None) -> tuple[dict, dict]:
    if spots is None:
        return {}, {}
    return {session.pk: spots}, {session.pk: str(spots)}


def test_new_sessions_and_series_show_in_the_next_answer(
    client, clock, business, service, session
):
    assert cached(client, business, service) == _expect(session, 2)

    added = SessionFactory(service=service, starts_at=SESSION_AT + timedelta(days=1))
    assert json_spots(client, business) == {session.pk: 2, added.pk: 2}

    series = series_create(
        business=business,
        service=service,
        weekdays={SESSION_AT.weekday()},
        start_time=time(15, 0),
        first_date=SESSION_AT.date(),
        last_date=SESSION_AT.date(),
        capacity=3,
    )
    expected = {session.pk: 2, added.pk: 2, series[0].pk: 3}
    assert json_spots(client, business) == expected
    assert html_spots(client, business, service) == {
        pk: str(spots) for pk, spots in expected.items()
    }


def version_of(business) -> int:
    return BookingSettings.objects.get(business=business).availability_version


WRITES = {
    "service renamed": lambda s: Service.objects.filter(pk=s.service_id).update(
        name="Butterfly"
    ),
    "session moved": lambda s: Session.objects.filter(pk=s.pk).update(
        starts_at=s.starts_at + timedelta(hours=1),
        ends_at=s.ends_at + timedelta(hours=1),
    ),
    "session deleted": lambda s: Session.objects.filter(
        service=s.service, booking_requests__isnull=True
    ).delete(),
    "booking inserted": lambda s: BookingRequestFactory(session=s),
    "bookings deleted": lambda s: BookingRequest.objects.filter(session=s).delete(),
    "settings saved": lambda s: BookingSettings.objects.get(
        business_id=s.business_id
    ).save(),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_raises_the_version_once_committed(business, session, write):
    BookingRequestFactory(session=session, status="cancelled")
    SessionFactory(service=session.service, starts_at=SESSION_AT + timedelta(days=1))
    before = version_of(business)
    write(session)
    assert version_of(business) > before


def test_one_transaction_raises_the_version_of_only_its_businesses(
    business, other_business, session
):
    from django.db import transaction

    others = version_of(other_business)
    before = version_of(business)
    with transaction.atomic():
        for _ in range(3):
            BookingRequestFactory(session=session)
        # Not yet committed: the version moves at commit, once.
        assert version_of(business) == before
    assert version_of(business) > before
    assert version_of(other_business) == others


def test_a_lapsing_hold_frees_its_spot_with_no_write(
    client, clock, business, service, session
):
    BookingRequestFactory(session=session)
    BookingRequestFactory(
        session=session,
        status=BookingRequest.Status.PENDING,
        expires_at=NOW + timedelta(seconds=30),
    )
    assert cached(client, business, service) == ({}, {})
    version = version_of(business)

    # 35 seconds on, in the same minute: the hold lapsed; nothing was written.
    clock.move_to(NOW + timedelta(seconds=35))
    assert answers(client, business, service) == _expect(session, 1)
    assert version_of(business) == version
    assert BookingRequest.objects.filter(status="pending").count() == 1


def test_a_session_closing_within_the_minute_goes_with_no_write(
    client, clock, business, service
):
    # Closes 40 seconds from now (its deadline: 1 hour before it starts).
    closing = SessionFactory(
        service=service,
        starts_at=NOW + timedelta(hours=1, seconds=40),
        booking_deadline_hours=1,
    )
    assert json_spots(client, business) == {closing.pk: 2}
    assert json_spots(client, business) == {closing.pk: 2}
    clock.move_to(NOW + timedelta(seconds=45))
    assert json_spots(client, business) == {}


def test_a_session_opening_within_the_minute_shows_with_no_write(
    client, clock, business, service
):
    settings = BookingSettings.objects.get(business=business)
    window = timedelta(days=settings.max_advance_booking_days)
    # Opens 20 seconds from now: it starts just past the booking window.
    opening = SessionFactory(
        service=service, starts_at=NOW + window + timedelta(seconds=20)
    )
    day = opening.starts_at.astimezone(business.tz).date().isoformat()
    url = public_url(business, f"availability/?start_date={day}&end_date={day}")
    assert client.get(url).json() == {}
    assert client.get(url).json() == {}
    clock.move_to(NOW + timedelta(seconds=25))
    assert [s["session_id"] for s in client.get(url).json()[day]] == [opening.pk]


# --- Redis down or hanging ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_redis():
    """A real socket that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


def _redis_at(url: str) -> dict:
    """Both caches (rate limits and availability) on the Redis at ``url``, as
    production configures them (behind the breaker of config/cache.py)."""
    options = {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}
    backend = "config.cache.ResilientRedisCache"
    return {
        alias: {"BACKEND": backend, "LOCATION": url, "OPTIONS": options}
        for alias in ("default", availability_cache.ALIAS)
    }


@pytest.fixture
def limits_on(settings):
    settings.RATELIMIT_ENABLE = True
    breaker_reset()
    yield
    breaker_reset()


@pytest.mark.parametrize("where", ["closed port", "never answers"])
def test_without_redis_availability_and_booking_still_work(
    client, clock, business, service, session, silent_redis, where, caplog, limits_on
):
    url = f"redis://127.0.0.1:{_free_port()}/0" if where == "closed port" else None
    with override_settings(CACHES=_redis_at(url or silent_redis)):
        assert answers(client, business, service) == _expect(session, 2)
        # The breaker is open after the first failure: the next answers do not
        # wait for Redis again (one failure logged, not one per call).
        assert answers(client, business, service) == _expect(session, 2)
        assert caplog.text.count("Redis is not answering") == 1

        response = client.post(
            public_url(business, "book/"),
            {"session_id": session.pk, "client_name": "Ada", "client_email": "a@b.co"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        assert answers(client, business, service) == _expect(session, 1)


def test_a_failed_write_is_only_logged(clock, caplog):
    port = _free_port()
    with override_settings(CACHES=_redis_at(f"redis://127.0.0.1:{port}/0")):
        availability_cache.put("key", {}, valid_until=NOW + timedelta(minutes=1))
        assert "Redis is not answering" in caplog.text
        # The breaker is open now: neither reads nor writes try Redis.
        availability_cache.put("key", {}, valid_until=NOW + timedelta(minutes=1))
        assert availability_cache.get("key", NOW) is None
    assert caplog.text.count("Redis is not answering") == 1


def test_a_flushed_cache_is_only_a_miss(client, clock, business, service, session):
    cached(client, business, service)
    forget_answers()
    misses = cache_figures()[1]
    assert answers(client, business, service) == _expect(session, 2)
    assert cache_figures()[1] == misses + 2


def forget_redis_answers() -> None:
    """Redis's entries only, as another process would find them gone."""
    cache = caches[availability_cache.ALIAS]
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=cache.make_key("availability:*")):
        client.delete(key)


def test_this_process_keeps_its_own_copy_of_what_it_read(
    client, clock, business, service, session
):
    """The copy in the process's memory answers without Redis; one read from Redis
    (written by another process) is copied too. A change still shows at once."""
    cached(client, business, service)
    forget_redis_answers()
    hits, misses = cache_figures()
    assert answers(client, business, service) == ({session.pk: 2}, {session.pk: "2"})
    assert cache_figures() == (hits + 2, misses)

    key = "availability:elsewhere"
    caches[availability_cache.ALIAS].set(
        key, availability_cache.Entry(NOW + timedelta(minutes=1), b"{}"), 60
    )
    assert availability_cache.get(key, NOW) == b"{}"
    forget_redis_answers()
    assert availability_cache.get(key, NOW) == b"{}"
    assert availability_cache.get(key, NOW + timedelta(minutes=1)) is None

    BookingRequestFactory(session=session)
    assert answers(client, business, service) == ({session.pk: 1}, {session.pk: "1"})


def test_inside_a_transaction_every_answer_is_computed(
    client, clock, business, service, session
):
    from django.db import transaction

    from booking.availability import get_availability

    figures = cache_figures()
    with transaction.atomic():
        BookingRequestFactory(session=session)
        found = get_availability(
            business=business,
            start_date=SESSION_AT.date(),
            end_date=SESSION_AT.date(),
            now=timezone.now(),
        )
    assert [slot.spots_left for slot in found.slots] == [1]
    assert cache_figures() == figures
