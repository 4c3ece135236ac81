"""axe-core finds no accessibility violations on any step of the booking flow."""

import re
import zoneinfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.booking_helpers import AXE_OPTIONS as OPTIONS
from tests.browser.booking_helpers import make_shop

pytestmark = pytest.mark.browser
AXE = Axe()


def assert_accessible(page: Page, step: str) -> None:
    results = AXE.run(page, options=OPTIONS)
    assert results.violations_count == 0, f"{step}:\n{results.generate_report()}"


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_every_step_has_no_axe_violations(
    browser: Browser, live_server, business, width
):
    shop = make_shop(business)
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        base_url=live_server.url,
        timezone_id="Asia/Tokyo",  # times switch to it; London one click away
    )
    page = context.new_page()

    page.goto(shop.start_path)
    assert_accessible(page, "service")

    page.get_by_role("link", name="Group Lesson").click()
    expect(page.get_by_role("heading", name="Choose a time")).to_be_visible()
    expect(page.get_by_text("Times in Asia/Tokyo")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile("Show times in Swim School Pro's"))
    ).to_be_visible()
    assert_accessible(page, "week")

    evening = shop.evening.starts_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    page.get_by_role("link", name=re.compile(f"{evening:%H:%M}–")).click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    assert_accessible(page, "details")

    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_text("Please check your details")).to_be_visible()
    assert_accessible(page, "details with errors")

    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Phone").fill("+44 7700 900123")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", name="Booked", exact=True)).to_be_visible()
    assert_accessible(page, "confirmation")

    page.get_by_role("link", name="Cancel this booking").click()
    expect(page.get_by_role("heading", name="Cancel your booking?")).to_be_visible()
    assert_accessible(page, "cancel")
    context.close()


def test_the_other_pages_have_no_axe_violations(page: Page, business):
    shop = make_shop(business)
    page.goto(f"/book/{business.slug}/service/{shop.private.pk}/?start=2999-01-01")
    expect(page.get_by_text("No times are open this week or later")).to_be_visible()
    assert_accessible(page, "empty week")

    page.goto("/book/no-such-business/")
    assert_accessible(page, "unknown business")

    settings = business.booking_settings
    settings.is_active = False
    settings.save()
    page.goto(shop.start_path)
    expect(page.get_by_text("is not taking online bookings")).to_be_visible()
    assert_accessible(page, "inactive link")


def test_the_scan_does_find_violations_when_there_are_some(page: Page):
    """A canary: the same scan fails a page with an unlabelled field and no landmark."""
    page.set_content("<html><body><input type=text><img src=x.png></body></html>")
    results = AXE.run(page, options=OPTIONS)
    found = {violation["id"] for violation in results.response["violations"]}
    assert {"label", "image-alt"} <= found
