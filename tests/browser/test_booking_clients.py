"""What a client sees on the week, details and confirmation steps (issue 15, clients):
the first time on screen on a phone, a month overview to jump by, one "email or phone"
error with the summary kept, one name for the booking's state; axe at 375 and 1280 px.
"""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from booking.models import BookingRequest
from tests.browser.booking_helpers import make_shop, step_ready
from tests.factories import ServiceFactory, SessionFactory

pytestmark = pytest.mark.browser
AXE = Axe()
OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
MESSAGE = "Please give an email address or a phone number so we can reach you."
NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)  # a Friday; London's clocks change 29 March


def assert_accessible(page: Page, step: str) -> None:
    results = AXE.run(page, options=OPTIONS)
    assert results.violations_count == 0, f"{step}:\n{results.generate_report()}"


def _context(browser: Browser, live_server, width: int, **kw):
    height = 667 if width < 600 else 900
    return browser.new_context(
        viewport={"width": width, "height": height},
        base_url=live_server.url,
        **kw,
    )


def _lessons(business):
    """A group lesson of 3 on Sunday 22 March (one place taken) and on 8 April."""
    business.booking_settings.max_advance_booking_days = 60
    business.booking_settings.save()
    group = ServiceFactory(
        business=business, name="Group Lesson", duration_minutes=45, capacity=3
    )
    first = SessionFactory(
        service=group,
        capacity=3,
        starts_at=datetime(2026, 3, 22, 10, tzinfo=business.tz),
    )
    SessionFactory(
        service=group,
        capacity=3,
        starts_at=datetime(2026, 4, 8, 10, tzinfo=business.tz),
    )
    from tests.factories import BookingRequestFactory

    BookingRequestFactory(session=first)
    return group


def test_on_a_phone_the_first_time_is_on_screen_without_scrolling(
    browser: Browser, live_server, business
):
    shop = make_shop(business)
    context = _context(browser, live_server, 375, timezone_id="Asia/Tokyo")
    page = context.new_page()

    page.goto(f"/book/{business.slug}/service/{shop.private.pk}/")

    first = page.locator(".slot").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert page.evaluate("window.scrollY") == 0
    assert box["y"] >= 0 and box["y"] + box["height"] <= 667, box
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_the_month_overview_jumps_to_a_date_with_times(
    browser: Browser, live_server, business, javascript
):
    with time_machine.travel(NOW, tick=True):
        group = _lessons(business)
        context = _context(browser, live_server, 1280, java_script_enabled=javascript)
        page = context.new_page()
        page.goto(f"/book/{business.slug}/service/{group.pk}/")
        page.evaluate("window.sameDocument = true")

        month = page.get_by_role("region", name="March 2026")
        expect(
            month.get_by_role("link", name="Sunday 22 March, times open")
        ).to_be_visible()
        month.get_by_role("link", name="Next month").click()
        april = page.get_by_role("region", name="April 2026")
        expect(april).to_be_visible()
        april.get_by_role("link", name="Wednesday 8 April, times open").click()

        if javascript:
            step_ready(page, "Choose a time")
        expect(page.get_by_role("heading", name="3 Apr – 9 Apr 2026")).to_be_visible()
        expect(
            page.get_by_role("link", name=re.compile(r"10:00–10:45"))
        ).to_be_visible()
        expect(page).to_have_url(re.compile(r"start=2026-04-08"))
        # htmx swapped the step in place; without JavaScript each was a page load.
        assert page.evaluate("window.sameDocument === true") is javascript
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_no_contact_is_one_error_on_the_pair_and_the_summary_stays(
    browser: Browser, live_server, business, javascript
):
    with time_machine.travel(NOW, tick=True):
        group = _lessons(business)
        context = _context(browser, live_server, 375, java_script_enabled=javascript)
        page = context.new_page()
        page.goto(f"/book/{business.slug}/service/{group.pk}/")
        page.get_by_role("link", name=re.compile(r"10:00–10:45")).first.click()
        expect(page.get_by_role("heading", name="Your details")).to_be_visible()
        contact = page.get_by_role("group", name="Email or phone (at least one)")
        expect(
            contact.get_by_label("Email", exact=True)
        ).to_have_accessible_description(
            re.compile("Give an email address, a phone number or both")
        )

        page.get_by_label("Your name").fill("Ada Lovelace")
        page.get_by_role("button", name="Book this time").click()

        expect(page.get_by_text("Please check your details")).to_be_visible()
        # Once in the summary (a link to the pair), once on the pair: not per field.
        expect(page.get_by_text(MESSAGE)).to_have_count(2)
        expect(contact.get_by_text(MESSAGE)).to_have_count(1)
        email = contact.get_by_label("Email", exact=True)
        expect(email).to_be_focused()
        expect(email).to_have_accessible_description(re.compile(MESSAGE))
        expect(page.get_by_label("Your name")).to_have_value("Ada Lovelace")
        summary = page.locator(".summary")
        expect(summary).to_contain_text("2 spots left")
        expect(summary).to_contain_text("Sunday 22 March 2026, 10:00")

        contact.get_by_label("Phone").fill("+44 7700 900123")
        page.get_by_role("button", name="Book this time").click()
        expect(page.get_by_role("heading", name="Booked", exact=True)).to_be_visible()
        assert BookingRequest.objects.filter(client_name="Ada Lovelace").count() == 1
        context.close()


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_the_changed_client_pages_have_no_axe_violations(
    browser: Browser, live_server, business, width
):
    with time_machine.travel(NOW, tick=True):
        group = _lessons(business)
        context = _context(browser, live_server, width, timezone_id="Asia/Tokyo")
        page = context.new_page()

        page.goto(f"/book/{business.slug}/service/{group.pk}/")
        expect(page.get_by_role("region", name="March 2026")).to_be_visible()
        assert_accessible(page, "week with its month")

        page.goto(f"/book/{business.slug}/service/{group.pk}/?start=2026-03-27")
        expect(page.get_by_text("No times are open this week.")).to_be_visible()
        assert_accessible(page, "empty week")

        page.goto(f"/book/{business.slug}/service/{group.pk}/")
        page.get_by_role("link", name=re.compile(r"10:00–10:45")).first.click()
        step_ready(page, "Your details")
        page.get_by_role("button", name="Book this time").click()
        expect(page.get_by_text("Please check your details")).to_be_visible()
        assert_accessible(page, "details with the contact error")

        page.get_by_label("Your name").fill("Ada Lovelace")
        page.get_by_label("Email", exact=True).fill("ada@example.com")
        page.get_by_role("button", name="Book this time").click()
        step_ready(page, "Booked")
        expect(page.get_by_text("We emailed you at ada@example.com.")).to_be_visible()
        expect(page.get_by_role("link", name="Add to Google Calendar")).to_be_visible()
        assert_accessible(page, "confirmation")

        booking = BookingRequest.objects.get(client_name="Ada Lovelace")
        page.goto(reverse("booking:embed_booked", args=[booking.access_token]))
        expect(page.get_by_role("heading", name="Booked", exact=True)).to_be_visible()
        expect(page.get_by_text("private link")).to_have_count(0)
        assert_accessible(page, "widget confirmation")
        context.close()


def test_a_request_is_request_sent_with_no_calendar_buttons(
    browser: Browser, live_server, business
):
    settings = business.booking_settings
    settings.requires_approval = True
    settings.save()
    shop = make_shop(business)
    context = _context(browser, live_server, 375)
    page = context.new_page()

    page.goto(f"/book/{business.slug}/service/{shop.private.pk}/")
    page.get_by_role("link", name=re.compile(r"09:00–10:00")).click()
    step_ready(page, "Your details")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_role("button", name="Send booking request").click()

    step_ready(page, "Request sent")
    expect(page.get_by_text("We emailed you at ada@example.com.")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Request sent")
    expect(
        page.get_by_role("link", name=re.compile("Calendar|Outlook|.ics"))
    ).to_have_count(0)
    expect(page.get_by_text("You can add it to your calendar once")).to_be_visible()
    assert_accessible(page, "request sent")
    context.close()
