"""What the public booking steps show: the display zone, a week of open times, each
service's next time, the zone picker. Built from booking.availability (no rules here).

The views stay thin: they resolve the request, call these helpers and render. Every
answer to "can this be booked" comes from ``get_availability`` or the services.
"""

import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from itertools import groupby

from booking.availability import (
    AvailabilityError,
    Slot,
    booking_window,
    get_availability,
    resolve_timezone,
)
from booking.models import Business, Service, Session, timezone_names

WEEK = timedelta(days=7)
# Old aliases (US/Eastern, Japan …) and tool zones stay valid in a URL, but the picker
# offers the canonical Area/City names only.
_PICKER_AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@cache
def timezone_groups() -> list[tuple[str, list[str]]]:
    """[(area, [zone names])] for the time zone picker, sorted."""
    names = sorted(
        name
        for name in timezone_names()
        if name.split("/", 1)[0] in _PICKER_AREAS and "/" in name
    )
    groups = [
        (area, list(zones))
        for area, zones in groupby(names, key=lambda n: n.split("/", 1)[0])
    ]
    return [*groups, ("Other", ["UTC"])]


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
        return DisplayZone(zone, explicit=True, notice="")
    return DisplayZone(business.tz, explicit=False, notice="")


@dataclass(frozen=True)
class Day:
    date: date
    slots: list[Slot]


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
    start = _align(min(max(requested_start or today, today), last_day), today)
    end = start + timedelta(days=6)
    found = get_availability(
        business=business,
        start_date=start,
        end_date=end,
        now=now,
        service_id=service.pk,
        tz=zone,
        moving_id=moving_id,
    )
    days = [
        Day(day, found.days.get(day, []))
        for day in (start + timedelta(days=i) for i in range(7))
    ]
    next_with_slots = None
    any_in_window = bool(found.days)
    if not found.days:
        later = _first_day_with_slots(
            business, service, zone, end, last_day, now, moving_id
        )
        next_with_slots = _align(later, today) if later else None
        any_in_window = later is not None or (
            start > today
            and _first_day_with_slots(
                business,
                service,
                zone,
                today - timedelta(days=1),
                start,
                now,
                moving_id,
            )
            is not None
        )
    return Week(
        start=start,
        end=end,
        days=days,
        previous_start=start - WEEK if start > today else None,
        next_start=start + WEEK if start + WEEK <= last_day else None,
        next_with_slots=next_with_slots,
        any_in_window=any_in_window,
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
    for days in (None,) if wanted is None else (*_LOOK_AHEAD_DAYS, None):
        end = last_day if days is None else min(start + timedelta(days - 1), last_day)
        found = get_availability(
            business=business,
            start_date=start,
            end_date=end,
            now=now,
            tz=zone,
            max_range_days=None,
        )
        for slot in found.slots:
            first.setdefault(slot.service_id, slot)
        if end >= last_day or (wanted is not None and wanted <= first.keys()):
            break
        start = end + timedelta(days=1)
    return first
