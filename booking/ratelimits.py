"""Per-IP limits on the public pages (django-ratelimit, counted in the default cache).

Settings may override the rates: ``BOOKING_RATE_SUBMIT`` (booking POSTs) and
``BOOKING_RATE_BROWSE`` (service, week and details pages: the availability reads).

A cache (Redis) that fails or hangs lets requests through rather than failing them:
clients can still see times and book (the booking rules never depend on the cache),
and after one failure the limits rest for ``REST_SECONDS``, so a hanging Redis costs
one timeout, not one per request. The JSON API counts through ``usage`` too.
"""

import logging
import time

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

SUBMIT_RATE = "10/h"
BROWSE_RATE = "120/m"
REST_SECONDS = 10.0

_resting_until = 0.0  # monotonic; per process


def usage(request: HttpRequest, **kwargs) -> dict | None:
    """django-ratelimit's ``get_usage``; ``None`` (not limited) while the cache
    fails."""
    global _resting_until
    if time.monotonic() < _resting_until:
        return None
    try:
        return get_usage(request, **kwargs)
    except Exception as error:  # any Redis or connection failure: let it through
        _resting_until = time.monotonic() + REST_SECONDS
        logger.warning(
            "Rate limit count failed (%s); not limiting for %.0f s",
            type(error).__name__,
            REST_SECONDS,
        )
        return None


def reset() -> None:
    """Forget a past failure (tests)."""
    global _resting_until
    _resting_until = 0.0


def _limited(request: HttpRequest, group: str, rate: str) -> bool:
    counted = usage(request, group=group, key="ip", rate=rate, increment=True)
    return bool(counted and counted["should_limit"])


def submit_rate() -> str:
    return getattr(settings, "BOOKING_RATE_SUBMIT", SUBMIT_RATE)


def browse_rate() -> str:
    return getattr(settings, "BOOKING_RATE_BROWSE", BROWSE_RATE)


def submit_limited(request: HttpRequest) -> bool:
    """Count one booking attempt from this IP; True once it is over the limit."""
    return _limited(request, "booking:submit", submit_rate())


def browse_limited(request: HttpRequest) -> bool:
    """Count one availability read from this IP; True once it is over the limit."""
    return _limited(request, "booking:browse", browse_rate())


def retry_after_seconds(rate: str) -> int:
    """A polite Retry-After for ``rate``: the length of its window."""
    period = rate.split("/", 1)[1]
    unit = period[-1]
    count = int(period[:-1] or 1)
    return count * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
