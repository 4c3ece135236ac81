"""Periodic Huey tasks: thin wrappers that call the services.

``run_huey`` (the Procfile's ``worker``) runs them; in unit tests Huey is immediate and
they run inline. Each records its runs in ``JobRun`` for ``booking_health`` (whose
``PERIODIC_JOBS`` names their schedules in words). The email task, ``send_email``,
lives with the outbox it sends (``booking/outbox.py``).
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from booking import notifications, outbox, services
from booking.health import record_run


@db_periodic_task(crontab(minute="*"))
def expire_bookings() -> None:
    """Mark lapsed pending requests expired and clear lapsed waiting moves (their
    bookings keep their original time); the clients are emailed either way."""
    with record_run("expire_bookings") as run:
        run.result = {
            "expired": len(services.bookings_expire()),
            "moves_expired": len(services.moves_expire()),
        }


@db_periodic_task(crontab(minute="*/5"))
def send_reminders() -> None:
    with record_run("send_reminders") as run:
        run.result = {"reminded": len(notifications.bookings_remind())}


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    """Enqueue outbox rows whose send task was lost (e.g. Redis was down at commit)."""
    with record_run("sweep_outbox") as run:
        run.result = {"enqueued": len(outbox.outbox_sweep())}
