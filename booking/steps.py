"""What the public booking steps show: the display zone, a week of open times, each
service's next time, the zone picker. Built from booking.availability (no rules here).

The views stay thin: they resolve the request, call these helpers and render. Every
answer to "can this be booked" comes from ``get_availability`` or the services.
"""

import calendar
import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from importlib import resources
from itertools import groupby

from booking.availability import (
    Availability,
    AvailabilityError,
    Slot,
    booking_window,
    get_availability,
    rendered_availability,
    resolve_timezone,
)
from booking.models import Business, Service, Session, timezone_names

WEEK = timedelta(days=7)


@cache
def _tz_tables() -> tuple[frozenset[str], dict[str, str]]:
    """The picker's zones and the alias → zone links, from the pinned IANA tzdata.

    The rule: a zone is offered if IANA's ``zone.tab`` or ``zone1970.tab`` lists it
    (every country's zones by their current names, Europe/Amsterdam and
    Europe/Kyiv alike), plus UTC. Old aliases (US/Eastern, Asia/Calcutta, W-SU),
    ``Etc/…``, ``Factory`` and ``localtime`` are not offered; an alias asked for in
    a URL or by a device is shown under the zone it links to (``tzdata.zi``).
    """
    root = resources.files("tzdata").joinpath("zoneinfo")
    names = {"UTC"}
    for table in ("zone.tab", "zone1970.tab"):
        for line in root.joinpath(table).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                names.add(line.split("\t")[2])
    links = {}
    for line in root.joinpath("tzdata.zi").read_text(encoding="utf-8").splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()[:3]
            links[alias] = target
    return frozenset(names & timezone_names()), links


def canonical_zone(name: str) -> str:
    """The offered zone ``name`` stands for: ``Asia/Calcutta`` → ``Asia/Kolkata``,
    ``Etc/UTC`` → ``UTC``; a name with no offered equivalent is kept as it is."""
    names, links = _tz_tables()
    if name in names:
        return name
    target = links.get(name, name)
    if target in names:
        return target
    if target in {"Etc/UTC", "Etc/GMT"}:
        return "UTC"
    return name


def utc_offset(zone: zoneinfo.ZoneInfo, moment: datetime) -> str:
    """``UTC+05:30``, ``UTC−03:00``, ``UTC+00:00`` at ``moment``."""
    offset = moment.astimezone(zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


@dataclass(frozen=True)
class ZoneOption:
    name: str  # Europe/London
    place: str  # London; Argentina/Buenos Aires
    offset: str  # UTC+00:00, now


def timezone_groups(now: datetime) -> list[tuple[str, list[ZoneOption]]]:
    """[(region, [options])] for the time zone picker, each with its offset now."""
    return _timezone_groups(now.replace(minute=0, second=0, microsecond=0))


@lru_cache(maxsize=4)
def _timezone_groups(hour: datetime) -> list[tuple[str, list[ZoneOption]]]:
    names, _ = _tz_tables()
    regional = sorted(name for name in names if "/" in name)
    groups = []
    for region, zones in groupby(regional, key=lambda n: n.split("/", 1)[0]):
        options = [
            ZoneOption(
                name=name,
                place=name.split("/", 1)[1].replace("_", " "),
                offset=utc_offset(zoneinfo.ZoneInfo(name), hour),
            )
            for name in zones
        ]
        groups.append((region, options))
    utc = ZoneOption(name="UTC", place="UTC", offset="UTC+00:00")
    return [*groups, ("Other", [utc])]


@dataclass(frozen=True)
class DisplayZone:
    zone: zoneinfo.ZoneInfo
    explicit: bool  # the client chose it (``?tz=``), rather than the business default
    notice: str  # set when the asked-for zone was unknown

    @property
    def name(self) -> str:
        return self.zone.key


def display_zone(requested: str | None, business: Business) -> DisplayZone:
    """The zone to show times in: ``requested`` if valid, else the business's."""
    requested = (requested or "").strip()
    if requested:
        try:
            zone = resolve_timezone(requested, business.timezone)
        except AvailabilityError:
            notice = (
                f"We do not know the time zone “{requested[:64]}”, so times are "
                f"shown in {business.name}'s time zone, {business.timezone}."
            )
            return DisplayZone(business.tz, explicit=False, notice=notice)
        return DisplayZone(
            zoneinfo.ZoneInfo(canonical_zone(zone.key)), explicit=True, notice=""
        )
    return DisplayZone(business.tz, explicit=False, notice="")


@dataclass(frozen=True)
class Day:
    date: date
    slots: list[Slot]


@dataclass(frozen=True)
class Month:
    """One month as a calendar (Monday first) with the dates that have times: the
    week step's overview, each such date a link to its week."""

    first: date
    rows: list[list[date | None]]  # None: a day of the month before or after
    open_days: frozenset[date]
    previous_start: date | None  # where "previous month" leads (None: before today)
    next_start: date | None  # where "next month" leads (None: past the window)

    def is_open(self, day: date) -> bool:
        return day in self.open_days


def _month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _month(
    around: date, today: date, last_day: date, open_days: frozenset[date]
) -> Month:
    first, end = _month_bounds(around)
    rows = [
        [day if day.month == first.month else None for day in week]
        for week in calendar.Calendar().monthdatescalendar(first.year, first.month)
    ]
    previous_first = _month_bounds(first - timedelta(days=1))[0]
    return Month(
        first=first,
        rows=rows,
        open_days=open_days,
        previous_start=max(previous_first, today) if first > today else None,
        next_start=end + timedelta(days=1) if end < last_day else None,
    )


@dataclass(frozen=True)
class Week:
    start: date
    end: date
    days: list[Day]
    previous_start: date | None
    next_start: date | None
    next_with_slots: date | None  # when this week is empty: the week to jump to
    any_in_window: bool  # False: nothing at all is open in the booking window
    current_id: int | None = None  # a booking's current session, marked (moves)
    month: Month | None = field(default=None, compare=False)

    @property
    def open_days(self) -> list[Day]:
        """The days of this week that have a time to show (others are left out)."""
        return [day for day in self.days if day.slots]

    @property
    def has_slots(self) -> bool:
        return any(
            slot.session_id != self.current_id
            for day in self.days
            for slot in day.slots
        )


def parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _align(day: date, today: date) -> date:
    """The start of the week (counted in 7-day steps from today) that holds ``day``."""
    return today + WEEK * ((day - today).days // 7)


def build_week(
    *,
    business: Business,
    service: Service,
    zone: zoneinfo.ZoneInfo,
    requested_start: date | None,
    now: datetime,
    moving_id: int | None = None,
) -> Week:
    """The 7-day week of ``service``'s offered slots that the client asked for.

    Weeks start today (in ``zone``) and step by 7 days up to the last bookable day;
    an out-of-range request is brought back inside. Two or three queries, plus two
    more to find the next week with a slot when this one has none. ``moving_id``:
    the times that booking could move to (``get_availability``).
    """
    today = now.astimezone(zone).date()
    _, latest = booking_window(business.booking_settings, now)
    last_day = max(latest.astimezone(zone).date(), today)
    focus = min(max(requested_start or today, today), last_day)
    start = _align(focus, today)
    end = start + timedelta(days=6)
    # One look at the week and the month around the asked-for day (the overview).
    month_first, month_end = _month_bounds(focus)
    fetched_from = max(min(start, month_first), today)
    fetched_to = min(max(end, month_end), last_day)
    found = get_availability(
        business=business,
        start_date=fetched_from,
        end_date=fetched_to,
        now=now,
        service_id=service.pk,
        tz=zone,
        max_range_days=None,
        moving_id=moving_id,
    )
    days = [
        Day(day, found.days.get(day, []))
        for day in (start + timedelta(days=i) for i in range(7))
    ]
    month = _month(focus, today, last_day, frozenset(found.days))
    in_week = any(day.slots for day in days)
    next_with_slots = None
    any_in_window = bool(found.days)
    if not in_week:
        # The fetched month may already hold the next (or an earlier) open day.
        later = next((day for day in found.days if day > end), None)
        later = later or _first_day_with_slots(
            business, service, zone, fetched_to, last_day, now, moving_id
        )
        next_with_slots = _align(later, today) if later else None
        earlier = any(day < start for day in found.days) or (
            fetched_from > today
            and _first_day_with_slots(
                business,
                service,
                zone,
                today - timedelta(days=1),
                fetched_from - timedelta(days=1),
                now,
                moving_id,
            )
            is not None
        )
        any_in_window = later is not None or earlier
    return Week(
        start=start,
        end=end,
        days=days,
        previous_start=start - WEEK if start > today else None,
        next_start=start + WEEK if start + WEEK <= last_day else None,
        next_with_slots=next_with_slots,
        any_in_window=any_in_window,
        month=month,
    )


def _first_day_with_slots(
    business: Business,
    service: Service,
    zone: zoneinfo.ZoneInfo,
    after: date,
    until: date,
    now: datetime,
    moving_id: int | None = None,
) -> date | None:
    if until <= after:
        return None
    ahead = get_availability(
        business=business,
        start_date=after + timedelta(days=1),
        end_date=until,
        now=now,
        service_id=service.pk,
        tz=zone,
        max_range_days=None,
        moving_id=moving_id,
    )
    return next(iter(ahead.days), None)


def with_current_time(week: Week, session: Session, zone: zoneinfo.ZoneInfo) -> Week:
    """``week`` with the booking's current ``session`` in its day, if the week shows
    that day and the session is not already there: the move page marks it."""
    day = session.starts_at.astimezone(zone).date()
    if not week.start <= day <= week.end:
        return replace(week, current_id=session.pk)
    current = Slot(
        session_id=session.pk,
        service_id=session.service_id,
        service_name=session.service.name,
        starts_at=session.starts_at.astimezone(zone),
        ends_at=session.ends_at.astimezone(zone),
        capacity=session.capacity,
        spots_left=0,
    )
    days = [
        Day(d.date, sorted([*d.slots, current], key=lambda s: s.starts_at))
        if d.date == day and all(s.session_id != session.pk for s in d.slots)
        else d
        for d in week.days
    ]
    return replace(week, days=days, current_id=session.pk)


# Step 1 looks for each service's next time a week first, then four, then the rest
# of the booking window: most services have one soon, and a month's answer is a
# fraction of a whole window's (docs/PERFORMANCE.md).
_LOOK_AHEAD_DAYS = (7, 28)
# Before that week, as far as the business's services had their next times the
# last time this process looked (days from that day's today, per business): those
# times are usually still the first ones, so the first read is often a day or two,
# not a week. Only where to look first: every read is a full, exact answer, and a
# service not found there is looked for further on. Each process keeps its own.
_REACH: dict[int, int] = {}
_REACH_KEPT = 10_000  # businesses remembered before starting afresh


def first_slots(availability: Availability) -> dict[int, Slot]:
    """Each service's first slot in ``availability``: what step 1 keeps of an answer
    (the availability cache keeps this, not the whole range's slots)."""
    first: dict[int, Slot] = {}
    for slot in availability.slots:
        first.setdefault(slot.service_id, slot)
    return first


def next_slots_by_service(
    *,
    business: Business,
    zone: zoneinfo.ZoneInfo,
    now: datetime,
    service_ids: Collection[int] | None = None,
) -> dict[int, Slot]:
    """The first offered slot of each service in the booking window (step 1's hint).

    ``service_ids``: the services asked about; once each has its slot the rest of
    the window is not read. Without them the whole window is.
    """
    today = now.astimezone(zone).date()
    _, latest = booking_window(business.booking_settings, now)
    last_day = max(latest.astimezone(zone).date(), today)
    wanted = None if service_ids is None else set(service_ids)
    first: dict[int, Slot] = {}
    start = today
    for end in _read_ends(business.pk, today, last_day, wanted is not None):
        found = rendered_availability(
            first_slots,
            business=business,
            start_date=start,
            end_date=end,
            now=now,
            tz=zone,
            max_range_days=None,
        )
        for service_id, slot in found.items():
            first.setdefault(service_id, slot)
        if end >= last_day or (wanted is not None and wanted <= first.keys()):
            break
        start = end + timedelta(days=1)
    if wanted is not None and first:
        if len(_REACH) >= _REACH_KEPT:
            _REACH.clear()
        _REACH[business.pk] = max(
            (slot.starts_at.date() - today).days for slot in first.values()
        )
    return first


def forget_reach() -> None:
    """Start afresh: no business's next times remembered (tests)."""
    _REACH.clear()


def _read_ends(
    business_id: int, today: date, last_day: date, looking_ahead: bool
) -> list[date]:
    """The last day of each read ``next_slots_by_service`` makes, in order: where
    the services' next times were last time, the rest of the first week, four more,
    the rest of the window; or the whole window at once."""
    if not looking_ahead:
        return [last_day]
    week = today + timedelta(days=_LOOK_AHEAD_DAYS[0] - 1)
    ends = {week, week + timedelta(days=_LOOK_AHEAD_DAYS[1]), last_day}
    reach = _REACH.get(business_id)
    if reach is not None:
        ends.add(today + timedelta(days=reach))
    return sorted({min(end, last_day) for end in ends})
