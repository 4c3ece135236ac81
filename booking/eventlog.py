"""Log lines (and worker metrics) for what happens to bookings and background tasks.

Connected in ``BookingConfig.ready``. A booking's change is logged once its
transaction commits, with the reference and the status change, never the client's
details. Each task the worker runs logs one line with its name, attempt, outcome and
duration; lines logged while it runs carry ``task`` and ``task_id``.
"""

import logging
import time

from django.db import transaction
from huey import signals

from booking import metrics
from booking.models import BookingEvent, BookingRequest, Session
from config import logs

logger = logging.getLogger("booking.events")
task_logger = logging.getLogger("booking.tasks")

# Signals that end a task's run, and the outcome each one means.
OUTCOMES = {
    signals.SIGNAL_COMPLETE: "complete",
    signals.SIGNAL_ERROR: "error",
    signals.SIGNAL_RETRYING: "retrying",
    signals.SIGNAL_CANCELED: "canceled",
    signals.SIGNAL_EXPIRED: "expired",
    signals.SIGNAL_LOCKED: "locked",
    signals.SIGNAL_REVOKED: "revoked",
    signals.SIGNAL_INTERRUPTED: "interrupted",
    signals.SIGNAL_TIMEOUT: "timeout",
}


def booking_event_saved(sender, instance: BookingEvent, created: bool, **kwargs):
    if not created:
        return
    fields = {
        "booking": _reference(instance),
        "event": instance.action,
        "from_status": instance.from_status,
        "to_status": instance.to_status,
        "actor": "user" if instance.actor_id else instance.actor_label or "system",
    }
    business = _business_slug(instance)
    if business:
        fields["business"] = business
    transaction.on_commit(
        lambda: logger.info(
            "Booking %s: %s (%s -> %s)",
            fields["booking"],
            fields["event"],
            fields["from_status"] or "new",
            fields["to_status"],
            extra=fields,
        )
    )


def _reference(event: BookingEvent) -> str:
    if BookingEvent.booking.is_cached(event):
        return event.booking.booking_reference
    return f"#{event.booking_id}"


def _business_slug(event: BookingEvent) -> str | None:
    """The business's slug if the booking came with it loaded (never a query)."""
    if not BookingEvent.booking.is_cached(event):
        return None
    booking = event.booking
    if not BookingRequest.session.is_cached(booking):
        return None
    session = booking.session
    if not Session.business.is_cached(session):
        return None
    return session.business.slug


# --- the worker's tasks ---------------------------------------------------------------

_running: dict[str, tuple[float, object]] = {}


def task_signal(signal: str, task, *args, **kwargs) -> None:
    if signal == signals.SIGNAL_EXECUTING:
        fields = {"task": task.name, "task_id": task.id, "attempt": _attempt(task)}
        _running[task.id] = (time.perf_counter(), logs.push(**fields))
        return
    outcome = OUTCOMES.get(signal)
    if outcome is None:
        return  # enqueued, scheduled: not a run
    started, token = _running.pop(task.id, (None, None))
    seconds = time.perf_counter() - started if started is not None else None
    metrics.task_finished(task=task.name, outcome=outcome, seconds=seconds)
    level = logging.INFO if outcome == "complete" else logging.WARNING
    task_logger.log(
        level,
        "Task %s %s",
        task.name,
        outcome,
        extra={
            "task": task.name,
            "task_id": task.id,
            "attempt": _attempt(task),
            "outcome": outcome,
            "duration_ms": round(seconds * 1000, 1) if seconds is not None else None,
        },
    )
    if token is not None:
        logs.pop(token)


def _attempt(task) -> int:
    return (task.default_retries or 0) - (task.retries or 0) + 1
