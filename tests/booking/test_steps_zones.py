"""The time zone picker: canonical zones only, by region, each with its offset now;
aliases shown under their current names. The clock is fixed (time_machine)."""

import re
import zoneinfo
from datetime import UTC, datetime

import pytest
import time_machine

from booking.steps import canonical_zone, timezone_groups, utc_offset
from tests.booking.views_helpers import make_session, text, week_url

JANUARY = datetime(2026, 1, 15, 12, tzinfo=UTC)
JULY = datetime(2026, 7, 15, 12, tzinfo=UTC)


def _options(now):
    return {o.name: (region, o) for region, opts in timezone_groups(now) for o in opts}


def test_only_canonical_zones_are_offered():
    names = set(_options(JANUARY))
    for alias in (
        "Factory",
        "localtime",
        "W-SU",
        "US/Eastern",
        "Asia/Calcutta",
        "Europe/Kiev",
        "Etc/GMT+5",
        "Etc/UTC",
        "GB",
        "EST5EDT",
        "Japan",
    ):
        assert alias not in names, alias
    for zone in (
        "Europe/London",
        "Asia/Kolkata",
        "Europe/Kyiv",
        "Europe/Amsterdam",  # a country's zone (zone.tab), though tzdata links it
        "America/Argentina/Buenos_Aires",
        "Pacific/Chatham",
        "UTC",
    ):
        assert zone in names, zone
    assert 300 < len(names) < 450


def test_zones_are_grouped_by_region_with_their_offset_now():
    groups = timezone_groups(JULY)
    regions = [region for region, _ in groups]
    assert regions[-1] == "Other"
    assert {"Africa", "America", "Asia", "Europe", "Pacific"} <= set(regions)
    options = _options(JULY)
    assert options["Europe/London"][0] == "Europe"
    assert options["Europe/London"][1].place == "London"
    assert options["Europe/London"][1].offset == "UTC+01:00"  # BST in July
    assert _options(JANUARY)["Europe/London"][1].offset == "UTC+00:00"
    assert options["Asia/Kolkata"][1].offset == "UTC+05:30"
    assert options["America/Sao_Paulo"][1].offset == "UTC−03:00"
    assert options["America/Argentina/Buenos_Aires"][1].place == (
        "Argentina/Buenos Aires"
    )
    for region, opts in groups:
        names = [o.name for o in opts]
        assert names == sorted(names)
        assert all(n == "UTC" or n.startswith(region + "/") for n in names)


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("US/Eastern", "America/New_York"),
        ("W-SU", "Europe/Moscow"),
        ("Etc/UTC", "UTC"),
        ("Europe/London", "Europe/London"),
        ("Etc/GMT+5", "Etc/GMT+5"),  # no offered equivalent: kept
    ],
)
def test_an_alias_is_shown_under_its_current_name(asked, shown):
    assert canonical_zone(asked) == shown


def test_offsets_read_as_people_write_them():
    assert utc_offset(zoneinfo.ZoneInfo("Asia/Kathmandu"), JULY) == "UTC+05:45"
    assert utc_offset(zoneinfo.ZoneInfo("America/St_Johns"), JANUARY) == "UTC−03:30"
    assert utc_offset(zoneinfo.ZoneInfo("UTC"), JULY) == "UTC+00:00"


@pytest.mark.django_db
def test_the_picker_lists_regions_offsets_and_a_filter_box(client, business):
    with time_machine.travel(JULY, tick=False):
        session = make_session(business, days=3)
        page = text(client.get(week_url(business, session.service)))

    assert '<optgroup label="Europe">' in page and '<optgroup label="Other">' in page
    assert '<option value="Europe/London" selected>London (UTC+01:00)</option>' in page
    assert '<option value="Asia/Tokyo">Tokyo (UTC+09:00)</option>' in page
    assert 'value="Factory"' not in page and 'value="W-SU"' not in page
    # The filter box waits for JavaScript; the select works without it.
    assert re.search(r'<div class="tz__find" data-tz-find hidden>', page)
    assert '<label for="tz-filter">Find a time zone</label>' in page
    # Shown in the business's zone by default: booking.js may switch to the device's.
    assert (
        'data-tz-current="Europe/London" data-tz-business="Europe/London" data-tz-auto>'
    ) in page
    assert "Show times in Swim School Pro's time zone" not in page


@pytest.mark.django_db
def test_the_picker_is_rendered_for_the_hour_and_the_zone_shown(client, business):
    """The options are rendered once an hour per zone shown and kept: one kept
    across a clock change, or for another zone, must never be served."""
    session = make_session(business, days=200)
    url = week_url(business, session.service)
    london = '<option value="Europe/London"{}>London (UTC+0{}:00)</option>'
    pages = {}
    for moment in (JULY, JANUARY, JULY):
        for tz in ("", "?tz=Asia/Tokyo"):
            with time_machine.travel(moment, tick=False):
                pages[moment, tz] = text(client.get(url + tz))

    assert london.format(" selected", 1) in pages[JULY, ""]
    assert london.format(" selected", 0) in pages[JANUARY, ""]
    assert london.format("", 1) in pages[JULY, "?tz=Asia/Tokyo"]
    assert london.format("", 0) in pages[JANUARY, "?tz=Asia/Tokyo"]
    assert '<option value="Asia/Tokyo" selected>' in pages[JANUARY, "?tz=Asia/Tokyo"]
    assert '<option value="Asia/Tokyo">' in pages[JANUARY, ""]


@pytest.mark.django_db
def test_in_another_zone_the_business_zone_is_one_click_away(client, business):
    session = make_session(business, days=3)

    page = text(client.get(week_url(business, session.service, tz="Asia/Tokyo")))

    start = re.search(r'name="start" value="([0-9-]+)"', page).group(1)
    link = f"{week_url(business, session.service)}?start={start}&amp;tz=Europe/London"
    assert (
        f'<a href="{link}">Show times in Swim School Pro\'s time zone '
        "(Europe/London)</a>"
    ) in page
    assert "data-tz-auto" not in page


@pytest.mark.django_db
def test_a_zone_with_no_current_name_is_listed_as_chosen(client, business):
    session = make_session(business, days=3)

    page = text(client.get(week_url(business, session.service, tz="Etc/GMT%2B5")))

    assert "Times in Etc/GMT+5 (GMT-5)" in page
    assert (
        '<optgroup label="Chosen"> <option value="Etc/GMT+5" selected>'
        "Etc/GMT+5 (UTC−05:00)</option>"
    ) in page
