"""The availability cache: answers of ``get_availability`` kept in Redis.

A key names everything an answer depends on: the business, its
``availability_version`` (raised by PostgreSQL triggers whenever a booking, session,
service or the booking settings change, on commit, whatever wrote it: migration
0010), the service, the dates, the display zone and the minute. Each entry also
carries ``valid_until``: the first instant its answer could change with no write at
all (a pending hold or a waiting move lapsing, a shown session closing for booking,
a session inside the range opening). A lookup at or past it is a miss. So an answer
is never stale, and nothing needs deleting.

Redis down, hanging or flushed means a miss: the answer is computed (short socket
timeouts, the ``availability`` cache in config/settings.py), and after a failure the
cache rests for ``REST_SECONDS`` so a hanging Redis costs one timeout, not one per
request. Booking itself never reads this cache: ``booking.services`` re-checks
under the business lock (``check_session_offered``).

Off under SQLite (no triggers) and inside a transaction (its own uncommitted writes
would not have bumped the version yet), where every answer is computed.
"""

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from booking import metrics

logger = logging.getLogger(__name__)

ALIAS = "availability"
TIMEOUT_SECONDS = 120  # the minute in the key bounds an entry's life anyway
REST_SECONDS = 10.0

_resting_until = 0.0  # monotonic; per process


@dataclass(frozen=True)
class Entry:
    valid_until: datetime
    value: object


def enabled() -> bool:
    return (
        getattr(settings, "AVAILABILITY_CACHE", True)
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


def key(
    *,
    business_id: int,
    version: int,
    service_id: int | None,
    start_date: date,
    end_date: date,
    zone: str,
    now: datetime,
) -> str:
    minute = int(now.timestamp()) // 60
    service = "all" if service_id is None else service_id
    return (
        f"availability:{business_id}:{version}:{service}:"
        f"{start_date.isoformat()}:{end_date.isoformat()}:{zone}:{minute}"
    )


def _cache():
    return caches[ALIAS]


def _failed(action: str, error: Exception) -> None:
    global _resting_until
    _resting_until = time.monotonic() + REST_SECONDS
    logger.warning(
        "Availability cache %s failed (%s); computing for %.0f s",
        action,
        type(error).__name__,
        REST_SECONDS,
    )


def _resting() -> bool:
    return time.monotonic() < _resting_until


def get(cache_key: str, now: datetime) -> object | None:
    """The cached answer under ``cache_key`` if still valid at ``now``; counted."""
    entry = None
    if not _resting():
        try:
            entry = _cache().get(cache_key)
        except Exception as error:  # any Redis or connection failure: compute
            _failed("read", error)
    hit = isinstance(entry, Entry) and now < entry.valid_until
    metrics.availability_cache(hit=hit)
    return entry.value if hit else None


def put(cache_key: str, value: object, *, valid_until: datetime) -> None:
    if _resting():
        return
    try:
        _cache().set(cache_key, Entry(valid_until, value), TIMEOUT_SECONDS)
    except Exception as error:
        _failed("write", error)


def reset() -> None:
    """Forget a past failure (tests)."""
    global _resting_until
    _resting_until = 0.0
