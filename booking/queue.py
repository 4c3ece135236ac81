"""The Huey queue seen from outside the worker: its length and its oldest task's age.

Huey's messages carry no enqueue time, so ``StampedSerializer`` (set in
``settings.HUEY``) prefixes each one with the instant it was queued: when the scheduler
queues a delayed task or a periodic job, that is when it became due. Messages without
a stamp (queued before this serializer) still run; they only have no age.

``queue_figures`` reads the queue through its own connection with short timeouts, so
``/healthz`` and ``/metrics`` answer quickly even when Redis hangs. It must not import
Django models: the settings import ``StampedSerializer``.
"""

import struct
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from huey.serializer import Serializer
from huey.storage import RedisStorage, SqliteStorage
from redis import ConnectionPool
from redis.backoff import NoBackoff
from redis.retry import Retry

STAMP = b"BLq1"  # marks a stamped message; pickles start with b"\x80"
_TIME = struct.Struct(">d")
# A health check or a scrape waits at most this long for each answer.
TIMEOUT_SECONDS = 0.5


class StampedSerializer(Serializer):
    """Huey's pickle serializer, with the enqueue time in front of each message."""

    def _serialize(self, data) -> bytes:
        return STAMP + _TIME.pack(time.time()) + super()._serialize(data)

    def _deserialize(self, data: bytes):
        if data[: len(STAMP)] == STAMP:
            data = data[len(STAMP) + _TIME.size :]
        return super()._deserialize(data)

    @staticmethod
    def enqueued_at(data: bytes) -> float | None:
        """The Unix time a raw message was queued at, if it carries a stamp."""
        if data[: len(STAMP)] != STAMP:
            return None
        return _TIME.unpack_from(data, len(STAMP))[0]


@dataclass(frozen=True)
class QueueFigures:
    pending: int
    scheduled: int  # retries waiting for their backoff, delayed tasks
    oldest_seconds: float | None  # age of the next task to run; None when empty


def queue_figures(huey_settings: dict, *, now: float | None = None) -> QueueFigures:
    """The queue's figures (raises when the queue's store cannot be reached)."""
    storage = _storage(_key(huey_settings))
    pending = storage.queue_size()
    oldest = None
    if pending:
        head = storage.enqueued_items(1)
        stamped = StampedSerializer.enqueued_at(bytes(head[0])) if head else None
        if stamped is not None:
            oldest = max(0.0, (now or time.time()) - stamped)
    return QueueFigures(pending, storage.schedule_size(), oldest)


def _key(huey_settings: dict) -> tuple:
    kind = "redis" if "Redis" in huey_settings.get("huey_class", "") else "sqlite"
    target = huey_settings.get("url") or huey_settings.get("filename")
    return kind, huey_settings.get("name", "huey"), target


@lru_cache(maxsize=8)
def _storage(key: tuple):
    kind, name, target = key
    if kind == "redis":
        pool = ConnectionPool.from_url(
            _without_timeouts(target),
            socket_timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )
        return RedisStorage(name, connection_pool=pool)
    return SqliteStorage(name, filename=target, timeout=TIMEOUT_SECONDS)


def _without_timeouts(url: str) -> str:
    """``url`` without its timeouts (options in a Redis URL beat keyword arguments)."""
    parts = urlsplit(url)
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query)
        if name not in {"socket_timeout", "socket_connect_timeout"}
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))
