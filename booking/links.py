"""Absolute links the product hands out: in emails, calendar files, the API, QR codes.

Every link starts with ``BOOKING_BASE_URL`` so it works outside the request that made
it (an email sent by the worker, a link pasted in a chat). In development only (DEBUG
on and BOOKING_BASE_URL not set), a link built while a request is answered starts
with the origin that request came to instead (``RequestOriginMiddleware``), so the
app serves working links on whatever port it was started.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from booking.models import BookingRequest, Business

_request_origin: ContextVar[str] = ContextVar("request_origin", default="")


def base_url() -> str:
    """The origin every link starts with (no trailing slash)."""
    return _request_origin.get() or settings.BOOKING_BASE_URL


def absolute(path: str) -> str:
    return f"{base_url()}{path}"


@contextmanager
def origin_of(request):
    """While answering ``request``: links on its origin, if the settings allow it."""
    use = settings.DEBUG and getattr(settings, "BOOKING_BASE_URL_FROM_REQUEST", False)
    token = _request_origin.set(
        f"{request.scheme}://{request.get_host()}" if use else ""
    )
    try:
        yield
    finally:
        _request_origin.reset(token)


class RequestOriginMiddleware:
    """Links on the request's own origin in development (``origin_of``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with origin_of(request):
            return self.get_response(request)


def booking_link(business: Business) -> str:
    """The business's public booking link: ``<base>/book/<slug>/``."""
    return absolute(reverse("booking:start", kwargs={"slug": business.slug}))


def manage_url(booking: BookingRequest) -> str:
    """The client's private page for a booking (view, calendar file, cancel)."""
    return absolute(reverse("booking:manage", kwargs={"token": booking.access_token}))


def ics_url(booking: BookingRequest) -> str:
    return absolute(reverse("booking:ics", kwargs={"token": booking.access_token}))


def cancel_url(booking: BookingRequest) -> str:
    return absolute(reverse("booking:cancel", kwargs={"token": booking.access_token}))


def dashboard_request_url(booking: BookingRequest) -> str:
    """Where an owner opens (and approves or rejects) one booking request.

    booking/ never imports dashboard/; it only names the dashboard's URL.
    """
    path = reverse(
        "dashboard:request_detail",
        kwargs={"business_id": booking.session.business_id, "pk": booking.pk},
    )
    return absolute(path)


def calendar_feed_url(business: Business) -> str:
    """The owner's secret calendar subscription URL (https)."""
    token = business.booking_settings.calendar_feed_token
    return absolute(reverse("booking:calendar_feed", kwargs={"token": token}))


def calendar_feed_webcal_url(business: Business) -> str:
    """The same feed as a ``webcal://`` link, which calendar apps open to subscribe."""
    url = calendar_feed_url(business)
    return "webcal://" + url.split("://", 1)[1]


def embed_script_url() -> str:
    """embed.js at its fixed address (not the hashed name pages use): other sites
    keep loading it from there, so it is served briefly cached."""
    return absolute("/" + settings.STATIC_URL.strip("/") + "/js/embed.js")


def widget_snippet(business: Business, *, popup: bool = False) -> str:
    """The one line a business pastes into its site: the widget where it stands, or
    (``popup``) a button that opens it in a dialog."""
    options = ' data-mode="popup" data-label="Book now"' if popup else ""
    return (
        f'<script src="{embed_script_url()}" '
        f'data-booking-link="{_attr(business.slug)}"{options} async></script>'
    )


def embed_snippet(business: Business) -> str:
    """The plain iframe a business pastes into its own site (works without script)."""
    src = absolute(reverse("booking:embed", kwargs={"slug": business.slug}))
    return (
        f'<iframe src="{src}" title="Book with {_attr(business.name)}" '
        'style="width:100%;min-height:720px;border:0" loading="lazy"></iframe>'
    )


def iframe_snippet(business: Business) -> str:
    """The iframe, and embed.js after it to size it to its step."""
    return (
        embed_snippet(business)
        + f'\n<script src="{embed_script_url()}" async></script>'
    )


def _attr(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def cached_reverse(name: str, *args) -> str:
    """``reverse(name, args=args)``, remembered per process: the pages write the
    same links (a week's times, each service, the layout's) on every request. The
    script prefix and the URLconf, what ``reverse`` reads besides its arguments,
    are part of the key."""
    return _reversed(name, args, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=4096)
def _reversed(name: str, args: tuple, prefix: str, urlconf) -> str:
    return reverse(name, args=args)
