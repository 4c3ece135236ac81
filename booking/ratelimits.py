"""Per-IP limits on the public pages (django-ratelimit, counted in the default cache).

Settings may override the rates: ``BOOKING_RATE_SUBMIT`` (booking POSTs) and
``BOOKING_RATE_BROWSE`` (service, week and details pages: the availability reads).
"""

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

SUBMIT_RATE = "10/h"
BROWSE_RATE = "120/m"


def _limited(request: HttpRequest, group: str, rate: str) -> bool:
    return is_ratelimited(request, group=group, key="ip", rate=rate, increment=True)


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
