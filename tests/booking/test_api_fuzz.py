"""Schemathesis fuzzes the live app's /api/openapi.json, public and admin endpoints.

It fails on any 5xx, any status code the schema does not list, and any answer whose
body, content type or headers do not match the schema. Seeded data and dictionaries
of real ids and slugs let the generated requests reach the booking logic instead of
bouncing off 404s; rate limits are raised so 429s do not hide real errors.
"""

import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from booking.models import ApiToken
from tests.booking.api_helpers import days_ahead, session_at, token_for
from tests.factories import (
    BookingRequestFactory,
    BusinessFactory,
    MembershipFactory,
    ServiceFactory,
    UserFactory,
)

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def toml_list(values) -> str:
    return (
        "["
        + ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in values)
        + "]"
    )


@pytest.fixture
def seeded(transactional_db):
    business = BusinessFactory(name="Swim School Pro", slug="swim-school-pro")
    owner = UserFactory(email="fuzz.owner@example.com")
    MembershipFactory(user=owner, business=business, role="owner")
    service = ServiceFactory(business=business, capacity=50)
    sessions = [
        session_at(business, days_ahead(business, day), time(hour), service)
        for day in range(2, 10)
        for hour in (9, 14)
    ]
    requests = [
        BookingRequestFactory(session=sessions[i], status=status)
        for i, status in enumerate(["pending"] * 6 + ["approved"] * 2)
    ]
    # Clients' moves waiting for an answer, for the move approve/reject endpoints.
    requests += [
        BookingRequestFactory(
            session=sessions[10 + i],
            move_to=sessions[12 + i],
            move_expires_at=sessions[10 + i].starts_at,
        )
        for i in range(2)
    ]
    return {
        "token": token_for(owner, business, name="schemathesis"),
        "session_ids": [s.pk for s in sessions],
        "request_ids": [r.pk for r in requests],
    }


def config(seeded) -> str:
    return f"""
[dictionaries.request_ids]
values = {toml_list(seeded["request_ids"])}
[dictionaries.session_ids]
values = {toml_list(seeded["session_ids"])}
[dictionaries.slugs]
values = ["swim-school-pro"]
[dictionaries.emails]
values = ["ada@example.com", "bo.diddley@example.org"]
[dictionaries.zones]
values = ["Europe/London", "Asia/Tokyo", "America/New_York"]

[parameters]
"path.id" = {{ dictionary = "request_ids", probability = 0.6 }}
"path.business_slug" = {{ dictionary = "slugs", probability = 0.7 }}
"query.business" = {{ dictionary = "slugs", probability = 0.5 }}
"query.tz" = {{ dictionary = "zones", probability = 0.5 }}
"body.session_id" = {{ dictionary = "session_ids", probability = 0.6 }}
"body.client_email" = {{ dictionary = "emails", probability = 0.6 }}
"body.client_timezone" = {{ dictionary = "zones", probability = 0.5 }}
"""


def test_schemathesis_finds_no_errors(live_server, seeded, settings, tmp_path):
    settings.BOOKING_API_READ_RATE = "100000/m"
    settings.BOOKING_API_BOOK_RATE = "100000/h"
    config_file = tmp_path / "schemathesis.toml"
    config_file.write_text(config(seeded))
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config_file),
        "run",
        f"{live_server.url}/api/openapi.json",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "15",
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--no-color",
        "--header",
        f"Authorization: Bearer {seeded['token']}",
    ]
    result = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "Tested: 15" in report, report
    assert "failures" not in report.split("SUMMARY")[-1].lower(), report
    # The token authenticated: the admin endpoints were fuzzed, not just refused.
    assert ApiToken.objects.get().last_used_at is not None
    print(report)  # shown with -s: warnings about data the fuzz could not reach
