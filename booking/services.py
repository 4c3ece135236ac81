"""Commands that change bookings (docs/ARCHITECTURE.md, "The booking rules").

Every write goes through here, whoever asks: the public pages, the dashboard, the JSON
API, Huey tasks and management commands. Each function takes ``now`` (resolved once by
the caller or here) and records who did what in ``BookingEvent``; in the same
transaction ``booking.notifications`` writes the in-app notices and outbox emails
that change causes.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from booking import notifications
from booking.availability import check_session_offered
from booking.compiled import CompiledInsert, CompiledQuery, Loaded
from booking.errors import BookingError
from booking.metrics import count_bookings
from booking.models import (
    BookingEvent,
    BookingRequest,
    BookingSettings,
    Business,
    Session,
)

Status = BookingRequest.Status


def lock_business(business_id: int) -> Business:
    """Lock the business row for the rest of the transaction and return it fresh.

    Every booking of one business serialises on this lock, so capacity and buffer
    checks made after it stay true until commit. Refuses to run outside a transaction,
    where the lock would be released at once.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_business() must run inside transaction.atomic()")
    rows = _LOCK_BUSINESS.rows(business_id=business_id)
    if not rows:
        raise Business.DoesNotExist(f"No business {business_id}")
    return _LOCKED.load(rows[0])


# The statements every booking runs, compiled once per process (booking.compiled):
# building them in the ORM each time cost more CPU than PostgreSQL's running them.
_LOCKED = Loaded(Business, "booking_settings")
_LOCK_BUSINESS = CompiledQuery(
    lambda *, business_id: (
        Business.objects.select_for_update(of=("self",))
        .filter(pk=business_id)
        .order_by()
        .values_list(*_LOCKED.names)
    )
)
_SESSION = Loaded(Session, "service")
_SESSION_OF = CompiledQuery(
    lambda *, business_id, session_id: (
        Session.objects.filter(business_id=business_id, pk=session_id)
        .order_by()
        .values_list(*_SESSION.names)
    )
)


def session_of(business_id: int, session_id: int) -> Session | None:
    """Session ``session_id`` of the business, with its service; ``None`` if the
    business has no such session."""
    rows = _SESSION_OF.rows(business_id=business_id, session_id=session_id)
    return _SESSION.load(rows[0]) if rows else None


@dataclass(frozen=True)
class BookingResult:
    booking: BookingRequest
    created: bool  # False when an idempotency key found an earlier booking


def _is_returning_client(
    *, business_id: int, email: str, phone: str, excluding: int | None = None
) -> bool:
    match = Q()
    if email:
        match |= Q(client_email__iexact=email)
    if phone:
        match |= Q(client_phone=phone)
    return (
        BookingRequest.objects.filter(
            match,
            session__business_id=business_id,
            status=Status.APPROVED,
        )
        .exclude(pk=excluding)
        .exists()
    )


def initial_status(
    *,
    settings: BookingSettings,
    email: str,
    phone: str,
    business_id: int,
    excluding: int | None = None,
) -> str:
    """``approved`` or ``pending`` for a client booking now; ``excluding`` leaves
    one booking out of "an earlier approved booking" (the one being moved)."""
    if not settings.requires_approval:
        return Status.APPROVED
    if settings.auto_approve_returning_clients and _is_returning_client(
        business_id=business_id, email=email, phone=phone, excluding=excluding
    ):
        return Status.APPROVED
    return Status.PENDING


@count_bookings
def booking_create(
    *,
    business: Business,
    session_id: int,
    client_name: str,
    client_email: str = "",
    client_phone: str = "",
    notes: str = "",
    client_timezone: str = "",
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> BookingResult:
    """Book ``session_id`` for a client, re-checking every rule under the business lock.

    Field values must already be validated and normalised (``booking.forms``). Raises
    ``BookingError`` when a rule refuses; a repeated ``idempotency_key`` returns the
    booking it made the first time.
    """
    now = now or timezone.now()
    if not (client_email or client_phone):
        raise ValueError("client_email or client_phone is required")
    asked = {
        "session_id": session_id,
        "client_name": client_name,
        "client_email": client_email,
        "client_phone": client_phone,
        "notes": notes,
    }
    # A replay is answered before the lock (it changes nothing), and again under it
    # for the one that raced the first submission there.
    replayed = _replay(idempotency_key, asked)
    if replayed is not None:
        return replayed
    try:
        with transaction.atomic():
            locked = lock_business(business.pk)
            replayed = _replay(idempotency_key, asked)
            if replayed is not None:
                return replayed
            session = session_of(locked.pk, session_id)
            if session is None:
                raise BookingError("session_not_found")
            settings = locked.booking_settings
            check_session_offered(session=session, settings=settings, now=now)
            status = initial_status(
                settings=settings,
                email=client_email,
                phone=client_phone,
                business_id=locked.pk,
            )
            booking = _NEW_BOOKING.create(
                session=session,
                business=locked,  # the session's (a prepared INSERT skips save())
                client_name=client_name,
                client_email=client_email,
                client_phone=client_phone,
                client_timezone=client_timezone,
                notes=notes,
                status=status,
                idempotency_key=idempotency_key or None,
                expires_at=(
                    min(
                        now + timedelta(hours=settings.booking_expiry_hours),
                        session.starts_at,
                    )
                    if status == Status.PENDING
                    else None
                ),
                approved_at=now if status == Status.APPROVED else None,
            )
            session.business = locked
            booking.session = session
            event = _record(
                booking,
                BookingEvent.Action.AUTO_APPROVED
                if status == Status.APPROVED
                else BookingEvent.Action.CREATED,
                from_status="",
                actor=None,
                actor_label="client",
                now=now,
            )
            notifications.on_event(event, now=now)
            return BookingResult(booking, created=True)
    except IntegrityError:
        # Two submissions with one key raced past the lookup; the first one won.
        replayed = _replay(idempotency_key, asked)
        if replayed is not None:
            return replayed
        raise


# The booking path's two INSERTs, prepared (booking/compiled.py).
_NEW_BOOKING = CompiledInsert(BookingRequest)
_NEW_EVENT = CompiledInsert(BookingEvent)


def _replay(idempotency_key: str | None, asked: dict) -> BookingResult | None:
    """The booking an earlier attempt with this key made, if any.

    Only the same attempt gets it back: other details with the same key (a form
    token two clients got from one cached page) are refused, never shown another
    client's booking.
    """
    if not idempotency_key:
        return None
    earlier = BookingRequest.objects.filter(idempotency_key=idempotency_key).first()
    if earlier is None:
        return None
    if any(getattr(earlier, name) != value for name, value in asked.items()):
        raise BookingError("idempotency_key_reused")
    return BookingResult(earlier, created=False)


def _record(
    booking: BookingRequest,
    action: str,
    *,
    from_status: str,
    actor: AbstractBaseUser | None,
    actor_label: str = "",
    note: str = "",
    now: datetime,
    **fields,
) -> BookingEvent:
    """One history line; ``fields``: a move's sessions, an entry's channel, a key."""
    return _NEW_EVENT.create(
        booking=booking,
        action=action,
        from_status=from_status,
        to_status=booking.status,
        actor=actor,
        actor_label=actor_label if actor is None else "",
        note=note,
        created_at=now,
        **fields,
    )


def _lock_booking(booking_id: int) -> BookingRequest:
    return (
        BookingRequest.objects.select_for_update(of=("self",))
        .select_related(
            "session__service",
            "session__business__booking_settings",
            "move_to__service",
        )
        .get(pk=booking_id)
    )


def _transition(
    booking_id: int,
    to_status: str,
    *,
    actor: AbstractBaseUser | None,
    actor_label: str,
    now: datetime,
    note: str = "",
    action: str | None = None,
    by_client: bool = False,
    **fields,
) -> BookingRequest:
    with transaction.atomic():
        booking = _lock_booking(booking_id)
        from_status = booking.status
        if to_status not in booking.allowed_actions(now):
            raise _refusal(booking, to_status, now)
        if by_client and not booking.client_can_cancel(now):
            raise BookingError("already_started")
        booking.status = to_status
        booking.sequence += 1
        if to_status in {Status.REJECTED, Status.EXPIRED, Status.CANCELLED}:
            booking.decided_at = now
            # A move still waiting goes with the booking (its spot is freed too).
            booking.move_to = booking.move_expires_at = None
        for name, value in fields.items():
            setattr(booking, name, value)
        booking.save()
        event = _record(
            booking,
            action or to_status,
            from_status=from_status,
            actor=actor,
            actor_label=actor_label,
            note=note,
            now=now,
        )
        notifications.on_event(event, now=now)
        return booking


def _refusal(booking: BookingRequest, to_status: str, now: datetime) -> BookingError:
    """Why ``booking`` may not move to ``to_status`` now (``allowed_actions``)."""
    if booking.is_lapsed(now):
        return BookingError("expired")  # only the expiry task still acts on it
    if to_status == Status.EXPIRED and booking.status == Status.PENDING:
        return BookingError(
            "invalid_transition", "This request has not reached its expiry time yet."
        )
    return BookingError(
        "invalid_transition",
        f"This booking is {booking.get_status_display().lower()}; "
        f"it cannot be {_past_tense(to_status)}.",
    )


def _past_tense(status: str) -> str:
    return {
        Status.APPROVED: "approved",
        Status.REJECTED: "rejected",
        Status.EXPIRED: "expired",
        Status.CANCELLED: "cancelled",
    }[status]


def booking_approve(
    *, booking_id: int, actor: AbstractBaseUser | None, now: datetime | None = None
) -> BookingRequest:
    """Approve a pending request. Its spot is already held, so this never overbooks."""
    now = now or timezone.now()
    return _transition(
        booking_id,
        Status.APPROVED,
        actor=actor,
        actor_label="owner",
        now=now,
        approved_at=now,
        approved_by=actor,
    )


def booking_reject(
    *,
    booking_id: int,
    actor: AbstractBaseUser | None,
    reason: str,
    now: datetime | None = None,
) -> BookingRequest:
    """Reject a pending request; ``reason`` is required and goes to the client."""
    reason = (reason or "").strip()
    if not reason:
        raise BookingError("reason_required")
    now = now or timezone.now()
    return _transition(
        booking_id,
        Status.REJECTED,
        actor=actor,
        actor_label="owner",
        now=now,
        note=reason,
        rejection_reason=reason,
    )


def booking_cancel(
    *,
    booking_id: int,
    actor: AbstractBaseUser | None = None,
    by_client: bool = False,
    reason: str = "",
    now: datetime | None = None,
) -> BookingRequest:
    """Cancel a pending or approved booking, freeing its spot.

    ``by_client`` marks a cancellation from the client's own link (no user account);
    a client may cancel only until the session starts, the business at any time.
    """
    now = now or timezone.now()
    return _transition(
        booking_id,
        Status.CANCELLED,
        actor=actor,
        actor_label="client" if by_client else "owner",
        now=now,
        by_client=by_client,
        note=reason.strip(),
        cancellation_reason=reason.strip(),
    )


def booking_expire(*, booking_id: int, now: datetime | None = None) -> BookingRequest:
    """Mark one lapsed pending request expired (refused if it has not lapsed)."""
    now = now or timezone.now()
    return _transition(
        booking_id, Status.EXPIRED, actor=None, actor_label="system", now=now
    )


def bookings_expire(*, now: datetime | None = None) -> list[int]:
    """Expire every pending request past ``expires_at``; returns the ids expired."""
    now = now or timezone.now()
    due = list(
        BookingRequest.objects.lapsed(now)
        .order_by("expires_at")
        .values_list("pk", flat=True)
    )
    expired = []
    for booking_id in due:
        try:
            booking_expire(booking_id=booking_id, now=now)
        except BookingError:
            continue  # approved, rejected or cancelled meanwhile
        expired.append(booking_id)
    return expired


# --- moves: a booking to another session (ARCHITECTURE.md, "Moves") ------------------


@dataclass(frozen=True)
class MoveResult:
    booking: BookingRequest
    moved: bool  # False: the move waits for the business (``booking.move_to``)
    replayed: bool = False  # an idempotency key found this move made before


def move_needs_approval(*, booking: BookingRequest, settings: BookingSettings) -> bool:
    """Whether a client's move of ``booking`` waits for the business.

    A confirmed booking at a business that approves bookings waits, unless the
    client would be approved instantly anyway (a returning client with that setting
    on; this booking itself does not count). A request still waiting for approval
    simply moves: the business's answer then applies to the new time.
    """
    if booking.status != Status.APPROVED:
        return False
    status = initial_status(
        settings=settings,
        email=booking.client_email,
        phone=booking.client_phone,
        business_id=booking.session.business_id,
        excluding=booking.pk,
    )
    return status == Status.PENDING


def booking_move_check(
    *,
    booking: BookingRequest,
    session: Session,
    settings: BookingSettings,
    now: datetime,
    by_client: bool,
) -> int:
    """Spots left at ``session`` if ``booking`` may move there now; else BookingError.

    The rules of ``booking_reschedule``, which runs this under the business lock. A
    client moves from their link while the business allows it, before their session
    starts and outside the notice the business asks for
    (``BookingRequest.client_move_problem``), to a time of the same service that a
    client could book. Staff move any booking still holding a time to any session of
    the business that has not started, skipping the window and the switches of
    online booking. Capacity and buffer always hold, and the booking's own spots
    never count against it.
    """
    if by_client:
        problem = booking.client_move_problem(now)
        if problem:
            raise BookingError(problem)
        if session.service_id != booking.session.service_id:
            raise BookingError("other_service")
    else:
        if not booking.is_active(now):
            raise BookingError("not_movable")
        if session.starts_at <= now:
            raise BookingError("session_past")
    if session.pk == booking.session_id:
        raise BookingError("same_session")
    try:
        return check_session_offered(
            session=session,
            settings=settings,
            now=now,
            moving_id=booking.pk,
            by_staff=not by_client,
        )
    except BookingError as error:
        raise (error if by_client else error.for_staff()) from None


def booking_reschedule(
    *,
    booking_id: int,
    session_id: int,
    actor: AbstractBaseUser | None = None,
    by_client: bool = False,
    message: str = "",
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> MoveResult:
    """Move a booking to ``session_id``, or ask the business to (approval businesses).

    Under the business lock, in one transaction: the rules are checked again
    (``booking_move_check``), then the old spot is released and the new one taken,
    or, when the move needs approval, the new spot is held beside the old one until
    the business answers or ``move_expires_at`` passes. The booking keeps its
    reference, its private link and its calendar UID (SEQUENCE + 1). ``by_client``:
    from the client's private link (no user); otherwise ``actor`` of the business,
    whose ``message`` goes to the client. A repeated ``idempotency_key`` answers
    with the move it made the first time.
    """
    now = now or timezone.now()
    with transaction.atomic():
        business_id = BookingRequest.objects.values_list(
            "session__business_id", flat=True
        ).get(pk=booking_id)
        locked = lock_business(business_id)
        if idempotency_key:
            earlier = (
                BookingEvent.objects.filter(idempotency_key=idempotency_key)
                .select_related("booking")
                .first()
            )
            if earlier is not None:
                moved = earlier.action != BookingEvent.Action.MOVE_REQUESTED
                return MoveResult(earlier.booking, moved=moved, replayed=True)
        booking = _lock_booking(booking_id)
        booking.session.business = locked
        if booking.is_move_lapsed(now):
            _expire_move(booking, now=now)
        target = session_of(locked.pk, session_id)
        if target is None:
            raise BookingError("session_not_found")
        target.business = locked
        settings = locked.booking_settings
        booking_move_check(
            booking=booking,
            session=target,
            settings=settings,
            now=now,
            by_client=by_client,
        )
        old = booking.session
        fields = {
            "actor": actor,
            "actor_label": "client" if by_client else "owner",
            "note": message.strip(),
            "now": now,
            "from_session": old,
            "to_session": target,
            "idempotency_key": idempotency_key or None,
        }
        if by_client and move_needs_approval(booking=booking, settings=settings):
            booking.move_to = target
            booking.move_expires_at = min(
                now + timedelta(hours=settings.booking_expiry_hours),
                old.starts_at,
                target.starts_at,
            )
            booking.save()
            event = _record(
                booking,
                BookingEvent.Action.MOVE_REQUESTED,
                from_status=booking.status,
                **fields,
            )
            notifications.on_event(event, now=now)
            return MoveResult(booking, moved=False)
        _move(booking, target)
        event = _record(
            booking, BookingEvent.Action.MOVED, from_status=booking.status, **fields
        )
        notifications.on_event(event, now=now)
        return MoveResult(booking, moved=True)


def _move(booking: BookingRequest, target: Session) -> None:
    """Put the (locked) booking in ``target``; a move that waited is settled by it."""
    booking.session = target
    booking.move_to = booking.move_expires_at = None
    booking.sequence += 1  # calendars update the event in place
    booking.reminder_sent_at = None  # a new time gets its own reminder
    if booking.status == Status.PENDING:
        booking.expires_at = min(booking.expires_at, target.starts_at)
    booking.save()


def _waiting_move(booking_id: int, now: datetime) -> BookingRequest:
    """The booking, locked with its business, if a move of it waits; else refused."""
    business_id = BookingRequest.objects.values_list(
        "session__business_id", flat=True
    ).get(pk=booking_id)
    locked = lock_business(business_id)
    booking = _lock_booking(booking_id)
    booking.session.business = locked
    if booking.move_to is not None:
        booking.move_to.business = locked
    if booking.is_move_lapsed(now):
        raise BookingError("move_expired")
    if not booking.has_waiting_move(now):
        raise BookingError("no_move_waiting")
    return booking


def booking_move_approve(
    *, booking_id: int, actor: AbstractBaseUser | None, now: datetime | None = None
) -> BookingRequest:
    """Approve a client's waiting move: the booking takes the spot held for it and
    releases its old one. The new spot was held all along, so this never overbooks."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _waiting_move(booking_id, now)
        old, target = booking.session, booking.move_to
        _move(booking, target)
        event = _record(
            booking,
            BookingEvent.Action.MOVE_APPROVED,
            from_status=booking.status,
            actor=actor,
            actor_label="owner",
            now=now,
            from_session=old,
            to_session=target,
        )
        notifications.on_event(event, now=now)
        return booking


def booking_move_reject(
    *,
    booking_id: int,
    actor: AbstractBaseUser | None,
    reason: str,
    now: datetime | None = None,
) -> BookingRequest:
    """Decline a client's waiting move (``reason`` required, sent to the client):
    the held spot is released and the booking keeps its original time."""
    reason = (reason or "").strip()
    if not reason:
        raise BookingError("reason_required")
    now = now or timezone.now()
    with transaction.atomic():
        booking = _waiting_move(booking_id, now)
        target = booking.move_to
        booking.move_to = booking.move_expires_at = None
        booking.save()
        event = _record(
            booking,
            BookingEvent.Action.MOVE_REJECTED,
            from_status=booking.status,
            actor=actor,
            actor_label="owner",
            note=reason,
            now=now,
            from_session=booking.session,
            to_session=target,
        )
        notifications.on_event(event, now=now)
        return booking


def _expire_move(booking: BookingRequest, *, now: datetime) -> BookingEvent:
    """Clear the (locked) booking's lapsed move: the original time stands."""
    target = booking.move_to
    booking.move_to = booking.move_expires_at = None
    booking.save()
    event = _record(
        booking,
        BookingEvent.Action.MOVE_EXPIRED,
        from_status=booking.status,
        actor=None,
        actor_label="system",
        now=now,
        from_session=booking.session,
        to_session=target,
    )
    notifications.on_event(event, now=now)
    return event


def moves_expire(*, now: datetime | None = None) -> list[int]:
    """Clear every waiting move past ``move_expires_at`` (the periodic expiry job
    runs it beside ``bookings_expire``); returns the ids of the bookings."""
    now = now or timezone.now()
    due = list(
        BookingRequest.objects.moves_lapsed(now)
        .order_by("move_expires_at")
        .values_list("pk", flat=True)
    )
    expired = []
    for booking_id in due:
        with transaction.atomic():
            booking = _lock_booking(booking_id)
            if not booking.is_move_lapsed(now):
                continue  # answered, replaced or cancelled meanwhile
            _expire_move(booking, now=now)
        expired.append(booking_id)
    return expired


# --- bookings entered by staff --------------------------------------------------------


def booking_entry_check(
    *, session: Session, settings: BookingSettings, now: datetime
) -> int:
    """Spots left if staff may put one more client in ``session`` now; else refused.

    Until the session ends (a walk-in may join one that has begun), in any session
    that is not cancelled, outside the booking window and whatever the switches of
    online booking say; never over capacity or against the buffer.
    """
    if session.ends_at <= now:
        raise BookingError("session_over")
    try:
        return check_session_offered(
            session=session, settings=settings, now=now, by_staff=True
        )
    except BookingError as error:
        raise error.for_staff() from None


@count_bookings
def booking_enter_by_staff(
    *,
    business: Business,
    session_id: int,
    actor: AbstractBaseUser | None,
    client_name: str,
    client_email: str = "",
    client_phone: str = "",
    notes: str = "",
    channel: str = BookingEvent.Channel.PHONE,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> BookingResult:
    """Book a client who phoned or walked in: approved at once, entered by ``actor``.

    The same lock as ``booking_create``; the rules of ``booking_entry_check`` (staff
    may book outside the window, past the deadline and the switches of online
    booking; capacity and the buffer always hold). The client gets the usual
    confirmation (with its .ics) when an email is given. A repeated
    ``idempotency_key`` returns the first booking.
    """
    now = now or timezone.now()
    if not (client_email or client_phone):
        raise ValueError("client_email or client_phone is required")
    if channel not in BookingEvent.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    with transaction.atomic():
        locked = lock_business(business.pk)
        if idempotency_key:
            earlier = BookingRequest.objects.filter(
                idempotency_key=idempotency_key
            ).first()
            if earlier is not None:
                return BookingResult(earlier, created=False)
        session = session_of(locked.pk, session_id)
        if session is None:
            raise BookingError("session_not_found")
        booking_entry_check(session=session, settings=locked.booking_settings, now=now)
        booking = BookingRequest.objects.create(
            session=session,
            client_name=client_name,
            client_email=client_email,
            client_phone=client_phone,
            notes=notes,
            status=Status.APPROVED,
            approved_at=now,
            approved_by=actor,
            idempotency_key=idempotency_key or None,
        )
        session.business = locked
        booking.session = session
        event = _record(
            booking,
            BookingEvent.Action.ENTERED,
            from_status="",
            actor=actor,
            actor_label="staff",
            now=now,
            channel=channel,
        )
        notifications.on_event(event, now=now)
        return BookingResult(booking, created=True)


# --- sessions: the dashboard's commands that touch bookings ---------------------------


def session_set_bookable(*, session_id: int, bookable: bool) -> Session:
    """Open or close a session for online booking (its bookings are kept)."""
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session_id)
        if session.cancelled_at is not None:
            raise BookingError("session_cancelled")
        session.is_bookable = bookable
        session.save(update_fields=["is_bookable", "updated_at"])
    return session


def session_cancel(
    *,
    session_id: int,
    actor: AbstractBaseUser | None,
    reason: str = "",
    now: datetime | None = None,
) -> list[BookingRequest]:
    """Cancel a session and, through ``booking_cancel``, every booking holding a spot.

    Runs under the business lock, so no booking can slip in while it cancels.
    Returns the bookings it cancelled (their clients are notified by booking_cancel:
    the business cancelled, with ``reason`` as its message to them, if one is given).
    """
    now = now or timezone.now()
    with transaction.atomic():
        business_id = Session.objects.values_list("business_id", flat=True).get(
            pk=session_id
        )
        lock_business(business_id)
        session = Session.objects.select_for_update().get(pk=session_id)
        if session.cancelled_at is not None:
            raise BookingError("session_cancelled")
        session.cancelled_at = now
        session.is_bookable = False
        session.save(update_fields=["cancelled_at", "is_bookable", "updated_at"])
        # Clients who asked to move into it keep their own time.
        arriving = session.incoming_moves.moves_waiting(now).order_by("pk")
        for pk in list(arriving.values_list("pk", flat=True)):
            booking_move_reject(
                booking_id=pk,
                actor=actor,
                reason=" ".join(
                    ["The business cancelled the session you asked for.", reason]
                ).strip(),
                now=now,
            )
        holding = (
            session.booking_requests.holding_spot(now)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
        )
        return [
            booking_cancel(booking_id=pk, actor=actor, reason=reason, now=now)
            for pk in list(holding)
        ]
