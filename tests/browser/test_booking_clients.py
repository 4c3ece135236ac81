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
from tests.browser.booking_helpers import AXE_OPTIONS as OPTIONS
from tests.browser.booking_helpers import make_shop, step_ready
from tests.factories import ServiceFactory, SessionFactory

pytestmark = pytest.mark.browser
AXE = Axe()
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
        page.get_by_role("link", name=re.compile(r"19:00–19:45")).first.click()  # JST
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


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_a_request_is_request_sent_with_no_calendar_buttons(
    browser: Browser, live_server, business, width
):
    settings = business.booking_settings
    settings.requires_approval = True
    settings.save()
    shop = make_shop(business)
    context = _context(browser, live_server, width)
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


def _around_the_clock_change(business):
    """09:00 London on Saturday 28 March (GMT) and Monday 30 March (BST)."""
    business.booking_settings.max_advance_booking_days = 60
    business.booking_settings.save()
    group = ServiceFactory(
        business=business, name="Group Lesson", duration_minutes=45, capacity=3
    )
    for day in (28, 30):
        SessionFactory(
            service=group,
            capacity=3,
            starts_at=datetime(2026, 3, day, 9, tzinfo=business.tz),
        )
    return group


def test_times_show_in_the_device_zone_and_the_business_zone_is_one_click_away(
    browser: Browser, live_server, business
):
    with time_machine.travel(NOW, tick=True):
        group = _around_the_clock_change(business)
        context = _context(browser, live_server, 375, timezone_id="Asia/Tokyo")
        page = context.new_page()

        page.goto(f"/book/{business.slug}/service/{group.pk}/?start=2026-03-27")

        expect(page).to_have_url(re.compile(r"tz=Asia%2FTokyo"))
        expect(page.get_by_text("Times in Asia/Tokyo (JST)")).to_be_visible()
        # London's clocks go forward between the two; Tokyo's do not.
        expect(page.get_by_role("link", name=re.compile("18:00–18:45"))).to_be_visible()
        expect(page.get_by_role("link", name=re.compile("17:00–17:45"))).to_be_visible()

        page.get_by_role(
            "link", name=re.compile("Show times in Swim School Pro's")
        ).click()
        expect(page.get_by_text("Times in Europe/London (GMT)")).to_be_visible()
        expect(page.get_by_role("link", name=re.compile("09:00–09:45"))).to_have_count(
            2
        )
        expect(page).to_have_url(re.compile(r"tz=Europe/London|tz=Europe%2FLondon"))
        # Chosen: a reload keeps it, and the device's zone is one click away.
        page.reload()
        expect(page.get_by_text("Times in Europe/London (GMT)")).to_be_visible()
        expect(
            page.get_by_role("link", name="Show times in Asia/Tokyo")
        ).to_be_visible()
        # Onward steps keep the zone chosen.
        page.get_by_role("link", name=re.compile("09:00–09:45")).first.click()
        step_ready(page, "Your details")
        expect(page.locator(".summary")).to_contain_text("09:00–09:45 Europe/London")
        context.close()


def test_without_javascript_times_stay_in_the_business_zone(
    browser: Browser, live_server, business
):
    with time_machine.travel(NOW, tick=True):
        group = _around_the_clock_change(business)
        context = _context(
            browser,
            live_server,
            1280,
            timezone_id="Asia/Tokyo",
            java_script_enabled=False,
        )
        page = context.new_page()
        page.goto(f"/book/{business.slug}/service/{group.pk}/?start=2026-03-27")

        expect(page.get_by_text("Times in Europe/London (GMT)")).to_be_visible()
        expect(page.get_by_label("Find a time zone")).to_be_hidden()
        page.get_by_text("Time zone: Europe/London").click()
        page.get_by_label("Show times in").select_option("Asia/Tokyo")
        page.get_by_role("button", name="Change time zone").click()
        expect(page.get_by_text("Times in Asia/Tokyo (JST)")).to_be_visible()
        expect(page.get_by_role("link", name=re.compile("17:00–17:45"))).to_be_visible()
        context.close()


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_the_zone_picker_filters_as_you_type_and_enter_picks(
    browser: Browser, live_server, business, width
):
    with time_machine.travel(NOW, tick=True):
        group = _around_the_clock_change(business)
        context = _context(browser, live_server, width, timezone_id="Europe/London")
        page = context.new_page()
        page.goto(f"/book/{business.slug}/service/{group.pk}/?start=2026-03-27")

        summary = page.get_by_text("Time zone: Europe/London")
        summary.focus()
        page.keyboard.press("Enter")  # opens the picker
        search = page.get_by_label("Find a time zone")
        expect(search).to_be_visible()
        search.focus()
        page.keyboard.type("kolkata")
        select = page.get_by_label("Show times in")
        expect(select).to_have_value("Asia/Kolkata")
        expect(page.locator("#tz-found")).to_have_text(
            "1 time zone found, first: Kolkata (UTC+05:30)"
        )
        expect(select.locator("option:not([hidden])")).to_have_count(1)
        page.keyboard.press("Enter")

        expect(page.get_by_text("Times in Asia/Kolkata (IST)")).to_be_visible()
        # 09:00 London: 14:30 IST on Saturday (GMT), 13:30 on Monday (BST).
        expect(page.get_by_role("link", name=re.compile("14:30–15:15"))).to_be_visible()
        expect(page.get_by_role("link", name=re.compile("13:30–14:15"))).to_be_visible()
        assert_accessible(page, "week in a zone picked with the filter")
        context.close()


def test_an_american_reader_gets_a_12_hour_clock(
    browser: Browser, live_server, business
):
    with time_machine.travel(NOW, tick=True):
        group = _around_the_clock_change(business)
        context = _context(
            browser, live_server, 375, timezone_id="Europe/London", locale="en-US"
        )
        page = context.new_page()
        page.goto(f"/book/{business.slug}/service/{group.pk}/?start=2026-03-27")

        expect(
            page.get_by_role("link", name=re.compile("9:00 AM–9:45 AM GMT"))
        ).to_be_visible()
        expect(
            page.get_by_role("link", name=re.compile("9:00 AM–9:45 AM BST"))
        ).to_be_visible()
        page.get_by_role("link", name=re.compile("9:00 AM–9:45 AM BST")).click()
        step_ready(page, "Your details")
        expect(page.locator(".summary")).to_contain_text(
            "Monday 30 March 2026, 9:00 AM–9:45 AM Europe/London (BST)"
        )
        context.close()
