"""The browser harness: Playwright drives Debian's Chromium against the live server."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def test_owner_logs_in_to_the_admin(page: Page, owner):
    owner.is_staff = True
    owner.is_superuser = True
    owner.save()
    page.goto("/admin/")
    expect(page).to_have_title("Log in | Django site admin")
    page.get_by_label("Username").fill(owner.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Booking requests")).to_be_visible()
