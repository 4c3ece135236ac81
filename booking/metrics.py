"""Prometheus metrics: every figure the app exports, defined once, and ``/metrics``.

Counters and histograms are counted where things happen (the request middleware,
``booking_create``, the outbox, the worker's task signals, the availability cache)
through the small functions below. Under several processes (gunicorn workers, the
Huey worker) set ``PROMETHEUS_MULTIPROC_DIR`` to one directory for all of them on the
host: prometheus_client then keeps each process's figures in a file there and
``/metrics`` adds them up (docs/DEPLOYMENT.md, "Monitoring").

Figures kept elsewhere are read when Prometheus scrapes, so they are right whichever
process answers: the queue's length and oldest task (Redis or the SQLite queue), the
outbox by status and each periodic job's last success (the database).

``/metrics`` answers 404 unless ``METRICS_TOKEN`` is set, and then only to
``Authorization: Bearer <METRICS_TOKEN>``. docs/alerts.yml holds the alert rules.
"""

import hmac
import logging
import os
from collections.abc import Callable, Iterator
from functools import wraps

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder

from booking.errors import BookingError
from booking.health import PERIODIC_JOBS
from booking.models import BookingRequest, JobRun, OutboundEmail
from booking.queue import queue_figures

logger = logging.getLogger(__name__)
events = logging.getLogger("booking.events")

REQUEST_SECONDS = Histogram(
    "booking_http_request_duration_seconds",
    "Time to answer a request, by view (URL name) and method.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RESPONSES = Counter(
    "booking_http_responses",
    "Responses by view (URL name), method and status class (2xx … 5xx).",
    ["view", "method", "status_class"],
)
BOOKINGS = Counter(
    "booking_bookings_created",
    "Booking attempts by outcome: instant, pending, or refused with the reason "
    "(the BookingError code: full, buffer, too_soon …).",
    ["outcome", "reason"],
)
EMAILS = Counter(
    "booking_emails",
    "Outbox send attempts by outcome: sent, retry (a passing failure, tried again "
    "later) or failed (given up).",
    ["outcome"],
)
TASKS = Counter(
    "booking_tasks",
    "Background tasks run by the worker, by task and outcome.",
    ["task", "outcome"],
)
TASK_SECONDS = Histogram(
    "booking_task_duration_seconds",
    "Time a background task took, by task.",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
AVAILABILITY_CACHE = Counter(
    "booking_availability_cache_requests",
    "Availability cache lookups by result: hit or miss.",
    ["result"],
)
# Series that exist from the start, so rules over them never see "no data".
for _outcome in ("sent", "retry", "failed"):
    EMAILS.labels(_outcome)
for _result in ("hit", "miss"):
    AVAILABILITY_CACHE.labels(_result)
for _outcome in ("instant", "pending"):
    BOOKINGS.labels(_outcome, "")


# --- counting -------------------------------------------------------------------------


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(view, method).observe(seconds)
    RESPONSES.labels(view, method, f"{status // 100}xx").inc()


def count_bookings(create: Callable) -> Callable:
    """Decorates ``booking_create``: counts what became of each attempt."""

    @wraps(create)
    def wrapper(*args, **kwargs):
        try:
            result = create(*args, **kwargs)
        except BookingError as error:
            BOOKINGS.labels("refused", error.code).inc()
            events.info("Booking refused: %s", error.code, extra={"reason": error.code})
            raise
        if result.created:
            pending = result.booking.status == BookingRequest.Status.PENDING
            BOOKINGS.labels("pending" if pending else "instant", "").inc()
        return result

    return wrapper


def email_outcome(status: str) -> None:
    """One outbox send attempt: ``sent``, ``retry`` or ``failed`` (skips count not)."""
    if status in {"sent", "retry", "failed"}:
        EMAILS.labels(status).inc()


def task_finished(*, task: str, outcome: str, seconds: float | None) -> None:
    TASKS.labels(task, outcome).inc()
    if seconds is not None:
        TASK_SECONDS.labels(task).observe(seconds)


def availability_cache(*, hit: bool) -> None:
    """One availability cache lookup (the availability cache calls this)."""
    AVAILABILITY_CACHE.labels("hit" if hit else "miss").inc()


# --- figures read at scrape time ------------------------------------------------------


def live_figures() -> Iterator[Metric]:
    """Gauges read from the queue and the database now (skipped if unreachable)."""
    yield from _queue_gauges()
    yield from _database_gauges()


def _queue_gauges() -> Iterator[Metric]:
    up = GaugeMetricFamily(
        "booking_queue_up", "1 if the task queue answered this scrape, else 0."
    )
    try:
        figures = queue_figures(settings.HUEY)
    except Exception as error:
        logger.warning("Metrics: the task queue cannot be reached (%s)", error)
        up.add_metric([], 0)
        yield up
        return
    up.add_metric([], 1)
    yield up
    yield GaugeMetricFamily(
        "booking_queue_pending_tasks",
        "Tasks waiting in the Huey queue for a worker.",
        value=figures.pending,
    )
    yield GaugeMetricFamily(
        "booking_queue_scheduled_tasks",
        "Tasks waiting for their time (retries after a backoff, delayed tasks).",
        value=figures.scheduled,
    )
    yield GaugeMetricFamily(
        "booking_queue_oldest_task_age_seconds",
        "How long the next task to run has waited in the queue (0 when empty).",
        value=figures.oldest_seconds or 0,
    )


def _database_gauges() -> Iterator[Metric]:
    try:
        counts = dict.fromkeys(OutboundEmail.Status.values, 0)
        rows = OutboundEmail.objects.values("status").annotate(n=Count("pk"))
        counts.update({row["status"]: row["n"] for row in rows.order_by()})
        runs = list(JobRun.objects.filter(name__in=PERIODIC_JOBS))
    except Exception as error:
        logger.warning("Metrics: the database cannot be reached (%s)", error)
        return
    outbox = GaugeMetricFamily(
        "booking_outbox_emails", "Emails in the outbox by status.", labels=["status"]
    )
    for status, count in counts.items():
        outbox.add_metric([status], count)
    yield outbox
    last = GaugeMetricFamily(
        "booking_job_last_success_timestamp_seconds",
        "When each periodic job last finished without error (Unix time).",
        labels=["job"],
    )
    for run in runs:
        if run.last_finished_at:
            last.add_metric([run.name], run.last_finished_at.timestamp())
    yield last


class _Collector:
    def __init__(self, collect: Callable[[], Iterator[Metric]]) -> None:
        self.collect = collect


def registry() -> CollectorRegistry:
    """Every metric: the counted ones (all processes' sum) and the live ones."""
    everything = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(everything)
    else:
        everything.register(_Collector(REGISTRY.collect))
    everything.register(_Collector(live_figures))
    return everything


def metrics_view(request: HttpRequest) -> HttpResponse:
    """``/metrics`` for Prometheus: only with ``Authorization: Bearer <token>``."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        response = HttpResponse(
            "Unauthorized: send Authorization: Bearer <METRICS_TOKEN>.\n",
            status=401,
            content_type="text/plain",
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    # The text format Prometheus asks for (OpenMetrics if it says so).
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(registry()), content_type=content_type)
