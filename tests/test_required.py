"""What production must have set (config/required.py). tests/test_config.py starts
the settings with each of these missing."""

import pytest

from config.required import (
    DEV_SECRET_KEY,
    base_url_problem,
    debug_from,
    production_error,
    production_problems,
    secret_key_is_strong,
)

STRONG = "k7#Qp2!vZ9@mW4$xR8^tL1&nB6*cY3(hJ0)sD5-gF+eU7=aK2~iO9"


@pytest.mark.parametrize(
    ("environ", "debug"),
    [
        ({}, True),  # a checkout with nothing set: make run, the tests
        ({"DATABASE_URL": "postgres://db/x", "REDIS_URL": "redis://r/0"}, True),
        ({"SECRET_KEY": STRONG}, False),
        ({"ALLOWED_HOSTS": "book.example.com"}, False),
        ({"SENDGRID_API_KEY": "SG.x"}, False),
        ({"SENDGRID_API_KEY": "SG.x", "DEBUG": "true"}, True),
        ({"DEBUG": "false"}, False),
        ({"DEBUG": "0"}, False),
    ],
)
def test_debug_is_on_only_where_nothing_of_production_is_set(environ, debug):
    assert debug_from(environ) is debug


@pytest.mark.parametrize(
    "url",
    [
        "https://book.example.com",
        "https://book.example.com/",
        "http://127.0.0.1:8000",
        "https://[::1]:8443",
    ],
)
def test_origins_are_accepted(url):
    assert base_url_problem(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "book.example.com",
        "//book.example.com",
        "javascript://book.example.com",
        "https://book.example.com/x",
        "https://book.example.com#top",
        "https://a:b@book.example.com",
        "https://book.example.com:99999",
        "https://[::1",
    ],
)
def test_anything_else_is_named(url):
    assert "BOOKING_BASE_URL must be an origin" in base_url_problem(url)


def test_secret_keys_as_django_measures_them():
    assert secret_key_is_strong(STRONG)
    assert not secret_key_is_strong(DEV_SECRET_KEY)
    assert not secret_key_is_strong(STRONG[:49])
    assert not secret_key_is_strong("ab" * 40)
    assert not secret_key_is_strong("django-insecure-" + STRONG)


def test_everything_missing_is_listed_in_one_message():
    problems = production_problems(
        secret_key=DEV_SECRET_KEY,
        allowed_hosts=[],
        base_url="",
        email_chosen=False,
        shared_cache=False,
    )
    assert len(problems) == 5
    message = production_error(problems)
    for name in (
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "BOOKING_BASE_URL",
        "SENDGRID_API_KEY",
        "EMAIL_BACKEND",
        "REDIS_URL",
        "ALLOW_LOCAL_MEMORY_CACHE",
        "docs/DEPLOYMENT.md",
        "DEBUG=true",
    ):
        assert name in message
    assert (
        production_problems(
            secret_key=STRONG,
            allowed_hosts=["book.example.com"],
            base_url="https://book.example.com",
            email_chosen=True,
            shared_cache=True,
        )
        == []
    )
