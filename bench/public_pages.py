"""Benchmark: the client's side — booking pages and the public JSON API.

    make bench                       # SQLite (in memory)
    DATABASE_URL=postgres://… make bench   # PostgreSQL (a throwaway test_… database)

Seeds a busy business (6 services, 8 sessions a day for 90 days, about 1,500
bookings in every status) into a throwaway test database, then times full requests
through Django's test client and prints a Markdown table for docs/PERFORMANCE.md.
The product spec's target: availability for 7 days well under 500 ms.
"""

import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.requests_table import RUNS, measure  # noqa: E402
from booking.models import (  # noqa: E402
    BookingRequest,
    BookingSettings,
    Business,
    Service,
    Session,
)

DAYS = 90
STARTS = [8, 9, 10, 11, 14, 15, 16, 17]  # local hours, 8 sessions a day
STATUSES = ["approved"] * 6 + ["pending"] * 2 + ["cancelled", "rejected", "expired"]


def seed() -> tuple[Business, Service, Session]:
    rng = random.Random(7)
    now = timezone.now()
    business = Business.objects.create(name="Bench Pool", timezone="Europe/London")
    BookingSettings.objects.create(
        business=business, max_advance_booking_days=DAYS, buffer_time_minutes=15
    )
    services = Service.objects.bulk_create(
        Service(
            business=business,
            name=f"Lesson {n}",
            duration_minutes=45,
            capacity=1 if n < 2 else 6,
        )
        for n in range(6)
    )
    zone = business.tz
    today = now.astimezone(zone).date()
    sessions = []
    for offset in range(DAYS):
        day = today + timedelta(days=offset)
        for index, hour in enumerate(STARTS):
            service = services[(offset + index) % len(services)]
            starts_at = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
            sessions.append(
                Session(
                    business=business,
                    service=service,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=45),
                    capacity=service.capacity,
                    booking_deadline_hours=2,
                )
            )
    sessions = Session.objects.bulk_create(sessions)
    bookings = []
    for n, session in enumerate(sessions):
        for _ in range(rng.randint(0, min(session.capacity, 8))):
            status = rng.choice(STATUSES)
            bookings.append(
                BookingRequest(
                    session=session,
                    client_name=f"Client {n}",
                    client_email=f"client{n}-{len(bookings)}@example.com",
                    status=status,
                    expires_at=now + timedelta(hours=20)
                    if status == "pending"
                    else None,
                )
            )
    BookingRequest.objects.bulk_create(bookings, batch_size=1_000)
    group = services[3]
    free = next(
        s for s in sessions[16:] if s.service_id == group.pk and s.starts_at > now
    )
    return business, group, free


def main() -> None:
    setup_test_environment()
    from django.conf import settings

    settings.DEBUG = True  # count queries
    settings.RATELIMIT_ENABLE = False  # measure the pages, not the limiter
    old_name = connection.creation.create_test_db(verbosity=0, serialize=False)
    try:
        started = time.perf_counter()
        business, service, session = seed()
        seeded = time.perf_counter() - started
        client = Client()
        slug = business.slug
        week = reverse("booking:week", kwargs={"slug": slug, "service_id": service.pk})
        api = f"/api/booking/public/{slug}/availability/?service_id={service.pk}"
        later = (timezone.now() + timedelta(days=60)).date().isoformat()
        cases = [
            (
                "step 1: services, each with its next time",
                reverse("booking:start", kwargs={"slug": slug}),
                {},
            ),
            ("step 2: a week of times (full page)", week, {}),
            ("step 2: a week as an HTMX fragment", week, {"HTTP_HX_REQUEST": "true"}),
            ("step 2: a week in Asia/Tokyo", f"{week}?tz=Asia/Tokyo", {}),
            ("step 2: week 9 (next to the window's end)", f"{week}?start={later}", {}),
            (
                "step 3: the details form",
                reverse(
                    "booking:details", kwargs={"slug": slug, "session_id": session.pk}
                ),
                {},
            ),
            ("API: availability, 7 days", api, {}),
            (
                "API: availability, 62 days, all services",
                (
                    f"/api/booking/public/{slug}/availability/?end_date="
                    f"{(timezone.now() + timedelta(days=61)).date().isoformat()}"
                ),
                {},
            ),
        ]
        sessions = Session.objects.filter(business=business).count()
        bookings = BookingRequest.objects.filter(session__business=business).count()
        print(
            f"\n{sessions:,} sessions, {bookings:,} bookings on {connection.vendor}; "
            f"seeded in {seeded:.1f} s; {RUNS} runs each.\n"
        )
        print("| request | median | slowest | queries | size |")
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
