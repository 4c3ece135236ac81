"""Limits on password guessing (dashboard/logins.py): failed logins counted per
account and per client IP, on the dashboard's login and the admin's; a locked-out
login is refused before its password is checked, says so, offers a password reset,
and the start of each lockout is logged without the password.
"""

import logging

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
WRONG = "not-the-password-1"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_RATE_ACCOUNT = "3/15m"
    settings.LOGIN_RATE_IP = "6/h"


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.com", is_staff=True)


def log_in(client, username, password, *, url=LOGIN, ip="198.51.100.7"):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def test_an_account_is_locked_after_its_failures_even_for_the_right_password(
    client, ada
):
    for _ in range(3):
        refused = log_in(client, "ada@example.com", WRONG)
        assert refused.status_code == 200
        assert "That email and password do not match" in refused.content.decode()
    locked = log_in(client, "ada@example.com", DEFAULT_PASSWORD)
    html = locked.content.decode()
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert "Too many failed attempts to log in to this account" in html
    assert f'href="{reverse("password_reset")}"' in html
    assert not logged_in(client)


def test_the_account_count_ignores_case_and_the_address_it_comes_from(client, ada):
    for n, username in enumerate(
        ["ADA@example.com", "Ada@Example.com", "ada@example.com"]
    ):
        log_in(client, username, WRONG, ip=f"203.0.113.{n}")
    locked = log_in(client, "ada@example.com", DEFAULT_PASSWORD, ip="192.0.2.99")
    assert locked.status_code == 429
    assert not logged_in(client)


def test_one_address_guessing_many_accounts_is_locked_out(client, ada):
    for n in range(6):
        log_in(client, f"someone{n}@example.com", WRONG)
    locked = log_in(client, "ada@example.com", DEFAULT_PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins from your network" in locked.content.decode()
    assert not logged_in(client)
    # Another address is not affected.
    assert (
        log_in(client, "ada@example.com", DEFAULT_PASSWORD, ip="192.0.2.1").status_code
        == 302
    )
    assert logged_in(client)


def test_a_new_password_is_the_way_back_in(client, ada):
    for _ in range(3):
        log_in(client, "ada@example.com", WRONG)
    assert log_in(client, "ada@example.com", DEFAULT_PASSWORD).status_code == 429
    ada.set_password("a-brand-new-password-7")  # what the reset link's page does
    ada.save()
    assert (
        log_in(client, "ada@example.com", "a-brand-new-password-7").status_code == 302
    )
    assert logged_in(client)


def test_a_successful_login_below_the_limit_is_not_held_back(client, ada):
    for _ in range(2):
        log_in(client, "ada@example.com", WRONG)
    assert log_in(client, "ada@example.com", DEFAULT_PASSWORD).status_code == 302


def test_the_admin_login_is_limited_too_and_shares_the_count(client, ada):
    log_in(client, "ada@example.com", WRONG)
    log_in(client, "ada@example.com", WRONG, url=ADMIN_LOGIN)
    log_in(client, "ada@example.com", WRONG, url=ADMIN_LOGIN)
    locked = log_in(client, "ada@example.com", DEFAULT_PASSWORD, url=ADMIN_LOGIN)
    assert locked.status_code == 429
    assert "Too many failed attempts to log in to this account" in (
        locked.content.decode()
    )
    assert not logged_in(client)


def test_each_lockout_is_logged_once_without_the_password(client, ada, caplog):
    caplog.set_level(logging.INFO, logger="booking.security")
    for _ in range(5):
        log_in(client, "ada@example.com", WRONG)
    records = [r for r in caplog.records if r.name == "booking.security"]
    (lockout,) = records
    assert lockout.levelno == logging.WARNING
    assert (lockout.event, lockout.scope) == ("login_lockout", "account")
    assert lockout.client_ip == "198.51.100.7"
    assert len(lockout.account) == 12 and "ada" not in lockout.account
    assert lockout.retry_after > 0
    for record in records:
        text = record.getMessage() + repr(vars(record))
        assert WRONG not in text and "ada@example.com" not in text
