"""The queue seen from outside the worker (booking/queue.py), on a real queue store:
Redis under CI, a SQLite file otherwise."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from huey import RedisHuey, SqliteHuey
from huey.serializer import Serializer

from booking.queue import StampedSerializer, _without_timeouts, queue_figures


@pytest.fixture
def queue(settings, tmp_path):
    """A private queue of the production kind, and the settings that point at it."""
    name = f"queue{time.time_ns()}"
    if settings.REDIS_URL:
        config = {
            "huey_class": "huey.RedisHuey",
            "name": name,
            "url": settings.REDIS_URL,
        }
        huey = RedisHuey(name, url=settings.REDIS_URL, serializer=StampedSerializer())
    else:
        path = str(tmp_path / "huey.sqlite3")
        config = {"huey_class": "huey.SqliteHuey", "name": name, "filename": path}
        huey = SqliteHuey(name, filename=path, serializer=StampedSerializer())
    yield huey, config
    huey.storage.flush_all()


def test_a_stamped_message_reads_back_and_knows_when_it_was_queued():
    serializer = StampedSerializer()
    before = time.time()
    data = serializer.serialize({"task": "send_email", "args": (7,)})
    assert serializer.deserialize(data) == {"task": "send_email", "args": (7,)}
    assert before <= StampedSerializer.enqueued_at(data) <= time.time()


def test_a_message_queued_before_stamps_still_runs_without_an_age():
    old = Serializer().serialize(("send_email", (7,)))
    assert StampedSerializer().deserialize(old) == ("send_email", (7,))
    assert StampedSerializer.enqueued_at(old) is None


def test_length_age_of_the_next_task_and_scheduled_ones(queue):
    huey, config = queue

    @huey.task()
    def nothing() -> None:
        pass

    empty = queue_figures(config)
    assert (empty.pending, empty.scheduled, empty.oldest_seconds) == (0, 0, None)
    first_queued = time.time()
    nothing()
    nothing()
    later = nothing.s()
    later.eta = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1)
    huey.add_schedule(later)  # as the consumer files a delayed task

    figures = queue_figures(config, now=first_queued + 100)

    assert (figures.pending, figures.scheduled) == (2, 1)
    assert 99 <= figures.oldest_seconds <= 100


def test_the_queue_url_loses_its_long_timeouts_keeps_the_rest():
    url = "redis://:pw@cache:6380/2?socket_connect_timeout=2&socket_timeout=10&ssl_cert_reqs=none"
    assert _without_timeouts(url) == "redis://:pw@cache:6380/2?ssl_cert_reqs=none"
