"""The booking rules, write side: booking/services.py."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from booking import services
from booking.errors import BookingError
from booking.models import BookingEvent, BookingRequest, Business
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
def biz(db):
    return BusinessFactory()


@pytest.fixture
def session(biz):
    service = ServiceFactory(business=biz, capacity=2)
    return SessionFactory(service=service, starts_at=NOW + timedelta(days=3))


def book(business, session, now=NOW, **kwargs):
    fields = {
        "client_name": "Ada Lovelace",
        "client_email": "ada@example.com",
        **kwargs,
    }
    return services.booking_create(
        business=business, session_id=session.pk, now=now, **fields
    )


def set_settings(business, **values):
    for name, value in values.items():
        setattr(business.booking_settings, name, value)
    business.booking_settings.save()


# --- creating -------------------------------------------------------------------------


@pytest.mark.django_db
def test_instant_booking_is_approved_and_recorded(biz, session):
    result = book(biz, session)
    booking = result.booking
    assert result.created
    assert booking.status == Status.APPROVED
    assert booking.approved_at == NOW
    assert booking.expires_at is None
    assert booking.booking_reference.startswith("BK-")
    assert len(booking.access_token) >= 32
    (event,) = booking.events.all()
    assert (event.action, event.to_status, event.actor_label) == (
        "auto_approved",
        Status.APPROVED,
        "client",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("expiry_hours", "starts_in", "expected_expiry"),
    [
        (24, timedelta(days=3), timedelta(hours=24)),
        (24, timedelta(hours=5), timedelta(hours=5)),  # never past the session's start
    ],
)
def test_approval_required_makes_a_pending_request_with_expiry(
    biz, expiry_hours, starts_in, expected_expiry
):
    set_settings(biz, requires_approval=True, booking_expiry_hours=expiry_hours)
    session = SessionFactory(
        service=ServiceFactory(business=biz), starts_at=NOW + starts_in
    )
    booking = book(biz, session).booking
    assert booking.status == Status.PENDING
    assert booking.expires_at == NOW + expected_expiry
    assert booking.events.get().action == "created"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("earlier", "now_contact", "expected"),
    [
        (
            {"client_email": "Ada@Example.com"},
            {"client_email": "ada@example.com"},
            "approved",
        ),
        (
            {"client_email": "", "client_phone": "+447700900000"},
            {"client_email": "", "client_phone": "+447700900000"},
            "approved",
        ),
        (
            {"client_email": "someone@else.com"},
            {"client_email": "ada@example.com"},
            "pending",
        ),
    ],
)
def test_returning_clients_are_auto_approved_when_enabled(
    biz, session, earlier, now_contact, expected
):
    set_settings(biz, requires_approval=True, auto_approve_returning_clients=True)
    past = SessionFactory(service=session.service, starts_at=NOW - timedelta(days=7))
    BookingRequestFactory(session=past, status=Status.APPROVED, **earlier)
    assert book(biz, session, **now_contact).booking.status == expected


@pytest.mark.django_db
def test_returning_client_of_another_business_is_not_auto_approved(biz, session):
    set_settings(biz, requires_approval=True, auto_approve_returning_clients=True)
    BookingRequestFactory(status=Status.APPROVED, client_email="ada@example.com")
    assert book(biz, session).booking.status == Status.PENDING


@pytest.mark.django_db
def test_a_rejected_past_booking_does_not_count_as_returning(biz, session):
    set_settings(biz, requires_approval=True, auto_approve_returning_clients=True)
    BookingRequestFactory(
        session=session, status=Status.REJECTED, client_email="ada@example.com"
    )
    assert book(biz, session).booking.status == Status.PENDING


@pytest.mark.django_db
def test_every_rule_is_rechecked(biz, session):
    book(biz, session, client_email="a@example.com")
    book(biz, session, client_email="b@example.com")
    with pytest.raises(BookingError) as error:
        book(biz, session, client_email="c@example.com")
    assert error.value.code == "full"
    assert error.value.is_taken
    assert "just taken" in error.value.message
    assert BookingRequest.objects.count() == 2


@pytest.mark.django_db
def test_a_session_of_another_business_is_not_found(biz):
    foreign = SessionFactory(starts_at=NOW + timedelta(days=2))
    with pytest.raises(BookingError) as error:
        book(biz, foreign)
    assert error.value.code == "session_not_found"
    assert not BookingRequest.objects.exists()


@pytest.mark.django_db
def test_idempotency_key_returns_the_first_booking(biz, session):
    first = book(biz, session, idempotency_key="form:abc")
    again = book(biz, session, idempotency_key="form:abc")
    assert first.created and not again.created
    assert again.booking.pk == first.booking.pk
    assert BookingRequest.objects.count() == 1


@pytest.mark.django_db
def test_contact_is_required(biz, session):
    with pytest.raises(ValueError, match="client_email or client_phone"):
        book(biz, session, client_email="", client_phone="")


@pytest.mark.django_db(transaction=True)
def test_lock_refuses_to_run_outside_a_transaction(biz):
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        services.lock_business(biz.pk)
    with transaction.atomic():
        assert services.lock_business(biz.pk).pk == biz.pk


# --- transitions ----------------------------------------------------------------------


@pytest.fixture
def pending(biz, session):
    set_settings(biz, requires_approval=True)
    return book(biz, session).booking


@pytest.mark.django_db
def test_approve_records_who_and_when(pending):
    owner = UserFactory()
    later = NOW + timedelta(hours=1)
    booking = services.booking_approve(booking_id=pending.pk, actor=owner, now=later)
    assert booking.status == Status.APPROVED
    assert (booking.approved_by, booking.approved_at) == (owner, later)
    assert booking.sequence == 1
    event = booking.events.last()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "approved",
        "pending",
        "approved",
        owner,
    )
    assert event.created_at == later


@pytest.mark.django_db
def test_reject_needs_a_reason_and_keeps_it(pending):
    owner = UserFactory()
    with pytest.raises(BookingError) as error:
        services.booking_reject(
            booking_id=pending.pk, actor=owner, reason="   ", now=NOW
        )
    assert error.value.code == "reason_required"
    booking = services.booking_reject(
        booking_id=pending.pk, actor=owner, reason=" Pool closed ", now=NOW
    )
    assert booking.status == Status.REJECTED
    assert booking.rejection_reason == "Pool closed"
    assert booking.decided_at == NOW
    assert booking.events.last().note == "Pool closed"


@pytest.mark.django_db
def test_client_cancel_frees_the_spot(biz, session):
    booking = book(biz, session).booking
    cancelled = services.booking_cancel(booking_id=booking.pk, by_client=True, now=NOW)
    assert cancelled.status == Status.CANCELLED
    assert cancelled.events.last().actor_display == "client"
    assert (
        services.check_session_offered(
            session=session, settings=biz.booking_settings, now=NOW
        )
        == 2
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.APPROVED, "approve"),
        (Status.APPROVED, "reject"),
        (Status.REJECTED, "approve"),
        (Status.REJECTED, "cancel"),
        (Status.CANCELLED, "cancel"),
        (Status.EXPIRED, "approve"),
    ],
)
def test_invalid_transitions_are_refused_with_a_clear_message(status, action):
    booking = BookingRequestFactory(status=status)
    call = {
        "approve": lambda: services.booking_approve(booking_id=booking.pk, actor=None),
        "reject": lambda: services.booking_reject(
            booking_id=booking.pk, actor=None, reason="no"
        ),
        "cancel": lambda: services.booking_cancel(booking_id=booking.pk),
    }[action]
    with pytest.raises(BookingError) as error:
        call()
    assert error.value.code == "invalid_transition"
    assert error.value.status == 409
    assert "cannot be" in error.value.message
    booking.refresh_from_db()
    assert booking.status == status
    assert not BookingEvent.objects.filter(booking=booking).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["approve", "reject", "cancel", "client_cancel"])
def test_a_lapsed_pending_request_can_only_expire(pending, action):
    """It reads as expired everywhere (``allowed_actions``), so nobody may answer it."""
    later = pending.expires_at + timedelta(seconds=1)
    call = {
        "approve": lambda: services.booking_approve(
            booking_id=pending.pk, actor=None, now=later
        ),
        "reject": lambda: services.booking_reject(
            booking_id=pending.pk, actor=None, reason="no", now=later
        ),
        "cancel": lambda: services.booking_cancel(booking_id=pending.pk, now=later),
        "client_cancel": lambda: services.booking_cancel(
            booking_id=pending.pk, by_client=True, now=later
        ),
    }[action]
    with pytest.raises(BookingError) as error:
        call()
    assert error.value.code == "expired"
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert services.booking_expire(booking_id=pending.pk, now=later).status == (
        Status.EXPIRED
    )


@pytest.mark.django_db
def test_bookings_expire_marks_only_lapsed_pending_requests(biz, session, pending):
    fresh = BookingRequestFactory(
        session=session, status=Status.PENDING, expires_at=NOW + timedelta(days=2)
    )
    approved = BookingRequestFactory(session=session, status=Status.APPROVED)
    expired_ids = services.bookings_expire(now=pending.expires_at)
    assert expired_ids == [pending.pk]
    pending.refresh_from_db()
    assert pending.status == Status.EXPIRED
    assert pending.events.last().actor_display == "system"
    fresh.refresh_from_db()
    approved.refresh_from_db()
    assert (fresh.status, approved.status) == (Status.PENDING, Status.APPROVED)
    assert services.bookings_expire(now=pending.expires_at) == []


@pytest.mark.django_db
def test_expire_refuses_a_request_that_has_not_lapsed(pending):
    with pytest.raises(BookingError):
        services.booking_expire(booking_id=pending.pk, now=NOW)


# --- concurrency (PostgreSQL row locks) -----------------------------------------------


def _race(business, session_ids, threads: int):
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        try:
            barrier.wait()
            services.booking_create(
                business=business,
                session_id=session_ids[index % len(session_ids)],
                client_name=f"Client {index}",
                client_email=f"c{index}@example.com",
                now=NOW,
            )
            outcome = "booked"
        except BookingError as error:
            outcome = error.code
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    workers = [threading.Thread(target=attempt, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_clients_racing_for_three_spots_make_three_bookings(biz):
    session = SessionFactory(
        service=ServiceFactory(business=biz, capacity=3),
        starts_at=NOW + timedelta(days=2),
    )
    outcomes = _race(biz, [session.pk], threads=20)
    assert outcomes.count("booked") == 3
    assert outcomes.count("full") == 17
    assert BookingRequest.objects.filter(session=session).count() == 3


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_sessions_separated_only_by_the_buffer_get_at_most_one_booking(biz):
    service = ServiceFactory(business=biz, capacity=1, duration_minutes=60)
    first = SessionFactory(service=service, starts_at=NOW + timedelta(days=2))
    second = SessionFactory(
        service=service, starts_at=first.ends_at + timedelta(minutes=5)
    )
    outcomes = _race(biz, [first.pk, second.pk], threads=10)
    assert outcomes.count("booked") == 1
    assert BookingRequest.objects.filter(session__business=biz).count() == 1


@pytest.mark.django_db
def test_a_client_cannot_cancel_once_the_session_has_started(biz, session):
    booking = book(biz, session).booking
    with pytest.raises(BookingError) as error:
        services.booking_cancel(
            booking_id=booking.pk, by_client=True, now=session.starts_at
        )
    assert error.value.code == "already_started"
    assert "contact the business" in error.value.message
    booking.refresh_from_db()
    assert booking.status == Status.APPROVED
    assert not booking.client_can_cancel(session.starts_at)
    assert booking.client_can_cancel(session.starts_at - timedelta(minutes=1))
    # The business can still cancel it (a no-show, an incident at the pool).
    owner = UserFactory()
    cancelled = services.booking_cancel(
        booking_id=booking.pk, actor=owner, now=session.starts_at + timedelta(hours=1)
    )
    assert cancelled.status == Status.CANCELLED


# --- sessions: the dashboard's commands that touch bookings --------------------------


@pytest.mark.django_db
def test_session_set_bookable(session):
    assert services.session_set_bookable(session_id=session.pk, bookable=False)
    session.refresh_from_db()
    assert session.is_bookable is False
    services.session_set_bookable(session_id=session.pk, bookable=True)
    session.refresh_from_db()
    assert session.is_bookable is True


@pytest.mark.django_db
def test_session_cancel_cancels_the_bookings_holding_a_spot(session):
    owner = UserFactory()
    approved = BookingRequestFactory(session=session, status=Status.APPROVED)
    pending = BookingRequestFactory(
        session=session, status=Status.PENDING, expires_at=NOW + timedelta(hours=3)
    )
    lapsed = BookingRequestFactory(
        session=session, status=Status.PENDING, expires_at=NOW - timedelta(hours=1)
    )
    rejected = BookingRequestFactory(session=session, status=Status.REJECTED)

    cancelled = services.session_cancel(
        session_id=session.pk, actor=owner, reason="Pool closed", now=NOW
    )

    assert {b.pk for b in cancelled} == {approved.pk, pending.pk}
    session.refresh_from_db()
    assert session.cancelled_at == NOW and session.is_bookable is False
    for booking in (approved, pending):
        booking.refresh_from_db()
        assert booking.status == Status.CANCELLED
        assert booking.cancellation_reason == "Pool closed"
        event = booking.events.get(action=BookingEvent.Action.CANCELLED)
        assert (event.actor, event.note) == (owner, "Pool closed")
    for untouched, status in ((lapsed, Status.PENDING), (rejected, Status.REJECTED)):
        untouched.refresh_from_db()
        assert untouched.status == status


@pytest.mark.django_db
def test_session_cancel_invents_no_message_and_refuses_twice(session):
    booking = BookingRequestFactory(session=session, status=Status.APPROVED)
    services.session_cancel(session_id=session.pk, actor=None, reason="  ", now=NOW)
    booking.refresh_from_db()
    # The client's email says the session was cancelled; no made-up "message".
    assert booking.status == Status.CANCELLED and booking.cancellation_reason == ""
    assert booking.events.get(action=BookingEvent.Action.CANCELLED).note == ""
    with pytest.raises(BookingError) as caught:
        services.session_cancel(session_id=session.pk, actor=None, now=NOW)
    assert caught.value.code == "session_cancelled"
    with pytest.raises(BookingError):
        services.session_set_bookable(session_id=session.pk, bookable=True)


@pytest.mark.django_db
def test_a_cancelled_session_cannot_be_booked(session):
    services.session_cancel(session_id=session.pk, actor=None, now=NOW)
    business = Business.objects.get(pk=session.business_id)
    with pytest.raises(BookingError) as caught:
        services.booking_create(
            business=business,
            session_id=session.pk,
            client_name="Late Larry",
            client_email="larry@example.com",
            now=NOW,
        )
    assert caught.value.code == "not_bookable"
