"""GET /healthz: each part's state, 503 naming a part that is down, quick and plain.

Redis failures are real: a TCP server that accepts connections and never answers,
and a port where nothing listens. The database being down is tested against a
running gunicorn in tests/test_production.py.
"""

import socket
import threading
import time

import pytest
from django.utils import timezone

from booking.models import JobRun, OutboundEmail
from tests.production import free_port

pytestmark = pytest.mark.django_db


class SilentServer:
    """Accepts TCP connections and never says a word (a hung Redis)."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def __enter__(self) -> "SilentServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


def redis_at(settings, url: str) -> None:
    """Point the cache and the queue at ``url`` (a Redis that is not well)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
        }
    }
    settings.HUEY = {"huey_class": "huey.RedisHuey", "name": "healthz", "url": url}


def test_all_well_answers_200_with_each_part(client):
    JobRun.objects.create(name="expire_bookings", last_finished_at=timezone.now())
    OutboundEmail.objects.create(
        kind="booking_confirmed", to_email="a@example.com", subject="s", body_text="b"
    )
    OutboundEmail.objects.create(
        kind="booking_confirmed",
        to_email="b@example.com",
        subject="s",
        body_text="b",
        status=OutboundEmail.Status.FAILED,
    )

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["cache"]) == ("ok", "ok", "ok")
    assert set(body["queue"]) == {"pending", "oldest_seconds", "scheduled"}
    assert body["outbox"] == {"queued": 1, "failed": 1}
    expiry = body["jobs"]["expire_bookings"]
    assert expiry["seconds_ago"] < 60 and expiry["last_run_failed"] is False
    assert body["jobs"]["send_reminders"] == {
        "last_success": None,
        "seconds_ago": None,
        "last_run_failed": False,
    }
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


def test_a_redis_that_never_answers_fails_within_2_seconds(client, settings):
    with SilentServer() as silent:
        redis_at(settings, f"redis://127.0.0.1:{silent.port}/0")
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started

    assert elapsed < 2
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["cache"].startswith("error: TimeoutError")
    assert body["queue"].startswith("error: TimeoutError")


def test_a_redis_that_is_gone_is_named(client, settings):
    redis_at(settings, f"redis://127.0.0.1:{free_port()}/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["cache"].startswith("error: ConnectionError")
    assert body["queue"].startswith("error: ConnectionError")
    assert body["outbox"] == {"queued": 0, "failed": 0}  # the database still answers


def test_no_cookie_no_rate_limit_and_any_host_over_plain_http(client, settings):
    settings.ALLOWED_HOSTS = ["book.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    # More than the public pages' 120 a minute from one address.
    answers = {
        client.get("/healthz", HTTP_HOST="10.0.0.7:8000").status_code
        for _ in range(130)
    }
    assert answers == {200}
    # Other pages keep their host check and HTTPS redirect.
    assert client.get("/book/x/", HTTP_HOST="10.0.0.7:8000").status_code == 400
    assert client.get("/book/x/", HTTP_HOST="book.example.com").status_code == 301


def test_only_reads(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


def test_the_queue_reports_the_age_of_its_oldest_task(client, settings, tmp_path):
    from huey import RedisHuey, SqliteHuey

    from booking.queue import StampedSerializer

    name = f"healthz{time.time_ns()}"
    if settings.REDIS_URL:
        settings.HUEY = {
            "huey_class": "huey.RedisHuey",
            "name": name,
            "url": settings.REDIS_URL,
        }
        huey = RedisHuey(name, url=settings.REDIS_URL, serializer=StampedSerializer())
    else:
        path = str(tmp_path / "huey.sqlite3")
        settings.HUEY = {
            "huey_class": "huey.SqliteHuey",
            "name": name,
            "filename": path,
        }
        huey = SqliteHuey(name, filename=path, serializer=StampedSerializer())

    @huey.task()
    def nothing() -> None:
        pass

    try:
        empty = client.get("/healthz").json()
        nothing()
        nothing()
        body = client.get("/healthz").json()
    finally:
        huey.storage.flush_all()

    assert (empty["queue"]["pending"], empty["queue"]["oldest_seconds"]) == (0, None)
    assert body["queue"]["pending"] == 2
    assert 0 <= body["queue"]["oldest_seconds"] < 30
