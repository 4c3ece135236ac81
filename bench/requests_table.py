"""Benchmark: a page of the booking requests table with 10,000 requests.

    make bench                       # SQLite (in memory)
    DATABASE_URL=postgres://… make bench   # PostgreSQL (a throwaway test_… database)

Seeds one business with 10,000 requests (12 services, 2,000 sessions, every status,
realistic names) into a throwaway test database, then times full dashboard requests
through Django's test client — middleware, login, the query, django-tables2 and the
templates — and prints a Markdown table for docs/PERFORMANCE.md.
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from booking.models import (  # noqa: E402
    BookingRequest,
    BookingSettings,
    Business,
    Membership,
    Service,
    Session,
)

REQUESTS = int(os.environ.get("BENCH_REQUESTS", 10_000))
RUNS = int(os.environ.get("BENCH_RUNS", 20))
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


def measure(client: Client, url: str, **headers) -> tuple[float, float, int, int]:
    """(median ms, slowest ms, queries, bytes sent) over RUNS runs after a warm-up."""
    headers = {"HTTP_ACCEPT_ENCODING": "gzip", **headers}  # size as sent to a browser
    client.get(url, **headers)
    timings = []
    for _ in range(RUNS):
        reset_queries()
        start = time.perf_counter()
        response = client.get(url, **headers)
        content = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return (
        statistics.median(timings),
        max(timings),
        len(connection.queries),
        len(content),
    )


def main() -> None:
    setup_test_environment()
    from django.conf import settings

    settings.DEBUG = True  # count queries
    old_name = connection.creation.create_test_db(verbosity=0, serialize=False)
    try:
        started = time.perf_counter()
        business, owner = seed()
        seeded = time.perf_counter() - started
        client = Client()
        client.force_login(owner)
        base = reverse("dashboard:requests", kwargs={"business_id": business.pk})
        export = reverse(
            "dashboard:requests_export", kwargs={"business_id": business.pk}
        )
        cases = [
            ("page 1, newest first (full page)", base, {}),
            ("page 1 as an HTMX fragment", base, {"HTTP_HX_REQUEST": "true"}),
            ("status = pending", f"{base}?status=pending", {}),
            ("search “smith”", f"{base}?q=smith", {}),
            ("sorted by session, page 200", f"{base}?sort=session&page=200", {}),
            ("last page (400)", f"{base}?page=400", {}),
            (f"CSV export of all {REQUESTS:,}", export, {}),
        ]
        engine = connection.vendor
        print(
            f"\n{REQUESTS:,} requests on {engine}; seeded in {seeded:.1f} s; "
            f"{RUNS} runs each.\n"
        )
        print("| page | median | slowest | queries | size |")
        print("|---|---:|---:|---:|---:|")
        for label, url, headers in cases:
            median, slowest, queries, size = measure(client, url, **headers)
            print(
                f"| {label} | {median:.0f} ms | {slowest:.0f} ms | {queries} "
                f"| {size / 1024:.1f} KiB |"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
