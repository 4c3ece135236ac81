"""Benchmark: a page of the booking requests table with 10,000 requests.

    python -m bench.requests_table   # or `make bench`; SQLite (in memory)
    DATABASE_URL=postgres://… make bench   # PostgreSQL (a throwaway test_… database)

Seeds one business with 10,000 requests (12 services, 2,000 sessions, every status,
realistic names) into a throwaway test database, then times full dashboard requests
through Django's test client — middleware, login, the query, django-tables2 and the
templates — and prints a Markdown table for docs/PERFORMANCE.md.
"""

import os
import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.harness import print_table, throwaway_database, timed  # sets Django up
from booking.models import (
    BookingRequest,
    BookingSettings,
    Business,
    Membership,
    Service,
    Session,
)

REQUESTS = int(os.environ.get("BENCH_REQUESTS", 10_000))
FIRST = ["Ada", "Ben", "Cara", "Dan", "Eve", "Finn", "Gia", "Hugo", "Isla", "Jack"]
LAST = ["Smith", "Jones", "Patel", "Brown", "Garcia", "Khan", "Novak", "Rossi"]
STATUSES = ["approved"] * 5 + ["pending"] * 3 + ["rejected", "cancelled", "expired"]


def seed() -> tuple[Business, object]:
    rng = random.Random(4)
    now = timezone.now()
    business = Business.objects.create(name="Bench Swim", timezone="Europe/London")
    BookingSettings.objects.create(business=business)
    owner = get_user_model().objects.create(username="owner@bench.test")
    Membership.objects.create(user=owner, business=business, role="owner")
    services = Service.objects.bulk_create(
        Service(business=business, name=f"Lesson {n}", duration_minutes=60, capacity=8)
        for n in range(12)
    )
    sessions = Session.objects.bulk_create(
        Session(
            business=business,
            service=services[n % len(services)],
            starts_at=now + timedelta(hours=2 + 3 * n),
            ends_at=now + timedelta(hours=3 + 3 * n),
            capacity=8,
        )
        for n in range(2_000)
    )
    requests = []
    for n in range(REQUESTS):
        status = rng.choice(STATUSES)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        requests.append(
            BookingRequest(
                session=sessions[n % len(sessions)],
                client_name=name,
                client_email=f"{name.lower().replace(' ', '.')}{n}@example.com",
                client_phone=f"+4477009{n:05d}" if n % 3 else "",
                status=status,
                expires_at=now + timedelta(hours=rng.randint(-5, 48))
                if status == "pending"
                else None,
            )
        )
    BookingRequest.objects.bulk_create(requests, batch_size=1_000)
    return business, owner


def main() -> None:
    with throwaway_database():
        with timed() as took:
            business, owner = seed()
        client = Client()
        client.force_login(owner)
        base = reverse("dashboard:requests", kwargs={"business_id": business.pk})
        export = reverse(
            "dashboard:requests_export", kwargs={"business_id": business.pk}
        )
        cases = [
            ("page 1: the waiting requests (full page)", base, {}),
            ("page 1 as an HTMX fragment", base, {"HTTP_HX_REQUEST": "true"}),
            ("status = pending", f"{base}?status=pending", {}),
            ("search “smith”", f"{base}?q=smith", {}),
            ("sorted by session, page 200", f"{base}?sort=session&page=200", {}),
            ("last page (400)", f"{base}?page=400", {}),
        ]
        if REQUESTS <= 20_000:  # 100,000 rows take 20 s a run: timed at 10,000
            cases.append((f"CSV export of all {REQUESTS:,}", export, {}))
        print_table(
            client,
            cases,
            summary=f"{REQUESTS:,} requests, seeded in {took[0]:.1f} s",
            first="page",
        )


if __name__ == "__main__":
    main()
