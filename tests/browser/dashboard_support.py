"""Helpers for the dashboard's browser tests."""

from datetime import date, time, timedelta

from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page

from booking.scheduling import series_create
from tests.factories import ServiceFactory


def log_in(page: Page, base_url: str, user) -> None:
    """Sign ``user`` in by handing the browser a real session cookie."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


def first_weekday_after(weekday: int, days: int, zone) -> date:
    """The first ``weekday`` (Mon=0) at least ``days`` days after today in ``zone``."""
    day = timezone.now().astimezone(zone).date() + timedelta(days=days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def schedule(business, *, name: str = "Private Lesson", capacity: int = 3):
    """A service with a week of 18:00 sessions starting at least three days ahead."""
    service = ServiceFactory(business=business, name=name, capacity=capacity)
    first = first_weekday_after(0, 3, business.tz)
    sessions = series_create(
        business=business,
        service=service,
        weekdays={0, 1, 2, 3, 4},
        start_time=time(18, 0),
        first_date=first,
        last_date=first + timedelta(days=4),
        booking_deadline_hours=0,
    )
    return service, sessions


def mark_page(page: Page) -> None:
    """Set a flag that only survives if the page is never reloaded."""
    page.evaluate("window.__noReload = true")


def was_not_reloaded(page: Page) -> bool:
    return page.evaluate("window.__noReload === true")
