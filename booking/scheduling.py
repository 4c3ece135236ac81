"""Creating and editing sessions: one at a time, or a weekly recurring series.

An owner thinks in wall-clock time ("Mondays at 18:00, London time"), so every start is
built per date from the local date and time in the business's zone. A series therefore
stays at 18:00 on both sides of a daylight-saving change, even though the UTC instant
moves by an hour.

Local times the clocks skip or repeat follow RFC 5545 (iCalendar) §3.3.5:

- a time that does not exist (spring forward, e.g. 01:30 in London on the last Sunday
  of March) is read with the UTC offset from before the gap, which moves it forward by
  the gap: 01:30 becomes 02:30 BST;
- a time that happens twice (fall back, 01:30 on the last Sunday of October) is the
  first occurrence (still summer time).

Both cases are reported (``LocalStart.note``) so the owner sees them in the preview.
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from booking.errors import BookingError
from booking.models import BookingRequest, Business, Service, Session

MAX_SERIES_DAYS = 366
MAX_SERIES_SESSIONS = 500
WEEKDAY_NAMES = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
]

NONEXISTENT = "nonexistent"
AMBIGUOUS = "ambiguous"


class SchedulingError(ValueError):
    """A series or session that cannot be planned; ``field`` names the bad input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class LocalStart:
    """A session start: the local date and time asked for, and the instant it became."""

    day: date
    wall_time: time
    # In UTC: an aware datetime whose wall time is ambiguous in its own zone never
    # compares equal to one in another zone (PEP 495), so zone-local values would
    # break set lookups and comparisons with database values.
    starts_at: datetime
    zone: zoneinfo.ZoneInfo
    note: str = ""  # "", NONEXISTENT or AMBIGUOUS

    @property
    def local(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def explanation(self) -> str:
        asked = f"{self.wall_time:%H:%M}"
        if self.note == NONEXISTENT:
            return (
                f"{asked} does not exist on {self.day:%a %d %b %Y} (the clocks go "
                f"forward), so it starts at {self.local:%H:%M %Z}."
            )
        if self.note == AMBIGUOUS:
            return (
                f"{asked} happens twice on {self.day:%a %d %b %Y} (the clocks go "
                f"back); it starts at the first one, {self.local:%H:%M %Z}."
            )
        return ""


def resolve_local_start(day: date, at: time, zone: zoneinfo.ZoneInfo) -> LocalStart:
    """The aware start for wall-clock ``at`` on ``day`` in ``zone`` (RFC 5545 rules)."""
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    # fold=0 carries the offset from before the change: for a skipped time that is
    # the instant one gap later on the clock; for a repeated time, the first one.
    instant = first.astimezone(UTC)
    if first.utcoffset() == second.utcoffset():
        return LocalStart(day, at, instant, zone)
    if instant.astimezone(zone).replace(tzinfo=None, fold=0) != naive:
        return LocalStart(day, at, instant, zone, NONEXISTENT)
    return LocalStart(day, at, instant, zone, AMBIGUOUS)


@dataclass(frozen=True)
class SeriesPlan:
    """What a series would create, for the preview and for ``series_create``."""

    starts: list[LocalStart]  # to create, in order
    existing: list[LocalStart] = field(default_factory=list)  # already scheduled

    @property
    def count(self) -> int:
        return len(self.starts)

    @property
    def adjusted(self) -> list[LocalStart]:
        return [start for start in self.starts if start.note]


def _check_service(business: Business, service: Service) -> None:
    if service.business_id != business.pk:
        raise SchedulingError("service", "That service belongs to another business.")


def series_plan(
    *,
    business: Business,
    service: Service,
    weekdays: set[int],
    start_time: time,
    first_date: date,
    last_date: date,
) -> SeriesPlan:
    """Every ``weekdays`` date (Mon=0) in [first_date, last_date] at ``start_time``.

    Starts where this service already has a session at that instant are left out
    (listed in ``existing``), so running a series twice creates nothing twice. One
    query.
    """
    _check_service(business, service)
    if not weekdays:
        raise SchedulingError("weekdays", "Pick at least one day of the week.")
    if last_date < first_date:
        raise SchedulingError(
            "last_date", "The last date must not be before the first."
        )
    span = (last_date - first_date).days + 1
    if span > MAX_SERIES_DAYS:
        raise SchedulingError(
            "last_date",
            f"A series can span at most {MAX_SERIES_DAYS} days (this is {span}).",
        )
    zone = business.tz
    wanted = [
        resolve_local_start(day, start_time, zone)
        for day in (first_date + timedelta(days=n) for n in range(span))
        if day.weekday() in weekdays
    ]
    if not wanted:
        return SeriesPlan([])
    taken = set(
        Session.objects.filter(
            service=service,
            cancelled_at__isnull=True,
            starts_at__gte=wanted[0].starts_at,
            starts_at__lte=wanted[-1].starts_at,
        ).values_list("starts_at", flat=True)
    )
    return SeriesPlan(
        starts=[s for s in wanted if s.starts_at not in taken],
        existing=[s for s in wanted if s.starts_at in taken],
    )


def default_deadline_hours(business: Business) -> int:
    """A new session's own booking deadline: the business's minimum notice, so that
    nothing but that notice closes it (an owner may set a longer one)."""
    return business.booking_settings.min_advance_booking_hours


def _new_session(
    *,
    business: Business,
    service: Service,
    starts_at: datetime,
    capacity: int | None,
    booking_deadline_hours: int | None,
    is_bookable: bool,
) -> Session:
    if booking_deadline_hours is None:
        booking_deadline_hours = default_deadline_hours(business)
    return Session(
        business=business,
        service=service,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=service.duration_minutes),
        capacity=capacity or service.capacity,
        booking_deadline_hours=booking_deadline_hours,
        is_bookable=is_bookable,
    )


def series_create(
    *,
    business: Business,
    service: Service,
    weekdays: set[int],
    start_time: time,
    first_date: date,
    last_date: date,
    capacity: int | None = None,
    booking_deadline_hours: int | None = None,
    is_bookable: bool = True,
) -> list[Session]:
    """Create the sessions ``series_plan`` lists (at most MAX_SERIES_SESSIONS).

    ``booking_deadline_hours`` left out: the business's minimum notice.
    """
    plan = series_plan(
        business=business,
        service=service,
        weekdays=weekdays,
        start_time=start_time,
        first_date=first_date,
        last_date=last_date,
    )
    if plan.count > MAX_SERIES_SESSIONS:
        raise SchedulingError(
            "last_date",
            f"A series can create at most {MAX_SERIES_SESSIONS} sessions "
            f"(this one would create {plan.count}); shorten the date range.",
        )
    sessions = [
        _new_session(
            business=business,
            service=service,
            starts_at=start.starts_at,
            capacity=capacity,
            booking_deadline_hours=booking_deadline_hours,
            is_bookable=is_bookable,
        )
        for start in plan.starts
    ]
    with transaction.atomic():
        return Session.objects.bulk_create(sessions)


def session_create(
    *,
    business: Business,
    service: Service,
    day: date,
    start_time: time,
    capacity: int | None = None,
    booking_deadline_hours: int | None = None,
    is_bookable: bool = True,
) -> tuple[Session, LocalStart]:
    """One session at local ``day`` ``start_time``; returns it and how it resolved.

    ``booking_deadline_hours`` left out: the business's minimum notice.
    """
    _check_service(business, service)
    start = resolve_local_start(day, start_time, business.tz)
    session = _new_session(
        business=business,
        service=service,
        starts_at=start.starts_at,
        capacity=capacity,
        booking_deadline_hours=booking_deadline_hours,
        is_bookable=is_bookable,
    )
    session.save()
    return session, start


def session_update(
    *,
    session_id: int,
    day: date,
    start_time: time,
    capacity: int,
    booking_deadline_hours: int,
    is_bookable: bool,
    now: datetime | None = None,
) -> tuple[Session, LocalStart]:
    """Edit a session. Refused: cancelled sessions, moving one that holds bookings,
    or a capacity below the bookings it holds.
    """
    now = now or timezone.now()
    with transaction.atomic():
        session = (
            Session.objects.select_for_update(of=("self",))
            .select_related("service", "business")
            .get(pk=session_id)
        )
        if session.cancelled_at is not None:
            raise BookingError("session_cancelled")
        start = resolve_local_start(day, start_time, session.business.tz)
        held = BookingRequest.objects.holding_spot_in(session.pk, now).count()
        if held and start.starts_at != session.starts_at:
            raise BookingError("session_has_bookings")
        if capacity < held:
            raise BookingError(
                "capacity_below_bookings",
                f"This session holds {held} booking{pluralize(held)}; "
                f"the capacity cannot be lower than {held}.",
            )
        if start.starts_at != session.starts_at:
            duration = session.ends_at - session.starts_at
            session.starts_at = start.starts_at
            session.ends_at = start.starts_at + duration
        session.capacity = capacity
        session.booking_deadline_hours = booking_deadline_hours
        session.is_bookable = is_bookable
        session.save()
    return session, start
