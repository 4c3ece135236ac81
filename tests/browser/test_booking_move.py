"""A client moves their booking from its private page in Chromium: with JavaScript
(HTMX steps, focus on each new step) and without (plain links and posts), on a
375 px phone, in the widget; axe finds nothing on the new pages. No cookies."""

import re
import zoneinfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from booking.models import BookingRequest
from tests.browser.booking_helpers import AXE_OPTIONS as OPTIONS
from tests.browser.booking_helpers import Shop, make_shop, step_ready
from tests.factories import BookingRequestFactory

pytestmark = pytest.mark.browser


def assert_accessible(page: Page, step: str) -> None:
    results = Axe().run(page, options=OPTIONS)
    assert results.violations_count == 0, f"{step}:\n{results.generate_report()}"


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth")


@pytest.fixture
def shop(business) -> Shop:
    return make_shop(business)


@pytest.fixture
def ada(shop) -> BookingRequest:
    """Ada's private lesson at 09:00 London, the day after tomorrow."""
    return BookingRequestFactory(
        session=shop.morning, client_name="Ada Lovelace", client_email="ada@example.com"
    )


def manage_path(booking: BookingRequest, *, embed: bool = False) -> str:
    return f"/{'embed/' if embed else ''}bookings/{booking.access_token}/"


def test_a_client_moves_with_javascript(page: Page, shop: Shop, ada):
    page.goto(manage_path(ada))
    page.evaluate("window.sameDocument = true")  # survives HTMX swaps, not page loads

    page.get_by_role("link", name="Change time").click()
    step_ready(page, "Choose a new time")
    expect(page).to_have_url(re.compile(rf"/bookings/{ada.access_token}/move/"))
    current = page.locator("[aria-current='true']", has_text="09:00–10:00")
    expect(current).to_contain_text("your current time")
    expect(page.get_by_role("link", name=re.compile(r"^09:00"))).to_have_count(0)

    page.get_by_role("link", name=re.compile(r"11:00–12:00")).click()
    step_ready(page, "Move your booking?")
    expect(page.get_by_text("From")).to_be_visible()

    page.get_by_role("button", name="Move to this time").click()
    step_ready(page, "Your booking has moved")
    expect(
        page.get_by_text("Moved: your booking is now at the time below")
    ).to_be_visible()
    assert page.evaluate("window.sameDocument") is True
    ada.refresh_from_db()
    assert ada.session == shop.late_morning
    assert ada.booking_reference in page.content()
    assert page.context.cookies() == []


def test_a_client_moves_without_javascript(browser: Browser, live_server, shop, ada):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto(manage_path(ada))

    page.get_by_role("link", name="Change time").click()
    expect(page.get_by_role("heading", name="Choose a new time")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"11:00–12:00")).click()
    expect(page.get_by_role("heading", name="Move your booking?")).to_be_visible()
    page.get_by_role("button", name="Move to this time").click()

    expect(page.get_by_role("heading", name="Your booking has moved")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?moved=1$"))
    ada.refresh_from_db()
    assert ada.session == shop.late_morning
    # Back to the form: it is not offered again (the booking is there already).
    page.go_back()
    expect(page.get_by_role("alert")).to_contain_text("already at this time")
    expect(page.get_by_role("button", name="Move to this time")).to_have_count(0)
    assert ada.events.count() == 1
    assert context.cookies() == []
    context.close()


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_the_move_pages_have_no_axe_violations(
    browser: Browser, live_server, business, shop, ada, width
):
    business.booking_settings.requires_approval = True
    business.booking_settings.save()
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        base_url=live_server.url,
        timezone_id="Asia/Tokyo",
    )
    page = context.new_page()
    page.goto(manage_path(ada))
    assert_accessible(page, "booking page")

    page.get_by_role("link", name="Change time").click()
    step_ready(page, "Choose a new time")
    no_horizontal_scroll(page)
    assert_accessible(page, "week")

    # The device's zone, Tokyo: the pages switch to it (booking.js).
    late = shop.late_morning.starts_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    page.get_by_role("link", name=re.compile(f"{late:%H:%M}–")).click()
    step_ready(page, "Ask to move your booking?")
    no_horizontal_scroll(page)
    assert_accessible(page, "confirm")

    page.get_by_role("button", name="Ask to move to this time").click()
    step_ready(page, "Change of time requested")
    expect(page.get_by_text("You asked to move this booking to")).to_be_visible()
    assert_accessible(page, "move requested")
    ada.refresh_from_db()
    assert (ada.session, ada.move_to) == (shop.morning, shop.late_morning)
    context.close()


def test_a_time_taken_meanwhile_shows_the_refreshed_week(page: Page, shop: Shop, ada):
    page.goto(f"{manage_path(ada)}move/{shop.late_morning.pk}/")
    expect(page.get_by_role("heading", name="Move your booking?")).to_be_visible()
    BookingRequestFactory(session=shop.late_morning)  # another client got there first

    page.get_by_role("button", name="Move to this time").click()

    step_ready(page, "Choose a new time")
    expect(page.get_by_role("alert")).to_contain_text("That time was just taken")
    expect(page.get_by_role("link", name=re.compile(r"11:00–12:00"))).to_have_count(0)
    assert_accessible(page, "just taken")
    ada.refresh_from_db()
    assert ada.session == shop.morning


def test_the_widget_moves_inside_its_frame(page: Page, shop: Shop, ada):
    page.goto(manage_path(ada, embed=True))
    page.get_by_role("link", name="Change time").click()
    step_ready(page, "Choose a new time")
    expect(page).to_have_url(re.compile(r"/embed/bookings/"))
    page.get_by_role("link", name=re.compile(r"11:00–12:00")).click()
    step_ready(page, "Move your booking?")
    page.get_by_role("button", name="Move to this time").click()
    step_ready(page, "Your booking has moved")
    expect(page).to_have_url(re.compile(r"/embed/bookings/.+\?moved=1"))
    ada.refresh_from_db()
    assert ada.session == shop.late_morning
