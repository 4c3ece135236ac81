"""Helpers shared by the JSON API tests (plain functions, not fixtures)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from booking.models import Business
from booking.tokens import api_token_create
from tests.factories import ServiceFactory, SessionFactory

API = "/api/booking"


def public_url(business: Business, rest: str = "") -> str:
    """A public endpoint of ``business``: ``public_url(business, "book/")``."""
    return f"{API}/public/{business.slug}/{rest}"


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def token_for(user, business: Business, name: str = "Zapier") -> str:
    return api_token_create(user=user, business=business, name=name)[1]


def set_settings(business: Business, **values) -> None:
    settings = business.booking_settings
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()


def local(business: Business, day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(business.timezone))


def days_ahead(business: Business, days: int) -> date:
    return timezone.now().astimezone(ZoneInfo(business.timezone)).date() + timedelta(
        days=days
    )


def session_at(business: Business, day: date, at: time, service=None, **kwargs):
    """A session of ``service`` (a new 60-minute one by default) at local ``at``."""
    service = service or ServiceFactory(business=business)
    starts_at = local(business, day, at)
    minutes = kwargs.pop("minutes", service.duration_minutes)
    return SessionFactory(
        service=service,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        **kwargs,
    )


def next_dst_change(zone: str, after: date) -> date:
    """The first date after ``after`` whose noon has another UTC offset than the day
    before's (the day a daylight-saving change happened overnight)."""
    tz = ZoneInfo(zone)
    day = after
    for _ in range(400):
        before = datetime.combine(day, time(12), tzinfo=tz).utcoffset()
        day += timedelta(days=1)
        if datetime.combine(day, time(12), tzinfo=tz).utcoffset() != before:
            return day
    raise AssertionError(f"no DST change in {zone} within 400 days")
