"""The Content-Security-Policy in Chromium: the main pages, with their HTMX at work,
Swagger UI and the Django admin run without one violation (tests/test_csp.py checks
the header itself)."""

import re

import pytest
from playwright.sync_api import Page, expect

from booking.models import BookingRequest
from tests.browser.booking_helpers import make_shop, step_ready
from tests.browser.dashboard_support import log_in, schedule
from tests.factories import BookingRequestFactory

pytestmark = pytest.mark.browser

REPORT = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("Content Security Policy violation: " + event.violatedDirective
    + " blocked " + (event.blockedURI || "inline") + " at " + location.pathname);
});
"""


@pytest.fixture
def violations(page: Page) -> list[str]:
    """Every CSP violation the page reports, as Chromium logs it and as the
    ``securitypolicyviolation`` event tells it."""
    found: list[str] = []

    def listen(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", listen)
    page.add_init_script(REPORT)
    return found


def test_booking_with_htmx_violates_nothing(page: Page, business, violations):
    shop = make_shop(business)
    page.goto(shop.start_path)
    assert page.evaluate("htmx.config.allowEval") is False
    page.get_by_role("link", name="Private Lesson").click()
    step_ready(page, "Choose a time")
    page.get_by_role("link", name=re.compile(r"09:00–10:00")).click()
    step_ready(page, "Your details")
    email = page.get_by_label("Email", exact=True)
    email.fill("not-an-email")
    email.blur()  # checked by an hx-post on change: a fragment swapped in
    expect(page.get_by_text("Enter an email address like")).to_be_visible()
    page.get_by_label("Your name").fill("Ada Lovelace")
    email.fill("ada@example.com")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", name="Booked", exact=True)).to_be_visible()
    assert BookingRequest.objects.get().session == shop.morning
    page.goto("/no-such-page/")
    expect(
        page.get_by_role("heading", name="We could not find that page")
    ).to_be_visible()
    assert violations == []


def test_the_dashboard_with_htmx_violates_nothing(
    page: Page, live_server, business, owner, violations
):
    _, sessions = schedule(business)
    BookingRequestFactory(
        session=sessions[0], client_name="Penny Pending", status="pending"
    )
    log_in(page, live_server.url, owner)
    page.goto(f"/dashboard/{business.pk}/")
    assert page.evaluate("htmx.config.allowEval") is False
    page.goto(f"/dashboard/{business.pk}/requests/")
    page.get_by_label("Search").fill("Penny")  # hx-get as one types
    expect(page.locator("#requests-table, table").first).to_contain_text("Penny")
    page.get_by_role("button", name=re.compile(r"^Approve BK-")).click()
    expect(page.get_by_text(re.compile("Approved BK-"))).to_be_visible()
    for path in (
        "sessions/",
        "sessions/series/",
        "settings/",
        "link/",
        "members/",
        "notifications/",
        "health/",
        "api-tokens/",
    ):
        page.goto(f"/dashboard/{business.pk}/{path}")
        expect(page.locator("h1").first).to_be_visible()
    page.get_by_label("Name").fill("Website")
    page.get_by_role("button", name="Create token").click()  # an HTMX form
    expect(page.locator("#new-token")).to_be_visible()
    assert violations == []


def test_moving_a_booking_violates_nothing(
    page: Page, live_server, business, owner, violations
):
    """The client's change of time (HTMX steps) and the owner's (HTMX weeks)."""
    shop = make_shop(business)
    ada = BookingRequestFactory(session=shop.morning, client_name="Ada Lovelace")
    page.goto(f"/bookings/{ada.access_token}/")
    page.get_by_role("link", name="Change time").click()
    step_ready(page, "Choose a new time")
    page.get_by_role("link", name=re.compile(r"11:00–12:00")).click()
    step_ready(page, "Move your booking?")
    page.get_by_role("button", name="Move to this time").click()
    step_ready(page, "Your booking has moved")

    log_in(page, live_server.url, owner)
    page.goto(f"/dashboard/{business.pk}/requests/{ada.pk}/move/")
    page.get_by_role("link", name="Next week").click()
    expect(page.locator("#move-week-title")).to_be_focused()
    page.goto(f"/dashboard/{business.pk}/sessions/{shop.evening.pk}/add-client/")
    expect(page.get_by_role("heading", name="Add a client")).to_be_visible()
    assert violations == []


def test_swagger_ui_and_the_admin_work_under_the_policy(
    page: Page, owner, business, violations
):
    page.goto("/api/docs")
    expect(page.get_by_role("heading", name="Booking Links API")).to_be_visible()
    book = page.locator('[data-path="/api/booking/public/{business_slug}/book/"]')
    book.click()
    expect(page.get_by_text("Idempotency-Key").first).to_be_visible()

    owner.is_staff = owner.is_superuser = True
    owner.save()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(owner.username)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto("/admin/booking/business/")
    expect(page.get_by_role("link", name="Swim School Pro")).to_be_visible()
    page.goto("/admin/booking/session/add/")  # date and time widgets (admin JS)
    expect(page.get_by_role("link", name="Today").first).to_be_visible()
    page.get_by_role("link", name="Today").first.click()
    assert page.locator("#id_starts_at_0").input_value() != ""
    assert violations == []
