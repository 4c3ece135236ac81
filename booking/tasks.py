"""Huey tasks: thin wrappers that take ids and call the services.

``run_huey`` (the Procfile's ``worker``) runs them; in unit tests Huey is immediate and
they run inline. Periodic jobs record each run in ``JobRun`` for ``booking_health``
(whose ``PERIODIC_JOBS`` names their schedules in words).
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from booking import metrics, notifications, outbox, services
from booking.health import record_run


@db_task()
def send_email(email_id: int) -> None:
    """Send one outbox row; on a passing failure, try again after the backoff."""
    result = outbox.email_send(email_id=email_id)
    metrics.email_outcome(result.status)
    if result.retry_in is not None:
        send_email.schedule((email_id,), delay=result.retry_in.total_seconds())


@db_periodic_task(crontab(minute="*"))
def expire_bookings() -> None:
    """Mark lapsed pending requests expired (their clients are emailed)."""
    with record_run("expire_bookings") as run:
        run.result = {"expired": len(services.bookings_expire())}


@db_periodic_task(crontab(minute="*/5"))
def send_reminders() -> None:
    with record_run("send_reminders") as run:
        run.result = {"reminded": len(notifications.bookings_remind())}


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    """Enqueue outbox rows whose send task was lost (e.g. Redis was down at commit)."""
    with record_run("sweep_outbox") as run:
        run.result = {"enqueued": len(outbox.outbox_sweep())}
