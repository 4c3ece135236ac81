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
    return (
        Business.objects.select_for_update(of=("self",))
        .select_related("booking_settings")
        .get(pk=business_id)
    )


@dataclass(frozen=True)
class BookingResult:
    booking: BookingRequest
    created: bool  # False when an idempotency key found an earlier booking


def _is_returning_client(*, business_id: int, email: str, phone: str) -> bool:
    match = Q()
    if email:
        match |= Q(client_email__iexact=email)
    if phone:
        match |= Q(client_phone=phone)
    return BookingRequest.objects.filter(
        match,
        session__business_id=business_id,
        status=Status.APPROVED,
    ).exists()


def initial_status(
    *, settings: BookingSettings, email: str, phone: str, business_id: int
) -> str:
    if not settings.requires_approval:
        return Status.APPROVED
    if settings.auto_approve_returning_clients and _is_returning_client(
        business_id=business_id, email=email, phone=phone
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
            session = (
                Session.objects.select_related("service")
                .filter(business_id=locked.pk, pk=session_id)
                .first()
            )
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
            booking = BookingRequest.objects.create(
                session=session,
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
) -> BookingEvent:
    return BookingEvent.objects.create(
        booking=booking,
        action=action,
        from_status=from_status,
        to_status=booking.status,
        actor=actor,
        actor_label=actor_label if actor is None else "",
        note=note,
        created_at=now,
    )


def _lock_booking(booking_id: int) -> BookingRequest:
    return (
        BookingRequest.objects.select_for_update(of=("self",))
        .select_related("session__service", "session__business")
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
        holding = (
            session.booking_requests.holding_spot(now)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
        )
        return [
            booking_cancel(booking_id=pk, actor=actor, reason=reason, now=now)
            for pk in list(holding)
        ]
