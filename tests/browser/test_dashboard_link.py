"""The booking link page in a browser: copy the widget's line, see it live, choose the
websites that may show it (saved in place).
"""

import pytest
from playwright.sync_api import Page, expect

from booking.links import widget_snippet
from tests.browser.dashboard_support import log_in, mark_page, was_not_reloaded
from tests.factories import ServiceFactory

pytestmark = pytest.mark.browser


def test_the_owner_copies_the_line_previews_it_and_lists_a_website(
    page: Page, live_server, owner, business
):
    ServiceFactory(business=business, name="Private Lesson")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server.url, owner)
    page.goto(f"/dashboard/{business.pk}/link/")
    mark_page(page)

    page.get_by_role("button", name="Copy snippet", exact=True).click()
    expect(page.locator("#widget-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == widget_snippet(business)

    # The live preview is the widget itself, sized to its first step by embed.js.
    preview = page.locator(".widget-preview iframe")
    expect(preview).to_have_attribute("title", "Preview: book with Swim School Pro")
    widget = page.frame_locator(".widget-preview iframe")
    expect(widget.get_by_role("heading", name="Choose a service")).to_be_visible()
    expect(widget.get_by_role("link", name="Private Lesson")).to_be_visible()
    expect(preview).not_to_have_css("height", "480px")

    field = page.get_by_label("Websites that may show the widget")
    field.fill("https://www.swimschool.example\nexample.com")
    page.get_by_role("button", name="Save websites").click()
    expect(page.get_by_label("Websites that may show the widget")).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(page.locator("#widget-websites")).to_contain_text(
        "Not an origin: example.com."
    )
    page.get_by_label("Websites that may show the widget").fill(
        "https://www.swimschool.example/"
    )
    page.get_by_role("button", name="Save websites").click()
    expect(page.locator("#widget-websites [data-saved]")).to_be_visible()
    expect(page.locator("[data-policy]")).to_have_text(
        "Only these websites may show your widget: https://www.swimschool.example."
    )
    expect(page.get_by_label("Websites that may show the widget")).to_have_value(
        "https://www.swimschool.example"
    )
    assert was_not_reloaded(page)
    business.booking_settings.refresh_from_db()
    assert business.booking_settings.embed_origins == ["https://www.swimschool.example"]

    # The preview still shows: the app may always frame its own widget.
    page.reload()
    expect(widget.get_by_role("heading", name="Choose a service")).to_be_visible()
