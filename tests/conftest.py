"""Shared fixtures: named people, a business, the fake SendGrid server, the browser."""

import os
from datetime import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from booking.accounts import email_confirm
from booking.steps import forget_reach
from config.cache import breaker_reset
from tests.factories import (
    BusinessFactory,
    MembershipFactory,
    UserFactory,
)
from tests.fake_sendgrid import FakeSendGridServer

# The ORM and sync Playwright share a thread in browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The header htmx sends: a request for a fragment (``client.get(url, **HTMX)``).
HTMX = {"HTTP_HX_REQUEST": "true"}


def csp(response) -> dict[str, list[str]]:
    """A response's Content-Security-Policy, directive -> sources (one header)."""
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


# Property tests (hypothesis): "ci", the default, tries the same examples on every run
# (derandomized, no example database) so a failure is reproducible from the suite's
# output; "thorough" (HYPOTHESIS_PROFILE=thorough) searches far longer, with fresh
# random examples each run, for a developer hunting bugs (docs/DEVELOPMENT.md).
hypothesis_settings.register_profile(
    "ci",
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile(
    "thorough",
    max_examples=1000,
    stateful_step_count=60,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def on_postgres() -> bool:
    return django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


requires_postgres = pytest.mark.skipif(
    not on_postgres(),
    reason="row locks and real concurrency need PostgreSQL (CI sets DATABASE_URL)",
)


def pytest_configure(config: pytest.Config) -> None:
    # pytest-django turns DEBUG off, so pages would link the hashed names that only
    # `make build` (collectstatic) knows; tests serve static/ as it is. The
    # production path is tested by tests/test_production.py.
    django_settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    if os.environ.get("REQUIRE_SERVICES"):
        # CI must test the production stack; never fall back to the embedded one.
        if not on_postgres():
            pytest.exit("REQUIRE_SERVICES is set but DATABASE_URL is not PostgreSQL", 3)
        if "redis" not in django_settings.CACHES["default"]["BACKEND"].lower():
            pytest.exit("REQUIRE_SERVICES is set but REDIS_URL is not set", 3)
        import redis

        try:
            redis.Redis.from_url(django_settings.REDIS_URL).ping()
        except redis.RedisError as exc:
            pytest.exit(
                f"Redis cannot be reached at {django_settings.REDIS_URL}: {exc}", 3
            )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Under CI every test must run: a skip there is a part of the product unproven.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if (
        os.environ.get("REQUIRE_SERVICES")
        and reporter
        and reporter.stats.get("skipped")
    ):
        reporter.write_line(
            "CI ERROR: tests were skipped under REQUIRE_SERVICES; every test must run.",
            red=True,
        )
        session.exitstatus = 1


# The determinism audit (docs/DEVELOPMENT.md): BOOKING_TEST_NOW=2026-10-25T00:30Z runs
# the suite as if started at that instant (time-machine; the clock ticks on from it),
# to find tests that depend on the day they run. Processes a test starts (gunicorn,
# run_huey) and the browser keep the real clock.
TEST_NOW = os.environ.get("BOOKING_TEST_NOW", "")


@pytest.fixture(autouse=True, scope="session")
def _clock_at_test_now():
    if not TEST_NOW:
        yield
        return
    instant = datetime.fromisoformat(TEST_NOW)
    if instant.tzinfo is None:
        raise pytest.UsageError(
            "BOOKING_TEST_NOW needs an offset, e.g. 2026-03-29T00:30Z"
        )
    with time_machine.travel(instant, tick=True):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """PBKDF2 costs a large part of a second per user; no test here is about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clean_cache_and_queue():
    """Rate-limit counters and cached pages must not leak from one test to the next,
    nor an open Redis breaker (a test that breaks Redis would switch the limits and
    the availability cache off for the next 10 s)."""
    from huey.contrib.djhuey import HUEY

    breaker_reset()
    cache.clear()
    forget_reach()  # ids come round again (SQLite reuses them after a rollback)
    HUEY.immediate = True  # tasks run inline unless a test starts a real consumer
    yield
    breaker_reset()  # a test that stopped Redis must not leave it skipped
    cache.clear()


# --- people and businesses ------------------------------------------------------------


@pytest.fixture
def business(db):
    return BusinessFactory(name="Swim School Pro", timezone="Europe/London")


@pytest.fixture
def owner(business):
    """An owner who confirmed her email address (she may invite her team)."""
    user = UserFactory(email="olivia.owner@example.com", first_name="Olivia")
    MembershipFactory(user=user, business=business, role="owner")
    email_confirm(user=user)
    return user


@pytest.fixture
def staff(business):
    user = UserFactory(email="sam.staff@example.com", first_name="Sam")
    MembershipFactory(user=user, business=business, role="staff")
    return user


@pytest.fixture
def other_business(db):
    return BusinessFactory(name="Tutor Town", timezone="America/New_York")


@pytest.fixture
def other_owner(other_business):
    user = UserFactory(email="oscar.other@example.com", first_name="Oscar")
    MembershipFactory(user=user, business=other_business, role="owner")
    return user


# --- email ----------------------------------------------------------------------------


@pytest.fixture
def fake_sendgrid(settings):
    """A running fake SendGrid API; Django's email reaches it via the real client."""
    with FakeSendGridServer() as fake:
        settings.SENDGRID_API_KEY = "SG.test-key"
        settings.SENDGRID_API_HOST = fake.host
        settings.EMAIL_BACKEND = "booking.email_backend.SendGridBackend"
        yield fake


# --- browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM_PATH,
        # A device in the shop's zone unless a test says otherwise (timezone_id): the
        # booking pages show times in the device's zone (booking.js).
        "env": {**os.environ, "TZ": "Europe/London"},
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser(browser):
    """Every context speaks British English unless a test says otherwise (``locale``):
    Playwright's default, en-US, would put the booking pages on a 12-hour clock."""
    new_context = browser.new_context

    def british(**options):
        options.setdefault("locale", "en-GB")
        return new_context(**options)

    browser.new_context = british
    return browser


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "base_url": live_server.url}
