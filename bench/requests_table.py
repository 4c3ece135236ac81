"""Benchmark: the dashboard's booking requests table over HTTP, 10,000 requests.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python -m bench.requests_table
    BENCH_REQUESTS=100000 …                          # the same at 100,000

Seeds one business with 10,000 (``BENCH_REQUESTS``) requests (12 services, 2,000
sessions, every status, realistic names) into a throwaway test database with
autovacuum off, starts gunicorn (the Procfile's command, 3 workers, DEBUG off) on
it, logs the owner in through the login form and times pages of the table from this
process, one request at a time: page 1 of the waiting requests (the full page and
the HTMX fragment), a status filter, a search matching one in eight requests and
one matching a single email, a deep page sorted by session, the
last page, and (at 10,000 or fewer) the CSV export. Straight after the bulk load
(no statistics), then again after ``ANALYZE``. Prints p50/p95/p99 of each, the
queries one request runs (counted in-process through the same view) and the bytes
sent; and the ``EXPLAIN (ANALYZE, BUFFERS)`` execution time of those queries.

``BENCH_RUNS`` (default 100) sets the requests per row (the CSV export gets a tenth);
``BENCH_PLANS=<dir>`` also writes every plan there.
"""

import gzip
import http.client
import os
import random
import re
import time
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.busy import analyze, autovacuum
from bench.harness import throwaway_database, timed  # sets Django up
from bench.server import HEADERS, get, gunicorn, percentile
from booking.models import (
    BookingRequest,
    BookingSettings,
    Business,
    Membership,
    Service,
    Session,
)

REQUESTS = int(os.environ.get("BENCH_REQUESTS", 10_000))
RUNS = int(os.environ.get("BENCH_RUNS", 100))
PLANS = os.environ.get("BENCH_PLANS", "")
FIRST = ["Ada", "Ben", "Cara", "Dan", "Eve", "Finn", "Gia", "Hugo", "Isla", "Jack"]
LAST = ["Smith", "Jones", "Patel", "Brown", "Garcia", "Khan", "Novak", "Rossi"]
STATUSES = ["approved"] * 5 + ["pending"] * 3 + ["rejected", "cancelled", "expired"]
OWNER = "owner@bench.test"
PASSWORD = "bench-requests-table"  # a throwaway database's account


def seed() -> tuple[Business, object]:
    rng = random.Random(4)
    now = timezone.now()
    business = Business.objects.create(name="Bench Swim", timezone="Europe/London")
    BookingSettings.objects.create(business=business)
    owner = get_user_model().objects.create(username=OWNER, email=OWNER)
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


def cases(business: Business) -> list[tuple[str, str, dict]]:
    base = reverse("dashboard:requests", kwargs={"business_id": business.pk})
    export = reverse("dashboard:requests_export", kwargs={"business_id": business.pk})
    pages = max(1, -(-REQUESTS // 25))
    mine = BookingRequest.objects.filter(session__business=business).order_by("pk")
    email = mine.values_list("client_email", flat=True)[REQUESTS // 2]
    deep = max(1, pages // 2)
    found = [
        ("page 1: the waiting requests (full page)", base, {}),
        ("page 1 as an HTMX fragment", base, {"HX-Request": "true"}),
        ("status = pending", f"{base}?status=pending", {}),
        ("search “smith”", f"{base}?q=smith", {}),
        ("search an email", f"{base}?{urlencode({'q': email})}", {}),
        (f"sorted by session, page {deep}", f"{base}?sort=session&page={deep}", {}),
        (f"last page ({pages})", f"{base}?page={pages}", {}),
    ]
    if REQUESTS <= 20_000:  # 100,000 rows take seconds a run: timed at 10,000
        found.append((f"CSV export of all {REQUESTS:,}", export, {}))
    return found


def _send(conn: http.client.HTTPConnection, *args, **kwargs):
    conn.request(*args, **kwargs)
    response = conn.getresponse()
    body = response.read()
    if response.getheader("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return response, body


def log_in(port: int) -> str:
    """The owner logs in through the login form as a browser would (its CSRF cookie
    and token, the HTTPS Referer); returns the Cookie header that carries her
    session."""
    path = reverse("login")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        response, body = _send(conn, "GET", path, headers=HEADERS)
        cookies = SimpleCookie()
        for line in response.headers.get_all("Set-Cookie", []):
            cookies.load(line)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        form = {
            "username": OWNER,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1).decode(),
        }
        response, _ = _send(
            conn,
            "POST",
            path,
            body=urlencode(form),
            headers={
                **HEADERS,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookies['csrftoken'].value}",
                "Referer": f"https://127.0.0.1:{port}{path}",
            },
        )
        for line in response.headers.get_all("Set-Cookie", []):
            cookies.load(line)
    finally:
        conn.close()
    if response.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"the owner could not log in ({response.status})")
    return "; ".join(f"{key}={morsel.value}" for key, morsel in cookies.items())


def _headers(extra: dict) -> dict:
    """The test client's spelling of the case's headers."""
    return {f"HTTP_{key.upper().replace('-', '_')}": v for key, v in extra.items()}


def _queries(client: Client, url: str, extra: dict) -> list[str]:
    """The SQL of one request of the case, through the same view in-process."""
    headers = {**_headers(extra), "HTTP_X_FORWARDED_PROTO": "https"}
    client.get(url, **headers)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    return [query["sql"] for query in captured.captured_queries]


def _timings(port: int, url: str, extra: dict, cookie: str) -> tuple[list, int, int]:
    runs = RUNS if "export" not in url else max(1, RUNS // 10)
    took, size = [], 0
    get(port, url, Cookie=cookie, **extra)
    for _ in range(runs):
        started = time.perf_counter()
        status, body = get(port, url, Cookie=cookie, **extra)
        took.append((time.perf_counter() - started) * 1000)
        assert status == 200, (url, status)
        size = len(body)
    return took, size, runs


def _what(sql: str) -> str:
    """A query's short name: what it reads from, and whether it counts."""
    table = re.search(r'FROM "(\w+)"', sql)
    name = table.group(1).split("_", 1)[-1] if table else "?"
    if "COUNT(*)" in sql:
        return f"count of {name}"
    if ' IN (SELECT U0."id"' in sql:
        return f"page of {name}"
    return name


def explain(label: str, phase: str, queries: list[str]) -> tuple[float, str, float]:
    """EXPLAIN (ANALYZE, BUFFERS) of the case's queries: (their total execution
    time, the slowest one's name, its time)."""
    total, slowest, slowest_ms = 0.0, "", -1.0
    for n, sql in enumerate(queries, 1):
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        ms = float(plan.rsplit("Execution Time: ", 1)[1].split(" ms")[0])
        total += ms
        if ms > slowest_ms:
            slowest, slowest_ms = _what(sql), ms
        if PLANS:
            name = re.sub(r"\W+", "-", f"{phase}-{label}").strip("-")
            path = Path(PLANS) / f"{REQUESTS}-{name}-q{n}.txt"
            path.write_text(sql + "\n\n" + plan + "\n")
    return total, slowest, slowest_ms


def main() -> None:
    settings.RATELIMIT_ENABLE = False
    if PLANS:
        Path(PLANS).mkdir(parents=True, exist_ok=True)
    with throwaway_database():
        autovacuum(False)
        with timed() as took:
            business, owner = seed()
        owner.set_password(PASSWORD)
        owner.save(update_fields=["password"])
        client = Client()
        client.force_login(owner)
        print(
            f"\nThe requests table of one business with {REQUESTS:,} requests (seeded "
            f"in {took[0]:.1f} s), a page of 25 rows, over HTTP: gunicorn, 3 workers, "
            f"DEBUG off, PostgreSQL; {RUNS} requests per row, one at a time.\n"
        )
        rows, plans = [], []
        with gunicorn() as port:
            cookie = log_in(port)
            for phase in ("after bulk load", "after ANALYZE"):
                if phase == "after ANALYZE":
                    analyze()
                for label, url, extra in cases(business):
                    queries = _queries(client, url, extra)
                    plans.append((phase, label, *explain(label, phase, queries)))
                    timings, size, runs = _timings(port, url, extra, cookie)
                    rows.append((phase, label, timings, runs, len(queries), size))
        print("| statistics | request | p50 | p95 | p99 | runs | queries | size |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for phase, label, timings, runs, queries, size in rows:
            print(
                f"| {phase} | {label} | {percentile(timings, 0.5):.1f} ms "
                f"| {percentile(timings, 0.95):.1f} ms "
                f"| {percentile(timings, 0.99):.1f} ms | {runs} | {queries} "
                f"| {size / 1024:.1f} KiB |"
            )
        print("\nEXPLAIN (ANALYZE, BUFFERS) of one request's queries:\n")
        print("| statistics | request | all queries | slowest query | its time |")
        print("|---|---|---:|---|---:|")
        for phase, label, total, slowest, ms in plans:
            print(f"| {phase} | {label} | {total:.2f} ms | {slowest} | {ms:.2f} ms |")


if __name__ == "__main__":
    main()
