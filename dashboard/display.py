"""How the dashboard words times and statuses (shared by tables, pages and CSV)."""

from datetime import datetime, timedelta

from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString

STATUS_LABELS = {
    "pending": "Pending",
    "approved": "Approved",
    "rejected": "Rejected",
    "expired": "Expired",
    "cancelled": "Cancelled",
}
STATUS_BADGES = {
    "pending": "text-bg-warning",
    "approved": "text-bg-success",
    "rejected": "text-bg-danger",
    "expired": "text-bg-secondary",
    "cancelled": "text-bg-dark",
}


def status_badge(status: str, extra_class: str = "") -> SafeString:
    """A booking's (effective) status as its coloured badge."""
    classes = f"badge {STATUS_BADGES[status]} {extra_class}".strip()
    return format_html(
        '<span class="{}" data-status="{}">{}</span>',
        classes,
        status,
        STATUS_LABELS[status],
    )


def duration_text(delta: timedelta) -> str:
    """A short human span: "2 d 3 h", "5 h 20 min", "12 min", "under a minute"."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def local_text(value: datetime, zone, fmt: str = "D j M Y, H:i T") -> str:
    """``value`` in ``zone``, formatted (the zone's abbreviation by default)."""
    return dateformat.format(value.astimezone(zone), fmt)


def email_kind_label(kind: str) -> str:
    """An email kind in words: booking_confirmed → Booking confirmed."""
    return kind.replace("_", " ").capitalize()


# The periodic jobs of booking/health.py, as an owner would say them.
JOB_LABELS = {
    "expire_bookings": "Expire lapsed requests",
    "send_reminders": "Session reminders",
    "sweep_outbox": "Resend emails left waiting",
}
