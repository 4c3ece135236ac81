"""HTTP plumbing of the public endpoints: per-IP rate limits and CORS.

Rate limits match the public pages: reads 120 a minute, booking 10 an hour, per client
IP (``BOOKING_API_READ_RATE`` / ``BOOKING_API_BOOK_RATE`` override them; Django's
``RATELIMIT_ENABLE`` turns them off). Counters live in the default cache (Redis in
production), so every web process shares them; a failing cache lets requests through
(``booking.ratelimits.usage``).

The public endpoints answer any origin (``Access-Control-Allow-Origin: *``, no
credentials) so a business's own site can call them from the browser.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from booking.api.errors import ApiError
from booking.ratelimits import usage as get_usage

RATES = {
    "read": ("BOOKING_API_READ_RATE", "120/m"),
    "book": ("BOOKING_API_BOOK_RATE", "10/h"),
}
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Retry-After, Idempotent-Replayed",
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Idempotency-Key",
    "Access-Control-Max-Age": "86400",
}


def rate_limit(request: HttpRequest, kind: str) -> None:
    """Count this request against the caller's IP; 429 once over the limit."""
    setting, default = RATES[kind]
    usage = get_usage(
        request,
        group=f"booking-api-{kind}",
        key="ip",
        rate=getattr(settings, setting, default),
        increment=True,
    )
    if usage is not None and usage["should_limit"]:
        wait = max(1, usage["time_left"])
        raise ApiError(
            429,
            "rate_limited",
            f"Too many requests from your address. Please try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )


def with_cors(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja view decorator: CORS headers on every answer, errors included."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = run(request, *args, **kwargs)
        for name, value in CORS_HEADERS.items():
            response[name] = value
        if request.method == "OPTIONS":
            for name, value in PREFLIGHT_HEADERS.items():
                response[name] = value
        return response

    return wrapper
