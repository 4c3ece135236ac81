"""How the dashboard words times: ``local_text`` says what ``dateformat`` says."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import dateformat, translation

from dashboard.display import local_text

ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "UTC"]
FORMATS = ["D j M Y, H:i T", "D j M Y", "H:i T", "j M, H:i", "D j M", "\\a\\t H:i"]


@pytest.mark.parametrize("fmt", [*FORMATS, "l jS F Y, g:i a e"])
@pytest.mark.parametrize("zone", ZONES)
def test_local_text_is_what_dateformat_writes(zone, fmt):
    tz = zoneinfo.ZoneInfo(zone)
    # Every month, every weekday, both sides of daylight saving changes.
    start = datetime(2026, 1, 1, 0, 7, tzinfo=UTC)
    for hours in range(0, 24 * 400, 37):
        value = start + timedelta(hours=hours)
        assert local_text(value, tz, fmt) == dateformat.format(
            value.astimezone(tz), fmt
        )


def test_local_text_names_days_and_months_in_the_active_language():
    value = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    zone = zoneinfo.ZoneInfo("Europe/Berlin")
    with translation.override("de"):
        expected = dateformat.format(value.astimezone(zone), "D j M Y")
        assert local_text(value, zone, "D j M Y") == expected
    assert local_text(value, zone, "D j M Y") == "Mon 2 Mar 2026"
