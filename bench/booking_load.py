"""Benchmark: booking under load, paced like real clients, then a check that no rule
gave way.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python -m bench.booking_load

Each phase seeds its own 20 businesses (half instant, half with approval; each with
an owner, notified as usual) with small sessions (capacity 1 to 3, 45 minutes every
30 minutes, a 15-minute buffer: booking one blocks its neighbours), against gunicorn
(the Procfile's, 3 workers, DEBUG off) on 127.0.0.1 over HTTP from this process.

- **Paced (open loop)**, once per rate in ``BENCH_RATE`` (booking POSTs per second,
  default ``100,150``): ``BENCH_CLIENTS`` clients (default 50) send ``BENCH_BOOKINGS``
  (default 5,000) booking POSTs between them, plus one availability read for every
  four bookings, each request at a time fixed in advance (the clients take turns,
  evenly spaced), as people who pause between clicks do. A request's latency runs
  from its scheduled time, not from when it left: when the server falls behind, the
  wait of the requests queued behind a slow one counts (no coordinated omission).
- **Saturation (closed loop)**: the same clients and requests, each client sending
  its next request the moment the previous answer arrives: the most this machine
  serves. Its latency is the queue's (Little's law: 50 requests always in flight),
  not a target.

Prints throughput, latency percentiles, answers by kind and what the load generator
itself cost; then counts, straight from the database, sessions holding more
bookings than their capacity and pairs of buffer-conflicting sessions both booked,
over every phase. Both must be 0, as must 5xx answers.
"""

import gzip
import json
import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from bench.harness import throwaway_database  # sets Django up
from bench.server import WORKERS, gunicorn, percentile, request, settle_client
from booking.models import BookingSettings, Business, Membership, Service, Session

BUSINESSES = 20
DAYS = 14
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 50))
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", 5_000))
RATES = [float(r) for r in os.environ.get("BENCH_RATE", "100,150").split(",") if r]
READ_EVERY = 4  # one availability read per this many bookings
TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (``/proc/<pid>/stat``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # gone (a worker restarted, a backend closed)
    return (int(fields[11]) + int(fields[12])) / TICK


def gunicorn_processes(port: int) -> list[int]:
    """The gunicorn processes serving ``port`` (master and workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"gunicorn" in cmdline and f"PORT={port}".encode() in environ:
            found.append(int(entry.name))
    return found


class ServerCpu:
    """CPU time gunicorn's processes and PostgreSQL's backends (but the benchmark's
    own) use while the block runs, sampled twice a second: a backend closed mid-run
    (``CONN_MAX_AGE``) keeps what it used until its last sample."""

    def __init__(self, port: int) -> None:
        self.app = gunicorn_processes(port)
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.done = threading.Event()

    def _database(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> ALL(%s)",
                [self.own],
            )
            return [-row[0] for row in cursor.fetchall()]  # negative: PostgreSQL

    def _sample(self, *, first: bool = False) -> None:
        for pid in self.app + self._database():
            used = _cpu_seconds(abs(pid))
            if used:
                self.last[pid] = used
                # Already running at the start: count from there; else from birth.
                self.first.setdefault(pid, used if first else 0.0)

    def _run(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.own.append(cursor.fetchone()[0])
        self._sample(first=True)
        self.ready.set()
        while not self.done.wait(0.5):
            self._sample()
        self._sample()
        connection.close()

    def __enter__(self) -> "ServerCpu":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.own = [cursor.fetchone()[0]]
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run)
        self.thread.start()
        self.ready.wait()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()

    def ms(self, *, database: bool) -> float:
        return 1000 * sum(
            self.last[pid] - self.first[pid]
            for pid in self.last
            if (pid < 0) == database
        )


def seed(phase: str) -> list[tuple[str, list[int]]]:
    """[(slug, [session ids])] of this phase's businesses."""
    rng = random.Random(5)
    today = timezone.now().astimezone(timezone.get_current_timezone()).date()
    made = []
    for n in range(BUSINESSES):
        owner = get_user_model().objects.create(
            username=f"owner-{phase}-{n}", email=f"owner-{phase}-{n}@example.com"
        )
        business = Business.objects.create(
            name=f"Load {phase} {n}", timezone="Europe/London", email=owner.email
        )
        Membership.objects.create(
            user=owner, business=business, role=Membership.Role.OWNER
        )
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


@dataclass
class Phase:
    """One run of the load: paced at ``rate`` requests per second, or closed loop."""

    name: str
    port: int
    businesses: list[tuple[str, list[int]]]
    bookings: int
    rate: float | None  # booking POSTs per second; None: closed loop
    lock: threading.Lock = field(default_factory=threading.Lock)
    book_ms: list[float] = field(default_factory=list)
    read_ms: list[float] = field(default_factory=list)
    late_ms: list[float] = field(default_factory=list)  # sent after its time by
    answers: Counter = field(default_factory=Counter)
    started: float = 0.0
    finished: float = 0.0
    cpu_ms: float = 0.0  # the load generator's (this process)
    app_ms: float = 0.0  # gunicorn's
    database_ms: float = 0.0  # PostgreSQL's backends'

    @property
    def requests(self) -> int:
        return self.bookings + self.bookings // READ_EVERY

    def run(self) -> None:
        threads = [
            threading.Thread(target=self.client, args=(c,)) for c in range(CLIENTS)
        ]
        settle_client()  # this phase's seeded rows too
        with ServerCpu(self.port) as server:
            cpu = time.process_time()
            self.started = time.perf_counter() + 0.2  # every thread waiting by then
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            self.finished = time.perf_counter()
            self.cpu_ms = (time.process_time() - cpu) * 1000
        self.app_ms = server.ms(database=False)
        self.database_ms = server.ms(database=True)

    def client(self, number: int) -> None:
        # Request n (of all clients) is a read when n % (READ_EVERY + 1) is the last
        # one, else a booking; client c sends requests c, c + CLIENTS, c + 2·CLIENTS…
        rng = random.Random(number)
        interval = (
            None if self.rate is None else READ_EVERY / ((READ_EVERY + 1) * self.rate)
        )
        for n in range(number, self.requests, CLIENTS):
            slug, sessions = rng.choice(self.businesses)
            if interval is None:
                due = time.perf_counter()
            else:
                due = self.started + n * interval
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
            late = (time.perf_counter() - due) * 1000
            if n % (READ_EVERY + 1) == READ_EVERY:
                kind = self._send("GET", f"/api/booking/public/{slug}/availability/")
                kind = f"read {kind}"
            else:
                body = {
                    "session_id": rng.choice(sessions),
                    "client_name": f"Client {n}",
                    "client_email": f"client{n}@example.com",
                }
                kind = self._send("POST", f"/api/booking/public/{slug}/book/", body)
            took = (time.perf_counter() - due) * 1000
            with self.lock:
                (self.read_ms if kind.startswith("read") else self.book_ms).append(took)
                self.late_ms.append(late)
                self.answers[kind] += 1

    def _send(self, method: str, path: str, body: dict | None = None) -> str:
        try:
            status, content = request(self.port, method, path, body)
        except OSError as error:
            return f"network: {type(error).__name__}"
        return _kind(status, content) if method == "POST" else str(status)

    # --- the figures -------------------------------------------------------------

    @property
    def elapsed(self) -> float:
        return self.finished - self.started

    def figures(self) -> dict[str, str]:
        booked = sum(v for k, v in self.answers.items() if k.startswith("201"))
        five = sum(v for k, v in self.answers.items() if _is_5xx(k))
        errors = sum(v for k, v in self.answers.items() if "network" in k)
        rows = {
            "booking POSTs sent": f"{len(self.book_ms):,}",
            "booking POSTs per second, asked": (
                f"{self.rate:.0f}" if self.rate else "as fast as answered"
            ),
            "booking POSTs per second, achieved": (
                f"{len(self.book_ms) / self.elapsed:.0f}"
            ),
            "all requests per second, achieved": (
                f"{(len(self.book_ms) + len(self.read_ms)) / self.elapsed:.0f}"
            ),
            "bookings made": f"{booked:,}",
        }
        for share in (0.5, 0.95, 0.99):
            rows[f"booking POST p{int(share * 100)}"] = (
                f"{percentile(self.book_ms, share):.0f} ms"
            )
        rows["booking POST slowest"] = f"{max(self.book_ms, default=0):.0f} ms"
        rows["availability read p50"] = f"{percentile(self.read_ms, 0.5):.0f} ms"
        rows["availability read p95"] = f"{percentile(self.read_ms, 0.95):.0f} ms"
        if self.rate:
            rows["sent late by the client, p99"] = (
                f"{percentile(self.late_ms, 0.99):.0f} ms"
            )
        answered = max(1, len(self.late_ms))
        rows["CPU per request: gunicorn"] = f"{self.app_ms / answered:.1f} ms"
        rows["CPU per request: PostgreSQL"] = f"{self.database_ms / answered:.1f} ms"
        rows["CPU per request: the load generator"] = f"{self.cpu_ms / answered:.1f} ms"
        for kind, count in sorted(self.answers.items()):
            rows[f"answers: {kind}"] = f"{count:,}"
        rows["network errors"] = str(errors)
        rows["5xx answers"] = str(five)
        return rows


def _is_5xx(kind: str) -> bool:
    return kind[:1] == "5" or kind.startswith("read 5")


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


def warm_up(port: int, businesses: list[tuple[str, list[int]]]) -> None:
    """Every worker past its first requests (imports, connections) before timing."""
    for slug, sessions in businesses[: WORKERS * 3]:
        request(port, "GET", f"/api/booking/public/{slug}/availability/")
        body = {
            "session_id": sessions[0],
            "client_name": "Warm",
            "client_email": "w@x.io",
        }
        request(port, "POST", f"/api/booking/public/{slug}/book/", body)


def main() -> None:
    settings.RATELIMIT_ENABLE = False
    with throwaway_database():
        settings.DEBUG = False  # the seeding is not timed; keep no query log
        plans = [(f"paced {rate:g}/s", rate, BOOKINGS) for rate in RATES]
        plans.append(("closed loop (saturation)", None, BOOKINGS))
        phases = []
        with gunicorn() as port:
            warm_up(port, seed("warm"))
            for number, (name, rate, bookings) in enumerate(plans):
                phase = Phase(name, port, seed(str(number)), bookings, rate)
                phase.run()
                phases.append(phase)
        over, conflicts = broken_rules()
        spots = Session.objects.count()
    report(phases, spots, over, conflicts)
    five = sum(int(p.figures()["5xx answers"]) for p in phases)
    if over or conflicts or five:
        raise SystemExit("a booking rule gave way under load")


def report(phases: list[Phase], spots: int, over: int, conflicts: int) -> None:
    print(
        f"\nBooking load: {CLIENTS} clients, {BUSINESSES} businesses a phase (each "
        f"its own, {DAYS * 16} sessions of capacity 1–3 each; {spots:,} sessions in "
        f"all), booking POSTs and one availability read per {READ_EVERY}; gunicorn "
        f"{WORKERS} sync workers, PostgreSQL + Redis on 127.0.0.1. Latency from "
        "each request's scheduled time.\n"
    )
    tables = [p.figures() for p in phases]
    names = list(dict.fromkeys(k for t in tables for k in t))
    print("| figure | " + " | ".join(p.name for p in phases) + " |")
    print("|---|" + "---:|" * len(phases))
    for name in names:
        print(f"| {name} | " + " | ".join(t.get(name, "0") for t in tables) + " |")
    print("\n| database check, every phase | count |\n|---|---:|")
    print(f"| sessions over capacity | {over} |")
    print(f"| buffer-conflicting pairs both booked | {conflicts} |")


if __name__ == "__main__":
    main()
