"""Reads for the owner's screens: the requests list, today's sessions, notifications.

Statuses are read as ``BookingRequest.effective_status`` does: a pending request whose
``expires_at`` has passed counts as expired, whether or not the expiry task has run.
"""

import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Min, Prefetch, Q, QuerySet

from booking import availability_cache
from booking.availability import StaffChoice, staff_choices
from booking.compiled import CompiledQuery
from booking.models import (
    BookingNotification,
    BookingRequest,
    Business,
    Session,
)

Status = BookingRequest.Status


@dataclass(frozen=True)
class RequestFilters:
    status: str = ""  # "" for every status
    service_id: int | None = None
    date_from: date | None = None  # the session's local date, in the business's zone
    date_to: date | None = None
    q: str = ""  # name, email, phone or reference


def search_q(text: str) -> Q:
    """Free text over client name, email, phone and reference.

    A number is also matched by its digits against the stored (normalised) phone,
    leading zeros dropped, so "07700 900101" finds "+447700900101".

    Each term is ``icontains`` (digits have no case), which PostgreSQL answers from
    the trigram index of each column (migration 0012) instead of reading every
    request: a term without an index would make it read them all.
    """
    text = text.strip()
    match = (
        Q(client_name__icontains=text)
        | Q(client_email__icontains=text)
        | Q(client_phone__icontains=text)
        | Q(booking_reference__icontains=text)
    )
    digits = re.sub(r"\D", "", text).lstrip("0")
    if len(digits) >= 3 and not re.search(r"[A-Za-z@]", text):
        match |= Q(client_phone__icontains=digits)
    return match


def local_day_start(day: date, zone: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def booking_requests_for_business(
    *, business: Business, filters: RequestFilters, now: datetime
) -> QuerySet[BookingRequest]:
    """The business's requests matching ``filters``, with session and service joined."""
    requests = BookingRequest.objects.filter(business=business).select_related(
        "session__service"
    )
    if filters.status:
        requests = requests.with_effective_status(filters.status, now)
    if filters.service_id:
        requests = requests.filter(session__service_id=filters.service_id)
    zone = business.tz
    if filters.date_from:
        requests = requests.filter(
            session__starts_at__gte=local_day_start(filters.date_from, zone)
        )
    if filters.date_to:
        requests = requests.filter(
            session__starts_at__lt=local_day_start(
                filters.date_to + timedelta(days=1), zone
            )
        )
    if filters.q.strip():
        requests = requests.filter(search_q(filters.q))
    return requests


@dataclass(frozen=True)
class PendingSummary:
    count: int
    soonest: BookingRequest | None  # the pending request that expires first


def _pending(business_id: int, now: datetime) -> QuerySet[BookingRequest]:
    return BookingRequest.objects.with_effective_status(Status.PENDING, now).filter(
        business_id=business_id
    )


def _pending_count_query(*, business_id: int, now: datetime):
    """The waiting requests' count and the first instant one of them lapses."""
    return (
        _pending(business_id, now)
        .order_by()
        .values("business_id")
        .annotate(n=Count("pk"), soonest=Min("expires_at"))
        .values_list("n", "soonest")
    )


# Compiled once per process (booking.compiled): the requests table counts the
# waiting requests on every page, and building the count cost more than running it.
_PENDING_COUNT = CompiledQuery(_pending_count_query)

# Each business's waiting count as this process last counted it: (its availability
# version then, when counted, when the first of them lapses, the count). The count
# changes only with a write, which raises the version on commit (the triggers of
# migration 0010), or when a waiting request lapses.
_WAITING: dict[int, tuple[int, datetime, datetime, int]] = {}
_WAITING_KEPT = 1_000  # businesses; then it starts again
_NEVER = datetime.max.replace(tzinfo=UTC)


def _version(business: Business) -> int | None:
    """The business's availability version, as read with it (``membership_of``
    reads its settings); None if not read or where the availability cache is off
    (SQLite, inside a transaction), or if it has no settings (no version): then
    the count is not kept."""
    if not (
        Business.booking_settings.is_cached(business) and availability_cache.enabled()
    ):
        return None
    settings = getattr(business, "booking_settings", None)  # None: read, missing
    return settings.availability_version if settings is not None else None


def pending_count(*, business: Business, now: datetime, reuse: bool = True) -> int:
    """How many requests wait for an answer. One query, none when this process
    counted them at the business's availability version and none has lapsed
    since. ``reuse=False`` after a write: the version read before it is old."""
    version = _version(business)
    kept = _WAITING.get(business.pk) if version is not None and reuse else None
    if kept is not None and kept[0] == version and kept[1] <= now < kept[2]:
        return kept[3]
    rows = _PENDING_COUNT.rows(business_id=business.pk, now=now)
    count, soonest = rows[0] if rows else (0, _NEVER)  # no row: none waits
    if version is not None:
        if len(_WAITING) >= _WAITING_KEPT:
            _WAITING.clear()
        _WAITING[business.pk] = (version, now, soonest, count)
    return count


def pending_summary(*, business: Business, now: datetime) -> PendingSummary:
    pending = _pending(business.pk, now)
    soonest = (
        pending.select_related("session__service").order_by("expires_at", "pk").first()
    )
    return PendingSummary(count=pending.count() if soonest else 0, soonest=soonest)


def sessions_with_counts(*, business: Business, now: datetime) -> QuerySet[Session]:
    """The business's sessions with their service and ``active_count``."""
    return (
        Session.objects.filter(business=business)
        .select_related("service")
        .with_spots_taken(now)
        .order_by("starts_at", "pk")
    )


def _with_holding(sessions: QuerySet[Session], now: datetime) -> QuerySet[Session]:
    holding = BookingRequest.objects.holding_spot(now).order_by("client_name", "pk")
    arriving = BookingRequest.objects.moves_waiting(now).order_by("client_name", "pk")
    return sessions.prefetch_related(
        Prefetch("booking_requests", queryset=holding, to_attr="holding"),
        Prefetch("incoming_moves", queryset=arriving, to_attr="arriving"),
    )


def sessions_between(
    *, business: Business, start: datetime, end: datetime, now: datetime
) -> list[Session]:
    """Sessions starting in [start, end), each with ``active_count`` and, prefetched,
    ``holding`` (its active bookings, by name) and ``arriving`` (bookings asking to
    move into it, whose spots it holds too). Three queries.
    """
    sessions = sessions_with_counts(business=business, now=now).filter(
        starts_at__gte=start, starts_at__lt=end
    )
    return list(_with_holding(sessions, now))


def sessions_from(
    *, business: Business, start: datetime, now: datetime
) -> QuerySet[Session]:
    """Sessions starting at ``start`` or later, as ``sessions_between`` gives them
    (a queryset: a page of it costs two queries)."""
    sessions = sessions_with_counts(business=business, now=now)
    return _with_holding(sessions.filter(starts_at__gte=start), now)


def sessions_by_day(
    *, business: Business, first_day: date, days: int, now: datetime
) -> list[tuple[date, list[Session]]]:
    """``days`` local dates from ``first_day`` (the business's zone), each with its
    sessions as ``sessions_between`` gives them; days without any included. Three
    queries.
    """
    zone = business.tz
    dates = [first_day + timedelta(days=n) for n in range(days)]
    by_day: dict[date, list[Session]] = {day: [] for day in dates}
    for session in sessions_between(
        business=business,
        start=local_day_start(dates[0], zone),
        end=local_day_start(dates[-1] + timedelta(days=1), zone),
        now=now,
    ):
        by_day[session.starts_at.astimezone(zone).date()].append(session)
    return list(by_day.items())


def session_for_card(*, business: Business, session_id: int, now: datetime) -> Session:
    """One session as the dashboard's session card shows it: ``active_count``,
    ``holding`` and ``arriving``, like ``sessions_between``. Three queries;
    DoesNotExist if not there.
    """
    sessions = sessions_with_counts(business=business, now=now).filter(pk=session_id)
    return _with_holding(sessions, now).get()


def holding_bookings(*, session: Session, now: datetime) -> list[BookingRequest]:
    """The bookings holding a spot in ``session``, by client name."""
    return list(
        session.booking_requests.holding_spot(now).order_by("client_name", "pk")
    )


def notifications_for(
    *, user: AbstractBaseUser, business: Business
) -> QuerySet[BookingNotification]:
    """``user``'s notifications about ``business``'s bookings, newest first."""
    return BookingNotification.objects.filter(
        user=user, booking_request__business=business
    ).order_by("-created_at", "-pk")


def unread_count(*, user: AbstractBaseUser, business: Business) -> int:
    return (
        notifications_for(user=user, business=business)
        .filter(read_at__isnull=True)
        .count()
    )


def staff_choices_by_day(
    *,
    business: Business,
    first_day: date,
    days: int,
    now: datetime,
    moving_id: int | None = None,
) -> list[tuple[date, list[StaffChoice]]]:
    """``days`` local dates from ``first_day`` (the business's zone), each with the
    sessions staff could put a booking in (``availability.staff_choices``: spots
    left, or why not). Two queries.
    """
    zone = business.tz
    dates = [first_day + timedelta(days=n) for n in range(days)]
    by_day: dict[date, list[StaffChoice]] = {day: [] for day in dates}
    for choice in staff_choices(
        business=business,
        start=local_day_start(dates[0], zone),
        end=local_day_start(dates[-1] + timedelta(days=1), zone),
        now=now,
        moving_id=moving_id,
    ):
        by_day[choice.session.starts_at.astimezone(zone).date()].append(choice)
    return list(by_day.items())
