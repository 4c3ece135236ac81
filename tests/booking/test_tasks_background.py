"""Background delivery with a real Huey consumer, and Redis going away.

Huey is not immediate here: tasks go through a real queue to a real consumer (a
consumer in this process's threads, or ``manage.py run_huey`` as a separate process).
Redis outages are staged on a private ``redis-server`` that each test starts and stops
by its process id; the shared Redis is never touched.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection, connections, transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage, SqliteStorage

# run_huey autodiscovers booking.tasks; a consumer in this process needs the import
# to know the periodic jobs.
from booking import tasks  # noqa: F401
from booking.models import BookingRequest, OutboundEmail
from tests.booking.emailing import background_huey, book, received_by, set_settings
from tests.conftest import requires_postgres

ROOT = Path(__file__).resolve().parents[2]
CLIENT = "ada@example.com"
pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(predicate, timeout: float = 20.0, what: str = "it") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what} after {timeout}s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def short_lived_connections():
    """Worker threads close their database connection after each task, so no
    connection outlives the test (the test database must be droppable)."""
    saved = connections.settings["default"]["CONN_MAX_AGE"]
    connections.settings["default"]["CONN_MAX_AGE"] = 0
    yield
    connections.settings["default"]["CONN_MAX_AGE"] = saved


@contextmanager
def running_consumer(huey, *, periodic: bool = False) -> Iterator:
    """A real Huey consumer (scheduler + one worker thread) in this process."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    consumer = huey.create_consumer(
        workers=1,
        worker_type="thread",
        periodic=periodic,
        scheduler_interval=1,
        check_worker_health=False,
        initial_delay=0.05,
        max_delay=0.2,
        shutdown_timeout=10,
    )
    consumer.start()
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)
        for sig, handler in saved.items():  # consumer.start() installed its own
            signal.signal(sig, handler)


def drain(huey, consumer) -> None:
    """Wait for the queue and the schedule to empty, then stop the consumer once its
    workers finish the task in hand: after this nothing is pending, scheduled or
    running, so what has not arrived never will.
    """
    wait_for(
        lambda: huey.pending_count() == 0 and huey.scheduled_count() == 0,
        what="the queue and the schedule to empty",
    )
    consumer.stop(graceful=True)
    assert (huey.pending_count(), huey.scheduled_count()) == (0, 0)


def queue_storage(tmp_path: Path, name: str):
    """The production kind of queue: Redis under CI, a SQLite file otherwise."""
    if django_settings.REDIS_URL:
        return RedisStorage(name, url=django_settings.REDIS_URL)
    return SqliteStorage(name, filename=str(tmp_path / "huey.sqlite3"))


class PrivateRedis:
    """A throwaway redis-server on a free port, started and stopped by its pid."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        wait_for(lambda: self._pings(client), timeout=10, what="redis-server")

    @staticmethod
    def _pings(client) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        self.process = None


# --- a consumer in this process -------------------------------------------------------


def test_a_real_consumer_delivers_in_the_background(
    team, lesson, fake_sendgrid, tmp_path, short_lived_connections
):
    with background_huey(queue_storage(tmp_path, "bg-deliver")) as huey:
        huey.flush()
        booking = book(lesson)  # commits: one task for its 3 emails goes to the queue
        assert fake_sendgrid.received == []
        assert huey.pending_count() == 1
        with running_consumer(huey):
            wait_for(lambda: len(fake_sendgrid.received) == 3, what="3 emails")
        assert huey.pending_count() == 0
        huey.flush()
    (mail,) = received_by(fake_sendgrid, CLIENT)
    assert booking.booking_reference in mail.text
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_500_twice_then_202_with_a_real_consumer(
    team, lesson, fake_sendgrid, tmp_path, settings, short_lived_connections
):
    settings.BOOKING_EMAIL_RETRY_SECONDS = 1  # 1 s, then 2 s
    fake_sendgrid.answer_with(500, 500)
    with background_huey(queue_storage(tmp_path, "bg-retry")) as huey:
        huey.flush()
        book(lesson, client_email="", client_phone="+447700900123")  # team emails
        OutboundEmail.objects.exclude(to_email="olivia.owner@example.com").delete()
        (email,) = OutboundEmail.objects.all()
        with running_consumer(huey) as consumer:
            wait_for(lambda: len(fake_sendgrid.received) == 1, what="the retry")
            drain(huey, consumer)
        huey.flush()
    assert fake_sendgrid.attempts == 3
    assert len(fake_sendgrid.received) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 3)


def test_the_worker_expires_lapsed_requests_in_the_background(
    team, lesson, fake_sendgrid, tmp_path, short_lived_connections
):
    set_settings(team, requires_approval=True)
    lesson.starts_at = timezone.now() + timedelta(days=2)
    lesson.ends_at = lesson.starts_at + timedelta(hours=1)
    lesson.save()
    booking = book(lesson, now=timezone.now() - timedelta(days=2))
    fake_sendgrid.reset()  # the request emails (sent inline) are not the point
    with background_huey(queue_storage(tmp_path, "bg-expire")) as huey:
        huey.flush()
        with running_consumer(huey, periodic=True):  # periodic jobs run at start
            wait_for(lambda: received_by(fake_sendgrid, CLIENT), what="expiry email")
        huey.flush()
    booking.refresh_from_db()
    assert booking.status == BookingRequest.Status.EXPIRED
    (mail,) = received_by(fake_sendgrid, CLIENT)
    assert mail.subject.startswith("Your booking request has expired")


# --- PostgreSQL + Redis: outages and rollbacks ---------------------------------------


def database_url_for_workers() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@contextmanager
def run_huey(
    redis_url: str, fake_host: str, log: Path, **more_env: str
) -> Iterator[subprocess.Popen]:
    """``manage.py run_huey`` as the Procfile's worker runs it, on the test database
    (``more_env``: settings of its own, such as a short email lease)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url_for_workers(),
        "REDIS_URL": redis_url,
        "SENDGRID_API_KEY": "SG.test-key",
        "SENDGRID_API_HOST": fake_host,
        # A SendGrid key alone means production (config/required.py); this worker
        # is the suite's, on its test database.
        "DEBUG": "true",
        "BOOKING_OUTBOX_GRACE_SECONDS": "0",
        "CONN_MAX_AGE": "0",
        "HUEY_WORKERS": "1",
        **more_env,
    }
    with log.open("a") as output:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield worker
    except AssertionError as error:
        raise AssertionError(f"{error}\nrun_huey said:\n{log.read_text()}") from None
    finally:
        os.kill(worker.pid, signal.SIGINT)  # graceful: finish the task at hand
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=5)


@requires_postgres
@pytest.mark.real_clock
def test_redis_down_while_booking_then_the_sweep_sends_it(
    team, lesson, fake_sendgrid, private_redis, tmp_path
):
    with background_huey(RedisStorage(HUEY.name, url=private_redis.url)):
        private_redis.stop()
        booking = book(lesson)  # Redis is down at commit
        private_redis.start()  # back, and empty: the send tasks were never queued
    assert BookingRequest.objects.filter(pk=booking.pk).exists()
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"queued"}
    assert fake_sendgrid.received == []
    with run_huey(private_redis.url, fake_sendgrid.host, tmp_path / "run_huey.log"):
        # The worker's periodic outbox sweep finds the three queued rows.
        wait_for(lambda: len(fake_sendgrid.received) == 3, what="swept emails")
        with background_huey(RedisStorage(HUEY.name, url=private_redis.url)) as huey:
            # Drained: no email task waits or is scheduled for a retry.
            wait_for(
                lambda: (
                    huey.scheduled_count() == 0
                    and not [t for t in huey.pending() if t.name == "send_email"]
                ),
                what="no email task pending or scheduled",
            )
        wait_for(
            lambda: (
                set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
            ),
            what="the rows marked sent",
        )
    assert len(fake_sendgrid.received) == 3
    assert len(received_by(fake_sendgrid, CLIENT)) == 1


@requires_postgres
def test_a_rolled_back_booking_sends_nothing(
    team, lesson, fake_sendgrid, private_redis, short_lived_connections
):
    with (
        background_huey(RedisStorage(HUEY.name, url=private_redis.url)) as huey,
        running_consumer(huey) as consumer,
    ):
        with pytest.raises(RuntimeError), transaction.atomic():
            book(lesson, client_email="rolled@example.com")
            raise RuntimeError("something after the booking failed")
        book(lesson)  # a committed one, to prove the consumer is delivering
        wait_for(lambda: len(fake_sendgrid.received) == 3, what="3 emails")
        drain(huey, consumer)
    assert received_by(fake_sendgrid, "rolled@example.com") == []
    assert len(fake_sendgrid.received) == 3
    assert not BookingRequest.objects.filter(client_email="rolled@example.com").exists()
    assert OutboundEmail.objects.count() == 3
