"""Fixtures of the notification, email, task and feed tests (helpers: emailing.py)."""

from collections.abc import Iterator

import pytest
from huey.contrib.djhuey import HUEY

from tests.booking.emailing import make_lesson, make_team
from tests.booking.test_tasks_background import PrivateRedis


@pytest.fixture(autouse=True)
def _empty_queue():
    """Retries scheduled by one test must not linger in the in-memory queue."""
    HUEY.flush()
    yield
    if HUEY.immediate:
        HUEY.flush()


@pytest.fixture
def team(business, owner, staff):
    """Swim School Pro with Olivia (owner) and Sam (staff)."""
    return make_team(business)


@pytest.fixture
def lesson(team):
    """A private lesson at 09:00 London on 29 March 2026, as clocks go forward."""
    return make_lesson(team)


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    """A throwaway redis-server of the test's own, to stop and start at will."""
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()
