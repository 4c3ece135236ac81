"""How the dashboard words times and statuses (shared by tables, pages and CSV)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

from django.utils.html import format_html
from django.utils.safestring import SafeString

from booking.timefmt import date_text

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


def window_text(window, now: datetime, zone) -> tuple[str, str, datetime]:
    """A session's booking window at ``now`` in words, its state and the instant the
    words name: ("Booking closes in 3 h", "open", closes_at), ("Booking closed",
    "closed", closes_at) or ("Booking opens Tue 4 Jun", "later", opens_at)."""
    problem = window.problem(now)
    if problem == "too_soon":
        return "Booking closed", "closed", window.closes_at
    if problem == "too_far":
        opens = local_text(window.opens_at, zone, "D j M")
        return f"Booking opens {opens}", "later", window.opens_at
    left = duration_text(window.closes_at - now)
    return f"Booking closes in {left}", "open", window.closes_at


def local_text(value: datetime, zone, fmt: str = "D j M Y, H:i T") -> str:
    """``value`` in ``zone``, formatted as ``dateformat.format`` does (the zone's
    abbreviation by default), by ``booking.timefmt.date_text``: a page of the
    requests table formats 75 times (docs/PERFORMANCE.md, "The requests table")."""
    return date_text(value.astimezone(zone), fmt)


def email_kind_label(kind: str) -> str:
    """An email kind in words: booking_confirmed → Booking confirmed."""
    return kind.replace("_", " ").capitalize()


# The periodic jobs of booking/health.py, as an owner would say them.
JOB_LABELS = {
    "expire_bookings": "Expire lapsed requests",
    "send_reminders": "Session reminders",
    "sweep_outbox": "Resend emails left waiting",
}


@dataclass(frozen=True)
class WeekColumn:
    """One day of the sessions week: its sessions grouped by the hour they start in,
    each group with its row in the calendar grid (1 = the week's first hour)."""

    day: date
    cells: list[tuple[int, list]]

    @property
    def sessions(self) -> list:
        return [session for _, group in self.cells for session in group]


def week_grid(
    days: list[tuple[date, list]], zone
) -> tuple[list[int], list[WeekColumn]]:
    """The week as a calendar grid: the hours any session starts in (the rows), and
    each day's sessions placed in those rows. A quiet hour takes no row."""
    hour = lambda session: session.starts_at.astimezone(zone).hour  # noqa: E731
    hours = sorted({hour(s) for _, sessions in days for s in sessions})
    row = {h: index for index, h in enumerate(hours, start=1)}
    columns = [
        WeekColumn(
            day,
            [(row[h], list(group)) for h, group in groupby(sessions, key=hour)],
        )
        for day, sessions in days
    ]
    return hours, columns
