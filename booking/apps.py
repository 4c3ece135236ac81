from django.apps import AppConfig
from django.db.models.signals import post_save


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        from huey.contrib.djhuey import HUEY

        from booking import eventlog, pgtypes
        from booking.models import BookingEvent

        post_save.connect(
            eventlog.booking_event_saved,
            sender=BookingEvent,
            dispatch_uid="booking.eventlog",
        )
        HUEY.signal()(eventlog.task_signal)
        pgtypes.install()
        # The deploy checks (config/checks.py).
        from config import checks  # noqa: F401
