"""The week step shows only the days that have times, and a month overview whose
dates with times link to their week. The clock is fixed (Friday 20 March 2026, noon
UTC) so weeks start on a known day, whatever day the suite runs."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from tests.booking.views_helpers import details_url, text, week_url
from tests.factories import ServiceFactory, SessionFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def service(business):
    business.booking_settings.max_advance_booking_days = 60
    business.booking_settings.save()
    return ServiceFactory(business=business, name="Private Lesson")


def _at(business, day: date, hour: int):
    return datetime(day.year, day.month, day.day, hour, tzinfo=business.tz)


def _session(service, day: date, hour: int = 10):
    return SessionFactory(service=service, starts_at=_at(service.business, day, hour))


def test_only_the_days_with_times_are_listed(client, business, service):
    sunday = _session(service, date(2026, 3, 22))
    tuesday = _session(service, date(2026, 3, 24), hour=15)

    page = text(client.get(week_url(business, service)))

    assert "20 Mar – 26 Mar 2026" in page
    assert page.count('<li class="day">') == 2
    assert "Sunday 22 March" in page and "Tuesday 24 March" in page
    for empty in ("Friday 20 March", "Saturday 21 March", "Monday 23 March"):
        assert empty not in page
    assert "No times" not in page
    for session in (sunday, tuesday):
        assert details_url(business, session) in page


def test_an_empty_week_keeps_its_jump_without_seven_empty_rows(
    client, business, service
):
    _session(service, date(2026, 4, 8))

    page = text(client.get(week_url(business, service)))

    assert "No times are open this week." in page
    jump = week_url(business, service, start="2026-04-03")
    assert f'href="{jump}">Go to the next week with a time (3 Apr)</a>' in page
    assert '<ol class="days"' not in page and "No times</p>" not in page


def test_the_month_links_each_date_with_times_to_its_week(client, business, service):
    _session(service, date(2026, 3, 22))
    _session(service, date(2026, 3, 31))
    _session(service, date(2026, 4, 8))

    page = text(client.get(week_url(business, service)))

    assert '<h3 class="month__title" id="month-heading">March 2026</h3>' in page
    for day in ("2026-03-22", "2026-03-31"):
        assert (
            f'<a class="month__day" href="{week_url(business, service, start=day)}"'
            in (page)
        )
    assert 'aria-label="Tuesday 31 March, times open">31</a>' in page
    assert '<span class="month__none">23</span>' in page  # no times: not a link
    assert "2026-04-08" not in page  # another month
    # Next month, no previous one: the window starts today.
    assert f'href="{week_url(business, service, start="2026-04-01")}"' in page
    assert "Previous month" not in page


def test_a_later_month_shows_its_own_dates_and_leads_back(client, business, service):
    _session(service, date(2026, 3, 22))
    _session(service, date(2026, 4, 8))

    page = text(client.get(week_url(business, service, start="2026-04-01")))

    assert '<h3 class="month__title" id="month-heading">April 2026</h3>' in page
    assert f'href="{week_url(business, service, start="2026-04-08")}"' in page
    assert "2026-03-22" not in page
    assert f'href="{week_url(business, service, start="2026-03-20")}"' in page
    assert "Previous month" in page


def test_the_month_stops_at_the_end_of_the_booking_window(client, business, service):
    business.booking_settings.max_advance_booking_days = 20  # until 9 April
    business.booking_settings.save()
    _session(service, date(2026, 4, 8))

    page = text(client.get(week_url(business, service, start="2026-04-01")))

    assert f'href="{week_url(business, service, start="2026-04-08")}"' in page
    assert "Next month" not in page


def test_typed_details_travel_with_a_month_jump(client, business, service):
    _session(service, date(2026, 3, 22))
    _session(service, date(2026, 3, 31))

    response = client.post(
        week_url(business, service), {"carry": "1", "client_name": "Ada Lovelace"}
    )

    page = text(response)
    jump = week_url(business, service, start="2026-03-31")
    assert f'<button type="submit" class="month__day" formaction="{jump}"' in page
    assert '<input type="hidden" name="client_name" value="Ada Lovelace">' in page


def test_the_week_across_a_clock_change_in_a_far_zone(client, business, service):
    """London's clocks go forward on 29 March; Tokyo's do not: 09:00 London is 17:00
    JST before the change and 16:00 JST after, each day listed under Tokyo's date."""
    before = _session(service, date(2026, 3, 28), hour=9)
    after = _session(service, date(2026, 3, 30), hour=9)

    page = text(
        client.get(week_url(business, service, tz="Asia/Tokyo", start="2026-03-27"))
    )

    assert "Saturday 28 March" in page and "Monday 30 March" in page
    assert page.count('<li class="day">') == 2
    assert f"{details_url(business, before)}?tz=Asia%2FTokyo" in page
    assert '<time datetime="2026-03-28T18:00:00+09:00">18:00</time>' in page
    assert '<time datetime="2026-03-30T17:00:00+09:00">17:00</time>' in page
    assert after.starts_at.utcoffset() != before.starts_at.utcoffset()
