"""Helpers for the public booking page tests: times in a business's zone, the form."""

import re
from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from tests.factories import ServiceFactory, SessionFactory

TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')


def local_at(business, days: int, hour: int, minute: int = 0) -> datetime:
    """Today + ``days`` at ``hour``:``minute`` on the business's wall clock."""
    today = timezone.now().astimezone(business.tz).date()
    return datetime.combine(
        today + timedelta(days=days), time(hour, minute), tzinfo=business.tz
    )


def make_session(business, *, days=2, hour=10, capacity=1, service=None, **kwargs):
    service = service or ServiceFactory(business=business, capacity=capacity)
    return SessionFactory(
        service=service,
        starts_at=local_at(business, days, hour),
        capacity=capacity,
        **kwargs,
    )


def details_url(business, session, **query) -> str:
    url = reverse("booking:details", args=[business.slug, session.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def week_url(business, service, **query) -> str:
    url = reverse("booking:week", args=[business.slug, service.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def form_token(client, business, session) -> str:
    response = client.get(details_url(business, session))
    assert response.status_code == 200, response.content[:500]
    return TOKEN_RE.search(response.content.decode()).group(1)


def details(**overrides) -> dict:
    fields = {
        "client_name": "Ada Lovelace",
        "client_email": "ada@example.com",
        "client_phone": "",
        "notes": "",
    }
    return {**fields, **overrides}


def submit(client, business, session, *, token=None, url=None, **fields):
    token = form_token(client, business, session) if token is None else token
    return client.post(
        url or details_url(business, session), {"token": token, **details(**fields)}
    )


def text(response) -> str:
    """The response body with whitespace collapsed, for phrase assertions."""
    return " ".join(response.content.decode().split())
