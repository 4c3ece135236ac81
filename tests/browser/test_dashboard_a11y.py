"""Accessibility (axe) of the main dashboard pages, and use at 375 px wide."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from booking.models import BookingRequest
from tests.browser.dashboard_support import log_in, schedule
from tests.dashboard.conftest import notify
from tests.factories import BookingRequestFactory

pytestmark = pytest.mark.browser
Status = BookingRequest.Status

PAGES = [
    "home",
    "requests",
    "requests/{booking}/",
    "requests/{booking}/reject/",
    "requests/{approved}/move/",
    "requests/{approved}/move/{target}/",
    "requests/{moving}/",
    "requests/{moving}/move/reject/",
    "sessions/{session}/add-client/",
    "sessions/",
    "sessions/?view=list",
    "sessions/new/",
    "sessions/series/",
    "sessions/{session}/cancel/",
    "services/",
    "services/new/",
    "settings/",
    "members/",
    "link/",
    "notifications/",
    "notifications/preferences/",
]
PUBLIC = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password_reset/"]


@pytest.fixture
def setup(owner, business):
    _, sessions = schedule(business)
    booking = BookingRequestFactory(
        session=sessions[0], status=Status.PENDING, client_name="Pia Pending"
    )
    approved = BookingRequestFactory(session=sessions[1], client_name="Al Approved")
    moving = BookingRequestFactory(
        session=sessions[2],
        client_name="Mo Moving",
        move_to=sessions[3],
        move_expires_at=sessions[2].starts_at - timedelta(hours=1),
    )
    notify(owner, booking)
    return {
        "booking": booking.pk,
        "session": sessions[0].pk,
        "approved": approved.pk,
        "target": sessions[3].pk,
        "moving": moving.pk,
    }


def path(business, page_path: str, ids: dict) -> str:
    page_path = "" if page_path == "home" else page_path
    page_path = "requests/" if page_path == "requests" else page_path
    return f"/dashboard/{business.pk}/" + page_path.format(**ids)


def violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: "
        f"{[n['target'] for n in v['nodes']][:3]})"
        for v in results.response["violations"]
    ]


def test_dashboard_pages_pass_axe(page: Page, live_server, owner, business, setup):
    log_in(page, live_server.url, owner)
    found = {}
    for page_path in PAGES:
        page.goto(path(business, page_path, setup))
        if problems := violations(page):
            found[page_path] = problems
    assert found == {}


def test_account_pages_pass_axe(page: Page, live_server):
    found = {}
    for url in PUBLIC:
        page.goto(url)
        if problems := violations(page):
            found[url] = problems
    assert found == {}


def test_the_reject_dialog_passes_axe(page: Page, live_server, owner, business, setup):
    log_in(page, live_server.url, owner)
    page.goto(path(business, "requests", setup))
    page.get_by_role("link", name=re.compile("^Reject")).click()
    expect(page.locator("dialog#dialog")).to_be_visible()
    assert violations(page) == []


@pytest.fixture
def phone(page: Page) -> Page:
    page.set_viewport_size({"width": 375, "height": 740})
    return page


def test_at_375_px_nothing_scrolls_sideways(
    phone: Page, live_server, owner, business, setup
):
    log_in(phone, live_server.url, owner)
    wide = {}
    for page_path in PAGES:
        phone.goto(path(business, page_path, setup))
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            wide[page_path] = width
    assert wide == {}


def test_at_375_px_the_requests_can_be_answered(
    phone: Page, live_server, owner, business, setup
):
    log_in(phone, live_server.url, owner)
    phone.goto(path(business, "home", setup))
    nav = phone.get_by_role("navigation", name="Dashboard")
    nav.get_by_role("link", name="Booking requests").click()
    phone.wait_for_load_state("load")  # the stylesheet, which stacks the rows
    card = phone.locator("#requests-table tbody tr", has_text="Pia Pending")
    approve = card.get_by_role("button", name=re.compile("^Approve"))
    approve.scroll_into_view_if_needed()
    box = approve.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert box["height"] >= 24  # a comfortable touch target
    approve.click()
    expect(card).to_contain_text("Approved")
    # Labels stand in for the hidden column headers.
    expect(card.locator('td[data-label="Client"]')).to_contain_text("Pia Pending")


def test_at_375_px_the_menus_open(phone: Page, live_server, owner, business, setup):
    log_in(phone, live_server.url, owner)
    phone.goto(path(business, "home", setup))
    phone.get_by_text("Olivia", exact=True).click()
    expect(phone.get_by_role("button", name="Log out")).to_be_visible()
    box = phone.get_by_role("button", name="Log out").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    phone.keyboard.press("Escape")
    expect(phone.get_by_role("button", name="Log out")).to_be_hidden()
