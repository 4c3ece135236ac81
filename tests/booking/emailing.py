"""Helpers for the notification, email, task and feed tests (fixtures: conftest.py).

Swim School Pro (Europe/London) with Olivia the owner and Sam the staff member; a
private lesson on Sunday 29 March 2026 at 09:00 London time, the morning the clocks go
forward (08:00 UTC); Ada books it from Tokyo (17:00 JST).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from huey.contrib.djhuey import HUEY

from booking import emails, notifications, outbox, services
from booking.models import BookingRequest, Business, OutboundEmail, Session
from tests.factories import ServiceFactory, SessionFactory

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
CLIENT = "ada@example.com"
LONDON = ZoneInfo("Europe/London")
LESSON_START = datetime(2026, 3, 29, 9, 0, tzinfo=LONDON)  # 08:00 UTC, 17:00 JST


def make_team(business: Business) -> Business:
    """Swim School Pro with its contact details (owner and staff come from fixtures)."""
    business.address = "123 Pool Street"
    business.email = "info@swimschool.example.com"
    business.phone = "+44 20 7946 0000"
    business.save()
    return business


def make_lesson(business: Business) -> Session:
    service = ServiceFactory(
        business=business, name="Private Lesson", duration_minutes=60, capacity=2
    )
    session = SessionFactory(
        service=service,
        starts_at=LESSON_START,
        ends_at=LESSON_START + timedelta(hours=1),
    )
    # Read back in UTC, as stored: "starts_at - 24 h" on a London datetime is
    # wall-clock arithmetic, which is 23 real hours across the clock change.
    session.refresh_from_db()
    return session


def set_settings(business, **values) -> None:
    for name, value in values.items():
        setattr(business.booking_settings, name, value)
    business.booking_settings.save()


def book(session, now=NOW, **fields) -> BookingRequest:
    values = {
        "client_name": "Ada Lovelace",
        "client_email": "ada@example.com",
        "client_timezone": "Asia/Tokyo",
        **fields,
    }
    return services.booking_create(
        business=session.business, session_id=session.pk, now=now, **values
    ).booking


def queued_email(**fields) -> OutboundEmail:
    """One outbox row, as queue_email writes it (its task is not run)."""
    values = {
        "kind": emails.BOOKING_CONFIRMED,
        "to_email": CLIENT,
        "subject": "Booking confirmed",
        "body_text": "See you at the pool.",
        "body_html": "<p>See you at the pool.</p>",
        **fields,
    }
    return OutboundEmail.objects.create(**values)


def rendered(rows) -> list[OutboundEmail]:
    """Outbox rows, each rendered from its snapshot as the worker renders it before
    sending (in memory: the rows in the database stay as written)."""
    rows = list(rows)
    for row in rows:
        outbox.render_row(row)
    return rows


def the_email(**filters) -> OutboundEmail:
    """The one outbox row matching ``filters``, rendered (``rendered``)."""
    (row,) = rendered(OutboundEmail.objects.filter(**filters))
    return row


def emails_to(address: str, kind: str | None = None) -> list[OutboundEmail]:
    """The outbox rows to ``address``, rendered (``rendered``)."""
    rows = OutboundEmail.objects.filter(to_email=address).order_by("pk")
    return rendered(rows.filter(kind=kind) if kind else rows)


def received_by(fake, address: str) -> list:
    return [mail for mail in fake.received if address in mail.to]


def scheduled_tasks() -> list:
    """Tasks Huey holds for later (retries waiting for their backoff)."""
    return HUEY.scheduled()


@contextmanager
def background_huey(storage) -> Iterator:
    """Huey as in production for the block: tasks go to ``storage``, not inline."""
    HUEY.immediate_use_memory = False
    HUEY.immediate = False
    HUEY.storage = storage
    try:
        yield HUEY
    finally:
        HUEY.immediate_use_memory = True
        HUEY.immediate = True  # back to a fresh in-memory queue, tasks inline


# --- one way to cause each kind of email ------------------------------------------


def pending(team, lesson):
    set_settings(team, requires_approval=True)
    return book(lesson)


def approved(team, lesson):
    booking = pending(team, lesson)
    return services.booking_approve(booking_id=booking.pk, actor=None, now=NOW)


def rejected(team, lesson):
    booking = pending(team, lesson)
    return services.booking_reject(
        booking_id=booking.pk,
        actor=None,
        reason="The pool is closed that day.",
        now=NOW,
    )


def expired(team, lesson):
    booking = pending(team, lesson)
    services.bookings_expire(now=booking.expires_at)
    return booking


def cancelled(team, lesson):
    booking = book(lesson)
    return services.booking_cancel(
        booking_id=booking.pk, by_client=True, reason="Sorry, I am ill.", now=NOW
    )


def reminded(team, lesson):
    booking = book(lesson)
    notifications.bookings_remind(now=lesson.starts_at - timedelta(hours=20))
    return booking


def confirmed(team, lesson):
    return book(lesson)


def the_day_before(lesson: Session) -> Session:
    """The same lesson on Saturday 28 March, 09:00 London: still GMT (18:00 JST)."""
    start = datetime(2026, 3, 28, 9, 0, tzinfo=LONDON)
    session = SessionFactory(
        service=lesson.service, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    session.refresh_from_db()
    return session


def moved(team, lesson):
    """Ada moves her confirmed lesson to the day before, across the clock change."""
    booking = book(lesson)
    return services.booking_reschedule(
        booking_id=booking.pk,
        session_id=the_day_before(lesson).pk,
        by_client=True,
        now=NOW,
    ).booking


def move_asked(team, lesson):
    """Confirmed, then the business turns approval on and Ada asks to move."""
    booking = book(lesson)
    set_settings(team, requires_approval=True)
    return services.booking_reschedule(
        booking_id=booking.pk,
        session_id=the_day_before(lesson).pk,
        by_client=True,
        now=NOW,
    ).booking


def move_declined(team, lesson):
    booking = move_asked(team, lesson)
    return services.booking_move_reject(
        booking_id=booking.pk,
        actor=None,
        reason="That morning is fully booked.",
        now=NOW,
    )


# kind -> scenario(team, lesson) that makes one email of that kind
SCENARIOS = {
    emails.REQUEST_RECEIVED: pending,
    emails.BOOKING_CONFIRMED: confirmed,
    emails.BOOKING_APPROVED: approved,
    emails.BOOKING_REJECTED: rejected,
    emails.REQUEST_EXPIRED: expired,
    emails.BOOKING_CANCELLED: cancelled,
    emails.BOOKING_REMINDER: reminded,
    emails.TEAM_NEW_REQUEST: pending,
    emails.TEAM_NEW_BOOKING: confirmed,
    emails.TEAM_CLIENT_CANCELLED: cancelled,
    emails.BOOKING_MOVED: moved,
    emails.MOVE_REQUESTED: move_asked,
    emails.MOVE_DECLINED: move_declined,
    emails.TEAM_CLIENT_MOVED: moved,
    emails.TEAM_MOVE_REQUEST: move_asked,
}
