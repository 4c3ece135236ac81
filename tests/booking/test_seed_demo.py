"""`manage.py seed_demo`: the demo business a fresh `make run` shows."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from booking.models import BookingRequest, Business, Membership, Service, Session

pytestmark = pytest.mark.django_db


def seed(monkeypatch, password: str = "demo-pass-123") -> str:  # noqa: S107
    monkeypatch.setenv("DEMO_PASSWORD", password)
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_creates_the_demo_business(monkeypatch):
    output = seed(monkeypatch)
    business = Business.objects.get(slug="swim-school-pro")
    assert (business.name, business.description, business.address) == (
        "Swim School Pro",
        "Professional swimming lessons",
        "123 Pool Street",
    )
    assert (business.phone, business.email, business.timezone) == (
        "+1234567890",
        "info@swimschool.com",
        "Europe/London",
    )
    services = {s.name: s for s in Service.objects.filter(business=business)}
    private = services["Private Swimming Lesson"]
    assert (private.duration_minutes, private.capacity, str(private.price)) == (
        60,
        1,
        "50.00",
    )
    assert (
        services["Group Lesson"].duration_minutes,
        services["Group Lesson"].capacity,
    ) == (
        45,
        6,
    )
    assert (
        services["Kids Splash"].duration_minutes,
        services["Kids Splash"].capacity,
    ) == (
        30,
        4,
    )
    assert Session.objects.filter(business=business).count() >= 30
    statuses = set(BookingRequest.objects.values_list("status", flat=True))
    assert statuses == {"pending", "approved", "rejected", "expired", "cancelled"}
    assert "/book/swim-school-pro/" in output
    assert "owner@example.com / demo-pass-123" in output
    owner = authenticate(username="owner@example.com", password="demo-pass-123")
    assert owner is not None and owner.is_staff
    assert Membership.objects.get(user=owner, business=business).role == "owner"


def test_seed_is_idempotent(monkeypatch):
    seed(monkeypatch)
    counts = (
        Session.objects.count(),
        BookingRequest.objects.count(),
        Service.objects.count(),
    )
    output = seed(monkeypatch, password="another-pass-456")
    assert (
        Session.objects.count(),
        BookingRequest.objects.count(),
        Service.objects.count(),
    ) == counts
    assert Business.objects.count() == 1
    assert "0 new sessions, 0 new bookings" in output
    assert authenticate(username="owner@example.com", password="another-pass-456")


def test_seed_prints_a_generated_password_without_demo_password(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    out = StringIO()
    call_command("seed_demo", stdout=out)
    password = out.getvalue().split("owner@example.com / ")[1].split()[0]
    assert len(password) >= 10
    assert authenticate(username="owner@example.com", password=password)
