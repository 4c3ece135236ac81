"""Seeds the "busy business" of the performance issue: 10,000 sessions over a year
and 50,000 booking requests in mixed statuses, among 200 other businesses of mixed
size. Import after bench.harness (which sets Django up).

``scale`` shrinks everything (the smoke test seeds at 1 %).
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import connection
from django.utils import timezone

import bench.harness  # noqa: F401 (sets Django up before the models)
from booking.models import BookingRequest, BookingSettings, Business, Service, Session

STATUSES = ["approved"] * 5 + ["pending"] * 2 + ["cancelled", "rejected", "expired"]
SLOTS = [time(7 + n // 2, 30 * (n % 2)) for n in range(28)]
OTHER_SIZES = [10, 30, 100, 300]


@dataclass
class Busy:
    business: Business
    services: list[Service]
    sessions: int
    requests: int
    others: int


def _business(name: str, *, max_days: int) -> tuple[Business, list[Service]]:
    business = Business.objects.create(name=name, timezone="Europe/London")
    BookingSettings.objects.create(
        business=business,
        max_advance_booking_days=max_days,
        min_advance_booking_hours=2,
        buffer_time_minutes=5,
    )
    services = Service.objects.bulk_create(
        Service(
            business=business,
            name=f"Class {n}",
            duration_minutes=25,
            capacity=1 if n % 3 == 0 else 8,
        )
        for n in range(6)
    )
    return business, services


def _sessions(business, services, count: int, rng, now) -> list[Session]:
    """``count`` sessions every 30 minutes (07:00–20:30 local), half a year back
    and half a year ahead."""
    zone = business.tz
    per_day = len(SLOTS)
    first = now.astimezone(zone).date() - timedelta(days=count // per_day // 2)
    made = []
    for n in range(count):
        day = first + timedelta(days=n // per_day)
        starts_at = datetime.combine(day, SLOTS[n % per_day], tzinfo=zone)
        service = services[rng.randrange(len(services))]
        made.append(
            Session(
                business=business,
                service=service,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=25),
                capacity=service.capacity,
                booking_deadline_hours=2,
            )
        )
    return Session.objects.bulk_create(made, batch_size=2_000)


def _requests(sessions: list[Session], count: int, rng, now) -> int:
    """About ``count`` requests spread over ``sessions``, never over capacity."""
    made = []
    per_session = max(1, round(count / max(len(sessions), 1)))
    for session in sessions:
        active = 0
        for _ in range(rng.randint(per_session - 1, per_session + 1)):
            status = rng.choice(STATUSES)
            if status in ("approved", "pending"):
                if active >= session.capacity:
                    status = "cancelled"
                else:
                    active += 1
            expires_at = None
            if status == "pending":
                # Most still hold their spot; some lapsed an hour ago.
                expires_at = now + timedelta(hours=rng.choice([-1, 6, 20, 40]))
            n = len(made)
            made.append(
                BookingRequest(
                    session=session,
                    client_name=f"Client {n}",
                    client_email=f"client{n}@example.com",
                    status=status,
                    expires_at=expires_at,
                )
            )
    BookingRequest.objects.bulk_create(made, batch_size=2_000)
    return len(made)


def seed(scale: float = 1.0, *, others: int = 200) -> Busy:
    """The busy business and ``others`` others (sizes 10 to 300 sessions)."""
    rng = random.Random(11)
    now = timezone.now()
    business, services = _business("Busy Pool", max_days=90)
    sessions = _sessions(business, services, int(10_000 * scale), rng, now)
    requests = _requests(sessions, int(50_000 * scale), rng, now)
    other_count = max(1, int(others * scale)) if scale < 1 else others
    for n in range(other_count):
        other, other_services = _business(f"Other {n}", max_days=30)
        size = max(2, int(rng.choice(OTHER_SIZES) * scale))
        made = _sessions(other, other_services, size, rng, now)
        _requests(made, size // 2, rng, now)
    return Busy(business, services, len(sessions), requests, other_count)


def autovacuum(enabled: bool) -> None:
    """Off: the statistics stay as a bulk load leaves them (none) until ANALYZE."""
    with connection.cursor() as cursor:
        for table in (
            "booking_business",
            "booking_bookingsettings",
            "booking_service",
            "booking_session",
            "booking_bookingrequest",
        ):
            cursor.execute(
                f"ALTER TABLE {table} SET (autovacuum_enabled = {str(enabled).lower()})"
            )


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
