"""A client books through the public pages in Chromium: with and without JavaScript,
from Tokyo, with back/forward, on a 375 px phone. No cookies, ever."""

import re
import zoneinfo

import pytest
from playwright.sync_api import Browser, Page, expect

from booking.models import BookingRequest
from tests.browser.booking_helpers import Shop, make_shop, step_ready

pytestmark = pytest.mark.browser
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


@pytest.fixture
def shop(business) -> Shop:
    return make_shop(business)


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{width}px wide in a {viewport}px viewport"


def book_morning(page: Page, shop: Shop, *, check=lambda page: None) -> None:
    """Service → week → 09:00 → details → confirmation, checking each step."""
    page.goto(shop.start_path)
    expect(page.get_by_role("heading", name="Choose a service")).to_be_visible()
    check(page)
    page.get_by_role("link", name="Private Lesson").click()
    expect(page.get_by_role("heading", name="Choose a time")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/service/{shop.private.pk}/"))
    check(page)
    page.get_by_role("link", name=re.compile(r"09:00–10:00")).click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/time/{shop.morning.pk}/"))
    check(page)
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", name="Booked", exact=True)).to_be_visible()
    check(page)


def count_steps_in_this_document(page: Page) -> None:
    # A counter on window survives HTMX swaps but not page loads.
    page.evaluate("window.stepsSeen = (window.stepsSeen || 0) + 1")


def test_full_flow_with_javascript(page: Page, shop: Shop):
    book_morning(page, shop, check=count_steps_in_this_document)

    booking = BookingRequest.objects.get()
    assert booking.session == shop.morning
    assert booking.client_name == "Ada Lovelace"
    assert booking.status == BookingRequest.Status.APPROVED
    assert page.evaluate("window.stepsSeen") == 4  # HTMX swapped every step in
    expect(page).to_have_url(re.compile(rf"/bookings/{booking.access_token}/"))
    expect(page.get_by_text(booking.booking_reference)).to_be_visible()
    expect(page.get_by_role("link", name="Add to Google Calendar")).to_be_visible()
    expect(page).to_have_title(f"Booking {booking.booking_reference} · Swim School Pro")
    assert page.context.cookies() == []


def test_a_new_step_is_live_the_moment_it_appears(page: Page, shop: Shop):
    """No moment shows a step whose links htmx has not boosted yet (a click then
    would load a whole page) or whose focus and scroll are still to move."""
    page.goto(shop.start_path)
    # A MutationObserver reports right after the swap's task, before any input.
    page.evaluate(
        """() => {
        window.firstSight = null;
        new MutationObserver(() => {
            const slot = document.querySelector('#step a.slot');
            if (!slot || window.firstSight) return;
            window.firstSight = {
                boosted: (slot['htmx-internal-data'] || {}).boosted === true,
                focused: document.activeElement.id === 'step-heading',
            };
        }).observe(document.querySelector('main'), {childList: true, subtree: true});
    }"""
    )
    page.get_by_role("link", name="Private Lesson").click()
    step_ready(page, "Choose a time")
    assert page.evaluate("window.firstSight") == {"boosted": True, "focused": True}


def test_focus_follows_the_step_and_the_first_error(page: Page, shop: Shop):
    page.goto(shop.start_path)
    page.get_by_role("link", name="Private Lesson").click()
    expect(page.get_by_role("heading", name="Choose a time")).to_be_focused()
    page.get_by_role("link", name=re.compile(r"09:00–10:00")).click()
    expect(page.get_by_role("heading", name="Your details")).to_be_focused()
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email", exact=True).fill("not-an-email")
    page.get_by_role("button", name="Book this time").click()

    email = page.get_by_label("Email", exact=True)
    expect(email).to_be_focused()
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(
        re.compile("Enter an email address like name@example.com")
    )
    assert not BookingRequest.objects.exists()


def test_a_field_is_checked_when_the_client_leaves_it(page: Page, shop: Shop):
    page.goto(f"/book/{shop.business.slug}/time/{shop.morning.pk}/")
    email = page.get_by_label("Email", exact=True)
    email.fill("ada@example")
    email.press("Tab")  # on to the phone field

    expect(
        page.get_by_text("Enter an email address like name@example.com.")
    ).to_be_visible()
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Phone")).to_be_focused()  # the check did not steal focus
    email.fill("ada@example.com")
    email.press("Tab")
    expect(email).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Enter an email address like")).to_have_count(0)
    assert not BookingRequest.objects.exists()


def test_full_flow_without_javascript(browser: Browser, live_server, shop: Shop):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()

    book_morning(page, shop)

    booking = BookingRequest.objects.get()
    assert booking.session == shop.morning
    expect(page).to_have_url(re.compile(rf"/bookings/{booking.access_token}/\?new=1"))
    # Errors work too, with the first field in error focused by autofocus alone.
    page.goto(f"/book/{shop.business.slug}/time/{shop.late_morning.pk}/")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_text("Please enter your name.").first).to_be_visible()
    expect(page.get_by_label("Your name")).to_be_focused()
    assert BookingRequest.objects.count() == 1
    assert context.cookies() == []
    context.close()


def test_a_client_in_tokyo_books_a_london_business(
    browser: Browser, live_server, shop: Shop
):
    context = browser.new_context(timezone_id="Asia/Tokyo", base_url=live_server.url)
    page = context.new_page()
    tokyo = shop.morning.starts_at.astimezone(TOKYO)
    tokyo_end = shop.morning.ends_at.astimezone(TOKYO)

    page.goto(shop.start_path)
    expect(page).to_have_url(re.compile(r"tz=Asia%2FTokyo"))  # the device's zone
    page.get_by_role("link", name="Private Lesson").click()

    expect(page.get_by_text("Times in Asia/Tokyo (JST)")).to_be_visible()
    expect(page.locator("#tz-select")).to_have_value("Asia/Tokyo")
    slot = page.get_by_role("link", name=re.compile(f"{tokyo:%H:%M}–{tokyo_end:%H:%M}"))
    expect(slot).to_contain_text("JST")
    slot.click()

    summary = page.locator(".summary")
    expect(summary).to_contain_text(f"{tokyo:%H:%M}–{tokyo_end:%H:%M} Asia/Tokyo (JST)")
    expect(summary).to_contain_text("Swim School Pro's time:")
    expect(summary).to_contain_text("09:00–10:00 Europe/London")
    page.get_by_label("Your name").fill("Yui Tanaka")
    page.get_by_label("Phone").fill("+81 90-1234-5678")
    page.get_by_role("button", name="Book this time").click()

    when = page.locator(".facts")
    expect(when).to_contain_text(f"{tokyo:%H:%M}–{tokyo_end:%H:%M} Asia/Tokyo (JST)")
    expect(when).to_contain_text("09:00–10:00 Europe/London")
    booking = BookingRequest.objects.get()
    assert booking.client_timezone == "Asia/Tokyo"
    assert booking.client_phone == "+819012345678"
    context.close()


def test_the_zone_picker_changes_the_times(page: Page, shop: Shop):
    page.goto(f"/book/{shop.business.slug}/service/{shop.private.pk}/")
    page.get_by_text("Time zone: Europe/London").click()
    page.get_by_role("combobox", name="Show times in").select_option("America/New_York")
    page.get_by_role("button", name="Change time zone").click()
    new_york = shop.morning.starts_at.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    expect(page.get_by_text("Times in America/New_York")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile(f"{new_york:%H:%M}–"))
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"tz=America%2FNew_York"))


def test_back_and_forward_move_between_steps(page: Page, shop: Shop):
    page.goto(shop.start_path)
    page.get_by_role("link", name="Private Lesson").click()
    expect(page.get_by_role("heading", name="Choose a time")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"09:00–10:00")).click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(re.compile(rf"/service/{shop.private.pk}/$"))
    expect(page.get_by_role("heading", name="Choose a time")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/book/{shop.business.slug}/$"))
    expect(page.get_by_role("heading", name="Choose a service")).to_be_visible()
    page.go_forward()
    expect(page.get_by_role("heading", name="Choose a time")).to_be_visible()
    page.go_forward()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    # The restored step still works.
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", name="Booked", exact=True)).to_be_visible()


def test_back_after_booking_never_books_twice(
    browser: Browser, live_server, shop: Shop
):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    book_morning(page, shop)
    confirmation = page.url
    page.reload()
    expect(page.get_by_role("heading", name="Booked", exact=True)).to_be_visible()

    page.go_back()  # Chromium asks the server again: the time is no longer open
    expect(page.get_by_text("That time was just taken")).to_be_visible()
    page.go_forward()
    assert page.url == confirmation
    assert BookingRequest.objects.count() == 1
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_double_click_makes_one_booking(
    browser: Browser, live_server, shop: Shop, javascript: bool
):
    context = browser.new_context(
        java_script_enabled=javascript, base_url=live_server.url
    )
    page = context.new_page()
    page.goto(f"/book/{shop.business.slug}/time/{shop.group.sessions.get().pk}/")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_role("button", name="Book this time").dblclick()
    expect(page.get_by_role("heading", name="Booked", exact=True)).to_be_visible()
    assert BookingRequest.objects.count() == 1
    context.close()


def test_a_375px_phone_never_scrolls_sideways(
    browser: Browser, live_server, shop: Shop
):
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, base_url=live_server.url
    )
    page = context.new_page()

    book_morning(page, shop, check=no_horizontal_scroll)

    page.get_by_role("link", name="Cancel this booking").click()
    expect(page.get_by_role("heading", name="Cancel your booking?")).to_be_visible()
    no_horizontal_scroll(page)
    page.get_by_role("button", name="Yes, cancel my booking").click()
    expect(page.get_by_text("This booking is cancelled.")).to_be_visible()
    no_horizontal_scroll(page)
    assert BookingRequest.objects.get().status == BookingRequest.Status.CANCELLED
    assert context.cookies() == []
    context.close()
