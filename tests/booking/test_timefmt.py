"""Times in words (booking/timefmt.py): in a named zone, across DST and midnight."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.timefmt import (
    format_date,
    format_moment,
    format_span,
    format_time,
    zone,
    zone_label,
)
from tests.booking.emailing import NOW

TOKYO, LONDON = ZoneInfo("Asia/Tokyo"), ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("start", "tz", "expected"),
    [
        # The morning London's clocks go forward: 08:00 UTC is 09:00 BST, 17:00 JST.
        (
            datetime(2026, 3, 29, 8, 0, tzinfo=UTC),
            LONDON,
            "Sunday 29 March 2026, 09:00–10:00",
        ),
        (
            datetime(2026, 3, 29, 8, 0, tzinfo=UTC),
            TOKYO,
            "Sunday 29 March 2026, 17:00–18:00",
        ),
        # The day before, 08:00 UTC was still 08:00 GMT.
        (
            datetime(2026, 3, 28, 8, 0, tzinfo=UTC),
            LONDON,
            "Saturday 28 March 2026, 08:00–09:00",
        ),
        # Clocks go back: 01:30 UTC is the second 01:30 in London (GMT).
        (
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            LONDON,
            "Sunday 25 October 2026, 01:30–02:30",
        ),
        # Crossing midnight in Tokyo names both days.
        (
            datetime(2026, 3, 29, 14, 30, tzinfo=UTC),
            TOKYO,
            "Sunday 29 March 2026, 23:30 – Monday 30 March 2026, 00:30",
        ),
    ],
)
def test_format_span(start, tz, expected):
    assert format_span(start, start + timedelta(hours=1), tz) == expected


@pytest.mark.parametrize(
    ("name", "moment", "expected"),
    [
        (
            "Europe/London",
            datetime(2026, 3, 29, 8, 0, tzinfo=UTC),
            "Europe/London (BST)",
        ),
        (
            "Europe/London",
            datetime(2026, 3, 28, 8, 0, tzinfo=UTC),
            "Europe/London (GMT)",
        ),
        ("Asia/Tokyo", NOW, "Asia/Tokyo (JST)"),
        ("Asia/Kolkata", NOW, "Asia/Kolkata (IST)"),
        ("Asia/Dubai", NOW, "Asia/Dubai (GMT+4)"),  # its abbreviation is just "+04"
        ("America/Sao_Paulo", NOW, "America/Sao_Paulo (GMT-3)"),
        ("UTC", NOW, "UTC"),
    ],
)
def test_zone_label_names_the_zone(name, moment, expected):
    assert zone_label(ZoneInfo(name), moment) == expected


def test_moments_and_short_dates():
    moment = datetime(2026, 3, 21, 9, 0, tzinfo=UTC)
    assert format_moment(moment, TOKYO) == "Saturday 21 March 2026 at 18:00"
    assert format_date(moment, TOKYO) == "Sat 21 Mar"
    assert format_time(moment, TOKYO) == "18:00 JST"
    assert format_time(moment, ZoneInfo("Asia/Dubai")) == "13:00 Asia/Dubai"
    assert zone("", "Europe/London").key == "Europe/London"
    assert zone("Not/AZone").key == "UTC"
