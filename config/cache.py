"""Carrying on when Redis stops answering: the cache backend and a breaker.

The cache (rate-limit counters, the availability cache) and the Huey queue live in
Redis. A Redis that is down refuses at once; one that hangs would hold a request for
a socket timeout on every call. So the first failure opens a breaker in this process
for ``REDIS_BREAKER_SECONDS`` (10): until it closes, ``ResilientRedisCache`` answers
without asking Redis (a read misses, a write is dropped, ``incr`` finds no key, so
rate limits let requests through: ``RATELIMIT_FAIL_OPEN``), and ``booking.outbox``
leaves new emails in the outbox for its sweep instead of enqueuing them. A request
meets at most one timeout (half a second for the cache), then the breaker answers.

After the breaker closes the next call tries Redis again; while it still fails the
breaker opens again, logging the outage once per opening.
"""

import logging
import threading
import time
from functools import wraps

import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 10.0

_lock = threading.Lock()
_open_until = 0.0


def breaker_open() -> bool:
    """Whether Redis failed in this process in the last ``REDIS_BREAKER_SECONDS``."""
    return time.monotonic() < _open_until


def breaker_trip(error: Exception) -> None:
    """Note that Redis failed: skip it for a while (logged once per opening)."""
    global _open_until
    seconds = getattr(settings, "REDIS_BREAKER_SECONDS", BREAKER_SECONDS)
    with _lock:
        was_open = breaker_open()
        _open_until = time.monotonic() + seconds
    if not was_open:
        logger.error(
            "Redis is not answering (%s: %s); carrying on without it for %s s",
            type(error).__name__,
            error,
            seconds,
        )


def breaker_reset() -> None:
    global _open_until
    with _lock:
        _open_until = 0.0


def _guarded(fallback):
    """Run the cache method unless the breaker is open; on a Redis error, trip it.
    Either way the caller gets ``fallback(*args, **kwargs)`` instead."""

    def decorate(method):
        @wraps(method)
        def run(self, *args, **kwargs):
            if not breaker_open():
                try:
                    return method(self, *args, **kwargs)
                except redis.RedisError as error:
                    breaker_trip(error)
            return fallback(*args, **kwargs)

        return run

    return decorate


def _missing_key(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found (Redis is not answering).")


class _RedisClients(RedisCacheClient):
    """Django's Redis cache client, keeping one ``redis.Redis`` per connection pool
    rather than building one per call (its command table costs about 0.1 ms, a
    third of a cache hit). A ``redis.Redis`` is safe to share between threads."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, redis.Redis] = {}

    def get_client(self, key=None, *, write=False) -> redis.Redis:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """Django's Redis cache that degrades to "no cache" while Redis fails.

    One try per call (no retries that would multiply a timeout); the timeouts are
    the ``OPTIONS`` of ``CACHES`` (``config/settings.py``).
    """

    def __init__(self, server, params):
        options = {"retry": Retry(NoBackoff(), 0), **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _RedisClients

    add = _guarded(lambda *a, **k: False)(RedisCache.add)
    get = _guarded(lambda key, default=None, version=None: default)(RedisCache.get)
    set = _guarded(lambda *a, **k: None)(RedisCache.set)
    touch = _guarded(lambda *a, **k: False)(RedisCache.touch)
    delete = _guarded(lambda *a, **k: False)(RedisCache.delete)
    get_many = _guarded(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _guarded(lambda *a, **k: False)(RedisCache.has_key)
    incr = _guarded(_missing_key)(RedisCache.incr)
    set_many = _guarded(lambda data, *a, **k: list(data))(RedisCache.set_many)
    delete_many = _guarded(lambda *a, **k: None)(RedisCache.delete_many)
    clear = _guarded(lambda *a, **k: False)(RedisCache.clear)
