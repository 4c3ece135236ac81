"""``GET /healthz``: can this instance serve? For load balancers and uptime checks.

200 with ``{"status": "ok", "database": "ok", "cache": "ok", "queue": {"pending": N,
"oldest_seconds": S}, "outbox": {"queued": N, "failed": N}, "jobs": {...}}``; 503 with
the failing part as ``"error: …"`` when PostgreSQL or Redis (the cache or the queue)
cannot be reached. Late jobs or failed emails do not make it fail (restarting the web
process would not fix them): the alerts in docs/alerts.yml watch those.

Cheap and quick: one query for the database, one each for the outbox and the jobs, a
PING to the cache and two or three commands to the queue, each waiting at most half
a second, so it answers within 2 s even when Redis accepts connections but never
replies. ``config.middleware.OpsMiddleware`` serves it before the rest of the stack:
no session, no cookies, no rate limit, and any ``Host`` (a load balancer's probe uses
the instance's address).
"""

import logging
from functools import lru_cache

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from redis.backoff import NoBackoff
from redis.retry import Retry

from booking.health import PERIODIC_JOBS
from booking.models import JobRun, OutboundEmail
from booking.queue import TIMEOUT_SECONDS, queue_figures
from config.logs import redact

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> JsonResponse:
    if request.method not in {"GET", "HEAD"}:
        return JsonResponse({"error": "method not allowed"}, status=405)
    body, healthy = health_report()
    response = JsonResponse(body, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


def health_report() -> tuple[dict, bool]:
    """The body of ``/healthz`` and whether every part answered."""
    database = _check(_database)
    body = {
        "status": "ok",
        "database": database,
        "cache": _check(_cache),
        "queue": _check(_queue),
        "outbox": _check(_outbox) if database == "ok" else "error: no database",
        "jobs": _check(_jobs) if database == "ok" else "error: no database",
    }
    failing = [name for name, value in body.items() if _is_error(value)]
    if failing:
        body["status"] = "error"
        logger.warning(
            "Health check failed: %s",
            "; ".join(f"{name} {body[name]}" for name in failing),
        )
    return body, not failing


def _is_error(value) -> bool:
    return isinstance(value, str) and value.startswith("error: ")


def _check(probe):
    try:
        return probe()
    except Exception as error:
        first_line = (str(error).strip().splitlines() or [""])[0]
        return redact(f"error: {type(error).__name__}: {first_line}".rstrip(": "))[:300]


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _cache() -> str:
    config = settings.CACHES["default"]
    if config["BACKEND"].endswith("RedisCache"):
        _redis_client(_first_location(config["LOCATION"])).ping()
        return "ok"
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("the cache did not keep a value")
    return "ok"


def _first_location(location) -> str:
    if isinstance(location, list | tuple):
        return location[0]
    return location.split(",")[0]


@lru_cache(maxsize=8)
def _redis_client(url: str):

    return redis.Redis.from_url(
        url,
        socket_timeout=TIMEOUT_SECONDS,
        socket_connect_timeout=TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
    )


def _queue() -> dict:
    figures = queue_figures(settings.HUEY)
    oldest = figures.oldest_seconds
    return {
        "pending": figures.pending,
        "oldest_seconds": round(oldest, 1) if oldest is not None else None,
        "scheduled": figures.scheduled,
    }


def _outbox() -> dict:
    counts = dict(
        OutboundEmail.objects.filter(
            status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.FAILED]
        )
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {status: counts.get(status, 0) for status in ("queued", "failed")}


def _jobs() -> dict:
    now = timezone.now()
    runs = {run.name: run for run in JobRun.objects.filter(name__in=PERIODIC_JOBS)}
    jobs = {}
    for name in PERIODIC_JOBS:
        run = runs.get(name)
        finished = run.last_finished_at if run else None
        jobs[name] = {
            "last_success": finished.isoformat() if finished else None,
            "seconds_ago": int((now - finished).total_seconds()) if finished else None,
            "last_run_failed": bool(run and run.last_error),
        }
    return jobs
