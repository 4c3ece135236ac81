"""Fixtures of the notification, email, task and feed tests (helpers: emailing.py)."""

import pytest
from huey.contrib.djhuey import HUEY

from tests.booking.emailing import make_lesson, make_team


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
