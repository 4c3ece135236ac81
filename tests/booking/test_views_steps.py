"""The public booking steps: routes, service list, week view, time zones, details."""

import zoneinfo
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from booking.models import BusinessSlugRedirect
from tests.booking.views_helpers import (
    details_url,
    local_at,
    make_session,
    text,
    week_url,
)
from tests.conftest import HTMX
from tests.factories import (
    BookingRequestFactory,
    BusinessFactory,
    ServiceFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


def start_url(business) -> str:
    return reverse("booking:start", args=[business.slug])


# --- routes ---------------------------------------------------------------------------


def test_alternative_link_redirects_permanently(client, business):
    response = client.get(f"/{business.slug}/book/?tz=Asia/Tokyo")
    assert response.status_code == 301
    assert response["Location"] == f"/book/{business.slug}/?tz=Asia/Tokyo"


def test_alternative_link_never_shadows_the_site(client):
    assert client.get("/admin/").status_code == 302  # the admin's login redirect
    assert client.get("/admin/book/").status_code in {302, 404}
    assert client.get("/admin/book/")["Location"].startswith("/admin/login/")


def test_an_old_slug_redirects_every_step_to_the_new_one(client, business):
    session = make_session(business)
    old = business.slug
    business.slug = "swim-school-new"
    business.save()
    assert BusinessSlugRedirect.objects.filter(old_slug=old).exists()

    response = client.get(f"/book/{old}/")
    assert (response.status_code, response["Location"]) == (
        301,
        "/book/swim-school-new/",
    )
    response = client.get(f"/book/{old}/service/{session.service_id}/?tz=Asia/Tokyo")
    assert response.status_code == 301
    assert response["Location"] == (
        f"/book/swim-school-new/service/{session.service_id}/?tz=Asia/Tokyo"
    )
    response = client.get(f"/embed/{old}/")
    assert response["Location"] == "/embed/swim-school-new/"
    # A form posted to the old address keeps its method.
    response = client.post(f"/book/{old}/time/{session.pk}/", {})
    assert response.status_code == 308
    assert response["Location"] == f"/book/swim-school-new/time/{session.pk}/"


def test_unknown_slug_gets_a_friendly_404(client):
    response = client.get("/book/no-such-business/")
    assert response.status_code == 404
    assert "We could not find this booking page" in text(response)
    assert "no-such-business" in text(response)


def test_unknown_slug_in_a_swap_gets_the_fragment(client):
    response = client.get("/book/no-such-business/", **HTMX)
    assert response.status_code == 404
    assert "<html" not in response.content.decode()
    assert "We could not find this booking page" in text(response)


def test_inactive_link_shows_the_contact_details(client, business):
    business.booking_settings.is_active = False
    business.booking_settings.save()
    session = make_session(business)
    for url in (
        start_url(business),
        week_url(business, session.service),
        details_url(business, session),
    ):
        response = client.get(url)
        assert response.status_code == 200
        page = text(response)
        assert "is not taking online bookings right now" in page
        assert f'href="tel:{business.phone}"' in page
        assert f'href="mailto:{business.email}"' in page
        assert 'name="token"' not in page


# --- step 1: services -----------------------------------------------------------------


def test_prices_are_shown_in_the_business_currency(client, business):
    business.currency = "EUR"
    business.save()
    service = ServiceFactory(
        business=business, name="Private Lesson", duration_minutes=90, price=12.5
    )
    session = SessionFactory(service=service, starts_at=local_at(business, 3, 9, 0))
    page = text(client.get(start_url(business)))
    assert "Price €12.50" in page and "1 h 30 min" in page
    details = client.get(reverse("booking:details", args=[business.slug, session.pk]))
    assert "1 h 30 min · Price €12.50" in text(details)


def test_start_lists_active_services_with_duration_price_and_group_size(
    client, business
):
    ServiceFactory(
        business=business,
        name="Private Lesson",
        duration_minutes=60,
        price=Decimal("50.00"),
    )
    group = ServiceFactory(
        business=business, name="Group Lesson", duration_minutes=45, capacity=6
    )
    ServiceFactory(business=business, name="Old Course", is_active=False)
    ServiceFactory(business=BusinessFactory(), name="Someone Else's")
    SessionFactory(service=group, capacity=6, starts_at=local_at(business, 3, 17, 30))

    response = client.get(start_url(business))

    page = text(response)
    assert response.status_code == 200
    assert "Private Lesson" in page
    assert "1 h" in page and "45 min" in page
    assert "Price £50.00" in page
    assert "Group of up to 6" in page
    assert "Old Course" not in page
    assert "Someone Else's" not in page
    assert "No online times open right now" in page  # the private lesson
    assert "17:30" in page and "Europe/London" in page  # the group's next time
    assert '<li aria-current="step" class="is-current">' in page
    assert 'aria-label="Booking steps"' in page


def test_header_shows_the_business_and_its_contact_links(client, business):
    page = text(client.get(start_url(business)))
    assert f'<h1 class="biz__name">{business.name}</h1>' in page
    assert business.description in page
    assert business.address in page
    assert f'<a href="tel:{business.phone}">' in page
    assert f'<a href="mailto:{business.email}">' in page


def test_a_swap_gets_only_the_step_fragment(client, business):
    response = client.get(start_url(business), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    # A <title> first (HTMX sets the page's title from it), then the step.
    assert body.lstrip().startswith(
        '<title>Book online · Swim School Pro</title>\n<section id="step"'
    )
    assert "<html" not in body
    assert response["HX-Push-Url"] == start_url(business)
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(client, business):
    response = client.get(
        start_url(business), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
    )
    assert "<html" in response.content.decode()


# --- step 2: the week -----------------------------------------------------------------


def test_week_shows_slots_in_the_business_zone_by_default(client, business):
    session = make_session(business, days=2, hour=9, capacity=3)
    BookingRequestFactory(session=session)

    response = client.get(week_url(business, session.service))

    page = text(response)
    assert response.status_code == 200
    assert "Times in Europe/London" in page
    assert ">09:00</time>–<time" in page
    assert "2 spots left" in page
    assert details_url(business, session) in page
    assert '<li aria-current="step" class="is-current">' in page


def test_a_client_far_away_sees_their_own_local_times(client, business):
    session = make_session(business, days=2, hour=9)
    tokyo = session.starts_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))

    response = client.get(week_url(business, session.service, tz="Asia/Tokyo"))

    page = text(response)
    assert "Times in Asia/Tokyo (JST)" in page
    assert f">{tokyo:%H:%M}</time>" in page
    assert f"{tokyo:%A} {tokyo.day} {tokyo:%B}" in page
    # Every link onwards keeps the chosen zone.
    assert details_url(business, session) + "?tz=Asia%2FTokyo" in page


def test_an_unknown_zone_falls_back_to_the_business_zone_with_a_notice(
    client, business
):
    session = make_session(business, days=2, hour=9)
    response = client.get(week_url(business, session.service, tz="Mars/Olympus"))
    page = text(response)
    assert response.status_code == 200
    assert "We do not know the time zone “Mars/Olympus”" in page
    assert "Times in Europe/London" in page
    assert ">09:00</time>" in page


def test_the_zone_picker_offers_zones_and_marks_the_one_in_use(client, business):
    session = make_session(business)
    page = text(client.get(week_url(business, session.service, tz="Asia/Tokyo")))
    assert '<option value="Asia/Tokyo" selected>' in page
    assert '<option value="Europe/London">' in page
    assert 'data-tz-offer data-tz-current="Asia/Tokyo"' in page


def test_a_full_session_is_not_offered(client, business):
    session = make_session(business, days=2, hour=9)
    BookingRequestFactory(session=session)
    page = text(client.get(week_url(business, session.service)))
    assert details_url(business, session) not in page
    assert "No times are open" in page


def test_the_first_week_has_no_previous_and_the_last_has_no_next(client, business):
    business.booking_settings.max_advance_booking_days = 10
    business.booking_settings.save()
    session = make_session(business, days=1)
    service = session.service

    first = text(client.get(week_url(business, service)))
    assert "Previous week</span>" in first and 'rel="prev"' not in first
    assert 'rel="next"' in first

    later = (timezone.now().astimezone(business.tz).date() + timedelta(7)).isoformat()
    second = text(client.get(week_url(business, service, start=later)))
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second  # day 14 is past the 10-day window


@pytest.mark.parametrize("start", ["1999-01-01", "2999-01-01", "not-a-date"])
def test_a_week_outside_the_window_is_brought_back_inside(client, business, start):
    session = make_session(business, days=1, hour=9)
    response = client.get(week_url(business, session.service, start=start))
    assert response.status_code == 200
    page = text(response)
    if start.startswith("2999"):
        assert 'rel="next"' not in page
    else:
        assert details_url(business, session) in page


def test_an_empty_week_offers_a_jump_to_the_next_week_with_a_time(client, business):
    session = make_session(business, days=16, hour=9)
    today = timezone.now().astimezone(business.tz).date()

    page = text(client.get(week_url(business, session.service)))

    assert "No times are open this week." in page
    jump = week_url(business, session.service, start=(today + timedelta(14)))
    assert f'href="{jump}"' in page


def test_a_service_with_no_times_at_all_says_so(client, business):
    service = ServiceFactory(business=business)
    page = text(client.get(week_url(business, service)))
    assert "No times are open for online booking for this service" in page


@pytest.mark.parametrize("whose", ["other business", "inactive"])
def test_a_service_that_is_not_offered_here_is_404(client, business, whose):
    if whose == "inactive":
        service = ServiceFactory(business=business, is_active=False)
    else:
        service = ServiceFactory(business=BusinessFactory())
    response = client.get(week_url(business, service))
    assert response.status_code == 404
    assert "This service is not offered online" in text(response)


def _next_transition(zone: zoneinfo.ZoneInfo, after: datetime) -> datetime:
    """The first hour after ``after`` at which ``zone`` changes its UTC offset."""
    moment = after.replace(minute=0, second=0, microsecond=0)
    offset = moment.astimezone(zone).utcoffset()
    for _ in range(24 * 370):
        moment += timedelta(hours=1)
        if moment.astimezone(zone).utcoffset() != offset:
            return moment
    raise AssertionError("no transition within a year")


# On a Wednesday (weeks run Wednesday to Tuesday): the days either side of 28 March
# 2027's change fall in one week, whatever day the suite runs.
@time_machine.travel(datetime(2027, 3, 10, 12, tzinfo=UTC), tick=False)
def test_times_across_a_dst_change_keep_their_wall_clock(client, business):
    """Sessions at 09:00 London the days before and after a clock change."""
    business.booking_settings.max_advance_booking_days = 365
    business.booking_settings.save()
    change = _next_transition(business.tz, timezone.now() + timedelta(days=2))
    day_after = change.astimezone(business.tz).date() + timedelta(1)
    day_before = day_after - timedelta(2)
    service = ServiceFactory(business=business)
    before, after = (
        SessionFactory(
            service=service,
            starts_at=datetime(d.year, d.month, d.day, 9, tzinfo=business.tz),
        )
        for d in (day_before, day_after)
    )
    assert before.starts_at.utcoffset() != after.starts_at.utcoffset()

    page = text(client.get(week_url(business, service, start=day_before.isoformat())))
    labels = {before.starts_at.tzname(), after.starts_at.tzname()}
    assert labels == {"GMT", "BST"}
    for session in (before, after):
        assert f'<time datetime="{session.starts_at.isoformat()}">09:00</time>' in page
        assert f'title="Europe/London">{session.starts_at.tzname()}</abbr>' in page


# --- step 3: details ------------------------------------------------------------------


def test_details_show_the_time_in_the_client_zone_and_the_business_zone(
    client, business
):
    session = make_session(business, days=3, hour=9)
    tokyo = session.starts_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))

    response = client.get(details_url(business, session, tz="Asia/Tokyo"))

    page = text(response)
    assert response.status_code == 200
    assert f"{tokyo:%H:%M}</time>–" in page and "Asia/Tokyo (JST)" in page
    assert "Swim School Pro's time:" in page and ", 09:00–10:00 Europe/London" in page
    assert 'name="token"' in page
    assert '<li aria-current="step" class="is-current">' in page
    assert 'action="' + details_url(business, session) + '?tz=Asia%2FTokyo"' in page
    assert 'name="website"' in page  # the honeypot
    # Labels, hints and required state are wired for assistive technology.
    assert '<label for="id_client_name">Your name' in page
    assert 'aria-describedby="id_client_phone_hint"' in page


def test_details_in_the_business_zone_show_one_time(client, business):
    session = make_session(business, days=3, hour=9)
    page = text(client.get(details_url(business, session)))
    assert "Swim School Pro's time:" not in page
    assert "09:00</time>–10:00 Europe/London" in page


def test_details_of_another_business_session_are_not_found(client, business):
    other = make_session(BusinessFactory(), days=3)
    response = client.get(details_url(business, other))
    assert response.status_code == 404
    assert "We could not find that time" in text(response)


def test_details_of_a_taken_time_show_the_refreshed_week(client, business):
    session = make_session(business, days=3, hour=9)
    BookingRequestFactory(session=session)
    response = client.get(details_url(business, session))
    assert response.status_code == 409
    page = text(response)
    assert "That time was just taken" in page
    assert "Choose a time" in page
    assert 'name="token"' not in page


def test_details_of_a_time_outside_the_window_say_why(client, business):
    business.booking_settings.max_advance_booking_days = 5
    business.booking_settings.save()
    session = make_session(business, days=9, hour=9)
    response = client.get(details_url(business, session))
    assert response.status_code == 409
    assert "too far ahead to book yet" in text(response)


def test_an_old_zone_alias_works_and_stays_selected(client, business):
    session = make_session(business)
    page = text(client.get(week_url(business, session.service, tz="US/Eastern")))
    assert "Times in US/Eastern" in page
    assert '<optgroup label="Chosen"> <option value="US/Eastern" selected>' in page


def test_an_unknown_zone_on_the_booking_page_falls_back_with_a_notice(client, business):
    booking = BookingRequestFactory(session=make_session(business, days=3, hour=9))
    url = reverse("booking:manage", args=[booking.access_token]) + "?tz=Nowhere/City"
    page = text(client.get(url))
    assert "We do not know the time zone “Nowhere/City”" in page
    assert "09:00</time>–10:00 Europe/London" in page


def test_no_other_client_data_appears_on_public_pages(client, business):
    session = make_session(business, days=3, hour=9, capacity=4)
    BookingRequestFactory(
        session=session,
        client_name="Private Person",
        client_email="private.person@example.com",
        client_phone="+447700900999",
        notes="Secret note",
    )
    pages = [
        client.get(reverse("booking:start", args=[business.slug])),
        client.get(week_url(business, session.service)),
        client.get(details_url(business, session)),
    ]
    assert "3 spots left" in text(pages[1])
    for response in pages:
        body = response.content.decode()
        for secret in ("Private Person", "private.person@", "900999", "Secret note"):
            assert secret not in body
