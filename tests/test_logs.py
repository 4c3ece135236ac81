"""Structured logs: the formats, the context each line carries, and what never appears.

Booking and task lines: tests/booking/test_eventlog.py. The whole production path
(gunicorn's and the worker's output during a booking, cancel, password reset and
invitation) is scanned in tests/test_production.py.
"""

import json
import logging
import sys

import pytest
from django.urls import reverse

from config.logs import (
    ContextFilter,
    RedactingJsonFormatter,
    RedactingTextFormatter,
    bind,
    log_format,
    logging_config,
    redact,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "GET /bookings/qEYZ-ZyxlQqCkmdHRizWEzf_85uz3tc9/ 200",
            "GET /bookings/[token]/ 200",
        ),
        (
            "https://book.example.com/embed/bookings/AbC_123-x/cancel/?new=1",
            "https://book.example.com/embed/bookings/[token]/cancel/?new=1",
        ),
        ("/calendar/0US4kcgt0Di0NojIsX.ics", "/calendar/[token].ics"),
        (
            "/accounts/reset/MQ/cz1k2p-75c1d6601321761c0b10cb807e5570e9/",
            "/accounts/reset/[uid]/[token]/",
        ),
        ("/accounts/invitation/3cdqj1qiNLrzSef98/", "/accounts/invitation/[token]/"),
        (
            "/accounts/confirm-email/Mg/cn5r0k-1a2b3c4d5e6f/",
            "/accounts/confirm-email/[uid]/[token]/",
        ),
        ("/accounts/confirm-email/send/", "/accounts/confirm-email/send/"),
        ("Bearer blk_B7SuiRYtAbCdEf_gh-ij", "Bearer blk_[token]"),
        ("sent to Ada.Lovelace+work@example.co.uk.", "sent to [email]."),
        ("?email=ada%40example.com&tz=UTC", "?email=[email]&tz=UTC"),
        ("GET /book/swim-school-pro/ 200", "GET /book/swim-school-pro/ 200"),
    ],
)
def test_secrets_and_addresses_are_redacted(text, expected):
    assert redact(text) == expected


def record(message="GET %s %s", args=("/bookings/abc123def/", 200), **extra):
    entry = logging.LogRecord(
        "booking.requests", logging.INFO, __file__, 1, message, args, None
    )
    for name, value in extra.items():
        setattr(entry, name, value)
    return entry


def test_production_lines_are_one_json_object_each():
    formatter = RedactingJsonFormatter()
    try:
        raise ValueError("no booking for ada@example.com")
    except ValueError:
        failed = record("Failed for %s", ("ada@example.com",))
        failed.exc_info = sys.exc_info()
    line = formatter.format(record())
    error = formatter.format(failed)

    assert "\n" not in line and "\n" not in error
    data = json.loads(line)
    assert data["level"] == "INFO" and data["logger"] == "booking.requests"
    assert data["message"] == "GET /bookings/[token]/ 200"
    assert data["time"].endswith("+00:00")
    problem = json.loads(error)
    assert problem["message"] == "Failed for [email]"
    assert "ValueError: no booking for [email]" in problem["exc_info"]


def test_context_fields_join_each_line_of_the_request():
    entry = record()
    with bind(request_id="r-123456789", view="booking:manage", business="swim"):
        ContextFilter().filter(entry)
    data = json.loads(RedactingJsonFormatter().format(entry))
    assert (data["request_id"], data["view"], data["business"]) == (
        "r-123456789",
        "booking:manage",
        "swim",
    )
    text = RedactingTextFormatter().format(entry)
    assert text.endswith(
        "booking.requests: GET /bookings/[token]/ 200 "
        "[request_id=r-123456789 view=booking:manage business=swim]"
    )


def test_json_in_production_text_in_development(monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert (log_format(debug=False), log_format(debug=True)) == ("json", "text")
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    assert log_format(debug=True) == "json"
    config = logging_config(fmt="json", admin_emails=True)
    assert config["handlers"]["console"]["formatter"] == "json"
    assert "mail_admins" in config["loggers"]["huey"]["handlers"]
    assert "mail_admins" not in logging_config(fmt="text")["handlers"]


@pytest.mark.django_db
def test_each_request_logs_one_line_with_its_id(client, business, caplog):
    caplog.set_level(logging.INFO, logger="booking.requests")
    url = reverse("booking:start", args=[business.slug])

    response = client.get(url)
    given = client.get(url, HTTP_X_REQUEST_ID="proxy-req-0001")
    bogus = client.get(url, HTTP_X_REQUEST_ID="<script>")

    lines = [r for r in caplog.records if r.name == "booking.requests"]
    assert len(lines) == 3
    first = lines[0]
    assert first.getMessage() == f"GET {url} 200"
    assert (first.view, first.status, first.business) == (
        "booking:start",
        200,
        business.slug,
    )
    assert first.duration_ms > 0
    assert first.request_id == response["X-Request-ID"]
    assert given["X-Request-ID"] == "proxy-req-0001"
    assert bogus["X-Request-ID"] != "<script>" and len(bogus["X-Request-ID"]) == 32
