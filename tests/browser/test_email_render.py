"""Every email kind's HTML, rendered in Chromium on a phone and a desktop.

Screenshots go to the test's tmp dir (``--basetemp`` to keep them); the assertions
check what a reader needs: a centred card no wider than 600 px, nothing wider than a
phone screen, a readable heading, the business's name on top (the platform's on
account emails), a real button to act, and colour contrast and link names that pass axe.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from booking import emails
from booking.accounts import confirmation_send
from booking.models import OutboundEmail
from dashboard.invitations import invitation_create
from tests.booking.emailing import SCENARIOS, make_lesson, make_team, rendered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 900, "height": 900}
# The axe rules an email can fail (landmark rules are for web pages, not emails).
AXE_RULES = ["color-contrast", "link-name", "html-has-lang", "document-title", "list"]


@pytest.mark.parametrize("kind", emails.BOOKING_KINDS)
def test_each_email_renders_well(page: Page, kind, business, owner, staff, tmp_path):
    team = make_team(business)
    SCENARIOS[kind](team, make_lesson(team))
    # Rendered as the worker renders it before sending.
    (email,) = rendered(OutboundEmail.objects.filter(kind=kind).order_by("pk")[:1])
    page.set_content(email.body_html)
    check_layout(page, kind, tmp_path, brand="Swim School Pro")
    details = page.locator("table.email-details")
    expect(details).to_contain_text("Private Lesson")
    expect(details).to_contain_text(email.booking.booking_reference)


@pytest.mark.parametrize("kind", emails.ACCOUNT_KINDS)
def test_each_account_email_renders_well(
    page: Page, kind, client, business, owner, mailoutbox, tmp_path
):
    # Sent for real through the outbox (which keeps no copy of its secret link).
    if kind == emails.PASSWORD_RESET:
        client.post(reverse("password_reset"), {"email": owner.email})
    elif kind == emails.EMAIL_CONFIRMATION:
        confirmation_send(user=owner)
    else:
        invitation_create(
            business=business, email="nina@example.com", role="staff", invited_by=owner
        )
    (sent,) = mailoutbox
    html, _ = sent.alternatives[0]
    page.set_content(html)
    check_layout(page, kind, tmp_path, brand="Booking Links")
    details = page.locator("table.email-details")
    if kind in {emails.PASSWORD_RESET, emails.EMAIL_CONFIRMATION}:
        expect(details).to_contain_text("olivia.owner@example.com")
    else:
        expect(details).to_contain_text("Swim School Pro")
        expect(details).to_contain_text("Europe/London (")


def check_layout(page: Page, kind: str, tmp_path, *, brand: str) -> None:
    page.set_viewport_size(DESKTOP)
    card = page.locator("table.email-card")
    box = card.bounding_box()
    assert 560 <= box["width"] <= 602
    left, right = box["x"], DESKTOP["width"] - box["x"] - box["width"]
    assert abs(left - right) <= 2  # centred
    brand_bar = page.locator(".email-brand")
    expect(brand_bar).to_have_text(brand)
    assert brand_bar.bounding_box()["y"] < page.locator("h1").bounding_box()["y"]
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
    page.screenshot(path=tmp_path / f"{kind}-phone.png", full_page=True)

    results = Axe().run(
        page, options={"runOnly": {"type": "rule", "values": AXE_RULES}}
    )
    assert results.violations_count == 0, results.generate_report()
