"""Moves (reschedules) and bookings entered by staff: booking/services.py.

Swim School Pro (London) with a 15-minute buffer. Times are fixed instants around
1 June 2026; every rule is asked with an explicit ``now``.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from booking import services
from booking.availability import check_session_offered, get_availability
from booking.errors import BookingError
from booking.models import BookingEvent, BookingRequest, OutboundEmail, Session
from booking.scheduling import session_update
from tests.conftest import requires_postgres
from tests.factories import (
    BookingRequestFactory,
    BusinessFactory,
    ServiceFactory,
    SessionFactory,
    UserFactory,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
DAY = NOW + timedelta(days=3)  # 4 June, 10:00 London
Status = BookingRequest.Status
Action = BookingEvent.Action


@pytest.fixture
def biz(db):
    return BusinessFactory(name="Swim School Pro", timezone="Europe/London")


@pytest.fixture
def lesson(biz):
    return ServiceFactory(business=biz, name="Private Lesson", capacity=1)


def at(service, start, **kwargs):
    return SessionFactory(service=service, starts_at=start, **kwargs)


def booked(session, **kwargs):
    return BookingRequestFactory(session=session, created_at=NOW, **kwargs)


def set_settings(business, **values):
    for name, value in values.items():
        setattr(business.booking_settings, name, value)
    business.booking_settings.save()


def move(booking, session, now=NOW, **kwargs):
    kwargs.setdefault("by_client", True)
    return services.booking_reschedule(
        booking_id=booking.pk, session_id=session.pk, now=now, **kwargs
    )


def refused(code, call, *args, **kwargs) -> BookingError:
    with pytest.raises(BookingError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def offered_ids(business, now=NOW, **kwargs) -> set[int]:
    found = get_availability(
        business=business,
        start_date=NOW.date(),
        end_date=NOW.date() + timedelta(days=20),
        now=now,
        **kwargs,
    )
    return {slot.session_id for slot in found.slots}


# --- a client moves ---------------------------------------------------------------


def test_a_client_moves_instantly_and_keeps_reference_link_and_uid(biz, lesson):
    first, later = at(lesson, DAY), at(lesson, DAY + timedelta(days=1))
    booking = booked(first)
    reference, token = booking.booking_reference, booking.access_token

    result = move(booking, later)

    assert result.moved and not result.replayed
    booking.refresh_from_db()
    assert booking.session == later
    assert booking.status == Status.APPROVED
    assert (booking.booking_reference, booking.access_token) == (reference, token)
    assert booking.sequence == 1
    assert booking.move_to is None
    event = booking.events.get()
    assert (event.action, event.actor_label) == (Action.MOVED, "client")
    assert (event.from_session, event.to_session) == (first, later)
    # The old spot is free again, the new one taken.
    assert offered_ids(biz) == {first.pk}


def test_a_booking_never_blocks_its_own_new_time_by_the_buffer(biz, lesson):
    first = at(lesson, DAY)  # 10:00–11:00 London
    close = at(lesson, first.ends_at + timedelta(minutes=10))  # inside the buffer
    booking = booked(first)
    assert close.pk not in offered_ids(biz)  # for everyone else, blocked
    assert close.pk in offered_ids(biz, moving_id=booking.pk)

    move(booking, close)

    booking.refresh_from_db()
    assert booking.session == close


def test_another_clients_booking_still_blocks_by_the_buffer(biz):
    group = ServiceFactory(business=biz, capacity=2)
    first = at(group, DAY)
    close = at(group, first.ends_at + timedelta(minutes=10))
    ada, _bo = booked(first), booked(first)

    error = refused("buffer", move, ada, close)

    assert error.message == "That time was just taken. Please pick another time."
    ada.refresh_from_db()
    assert ada.session == first


def test_a_full_session_refuses_the_move(biz, lesson):
    first, full = at(lesson, DAY), at(lesson, DAY + timedelta(days=1))
    booking = booked(first)
    booked(full)

    refused("full", move, booking, full)

    booking.refresh_from_db()
    assert (booking.session, booking.sequence) == (first, 0)
    assert not booking.events.exists()


@pytest.mark.parametrize(
    ("values", "now", "code"),
    [
        ({"allow_client_reschedule": False}, NOW, "reschedule_off"),
        ({}, DAY + timedelta(minutes=1), "move_started"),
        ({"reschedule_notice_hours": 24}, DAY - timedelta(hours=23), "move_too_late"),
    ],
    ids=["switched-off", "started", "too-late"],
)
def test_refusals_of_a_client_move(biz, lesson, values, now, code):
    set_settings(biz, **values)
    first = at(lesson, DAY)
    later = at(lesson, DAY + timedelta(days=1))
    booking = booked(first)

    error = refused(code, move, booking, later, now=now)

    assert "contact" in error.message.lower() or "online" in error.message.lower()
    booking.refresh_from_db()
    assert booking.session == first


def test_the_notice_is_measured_to_the_current_session(biz, lesson):
    set_settings(biz, reschedule_notice_hours=24)
    first, later = at(lesson, DAY), at(lesson, DAY + timedelta(days=1))
    booking = booked(first)

    move(booking, later, now=DAY - timedelta(hours=24))

    booking.refresh_from_db()
    assert booking.session == later


def test_a_client_stays_inside_the_booking_window_and_the_service(biz, lesson):
    set_settings(biz, max_advance_booking_days=10)
    first = at(lesson, DAY)
    too_far = at(lesson, NOW + timedelta(days=11))
    soon = at(lesson, NOW + timedelta(hours=1), booking_deadline_hours=2)
    other = at(ServiceFactory(business=biz), DAY + timedelta(days=1))
    booking = booked(first)

    refused("too_far", move, booking, too_far)
    refused("too_soon", move, booking, soon)
    refused("other_service", move, booking, other)
    refused("same_session", move, booking, first)


def test_a_cancelled_booking_cannot_move(biz, lesson):
    booking = booked(at(lesson, DAY), status=Status.CANCELLED)
    refused("not_movable", move, booking, at(lesson, DAY + timedelta(days=1)))


def test_a_pending_request_simply_moves_and_keeps_waiting(biz, lesson):
    set_settings(biz, requires_approval=True)
    first = at(lesson, DAY)
    soon = at(lesson, NOW + timedelta(hours=5))
    booking = booked(first, status=Status.PENDING, expires_at=NOW + timedelta(days=1))

    result = move(booking, soon)

    assert result.moved
    booking.refresh_from_db()
    assert (booking.session, booking.status) == (soon, Status.PENDING)
    assert booking.expires_at == soon.starts_at  # never past its session's start


# --- approval businesses: the move waits for the owner ------------------------------


@pytest.fixture
def waiting(biz, lesson):
    """Ada's confirmed 10:00 lesson; she asks to move to the next day."""
    set_settings(biz, requires_approval=True, booking_expiry_hours=24)
    first, later = at(lesson, DAY), at(lesson, DAY + timedelta(days=1))
    booking = booked(first, client_email="ada@example.com")
    result = move(booking, later)
    booking.refresh_from_db()
    return result, booking, first, later


def test_a_move_that_needs_approval_holds_both_spots(biz, waiting):
    result, booking, first, later = waiting

    assert not result.moved
    assert (booking.session, booking.move_to) == (first, later)
    assert booking.move_expires_at == NOW + timedelta(hours=24)
    assert booking.sequence == 0  # nothing changed in the client's calendar yet
    assert booking.events.get().action == Action.MOVE_REQUESTED
    # Both times count against capacity while it waits.
    assert offered_ids(biz).isdisjoint({first.pk, later.pk})
    refused(
        "full",
        check_session_offered,
        session=later,
        settings=biz.booking_settings,
        now=NOW,
    )
    refused(
        "full",
        check_session_offered,
        session=first,
        settings=biz.booking_settings,
        now=NOW,
    )
    # One waiting move at a time.
    refused(
        "move_waiting",
        move,
        booking,
        at(booking.session.service, DAY + timedelta(days=2)),
    )


def test_approving_a_move_takes_the_held_spot_and_frees_the_old(biz, waiting):
    _, booking, first, later = waiting
    owner = UserFactory()

    services.booking_move_approve(booking_id=booking.pk, actor=owner, now=NOW)

    booking.refresh_from_db()
    assert (booking.session, booking.move_to, booking.sequence) == (later, None, 1)
    event = booking.events.last()
    assert (event.action, event.actor) == (Action.MOVE_APPROVED, owner)
    assert offered_ids(biz) == {first.pk}
    refused(
        "no_move_waiting",
        services.booking_move_approve,
        booking_id=booking.pk,
        actor=owner,
        now=NOW,
    )


def test_rejecting_a_move_keeps_the_original_time(biz, waiting):
    _, booking, first, later = waiting
    refused(
        "reason_required",
        services.booking_move_reject,
        booking_id=booking.pk,
        actor=None,
        reason=" ",
        now=NOW,
    )

    services.booking_move_reject(
        booking_id=booking.pk, actor=None, reason="Fully booked that day.", now=NOW
    )

    booking.refresh_from_db()
    assert (booking.session, booking.move_to, booking.sequence) == (first, None, 0)
    event = booking.events.last()
    assert (event.action, event.note) == (
        Action.MOVE_REJECTED,
        "Fully booked that day.",
    )
    assert offered_ids(biz) == {later.pk}


def test_an_expired_move_leaves_the_original_and_frees_the_new_spot(biz, waiting):
    _, booking, first, later = waiting
    lapse = booking.move_expires_at

    # Correct at read time, before the job runs.
    assert later.pk in offered_ids(biz, now=lapse)
    refused(
        "move_expired",
        services.booking_move_approve,
        booking_id=booking.pk,
        actor=None,
        now=lapse,
    )
    assert services.moves_expire(now=lapse - timedelta(seconds=1)) == []

    assert services.moves_expire(now=lapse) == [booking.pk]

    booking.refresh_from_db()
    assert (booking.session, booking.move_to, booking.status) == (
        first,
        None,
        Status.APPROVED,
    )
    assert booking.events.last().action == Action.MOVE_EXPIRED
    assert services.moves_expire(now=lapse) == []


def test_a_move_expires_before_either_session_starts(biz, lesson):
    set_settings(biz, requires_approval=True, booking_expiry_hours=48)
    first = at(lesson, NOW + timedelta(hours=30))
    later = at(lesson, NOW + timedelta(hours=60))
    booking = booked(first)

    move(booking, later)

    booking.refresh_from_db()
    assert booking.move_expires_at == first.starts_at


def test_a_returning_client_moves_instantly_with_auto_approve(biz, lesson):
    set_settings(biz, requires_approval=True, auto_approve_returning_clients=True)
    first, later = at(lesson, DAY), at(lesson, DAY + timedelta(days=1))
    booking = booked(first, client_email="ada@example.com")
    # Her booking itself does not make her a returning client…
    assert not move(booking, later).moved
    services.booking_move_reject(
        booking_id=booking.pk, actor=None, reason="No.", now=NOW
    )
    # …an earlier approved one does.
    booked(at(lesson, NOW - timedelta(days=7)), client_email="ADA@example.com")

    assert move(booking, later).moved


def test_cancelling_a_booking_drops_its_waiting_move(biz, waiting):
    _, booking, _first, later = waiting

    services.booking_cancel(booking_id=booking.pk, by_client=True, now=NOW)

    booking.refresh_from_db()
    assert (booking.status, booking.move_to) == (Status.CANCELLED, None)
    assert later.pk in offered_ids(biz)


def test_cancelling_the_asked_for_session_declines_the_move(biz, waiting):
    _, booking, first, later = waiting

    services.session_cancel(
        session_id=later.pk, actor=None, reason="Pool closed.", now=NOW
    )

    booking.refresh_from_db()
    assert (booking.session, booking.move_to, booking.status) == (
        first,
        None,
        Status.APPROVED,
    )
    event = booking.events.last()
    assert event.action == Action.MOVE_REJECTED
    assert (
        event.note == "The business cancelled the session you asked for. Pool closed."
    )


def test_a_session_with_a_waiting_move_into_it_keeps_its_time(waiting):
    _, _booking, _first, later = waiting
    local = later.starts_at.astimezone(later.business.tz)

    refused(
        "session_has_bookings",
        session_update,
        session_id=later.pk,
        day=local.date(),
        start_time=(local + timedelta(hours=1)).time(),
        capacity=1,
        booking_deadline_hours=0,
        is_bookable=True,
        now=NOW,
    )


def test_a_lapsed_move_is_cleared_when_the_client_asks_again(biz, waiting):
    _, booking, first, _later = waiting
    lapse = booking.move_expires_at
    third = at(first.service, DAY + timedelta(days=2))

    move(booking, third, now=lapse)

    booking.refresh_from_db()
    assert booking.move_to == third
    assert [e.action for e in booking.events.all()] == [
        Action.MOVE_REQUESTED,
        Action.MOVE_EXPIRED,
        Action.MOVE_REQUESTED,
    ]


# --- the business moves a booking ---------------------------------------------------


def test_an_owner_moves_to_any_future_session_with_a_message(biz, lesson):
    set_settings(biz, max_advance_booking_days=5, is_active=False)
    owner = UserFactory()
    first = at(lesson, DAY)
    far = at(
        ServiceFactory(business=biz, is_active=False),
        NOW + timedelta(days=40),
        is_bookable=False,
    )
    booking = booked(first)

    result = move(booking, far, by_client=False, actor=owner, message=" Pool works. ")

    assert result.moved
    booking.refresh_from_db()
    assert booking.session == far
    event = booking.events.get()
    assert (event.actor, event.note, event.action) == (
        owner,
        "Pool works.",
        Action.MOVED,
    )


def test_an_owner_move_still_meets_capacity_and_buffer(biz, lesson):
    owner = UserFactory()
    first = at(lesson, DAY)
    full = at(lesson, DAY + timedelta(days=1))
    booked(full)
    blocked = at(lesson, full.ends_at + timedelta(minutes=5))
    past = at(lesson, NOW - timedelta(hours=1))
    cancelled = at(lesson, DAY + timedelta(days=3), cancelled_at=NOW)
    booking = booked(first)

    assert (
        refused("full", move, booking, full, by_client=False, actor=owner).message
        == "That session is full: every spot is taken."
    )
    assert (
        "buffer"
        in refused(
            "buffer", move, booking, blocked, by_client=False, actor=owner
        ).message
    )
    refused("session_past", move, booking, past, by_client=False, actor=owner)
    refused("session_cancelled", move, booking, cancelled, by_client=False, actor=owner)


def test_an_owner_move_of_a_booking_into_its_own_held_spot(biz, waiting):
    """The only spot of ``later`` is held by this booking's own waiting move: the
    owner may still move the booking there (its own spot never makes it full)."""
    _, booking, _first, later = waiting

    move(booking, later, by_client=False, actor=UserFactory())

    booking.refresh_from_db()
    assert (booking.session, booking.move_to) == (later, None)


def test_a_repeated_move_key_answers_with_the_first_move(biz, lesson):
    first, later = at(lesson, DAY), at(lesson, DAY + timedelta(days=1))
    booking = booked(first)

    one = move(booking, later, idempotency_key="move:1:abc")
    two = move(booking, later, idempotency_key="move:1:abc")

    assert one.moved and two.moved and two.replayed
    assert booking.events.count() == 1
    booking.refresh_from_db()
    assert booking.sequence == 1


# --- staff enter a booking ----------------------------------------------------------


def enter(business, session, now=NOW, **kwargs):
    fields = {
        "client_name": "Bo Diddley",
        "client_phone": "+447700900123",
        "actor": None,
        **kwargs,
    }
    return services.booking_enter_by_staff(
        business=business, session_id=session.pk, now=now, **fields
    )


def test_staff_enter_a_phone_client_approved_at_once(biz, lesson):
    sam = UserFactory(first_name="Sam")
    session = at(lesson, DAY)

    result = enter(biz, session, actor=sam, channel="phone", notes="Called at 9")

    booking = result.booking
    assert result.created
    assert (booking.status, booking.approved_by, booking.approved_at) == (
        Status.APPROVED,
        sam,
        NOW,
    )
    assert booking.client_email == ""
    event = booking.events.get()
    assert (event.action, event.actor, event.channel) == (Action.ENTERED, sam, "phone")
    assert not OutboundEmail.objects.exists()  # no email given, none sent


def test_staff_entry_with_an_email_sends_the_confirmation(biz, lesson):
    session = at(lesson, DAY)

    booking = enter(
        biz, session, client_email="bo@example.com", channel="walk_in"
    ).booking

    (email,) = OutboundEmail.objects.filter(to_email="bo@example.com")
    assert email.kind == "booking_confirmed"
    assert [a["filename"] for a in email.attachments] == [
        f"{booking.booking_reference}.ics"
    ]


def test_staff_override_the_window_and_deadline_never_capacity_or_buffer(biz, lesson):
    set_settings(
        biz, min_advance_booking_hours=48, max_advance_booking_days=5, is_active=False
    )
    soon = at(
        lesson, NOW + timedelta(hours=1), booking_deadline_hours=24, is_bookable=False
    )
    far = at(lesson, NOW + timedelta(days=60))
    started = at(lesson, NOW - timedelta(minutes=20))  # a walk-in, still running

    for session in (soon, far, started):
        assert enter(biz, session).booking.status == Status.APPROVED

    refused("full", enter, biz, soon)
    close = at(lesson, far.ends_at + timedelta(minutes=14))
    refused("buffer", enter, biz, close)
    over = at(lesson, NOW - timedelta(hours=2))
    refused("session_over", enter, biz, over)
    assert BookingRequest.objects.filter(session__in=[close, over]).count() == 0


def test_a_repeated_staff_entry_key_makes_one_booking(biz, lesson):
    session = at(ServiceFactory(business=biz, capacity=5), DAY)
    first = enter(biz, session, idempotency_key="staff:xyz")
    again = enter(biz, session, idempotency_key="staff:xyz")
    assert first.created and not again.created
    assert first.booking == again.booking
    assert BookingRequest.objects.count() == 1


# --- the race for the last spot (PostgreSQL row locks) ------------------------------


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_clients_moving_onto_the_last_spot_at_once_one_wins():
    business = BusinessFactory(timezone="Europe/London")
    lesson = ServiceFactory(business=business, capacity=1)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    last = SessionFactory(service=lesson, starts_at=start)
    ada = BookingRequestFactory(
        session=SessionFactory(service=lesson, starts_at=start + timedelta(days=1))
    )
    bo = BookingRequestFactory(
        session=SessionFactory(service=lesson, starts_at=start + timedelta(days=2))
    )
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def attempt(booking: BookingRequest) -> None:
        try:
            barrier.wait()
            services.booking_reschedule(
                booking_id=booking.pk, session_id=last.pk, by_client=True
            )
            outcomes[booking.pk] = "moved"
        except BookingError as error:
            outcomes[booking.pk] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(b,)) for b in (ada, bo)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == ["full", "moved"]
    assert BookingRequest.objects.filter(session=last).count() == 1
    assert (
        Session.objects.with_spots_taken(datetime.now(UTC)).get(pk=last.pk).active_count
        == 1
    )
