"""A stateful property test: no sequence of commands overbooks or breaks the buffer.

Hypothesis drives one random business (tests/booking/worlds.py) through random steps:
clients book, move and cancel; the business approves, rejects, cancels, answers moves,
moves bookings, enters walk-in clients and cancels sessions; settings change (not the
buffer, which the business may tighten knowingly); time passes and the expiry job
runs. After every step, read straight from the database and checked against the rules
of docs/ARCHITECTURE.md written out again (``holds_spot``):

- no session holds more spots than its capacity;
- no two sessions that the buffer separates hold spots of two different bookings.

(A booking whose move waits for the business holds its spot in both times, which
may be next to each other: that is one client, not two, and is allowed.)

Each run is rolled back (a savepoint), so runs never see each other's rows. A failure
prints the steps that led to it, shrunk to the fewest.
"""

from datetime import timedelta
from itertools import combinations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from booking import services
from booking.errors import BookingError
from booking.models import BookingRequest, Session
from tests.booking.worlds import (
    CLIENT_PHONES,
    buffer_clash,
    build,
    holds_spot,
    worlds,
)

pytestmark = pytest.mark.django_db


class BookingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.booking_ids: list[int] = []
        self.cancelled_a_session = False

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # --- the world and the clock --------------------------------------------------

    @initialize(spec=worlds(max_sessions=6, max_bookings=0, open_=True))
    def open_business(self, spec) -> None:
        self.world = build(spec)
        self.now = spec.now
        note(f"now={self.now.isoformat()} zone={spec.zone} settings={spec.settings}")
        for s in self.world.sessions:
            note(
                f"session {s.pk}: {s.starts_at.isoformat()}–{s.ends_at.isoformat()} "
                f"cap={s.capacity} service={s.service_id}"
            )

    @rule(minutes=st.sampled_from([1, 30, 60, 6 * 60, 25 * 60, 3 * 24 * 60]))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule()
    def expiry_job_runs(self) -> None:
        services.bookings_expire(now=self.now)
        services.moves_expire(now=self.now)

    @rule(
        requires_approval=st.booleans(),
        returning=st.booleans(),
        notice=st.sampled_from([0, 2, 24]),
        reschedule=st.booleans(),
    )
    def owner_changes_settings(self, requires_approval, returning, notice, reschedule):
        rules = self.world.business.booking_settings
        rules.requires_approval = requires_approval
        rules.auto_approve_returning_clients = returning
        rules.min_advance_booking_hours = notice
        rules.allow_client_reschedule = reschedule
        rules.save()

    # --- commands -----------------------------------------------------------------

    def _try(self, command, what: str) -> None:
        try:
            result = command()
        except BookingError as error:
            event(f"{what}: {error.code}")
            return
        event(f"{what}: done")
        booking = getattr(result, "booking", result)
        if isinstance(booking, BookingRequest) and booking.pk not in self.booking_ids:
            self.booking_ids.append(booking.pk)

    def _session(self, data) -> Session:
        return data.draw(st.sampled_from(self.world.sessions), label="session")

    def _booking(self, data) -> int:
        return data.draw(st.sampled_from(self.booking_ids), label="booking")

    @rule(data=st.data(), client=st.sampled_from(CLIENT_PHONES))
    def client_books(self, data, client) -> None:
        session = self._session(data)
        self._try(
            lambda: services.booking_create(
                business=self.world.business,
                session_id=session.pk,
                client_name="Client",
                client_phone=client,
                now=self.now,
            ),
            "book",
        )

    @rule(data=st.data())
    def staff_enter_a_client(self, data) -> None:
        session = self._session(data)
        self._try(
            lambda: services.booking_enter_by_staff(
                business=self.world.business,
                session_id=session.pk,
                actor=None,
                client_name="Walk-in",
                client_phone=CLIENT_PHONES[0],
                now=self.now,
            ),
            "staff entry",
        )

    @precondition(lambda self: self.booking_ids)
    @rule(
        data=st.data(),
        action=st.sampled_from(
            ["approve", "reject", "cancel", "approve move", "decline move"]
        ),
    )
    def owner_answers(self, data, action) -> None:
        booking_id, now = self._booking(data), self.now
        commands = {
            "approve": lambda: services.booking_approve(
                booking_id=booking_id, actor=None, now=now
            ),
            "reject": lambda: services.booking_reject(
                booking_id=booking_id, actor=None, reason="Full", now=now
            ),
            "cancel": lambda: services.booking_cancel(
                booking_id=booking_id, actor=None, now=now
            ),
            "approve move": lambda: services.booking_move_approve(
                booking_id=booking_id, actor=None, now=now
            ),
            "decline move": lambda: services.booking_move_reject(
                booking_id=booking_id, actor=None, reason="No", now=now
            ),
        }
        self._try(commands[action], action)

    @precondition(lambda self: self.booking_ids)
    @rule(data=st.data())
    def client_cancels(self, data) -> None:
        booking_id = self._booking(data)
        self._try(
            lambda: services.booking_cancel(
                booking_id=booking_id, by_client=True, now=self.now
            ),
            "client cancel",
        )

    @precondition(lambda self: self.booking_ids)
    @rule(data=st.data(), by_client=st.booleans())
    def booking_moves(self, data, by_client) -> None:
        booking_id, session = self._booking(data), self._session(data)
        self._try(
            lambda: services.booking_reschedule(
                booking_id=booking_id,
                session_id=session.pk,
                by_client=by_client,
                now=self.now,
            ),
            "client move" if by_client else "staff move",
        )

    # Once a run: a cancelled session takes nobody, so more would leave little to book.
    @precondition(lambda self: not self.cancelled_a_session)
    @rule(data=st.data())
    def owner_cancels_a_session(self, data) -> None:
        self.cancelled_a_session = True
        session = self._session(data)
        self._try(
            lambda: services.session_cancel(
                session_id=session.pk, actor=None, now=self.now
            ),
            "session cancel",
        )

    # --- what must always hold ----------------------------------------------------

    @invariant()
    def no_overbooking_and_no_buffer_clash(self) -> None:
        if not hasattr(self, "world"):
            return
        bookings = list(
            BookingRequest.objects.filter(session__business=self.world.business)
        )
        sessions = list(Session.objects.filter(business=self.world.business))
        buffer = timedelta(
            minutes=self.world.business.booking_settings.buffer_time_minutes
        )
        holders = {
            s.pk: {b.pk for b in bookings if holds_spot(b, s.pk, self.now)}
            for s in sessions
        }
        for s in sessions:
            assert len(holders[s.pk]) <= s.capacity, f"session {s.pk} overbooked"
        for a, b in combinations(sessions, 2):
            if buffer_clash(a, b, buffer) and any(
                x != y for x in holders[a.pk] for y in holders[b.pk]
            ):
                raise AssertionError(
                    f"sessions {a.pk} and {b.pk} are within the buffer and both "
                    f"booked: {holders[a.pk]} / {holders[b.pk]}"
                )


def test_no_sequence_of_commands_overbooks_or_breaks_the_buffer():
    run_state_machine_as_test(
        BookingMachine,
        settings=settings(
            max_examples=max(settings.default.max_examples // 3, 1),
            suppress_health_check=[
                HealthCheck.function_scoped_fixture,
                HealthCheck.too_slow,
            ],
        ),
    )
