"""Which sessions a client can book, and when.

This module owns the read side of the rules (docs/ARCHITECTURE.md, "The booking
rules"). ``get_availability`` answers "what can be booked between these dates" in a
constant number of queries; ``check_session_offered`` answers "can this one session be
booked right now" for ``booking.services`` (which calls it under the business lock).
Both use the same predicates below, so a rule exists once.
"""

import bisect
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from typing import TypeVar

from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    Case,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Extract

from booking import availability_cache
from booking.compiled import CompiledQuery
from booking.errors import BookingError
from booking.models import (
    BookingRequest,
    BookingSettings,
    BookingStatus,
    Business,
    Session,
    timezone_names,
)

MAX_RANGE_DAYS = 62
T = TypeVar("T")


class AvailabilityError(ValueError):
    """A bad question (range, date, zone); ``param`` names the input at fault."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message


# --- the rules, each once -------------------------------------------------------------


def booking_window(
    settings: BookingSettings, now: datetime
) -> tuple[datetime, datetime]:
    """Earliest and latest start a client may book, before per-session deadlines."""
    earliest = now + timedelta(hours=settings.min_advance_booking_hours)
    latest = now + timedelta(days=settings.max_advance_booking_days)
    return earliest, latest


def closing_lead(settings: BookingSettings, deadline_hours: int) -> timedelta:
    """How long before its start a session closes for online booking: the longer of
    the business's minimum notice and the session's own deadline."""
    return timedelta(hours=max(settings.min_advance_booking_hours, deadline_hours))


@dataclass(frozen=True)
class SessionWindow:
    """When clients may book one session online: from ``opens_at`` to ``closes_at``."""

    opens_at: datetime
    closes_at: datetime

    def problem(self, now: datetime) -> str | None:
        """``None`` while open at ``now``; else ``too_soon`` or ``too_far``."""
        if now > self.closes_at:
            return "too_soon"
        if now < self.opens_at:
            return "too_far"
        return None


def session_window(
    *, starts_at: datetime, deadline_hours: int, settings: BookingSettings
) -> SessionWindow:
    """The booking window of a session starting at ``starts_at``: the one rule of
    "when does booking open and close", for availability, bookings and every page.

    Open iff now + max(min advance, session deadline) ≤ starts_at ≤ now + max advance.
    Counted in real hours (in UTC: across a clock change, 24 hours before 09:00 is
    08:00 or 10:00 on the wall clock).
    """
    starts = starts_at.astimezone(UTC)
    return SessionWindow(
        opens_at=starts - timedelta(days=settings.max_advance_booking_days),
        closes_at=starts - closing_lead(settings, deadline_hours),
    )


def window_problem(
    *,
    starts_at: datetime,
    deadline_hours: int,
    settings: BookingSettings,
    now: datetime,
) -> str | None:
    """``None`` if the window is open for a session starting at ``starts_at``.

    Otherwise the error code: ``too_soon`` or ``too_far`` (``session_window``).
    """
    window = session_window(
        starts_at=starts_at, deadline_hours=deadline_hours, settings=settings
    )
    return window.problem(now)


def overlaps_with_buffer(
    a_start: datetime,
    a_end: datetime,
    b_start: datetime,
    b_end: datetime,
    buffer: timedelta,
) -> bool:
    """Strict overlap once each interval is widened by ``buffer``.

    With 15 minutes, 09:00–10:00 clashes with 10:14 but not with 10:15.
    """
    return b_start < a_end + buffer and a_start < b_end + buffer


def booked_sessions(
    *,
    business_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    moving_id: int | None = None,
) -> list[tuple[datetime, datetime, int]]:
    """(starts_at, ends_at, id) of booked sessions that touch [start, end).

    Booked: with at least one request holding a spot in it (``holds_spot_in_q``),
    not counting the booking ``moving_id`` (a booking being moved never blocks its
    own new time).

    "Touch" means overlap: ``starts_at < end`` and ``ends_at > start``. One query.
    """
    return _BOOKED.rows(
        {"with_lapses": False},
        business_id=business_id,
        start=start,
        end=end,
        now=now,
        moving_id=moving_id,
    )


def _booked_query(
    *,
    with_lapses: bool,
    business_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    moving_id: int | None,
):
    """``booked_sessions``' query; ``with_lapses``: every session touching the
    range with ``[holders, next lapse]`` (``_held``: one probe each, where a filter
    on the count and the lapse beside it took two), the unbooked ones left to the
    caller."""
    # Booked: a count of holders above 0, not ``EXISTS``. PostgreSQL turns an
    # ``EXISTS`` in WHERE into a semi-join, and on a table without statistics (a
    # business that has just imported its timetable) it joined every session of the
    # window to every request holding a spot anywhere, filtering 90,000 pairs for
    # one read. A scalar subquery stays a per-session lookup in the holders' indexes
    # (``booking_holding_idx``, ``booking_move_waiting_idx``) whatever the planner
    # knows.
    rows = Session.objects.filter(_touching(business_id, start, end))
    if with_lapses:
        return (
            rows.annotate(held=_held(now, moving_id))
            .order_by("starts_at")
            .values_list("starts_at", "ends_at", "id", "held")
        )
    return (
        rows.with_spots_taken(now, moving_id=moving_id)
        .filter(active_count__gt=0)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at", "id")
    )


_BOOKED = CompiledQuery(_booked_query)


def _touching(business_id: int, start: datetime, end: datetime) -> Q:
    """The business's sessions that touch [start, end).

    A session touching it starts after start - the business's longest session: a
    bound from below, so the index is not walked back to the first session the
    business ever had.
    """
    longest = (
        Session.objects.filter(business_id=business_id)
        .annotate(length=F("ends_at") - F("starts_at"))
        .order_by("-length")
        .values("length")[:1]
    )
    earliest_start = ExpressionWrapper(
        Value(start, output_field=DateTimeField())
        - Subquery(longest, output_field=DurationField()),
        output_field=DateTimeField(),
    )
    return Q(
        business_id=business_id,
        starts_at__lt=end,
        ends_at__gt=start,
        starts_at__gt=earliest_start,
    )


@dataclass
class _Blockers:
    """Booked sessions sorted by start, for fast "is this one blocked" checks."""

    rows: list[tuple[datetime, datetime, int]]
    buffer: timedelta
    starts: list[datetime] = field(init=False)
    longest: timedelta = field(init=False)

    def __post_init__(self) -> None:
        self.rows.sort()
        self.starts = [row[0] for row in self.rows]
        self.longest = max((e - s for s, e, _ in self.rows), default=timedelta(0))

    def blocks(self, session_id: int, starts_at: datetime, ends_at: datetime) -> bool:
        # Candidates start before ends_at + buffer, after starts_at - buffer - longest.
        lo = bisect.bisect_left(self.starts, starts_at - self.buffer - self.longest)
        hi = bisect.bisect_left(self.starts, ends_at + self.buffer)
        return any(
            other_id != session_id
            and overlaps_with_buffer(
                starts_at, ends_at, other_start, other_end, self.buffer
            )
            for other_start, other_end, other_id in self.rows[lo:hi]
        )


# --- the read API ---------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    session_id: int
    service_id: int
    service_name: str
    starts_at: datetime  # aware, in the display zone
    ends_at: datetime
    capacity: int
    spots_left: int


@dataclass(frozen=True)
class Availability:
    timezone: zoneinfo.ZoneInfo
    start_date: date
    end_date: date
    days: dict[date, list[Slot]]  # only dates with slots, in order

    @property
    def slots(self) -> list[Slot]:
        return [slot for day in self.days.values() for slot in day]


def resolve_timezone(name: str | None, default: str) -> zoneinfo.ZoneInfo:
    """The zone called ``name`` (``default`` when empty); unknown: AvailabilityError."""
    name = name or default
    if name not in timezone_names():
        raise AvailabilityError("tz", f"Unknown time zone “{name}”.")
    return zoneinfo.ZoneInfo(name)


def _settings_of(business: Business) -> BookingSettings:
    # Uses the cached relation when the caller selected it; otherwise one query.
    return business.booking_settings


def get_availability(
    *,
    business: Business,
    start_date: date,
    end_date: date,
    now: datetime,
    service_id: int | None = None,
    tz: str | zoneinfo.ZoneInfo | None = None,
    max_range_days: int | None = MAX_RANGE_DAYS,
    moving_id: int | None = None,
) -> Availability:
    """Offered slots whose local start date (in ``tz``) is in [start_date, end_date].

    ``tz`` defaults to the business's zone. At most three queries (settings, candidate
    sessions with their active-booking counts, booked sessions for the buffer), whatever
    the range or the number of sessions. ``moving_id``: the times that booking could
    move to, as if it held no spot (it never competes with itself).
    """
    return _answer(
        None,
        business=business,
        start_date=start_date,
        end_date=end_date,
        now=now,
        service_id=service_id,
        tz=tz,
        max_range_days=max_range_days,
        moving_id=moving_id,
    )


def rendered_availability(
    render: Callable[[Availability], T],
    *,
    business: Business,
    start_date: date,
    end_date: date,
    now: datetime,
    service_id: int | None = None,
    tz: str | zoneinfo.ZoneInfo | None = None,
    max_range_days: int | None = MAX_RANGE_DAYS,
) -> T:
    """``render(get_availability(…))``, and the availability cache keeps the
    rendering rather than the slots: a hit costs one lookup, not unpickling and
    rendering every slot again. ``render`` must be a module-level function of the
    answer alone (its name is part of the key), e.g. the JSON API's body."""
    return _answer(
        render,
        business=business,
        start_date=start_date,
        end_date=end_date,
        now=now,
        service_id=service_id,
        tz=tz,
        max_range_days=max_range_days,
        moving_id=None,
    )


def _answer(
    render: Callable[[Availability], object] | None,
    *,
    business: Business,
    start_date: date,
    end_date: date,
    now: datetime,
    service_id: int | None,
    tz: str | zoneinfo.ZoneInfo | None,
    max_range_days: int | None,
    moving_id: int | None,
):
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    zone = (
        tz
        if isinstance(tz, zoneinfo.ZoneInfo)
        else resolve_timezone(tz, business.timezone)
    )
    if end_date < start_date:
        raise AvailabilityError("end_date", "end_date must not be before start_date.")
    span = (end_date - start_date).days + 1
    if max_range_days is not None and span > max_range_days:
        raise AvailabilityError(
            "end_date",
            f"Ask for at most {max_range_days} days at a time (asked for {span}).",
        )

    def finish(days: dict[date, list[Slot]]):
        answer = Availability(zone, start_date, end_date, days)
        return answer if render is None else render(answer)

    settings = _settings_of(business)
    if not settings.is_active:
        return finish({})
    range_start = datetime.combine(start_date, time.min, tzinfo=zone)
    range_end = datetime.combine(end_date + timedelta(days=1), time.min, tzinfo=zone)
    earliest, latest = booking_window(settings, now)
    lo, hi = max(range_start, earliest), range_end
    if lo >= hi or lo > latest:
        return finish({})

    cache_key = None
    if moving_id is None and availability_cache.enabled():
        cache_key = availability_cache.key(
            business_id=business.pk,
            version=settings.availability_version,
            service_id=service_id,
            start_date=start_date,
            end_date=end_date,
            zone=zone.key,
            now=now,
            rendering=""
            if render is None
            else f"{render.__module__}.{render.__qualname__}",
        )
        cached = availability_cache.get(cache_key, now)
        if cached is not None:
            return cached if render is not None else finish(cached)
    days, valid_until = _offered_days(
        business_id=business.pk,
        settings=settings,
        zone=zone,
        lo=lo,
        hi=hi,
        latest=latest,
        now=now,
        service_id=service_id,
        moving_id=moving_id,
        with_lapses=cache_key is not None,
    )
    value = finish(days)
    if cache_key is not None:
        kept = days if render is None else value
        availability_cache.put(cache_key, kept, valid_until=valid_until)
    return value


# How far past the booking window a session is read so that one opening within the
# cache key's minute bounds the entry (``_offered_days``).
_OPENING_LOOKAHEAD = timedelta(seconds=61)
_FOREVER = datetime.max.replace(tzinfo=UTC)


def _offered_days(
    *,
    business_id: int,
    settings: BookingSettings,
    zone: zoneinfo.ZoneInfo,
    lo: datetime,
    hi: datetime,
    latest: datetime,
    now: datetime,
    service_id: int | None,
    moving_id: int | None,
    with_lapses: bool,
) -> tuple[dict[date, list[Slot]], datetime]:
    """The offered slots by local date, and the first instant the answer could
    change without a write (``valid_until`` of the availability cache): a spot held
    by a pending request or a waiting move lapsing, a shown session closing, a
    session opening. Two queries, rows as tuples.

    ``with_lapses``: also read each session's next lapse (for the cache); without
    it ``valid_until`` only counts closings and openings.
    """
    rows = _CANDIDATES.rows(
        {"with_lapses": with_lapses},
        business_id=business_id,
        lo=lo,
        hi=hi,
        until=latest + _OPENING_LOOKAHEAD,
        now=now,
        service_id=service_id,
        moving_id=moving_id,
    )
    valid_until = _FOREVER
    lapse = _NEVER  # the first lapse seen, a Unix time (``_held``)
    open_rows = []
    for row in rows:
        starts_at, capacity, deadline, taken = row[3], row[5], row[6], row[7]
        if with_lapses:  # [taken, next lapse]
            taken, next_lapse = taken
            if next_lapse is not None and next_lapse < lapse:
                lapse = next_lapse
        window = session_window(
            starts_at=starts_at, deadline_hours=deadline, settings=settings
        )
        problem = window.problem(now)
        if problem == "too_far":
            valid_until = min(valid_until, window.opens_at)
        elif problem is None and capacity - taken >= 1:
            valid_until = min(valid_until, window.closes_at)
            open_rows.append((*row[:7], int(taken)) if with_lapses else row)
    if not open_rows:
        return {}, min(valid_until, _lapse_at(lapse))

    buffer = timedelta(minutes=settings.buffer_time_minutes)
    booked = _BOOKED.rows(
        {"with_lapses": with_lapses},
        business_id=business_id,
        start=min(row[3] for row in open_rows) - buffer,
        end=max(row[4] for row in open_rows) + buffer,
        now=now,
        moving_id=moving_id,
    )
    if with_lapses:  # every session of the span, with [holders, next lapse]
        held, booked = booked, []
        for row in held:
            count, next_lapse = row[3]
            if count:
                booked.append(row)
            if next_lapse is not None and next_lapse < lapse:
                lapse = next_lapse
    valid_until = min(valid_until, _lapse_at(lapse))
    blockers = _Blockers([row[:3] for row in booked], buffer)
    slots = [
        Slot(
            session_id=row[0],
            service_id=row[1],
            service_name=row[2],
            starts_at=row[3].astimezone(zone),
            ends_at=row[4].astimezone(zone),
            capacity=row[5],
            spots_left=row[5] - row[7],
        )
        for row in open_rows
        if not blockers.blocks(row[0], row[3], row[4])
    ]
    return _group_by_date(slots), valid_until


def _lapse() -> Case:
    """When a spot held in the (outer) session lapses by itself: a pending
    request's ``expires_at`` or a waiting move's ``move_expires_at``."""
    return Case(
        When(session=OuterRef("pk"), status=BookingStatus.PENDING, then="expires_at"),
        When(move_to=OuterRef("pk"), then="move_expires_at"),
    )


def _held(now: datetime, moving_id: int | None = None) -> Subquery:
    """Each (outer) session's holders (``holds_spot_in_q``) read once for two
    answers: ``[how many, the first of their lapses as a Unix time]`` (the lapse
    ``None`` when none lapses by itself). Counting them and finding their first
    lapse in two subqueries probed the holders' indexes twice per session: most of
    a month's uncached answer."""
    holders = (
        BookingRequest.objects.holding_spot_in(OuterRef("pk"), now, moving_id=moving_id)
        .order_by()
        .annotate(
            held=Func(
                Cast(Func(F("pk"), function="COUNT"), FloatField()),
                Cast(
                    Extract(
                        Func(_lapse(), function="MIN", output_field=DateTimeField()),
                        "epoch",
                    ),
                    FloatField(),
                ),
                template="ARRAY[%(expressions)s]",
                output_field=ArrayField(FloatField()),
            )
        )
        .values("held")
    )
    return Subquery(holders, output_field=ArrayField(FloatField()))


def _lapse_at(epoch: float) -> datetime:
    """A lapse read by ``_held`` as the instant it is (to the microsecond: a Unix
    time of this century in a double is exact to a quarter of one); ``_NEVER``, no
    lapse at all, as ``_FOREVER``."""
    return _FOREVER if epoch == _NEVER else datetime.fromtimestamp(epoch, UTC)


_NEVER = float("inf")


def _candidates_query(
    *,
    with_lapses: bool,
    business_id: int,
    lo: datetime,
    hi: datetime,
    until: datetime,
    now: datetime,
    service_id: int | None,
    moving_id: int | None,
):
    """The sessions ``_offered_days`` weighs, with the spots taken in each (and,
    ``with_lapses``, each one's next lapse), as tuples."""
    candidates = Session.objects.filter(
        business_id=business_id,
        is_bookable=True,
        cancelled_at__isnull=True,
        service__is_active=True,
        starts_at__gte=lo,
        starts_at__lt=hi,
        starts_at__lte=until,
    )
    if with_lapses:  # the count and the next lapse: [taken, lapse]
        candidates = candidates.annotate(active_count=_held(now, moving_id))
    else:
        candidates = candidates.with_spots_taken(now, moving_id=moving_id)
    if service_id is not None:
        candidates = candidates.filter(service_id=service_id)
    fields = [
        "id",
        "service_id",
        "service__name",
        "starts_at",
        "ends_at",
        "capacity",
        "booking_deadline_hours",
        "active_count",
    ]
    return candidates.order_by("starts_at", "id").values_list(*fields)


_CANDIDATES = CompiledQuery(_candidates_query)


def _group_by_date(slots: Iterable[Slot]) -> dict[date, list[Slot]]:
    return {
        day: list(group)
        for day, group in groupby(slots, key=lambda s: s.starts_at.date())
    }


def check_session_offered(
    *,
    session: Session,
    settings: BookingSettings,
    now: datetime,
    moving_id: int | None = None,
    by_staff: bool = False,
) -> int:
    """Spots left in ``session`` if a client may book it now; else raise BookingError.

    ``booking.services`` calls this with the business row locked, so the answer holds
    until its transaction commits. One query (``_held_around``).

    ``moving_id``: the booking being moved there; its own spots (where it is now, and
    a move of it still waiting) neither fill ``session`` nor block it by the buffer.
    ``by_staff``: a booking made by the business itself (a phone or walk-in client, an
    owner's move), which ignores the switches of online booking (link, service,
    "open for online booking") and the booking window; capacity and the buffer
    still hold, and a cancelled session takes nobody.
    """
    if not by_staff:
        _check_online(session=session, settings=settings, now=now)
    elif session.cancelled_at is not None:
        raise BookingError("session_cancelled")
    buffer = timedelta(minutes=settings.buffer_time_minutes)
    taken, booked = _held_around(
        session=session, buffer=buffer, now=now, moving_id=moving_id
    )
    if session.capacity - taken < 1:
        raise BookingError("full")
    if _Blockers(booked, buffer).blocks(session.pk, session.starts_at, session.ends_at):
        raise BookingError("buffer")
    return session.capacity - taken


def _held_around(
    *, session: Session, buffer: timedelta, now: datetime, moving_id: int | None
) -> tuple[int, list[tuple[datetime, datetime, int]]]:
    """The requests holding a spot in ``session`` (``holds_spot_in_q``, not counting
    ``moving_id``), and the sessions within ``buffer`` of it that are booked by that
    same test (``booked_sessions``' rows): one query, each session of the window with
    its count of holders."""
    rows = _HELD_AROUND.rows(
        session_id=session.pk,
        business_id=session.business_id,
        start=session.starts_at - buffer,
        end=session.ends_at + buffer,
        now=now,
        moving_id=moving_id,
    )
    taken, booked = 0, []
    for starts_at, ends_at, pk, count in rows:
        if pk == session.pk:
            taken = count
        elif count:
            booked.append((starts_at, ends_at, pk))
    return taken, booked


def _held_around_query(
    *,
    session_id: int,
    business_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    moving_id: int | None,
):
    # The session itself lies in [start, end) anyway; its own row says so whatever.
    return (
        Session.objects.filter(Q(pk=session_id) | _touching(business_id, start, end))
        .with_spots_taken(now, moving_id=moving_id)
        .order_by()
        .values_list("starts_at", "ends_at", "id", "active_count")
    )


_HELD_AROUND = CompiledQuery(_held_around_query)


def _check_online(
    *, session: Session, settings: BookingSettings, now: datetime
) -> None:
    """The rules only clients booking online meet: the switches and the window."""
    if not settings.is_active:
        raise BookingError("link_inactive")
    if not session.service.is_active:
        raise BookingError("service_inactive")
    if not session.is_bookable or session.cancelled_at is not None:
        raise BookingError("not_bookable")
    problem = window_problem(
        starts_at=session.starts_at,
        deadline_hours=session.booking_deadline_hours,
        settings=settings,
        now=now,
    )
    if problem:
        raise BookingError(problem)


@dataclass(frozen=True)
class StaffChoice:
    """A session as staff see it when they pick one for a client."""

    session: Session
    spots_left: int
    problem: str | None  # ``full`` or ``buffer`` when it cannot take the booking


def staff_choices(
    *,
    business: Business,
    start: datetime,
    end: datetime,
    now: datetime,
    moving_id: int | None = None,
) -> list[StaffChoice]:
    """The business's sessions starting in [start, end) and not before ``now``, not
    cancelled, each with whether it can take one more booking made by staff (the
    rules of ``check_session_offered(by_staff=True)``). Two queries.
    """
    settings = _settings_of(business)
    sessions = list(
        Session.objects.filter(
            business_id=business.pk,
            cancelled_at__isnull=True,
            starts_at__gte=max(start, now),
            starts_at__lt=end,
        )
        .with_spots_taken(now, moving_id=moving_id)
        .select_related("service")
        .order_by("starts_at", "id")
    )
    if not sessions:
        return []
    buffer = timedelta(minutes=settings.buffer_time_minutes)
    blockers = _Blockers(
        booked_sessions(
            business_id=business.pk,
            start=sessions[0].starts_at - buffer,
            end=max(s.ends_at for s in sessions) + buffer,
            now=now,
            moving_id=moving_id,
        ),
        buffer,
    )
    choices = []
    for s in sessions:
        left = max(s.capacity - s.active_count, 0)
        problem = None
        if left < 1:
            problem = "full"
        elif blockers.blocks(s.pk, s.starts_at, s.ends_at):
            problem = "buffer"
        choices.append(StaffChoice(s, left, problem))
    return choices
