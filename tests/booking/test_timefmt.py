"""Times in words (booking/timefmt.py): in a named zone, across DST and midnight."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import dateformat, timezone

from booking.timefmt import (
    date_text,
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


MOMENTS = [
    datetime(2027, 3, 28, 0, 59, tzinfo=UTC),  # London's last GMT minute
    datetime(2027, 3, 28, 1, 0, tzinfo=UTC),  # its first BST one
    REPEATED := datetime(2027, 10, 31, 1, 30, tzinfo=UTC),  # London's second 01:30
    datetime(2027, 1, 9, 23, 30, tzinfo=UTC),  # already the 10th in Tokyo
]
FORMATS = [
    "c",
    "Y-m-d",
    "D j M",
    "l j F",
    "j M",
    "F Y",
    "l j F Y",
    "j M Y",
    r"\d\a\y j",
    "j M T",
]


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("tz", [LONDON, TOKYO, ZoneInfo("America/Sao_Paulo")])
@pytest.mark.parametrize("fmt", FORMATS)
def test_date_text_writes_what_djangos_date_format_writes(moment, tz, fmt):
    local = moment.astimezone(tz)
    if "T" in fmt and moment == REPEATED and tz is LONDON:
        # The hour London's clocks repeat: Django names no zone, date_text does.
        assert dateformat.format(local, fmt) == "31 Oct "
        assert date_text(local, fmt) == "31 Oct GMT"
        return
    assert date_text(local, fmt) == dateformat.format(local, fmt)
    day_fmt = fmt.replace("c", "Y-m-d").replace(" T", "")  # a date has no time
    assert date_text(local.date(), day_fmt) == dateformat.format(local.date(), day_fmt)


def test_date_text_leaves_other_letters_to_django():
    moment = datetime(2027, 3, 28, 1, 0, tzinfo=UTC).astimezone(LONDON)
    assert date_text(moment, "N j, Y P T") == "March 28, 2027 2 a.m. BST"


@pytest.mark.parametrize("tz", [LONDON, TOKYO])
def test_the_day_filter_is_the_date_filter_in_the_pages_zone(tz):
    """``|day`` takes the time in the page's zone (``timezone.override``), as
    ``|date`` does; anything not a date is blank, never an error page."""
    page = Template(
        "{% load booking_tags %}"
        '{{ t|day:"l j F" }}|{{ t|date:"l j F" }}|{{ t|day:"c" }}|{{ t|date:"c" }}|'
        '{{ nothing|day:"j M" }}|{{ text|day:"j M" }}'
    )
    moment = datetime(2027, 1, 9, 23, 30, tzinfo=UTC)
    with timezone.override(tz):
        day, date, iso, iso_date, nothing, text = page.render(
            Context({"t": moment, "nothing": None, "text": "soon"})
        ).split("|")
    assert (day, iso) == (date, iso_date)
    assert day == ("Sunday 10 January" if tz is TOKYO else "Saturday 9 January")
    assert (nothing, text) == ("", "")
