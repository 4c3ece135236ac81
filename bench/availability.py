"""Benchmark: availability of the busy business over HTTP, cold and warm.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python -m bench.availability

Seeds the busy business (bench/busy.py: 10,000 sessions over a year, 50,000
requests, 200 other businesses) into a throwaway test database with autovacuum off,
starts gunicorn (3 workers, DEBUG off) on it and times requests from this process:
the JSON API for 7 and 31 days, the week as an HTMX fragment, step 1. Each cold
(the business's availability version raised before each request, so the cache
misses) and warm (the same question again), straight after the bulk load (no
statistics) and again after ``ANALYZE``. Prints p50/p95/p99, the queries one request
runs (counted in-process through the same views) and the bytes sent; and the
``EXPLAIN (ANALYZE, BUFFERS)`` execution time of each availability query.

``BENCH_SCALE`` (default 1) shrinks the data; ``BENCH_RUNS`` the requests per row.
``BENCH_PLANS=<dir>`` also writes every plan there.
"""

import os
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.busy import Busy, analyze, autovacuum, seed
from bench.harness import throwaway_database, timed  # sets Django up
from bench.server import get, gunicorn, percentile
from booking.availability import get_availability
from booking.models import BookingSettings

SCALE = float(os.environ.get("BENCH_SCALE", 1))
RUNS = int(os.environ.get("BENCH_RUNS", 200))
PLANS = os.environ.get("BENCH_PLANS", "")


def cases(busy: Busy) -> list[tuple[str, str]]:
    slug = busy.business.slug
    service = busy.services[1]
    today = timezone.now().astimezone(busy.business.tz).date()
    api = f"/api/booking/public/{slug}/availability/?service_id={service.pk}"
    month = (today + timedelta(days=30)).isoformat()
    week = reverse("booking:week", kwargs={"slug": slug, "service_id": service.pk})
    return [
        ("API, 7 days, one service", api),
        ("API, 31 days, one service", f"{api}&end_date={month}"),
        ("week fragment (HTMX), one service", week + "?hx=1"),
        ("step 1: services with their next time", f"/book/{slug}/"),
    ]


def _bump(busy: Busy) -> None:
    """A new availability version (no data changes): the next lookup misses."""
    BookingSettings.objects.filter(business=busy.business).update(
        updated_at=timezone.now()
    )


def _queries(client: Client, url: str, busy: Busy, *, cold: bool) -> int:
    headers = {"HTTP_HX_REQUEST": "true"} if "hx=1" in url else {}
    headers["HTTP_X_FORWARDED_PROTO"] = "https"
    client.get(url, **headers)
    if cold:
        _bump(busy)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def _timings(port: int, url: str, busy: Busy, *, cold: bool) -> tuple[list, int]:
    took, size = [], 0
    headers = {"HX-Request": "true"} if "hx=1" in url else {}
    get(port, url, **headers)
    for _ in range(RUNS):
        if cold:
            _bump(busy)
        started = time.perf_counter()
        status, body = get(port, url, **headers)
        took.append((time.perf_counter() - started) * 1000)
        assert status == 200, (url, status)
        size = len(body)
    return took, size


def explain(busy: Busy, phase: str) -> list[tuple[str, float]]:
    """EXPLAIN (ANALYZE, BUFFERS) of each query of an uncached answer (a cache
    miss: the queries with each session's next lapse)."""
    out = []
    today = timezone.now().astimezone(busy.business.tz).date()
    for days in (7, 31):
        _bump(busy)
        busy.business.booking_settings.refresh_from_db()
        with CaptureQueriesContext(connection) as captured:
            get_availability(
                business=busy.business,
                start_date=today,
                end_date=today + timedelta(days=days - 1),
                now=timezone.now(),
                service_id=busy.services[1].pk,
            )
        for n, query in enumerate(captured.captured_queries, 1):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
            ms = float(plan.rsplit("Execution Time: ", 1)[1].split(" ms")[0])
            label = f"{days} days, query {n}"
            out.append((label, ms))
            if PLANS:
                path = Path(PLANS) / f"{phase.replace(' ', '-')}-{days}d-q{n}.txt"
                path.write_text(query["sql"] + "\n\n" + plan + "\n")
    return out


def main() -> None:
    settings.RATELIMIT_ENABLE = False
    if PLANS:
        Path(PLANS).mkdir(parents=True, exist_ok=True)
    with throwaway_database():
        autovacuum(False)
        with timed() as took:
            busy = seed(SCALE)
        print(
            f"\nAvailability of the busy business ({busy.sessions:,} sessions, "
            f"{busy.requests:,} requests; {busy.others} other businesses; seeded in "
            f"{took[0]:.0f} s) over HTTP: gunicorn, 3 workers, PostgreSQL + Redis; "
            f"{RUNS} requests per row, one at a time.\n"
        )
        client = Client()
        rows, plans = [], []
        with gunicorn() as port:
            for phase in ("after bulk load", "after ANALYZE"):
                if phase == "after ANALYZE":
                    analyze()
                plans += [(phase, *row) for row in explain(busy, phase)]
                for label, url in cases(busy):
                    for cold in (True, False):
                        queries = _queries(client, url, busy, cold=cold)
                        took, size = _timings(port, url, busy, cold=cold)
                        cache = "cold" if cold else "warm"
                        rows.append((phase, label, cache, took, queries, size))
        print("| statistics | request | cache | p50 | p95 | p99 | queries | size |")
        print("|---|---|---|---:|---:|---:|---:|---:|")
        for phase, label, cache, took, queries, size in rows:
            print(
                f"| {phase} | {label} | {cache} | {percentile(took, 0.5):.1f} ms "
                f"| {percentile(took, 0.95):.1f} ms | {percentile(took, 0.99):.1f} ms "
                f"| {queries} | {size / 1024:.1f} KiB |"
            )
        print("\nEXPLAIN (ANALYZE, BUFFERS) of an uncached answer's queries:\n")
        print("| statistics | query | execution |")
        print("|---|---|---:|")
        for phase, label, ms in plans:
            print(f"| {phase} | {label} | {ms:.2f} ms |")


if __name__ == "__main__":
    main()
