"""Benchmark: booking under load, then a check that no rule gave way.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python -m bench.booking_load

Seeds 20 businesses with small sessions (capacity 1 to 3, 45 minutes every 30
minutes, a 15-minute buffer: booking one blocks its neighbours), starts gunicorn (3
workers, DEBUG off) on 127.0.0.1 and sends ``BENCH_BOOKINGS`` (default 5,000)
booking POSTs to the public JSON API from 50 client threads of this process, with
one availability read for every four bookings. Prints throughput, latency
percentiles and answers by kind; then counts, straight from the database, sessions
holding more bookings than their capacity and pairs of buffer-conflicting sessions
both booked. Both must be 0.

``BENCH_CLIENTS`` (default 50) and ``BENCH_BOOKINGS`` change the load.
"""

import gzip
import json
import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench.harness import throwaway_database, timed  # sets Django up
from bench.server import WORKERS, gunicorn, percentile, request
from booking.models import BookingSettings, Business, Service, Session

BUSINESSES = 20
DAYS = 14
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 50))
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", 5_000))
READ_EVERY = 4  # one availability read per this many bookings


def seed() -> list[tuple[str, list[int]]]:
    """[(slug, [session ids])] of the businesses."""
    rng = random.Random(5)
    today = timezone.now().astimezone(timezone.get_current_timezone()).date()
    made = []
    for n in range(BUSINESSES):
        business = Business.objects.create(name=f"Load {n}", timezone="Europe/London")
        BookingSettings.objects.create(
            business=business,
            requires_approval=n % 2 == 1,
            buffer_time_minutes=15,
            min_advance_booking_hours=0,
            max_advance_booking_days=30,
        )
        service = Service.objects.create(
            business=business, name="Lesson", duration_minutes=45, capacity=2
        )
        sessions = []
        for day in range(1, DAYS + 1):
            for slot in range(16):  # 08:00 … 15:30, every 30 minutes
                starts_at = datetime.combine(
                    today + timedelta(days=day),
                    clock(8 + slot // 2, 30 * (slot % 2)),
                    tzinfo=business.tz,
                )
                sessions.append(
                    Session(
                        business=business,
                        service=service,
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(minutes=45),
                        capacity=rng.randint(1, 3),
                        booking_deadline_hours=0,
                    )
                )
        created = Session.objects.bulk_create(sessions)
        made.append((business.slug, [s.pk for s in created]))
    return made


class Load:
    def __init__(self, port: int, businesses: list[tuple[str, list[int]]]) -> None:
        self.port = port
        self.businesses = businesses
        self.lock = threading.Lock()
        self.sent = 0
        self.book_ms: list[float] = []
        self.read_ms: list[float] = []
        self.answers: Counter = Counter()

    def _next(self) -> int | None:
        with self.lock:
            if self.sent >= BOOKINGS:
                return None
            self.sent += 1
            return self.sent

    def client(self, seed: int) -> None:
        rng = random.Random(seed)
        while (n := self._next()) is not None:
            slug, sessions = rng.choice(self.businesses)
            if n % READ_EVERY == 0:
                self._read(slug)
            body = {
                "session_id": rng.choice(sessions),
                "client_name": f"Client {n}",
                "client_email": f"client{n}@example.com",
            }
            started = time.perf_counter()
            try:
                status, content = request(
                    self.port, "POST", f"/api/booking/public/{slug}/book/", body
                )
            except OSError as error:
                kind = f"network: {type(error).__name__}"
            else:
                kind = _kind(status, content)
            took = (time.perf_counter() - started) * 1000
            with self.lock:
                self.book_ms.append(took)
                self.answers[kind] += 1

    def _read(self, slug: str) -> None:
        started = time.perf_counter()
        try:
            status, _ = request(
                self.port, "GET", f"/api/booking/public/{slug}/availability/"
            )
        except OSError as error:
            kind = f"read network: {type(error).__name__}"
        else:
            kind = f"read {status}"
        with self.lock:
            self.read_ms.append((time.perf_counter() - started) * 1000)
            if kind != "read 200":
                self.answers[kind] += 1


def _kind(status: int, content: bytes) -> str:
    if content[:2] == b"\x1f\x8b":  # gzip, as asked for
        content = gzip.decompress(content)
    if status == 201:
        return "201 " + json.loads(content).get("status", "?")
    if status == 409:
        try:
            return f"409 {json.loads(content).get('code', '?')}"
        except ValueError:
            return "409"
    return str(status)


OVER_CAPACITY = """
SELECT count(*) FROM booking_session s
 WHERE s.capacity < (
       SELECT count(*) FROM booking_bookingrequest r
        WHERE r.session_id = s.id
          AND (r.status = 'approved' OR (r.status = 'pending' AND r.expires_at > %s)))
"""
BUFFER_CONFLICTS = """
WITH booked AS (
  SELECT s.id, s.business_id, s.starts_at, s.ends_at FROM booking_session s
   WHERE EXISTS (SELECT 1 FROM booking_bookingrequest r WHERE r.session_id = s.id
     AND (r.status = 'approved' OR (r.status = 'pending' AND r.expires_at > %s))))
SELECT count(*) FROM booked a
  JOIN booked b ON b.business_id = a.business_id AND b.id > a.id
  JOIN booking_bookingsettings st ON st.business_id = a.business_id
 WHERE b.starts_at < a.ends_at + make_interval(mins => st.buffer_time_minutes)
   AND a.starts_at < b.ends_at + make_interval(mins => st.buffer_time_minutes)
"""


def broken_rules() -> tuple[int, int]:
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(OVER_CAPACITY, [now])
        over = cursor.fetchone()[0]
        cursor.execute(BUFFER_CONFLICTS, [now])
        conflicts = cursor.fetchone()[0]
    return over, conflicts


def main() -> None:
    settings.RATELIMIT_ENABLE = False
    with throwaway_database():
        businesses = seed()
        with gunicorn() as port:
            load = Load(port, businesses)
            with timed() as took, ThreadPoolExecutor(CLIENTS) as pool:
                clients = [pool.submit(load.client, n) for n in range(CLIENTS)]
            for finished in clients:
                finished.result()  # a client's own failure is the benchmark's
        elapsed = took[0]
        over, conflicts = broken_rules()
        spots = Session.objects.count()
        booked = sum(v for k, v in load.answers.items() if k.startswith("201"))
        five = sum(v for k, v in load.answers.items() if k[:1] == "5")
        print(
            f"\nBooking load: {len(load.book_ms):,} booking POSTs and "
            f"{len(load.read_ms):,} availability reads from {CLIENTS} client "
            f"threads, {BUSINESSES} businesses, {spots:,} sessions of capacity 1–3; "
            f"gunicorn {WORKERS} workers, PostgreSQL + Redis on 127.0.0.1.\n"
        )
        print("| figure | value |")
        print("|---|---:|")
        print(f"| booking POSTs per second | {len(load.book_ms) / elapsed:.0f} |")
        print(f"| bookings made | {booked:,} |")
        for share in (0.5, 0.95, 0.99):
            print(
                f"| booking POST p{int(share * 100)} | "
                f"{percentile(load.book_ms, share):.0f} ms |"
            )
        print(f"| availability read p95 | {percentile(load.read_ms, 0.95):.0f} ms |")
        for kind, count in sorted(load.answers.items()):
            print(f"| answers: {kind} | {count:,} |")
        print(f"| 5xx answers | {five} |")
        print(f"| sessions over capacity | {over} |")
        print(f"| buffer-conflicting pairs both booked | {conflicts} |")
        if over or conflicts or five:
            raise SystemExit("a booking rule gave way under load")


if __name__ == "__main__":
    main()
