"""The availability cache: answers of ``get_availability`` kept in Redis.

A key names everything an answer depends on: the business, its
``availability_version`` (raised by PostgreSQL triggers whenever a booking, session,
service or the booking settings change, on commit, whatever wrote it: migration
0010), the service, the dates, the display zone and the minute. Each entry also
carries ``valid_until``: the first instant its answer could change with no write at
all (a pending hold or a waiting move lapsing, a shown session closing for booking,
a session inside the range opening). A lookup at or past it is a miss. So an answer
is never stale, and nothing needs deleting.

Redis down, hanging or flushed means a miss: the answer is computed. The
``availability`` cache (config/settings.py) is a ``config.cache.ResilientRedisCache``
with a quarter-second timeout behind the same breaker as every other use of Redis,
so a hanging Redis costs one timeout, not one per request. Booking itself never
reads this cache: ``booking.services`` re-checks under the business lock
(``check_session_offered``).

Each process also keeps the entries it read or wrote last in its own memory
(``availability_local``, Django's local-memory cache, 300 entries): the same
keys, so just as exact, and a popular business's answer then costs no trip to
Redis. An entry lives a minute or two there as in Redis; a flushed Redis leaves
them, which is harmless, since a key is only ever read for the version and minute
it names.

Off under SQLite (no triggers) and inside a transaction (its own uncommitted writes
would not have bumped the version yet), where every answer is computed.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from booking import metrics

ALIAS = "availability"
LOCAL_ALIAS = "availability_local"  # configured alongside Redis (config/settings.py)
TIMEOUT_SECONDS = 120  # the minute in the key bounds an entry's life anyway


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
    rendering: str = "",
) -> str:
    """``rendering`` names what is kept: the slots (empty) or a rendering of them
    (``availability.rendered_availability``)."""
    minute = int(now.timestamp()) // 60
    service = "all" if service_id is None else service_id
    return (
        f"availability:{business_id}:{version}:{service}:"
        f"{start_date.isoformat()}:{end_date.isoformat()}:{zone}:{minute}"
        + (f":{rendering}" if rendering else "")
    )


def _cache():
    return caches[ALIAS]


def _local():
    return caches[LOCAL_ALIAS] if LOCAL_ALIAS in settings.CACHES else None


def get(cache_key: str, now: datetime) -> object | None:
    """The cached answer under ``cache_key`` if still valid at ``now``: this
    process's copy, else Redis's (then copied here); counted."""
    local = _local()
    entry = local.get(cache_key) if local is not None else None
    if entry is None:
        entry = _cache().get(cache_key)
        if local is not None and isinstance(entry, Entry):
            local.set(cache_key, entry, TIMEOUT_SECONDS)
    hit = isinstance(entry, Entry) and now < entry.valid_until
    metrics.availability_cache(hit=hit)
    return entry.value if hit else None


def put(cache_key: str, value: object, *, valid_until: datetime) -> None:
    entry = Entry(valid_until, value)
    _cache().set(cache_key, entry, TIMEOUT_SECONDS)
    if (local := _local()) is not None:
        local.set(cache_key, entry, TIMEOUT_SECONDS)
