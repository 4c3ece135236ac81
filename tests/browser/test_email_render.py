"""Every email kind's HTML, rendered in Chromium on a phone and a desktop.

Screenshots go to the test's tmp dir (``--basetemp`` to keep them); the assertions
check what a reader needs: a centred card no wider than 600 px, nothing wider than a
phone screen, a readable heading, the business's name on top, a real button to act,
and colour contrast and link names that pass axe.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from booking import emails
from booking.models import OutboundEmail
from tests.booking.emailing import SCENARIOS, make_lesson, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 900, "height": 900}
# The axe rules an email can fail (landmark rules are for web pages, not emails).
AXE_RULES = ["color-contrast", "link-name", "html-has-lang", "document-title", "list"]


@pytest.mark.parametrize("kind", emails.KINDS)
def test_each_email_renders_well(page: Page, kind, business, owner, staff, tmp_path):
    team = make_team(business)
    SCENARIOS[kind](team, make_lesson(team))
    email = OutboundEmail.objects.filter(kind=kind).first()
    page.set_content(email.body_html)

    page.set_viewport_size(DESKTOP)
    card = page.locator("table.email-card")
    box = card.bounding_box()
    assert 560 <= box["width"] <= 602
    left, right = box["x"], DESKTOP["width"] - box["x"] - box["width"]
    assert abs(left - right) <= 2  # centred
    brand = page.locator(".email-brand")
    expect(brand).to_have_text("Swim School Pro")
    assert brand.bounding_box()["y"] < page.locator("h1").bounding_box()["y"]
    page.screenshot(path=tmp_path / f"{kind}-desktop.png", full_page=True)

    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # no sideways scrolling on a phone
    heading = page.locator("h1")
    expect(heading).to_be_visible()
    assert heading.evaluate("h => parseFloat(getComputedStyle(h).fontSize)") >= 20
    button = page.locator(".email-actions a.email-button").first
    expect(button).to_be_visible()
    assert button.bounding_box()["height"] >= 40  # a comfortable tap target
    assert button.get_attribute("href").startswith("http://127.0.0.1:8000/")
    details = page.locator("table.email-details")
    expect(details).to_contain_text("Private Lesson")
    expect(details).to_contain_text(email.booking.booking_reference)
    page.screenshot(path=tmp_path / f"{kind}-phone.png", full_page=True)

    results = Axe().run(
        page, options={"runOnly": {"type": "rule", "values": AXE_RULES}}
    )
    assert results.violations_count == 0, results.generate_report()
