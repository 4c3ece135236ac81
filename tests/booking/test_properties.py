"""Property tests: what the availability engine offers is exactly what a booking takes.

For random worlds (tests/booking/worlds.py: settings, services, sessions with their
capacities, deadlines and buffers, bookings in every status, waiting moves, zones near
and far, ``now`` around clock changes), each session is offered by
``get_availability`` if and only if ``booking_create`` accepts it, and both agree with
the rules written out once more from docs/ARCHITECTURE.md. The same holds for a
client's move (the week they pick from vs ``booking_reschedule``) and for staff
(``staff_choices`` vs ``booking_enter_by_staff``).

Examples come from the hypothesis profile in tests/conftest.py ("ci" by default:
derandomized, so every run tries the same examples; a failure prints the smallest
example it found and a ``@reproduce_failure`` line).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, note, settings

from booking import services
from booking.availability import get_availability, staff_choices
from booking.errors import BookingError
from booking.models import BookingRequest
from tests.booking.worlds import World, buffer_clash, build, holds_spot, worlds

pytestmark = pytest.mark.django_db
# Each example writes its own world inside a savepoint and rolls it back, so the
# function-scoped database fixture is shared safely.
per_example = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@contextmanager
def rolled_back() -> Iterator[None]:
    """Everything written inside is undone on the way out (a savepoint)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def attempt(write) -> str | None:
    """Run ``write`` and undo it: None if it succeeded, else the refusal's code."""
    try:
        with rolled_back():
            write()
    except BookingError as error:
        return error.code
    return None


def offered_by_the_rules(world: World, session, *, moving_id=None) -> bool:
    """The booking rules of docs/ARCHITECTURE.md, read off the world's own objects."""
    now, rules = world.now, world.business.booking_settings
    lead = timedelta(
        hours=max(rules.min_advance_booking_hours, session.booking_deadline_hours)
    )
    buffer = timedelta(minutes=rules.buffer_time_minutes)
    held = [b for b in world.bookings if b.pk != moving_id]
    taken = sum(holds_spot(b, session.pk, now) for b in held)
    booked = [
        other
        for other in world.sessions
        if other.pk != session.pk and any(holds_spot(b, other.pk, now) for b in held)
    ]
    return (
        rules.is_active
        and session.service.is_active
        and session.is_bookable
        and session.cancelled_at is None
        and now + lead <= session.starts_at
        and session.starts_at <= now + timedelta(days=rules.max_advance_booking_days)
        and taken < session.capacity
        and not any(buffer_clash(session, other, buffer) for other in booked)
    )


def offered_slots(world: World, **kwargs) -> dict[int, int]:
    """Session id -> spots left, for every slot the engine offers in the world."""
    local_today = world.now.astimezone(world.business.tz).date()
    availability = get_availability(
        business=world.business,
        start_date=local_today - timedelta(days=3),
        end_date=local_today + timedelta(days=14),
        now=world.now,
        tz=world.spec.view_zone,
        max_range_days=None,
        **kwargs,
    )
    for day, slots in availability.days.items():
        assert all(slot.starts_at.date() == day for slot in slots)
    return {slot.session_id: slot.spots_left for slot in availability.slots}


def annotate(world: World) -> None:
    """What hypothesis prints with a failing example: the world as the rules see it."""
    s = world.business.booking_settings
    spec = world.spec
    note(f"now={spec.now.isoformat()} zone={spec.zone} view={spec.view_zone}")
    note(
        f"settings: active={s.is_active} approval={s.requires_approval} "
        f"buffer={s.buffer_time_minutes}m notice={s.min_advance_booking_hours}h "
        f"advance={s.max_advance_booking_days}d"
    )
    for session in world.sessions:
        note(
            f"session {session.pk}: {session.starts_at.isoformat()}–"
            f"{session.ends_at.isoformat()} cap={session.capacity} "
            f"deadline={session.booking_deadline_hours}h "
            f"bookable={session.is_bookable} service_active={session.service.is_active}"
        )
    for b in world.bookings:
        note(
            f"booking {b.pk}: session={b.session_id} {b.status} "
            f"expires={b.expires_at} move_to={b.move_to_id} until={b.move_expires_at}"
        )


@per_example
@given(spec=worlds())
def test_the_engine_offers_exactly_the_sessions_a_booking_accepts(spec):
    with rolled_back():
        world = build(spec)
        annotate(world)
        offered = offered_slots(world)
        for session in world.sessions:
            refused = attempt(
                lambda s=session: services.booking_create(
                    business=world.business,
                    session_id=s.pk,
                    client_name="Prop Client",
                    client_phone="+447700900999",
                    now=world.now,
                )
            )
            note(f"session {session.pk}: offered={session.pk in offered} {refused=}")
            event(f"booking: {refused or 'accepted'}")
            assert (session.pk in offered) == (refused is None)
            assert (session.pk in offered) == offered_by_the_rules(world, session)
            if session.pk in offered:
                taken = sum(
                    holds_spot(b, session.pk, world.now) for b in world.bookings
                )
                assert offered[session.pk] == session.capacity - taken


@per_example
@given(spec=worlds())
def test_a_client_move_goes_exactly_where_their_week_offers(spec):
    with rolled_back():
        world = build(spec)
        annotate(world)
        movable = [
            b
            for b in BookingRequest.objects.filter(
                pk__in=[b.pk for b in world.bookings]
            ).select_related("session__business__booking_settings")
            if b.client_can_move(world.now)
        ]
        for booking in movable:
            offered = offered_slots(
                world, service_id=booking.session.service_id, moving_id=booking.pk
            )
            for session in world.sessions:
                if session.pk == booking.session_id:
                    continue  # "your current time", never a move
                refused = attempt(
                    lambda b=booking, s=session: services.booking_reschedule(
                        booking_id=b.pk, session_id=s.pk, by_client=True, now=world.now
                    )
                )
                note(f"move {booking.pk}→{session.pk}: {refused=}")
                event(f"move: {refused or 'accepted'}")
                assert (session.pk in offered) == (refused is None)
                if session.service_id == booking.session.service_id:
                    assert (session.pk in offered) == offered_by_the_rules(
                        world, session, moving_id=booking.pk
                    )


@per_example
@given(spec=worlds())
def test_staff_may_enter_a_client_exactly_where_their_list_says(spec):
    with rolled_back():
        world = build(spec)
        annotate(world)
        choices = staff_choices(
            business=world.business,
            start=world.now - timedelta(days=3),
            end=world.now + timedelta(days=14),
            now=world.now,
        )
        for choice in choices:
            refused = attempt(
                lambda s=choice.session: services.booking_enter_by_staff(
                    business=world.business,
                    session_id=s.pk,
                    actor=None,
                    client_name="Walk-in",
                    client_phone="+447700900998",
                    now=world.now,
                )
            )
            note(f"session {choice.session.pk}: {choice.problem=} {refused=}")
            event(f"staff entry: {refused or 'accepted'}")
            assert choice.problem == refused
