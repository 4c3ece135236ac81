"""Reads for the owner's screens: booking/selectors.py."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction

from booking import selectors
from booking.models import BookingNotification, BookingRequest
from booking.selectors import (
    RequestFilters,
    booking_requests_for_business,
    holding_bookings,
    notifications_for,
    pending_count,
    pending_summary,
    search_q,
    session_for_card,
    sessions_between,
    sessions_by_day,
    unread_count,
)
from tests.conftest import requires_postgres
from tests.factories import (
    BookingRequestFactory,
    BusinessFactory,
    ServiceFactory,
    SessionFactory,
    UserFactory,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
Status = BookingRequest.Status


@pytest.fixture
def tokyo(db):
    # Far from UTC: a session at 08:00 Tokyo on 10 June starts at 23:00 UTC on 9 June.
    return BusinessFactory(timezone="Asia/Tokyo")


@pytest.fixture
def swim(tokyo):
    return ServiceFactory(business=tokyo, name="Swim", capacity=10)


@pytest.fixture
def yoga(tokyo):
    return ServiceFactory(business=tokyo, name="Yoga", capacity=10)


def book(session, **fields):
    fields.setdefault("status", Status.APPROVED)
    if fields["status"] == Status.PENDING:
        fields.setdefault("expires_at", NOW + timedelta(hours=5))
    return BookingRequestFactory(session=session, **fields)


@pytest.fixture
def rows(swim, yoga):
    early = SessionFactory(service=swim, starts_at=datetime(2026, 6, 9, 23, tzinfo=UTC))
    late = SessionFactory(service=yoga, starts_at=datetime(2026, 6, 12, 1, tzinfo=UTC))
    return {
        "approved": book(early, client_name="Ada Lovelace", client_email="ada@x.org"),
        "pending": book(
            early,
            status=Status.PENDING,
            client_name="Grace Hopper",
            client_email="",
            client_phone="+819012345678",
        ),
        "lapsed": book(
            late,
            status=Status.PENDING,
            expires_at=NOW - timedelta(minutes=1),
            client_name="Alan Turing",
        ),
        "expired": book(late, status=Status.EXPIRED, client_name="Edsger Dijkstra"),
        "rejected": book(late, status=Status.REJECTED, client_name="Barbara Liskov"),
    }


def found(business, **filters):
    return set(
        booking_requests_for_business(
            business=business, filters=RequestFilters(**filters), now=NOW
        )
    )


def test_no_filters_lists_the_business_requests_only(tokyo, rows):
    other = BookingRequestFactory()
    assert found(tokyo) == set(rows.values())
    assert other not in found(tokyo)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("pending", {"pending"}),
        ("expired", {"lapsed", "expired"}),  # a lapsed pending request is expired
        ("approved", {"approved"}),
        ("rejected", {"rejected"}),
        ("cancelled", set()),
    ],
)
def test_status_filter_uses_the_effective_status(tokyo, rows, status, expected):
    assert found(tokyo, status=status) == {rows[name] for name in expected}


def test_service_filter(tokyo, rows, yoga):
    assert found(tokyo, service_id=yoga.pk) == {
        rows["lapsed"],
        rows["expired"],
        rows["rejected"],
    }


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        # 23:00 UTC on 9 June is 10 June in Tokyo
        (date(2026, 6, 10), date(2026, 6, 10), {"approved", "pending"}),
        (date(2026, 6, 9), date(2026, 6, 9), set()),
        (date(2026, 6, 12), None, {"lapsed", "expired", "rejected"}),
        (None, date(2026, 6, 11), {"approved", "pending"}),
    ],
)
def test_date_range_is_in_the_business_zone(tokyo, rows, date_from, date_to, expected):
    assert found(tokyo, date_from=date_from, date_to=date_to) == {
        rows[name] for name in expected
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ada", {"approved"}),
        ("X.ORG", {"approved"}),
        ("9012 3456", {"pending"}),  # digits of the phone, any formatting
        ("+81-90-1234-5678", {"pending"}),
        ("turing", {"lapsed"}),
        ("zzz", set()),
    ],
)
def test_free_text_search(tokyo, rows, q, expected):
    assert found(tokyo, q=q) == {rows[name] for name in expected}


def test_search_by_reference(tokyo, rows):
    reference = rows["rejected"].booking_reference
    assert found(tokyo, q=reference.lower()) == {rows["rejected"]}


@requires_postgres
@pytest.mark.parametrize("q", ["ada", "9012 3456"])
def test_every_term_of_the_search_is_answered_from_a_trigram_index(rows, q):
    """A search reads the matching requests, not every request: each of its terms
    (name, email, phone, reference, the phone's digits) is the expression of a
    trigram index (migration 0012), so the planner, told to read only what an
    index's condition finds, answers it from those indexes alone."""
    search = BookingRequest.objects.filter(search_q(q)).values("pk")
    with transaction.atomic(), connection.cursor() as cursor:
        # Only an index's own condition left to read by (no whole table, no
        # whole index).
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        plan = search.explain()
    assert "Seq Scan" not in plan
    used = set(re.findall(r"Bitmap Index Scan on (\w+)", plan))
    columns = ["client_name", "client_email", "client_phone", "booking_reference"]
    assert used == {f"booking_request_{column}_trgm" for column in columns}


@requires_postgres
def test_the_waiting_tab_reads_the_business_own_waiting_requests_in_order(tokyo, rows):
    """The waiting tab's count and its page's keys start from the business's
    waiting requests in the tab's order (``booking_business_status_idx``): no join
    through the sessions, no sort, whatever the planner's statistics."""
    found = booking_requests_for_business(
        business=tokyo, filters=RequestFilters(status=Status.PENDING), now=NOW
    )
    keys = found.order_by("status", "expires_at", "pk").values("pk")[:25]
    with transaction.atomic(), connection.cursor() as cursor:
        for scan in ("seqscan", "bitmapscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        plans = [
            keys.explain(),
            selectors._pending_count_query(business_id=tokyo.pk, now=NOW).explain(),
        ]
    for plan in plans:
        assert "booking_business_status_idx" in plan
        assert "booking_session" not in plan
    assert "Sort" not in plans[0]


def test_pending_summary_counts_live_requests_and_finds_the_soonest(tokyo, rows, swim):
    soon = book(
        SessionFactory(service=swim, starts_at=NOW + timedelta(days=2)),
        status=Status.PENDING,
        expires_at=NOW + timedelta(hours=1),
    )
    summary = pending_summary(business=tokyo, now=NOW)
    assert summary.count == 2
    assert summary.soonest == soon


def test_pending_summary_when_nothing_waits(tokyo):
    summary = pending_summary(business=tokyo, now=NOW)
    assert (summary.count, summary.soonest) == (0, None)


def test_pending_count_counts_what_waits_for_an_answer_in_the_business(
    tokyo, rows, swim
):
    """The compiled count: pending and not lapsed, this business's alone, 0 when
    nothing waits (no row comes back then)."""
    other = ServiceFactory(business=BusinessFactory())
    for service in (swim, other):
        book(
            SessionFactory(service=service, starts_at=NOW + timedelta(days=2)),
            status=Status.PENDING,
            expires_at=NOW + timedelta(hours=1),
        )
    waiting = BookingRequest.objects.with_effective_status(Status.PENDING, NOW)
    expected = waiting.filter(session__business=tokyo).count()
    assert expected == 2
    assert pending_count(business=tokyo, now=NOW) == expected
    later = NOW + timedelta(days=30)  # every one lapsed by then
    assert pending_count(business=tokyo, now=later) == 0
    assert pending_count(business=BusinessFactory(), now=NOW) == 0


def test_sessions_between_counts_and_lists_holding_bookings(tokyo, rows):
    sessions = sessions_between(
        business=tokyo,
        start=datetime(2026, 6, 9, tzinfo=UTC),
        end=datetime(2026, 6, 13, tzinfo=UTC),
        now=NOW,
    )
    early, late = sessions
    assert (early.active_count, late.active_count) == (2, 0)
    assert [b.client_name for b in early.holding] == ["Ada Lovelace", "Grace Hopper"]
    assert late.holding == []
    assert holding_bookings(session=early, now=NOW) == early.holding


def test_sessions_by_day_buckets_by_the_business_local_date(
    tokyo, rows, django_assert_num_queries
):
    # 23:00 UTC on 9 June is 08:00 on 10 June in Tokyo; 01:00 UTC 12 June is 10:00.
    with django_assert_num_queries(3):
        days = sessions_by_day(
            business=tokyo, first_day=date(2026, 6, 8), days=7, now=NOW
        )
    assert [day for day, _ in days] == [date(2026, 6, 8 + n) for n in range(7)]
    counts = {day.day: [s.active_count for s in sessions] for day, sessions in days}
    assert counts == {8: [], 9: [], 10: [2], 11: [], 12: [0], 13: [], 14: []}
    (early,) = dict(days)[date(2026, 6, 10)]
    assert [b.client_name for b in early.holding] == ["Ada Lovelace", "Grace Hopper"]


def test_sessions_by_day_across_a_clock_change(swim):
    london = BusinessFactory(timezone="Europe/London")
    lesson = ServiceFactory(business=london)
    # Clocks go forward at 01:00 UTC on Sunday 29 March 2026.
    late_saturday = SessionFactory(
        service=lesson, starts_at=datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    )
    early_sunday = SessionFactory(
        service=lesson, starts_at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    )
    late_sunday = SessionFactory(  # 23:30 BST
        service=lesson, starts_at=datetime(2026, 3, 29, 22, 30, tzinfo=UTC)
    )
    monday = SessionFactory(  # 00:30 BST on Monday 30 March: the next week's
        service=lesson, starts_at=datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
    )
    days = dict(
        sessions_by_day(business=london, first_day=date(2026, 3, 23), days=7, now=NOW)
    )
    assert days[date(2026, 3, 28)] == [late_saturday]  # 23:30 GMT
    assert days[date(2026, 3, 29)] == [early_sunday, late_sunday]  # 00:30 GMT
    assert monday not in [s for sessions in days.values() for s in sessions]


def test_session_for_card_has_its_count_and_clients(tokyo, rows, other_business):
    early = rows["approved"].session
    card = session_for_card(business=tokyo, session_id=early.pk, now=NOW)
    assert card.active_count == 2
    assert [b.client_name for b in card.holding] == ["Ada Lovelace", "Grace Hopper"]
    with pytest.raises(type(early).DoesNotExist):
        session_for_card(business=other_business, session_id=early.pk, now=NOW)


def test_notifications_are_scoped_to_user_and_business(tokyo, rows):
    user, someone = UserFactory(), UserFactory()
    elsewhere = BookingRequestFactory()

    def note(who, booking, read=False):
        return BookingNotification.objects.create(
            user=who,
            booking_request=booking,
            type="booking_request",
            title="t",
            message="m",
            read_at=NOW if read else None,
        )

    mine = note(user, rows["pending"])
    note(user, rows["approved"], read=True)
    note(user, elsewhere)
    note(someone, rows["pending"])
    assert set(notifications_for(user=user, business=tokyo)) == {
        mine,
        *BookingNotification.objects.filter(read_at=NOW),
    }
    assert unread_count(user=user, business=tokyo) == 1
