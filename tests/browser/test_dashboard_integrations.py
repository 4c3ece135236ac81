"""The integration pages in a real browser: an API token shown once, the calendar
feed's address replaced, a failed email sent again; axe and 375 px on each page.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from booking.models import ApiToken, BookingSettings, OutboundEmail
from tests.browser.dashboard_support import log_in, mark_page, was_not_reloaded

pytestmark = pytest.mark.browser
PAGES = ["health/", "api-tokens/", "settings/", "settings/calendar-feed/regenerate/"]


def dash(business, path: str) -> str:
    return f"/dashboard/{business.pk}/{path}"


def violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})"
        for v in results.response["violations"]
    ]


@pytest.fixture
def failed_email(business):
    return OutboundEmail.objects.create(
        business=business,
        kind="booking_confirmed",
        to_email="ada@example.com",
        subject="Your booking is confirmed",
        body_text="See you at the pool.",
        status=OutboundEmail.Status.FAILED,
        attempts=1,
        last_error="HTTP 400 Bad Request: does not contain a valid address",
    )


def test_a_new_token_is_shown_once_and_works_until_revoked(
    page: Page, live_server, owner, business
):
    log_in(page, live_server.url, owner)
    page.goto(dash(business, ""))
    page.get_by_role("navigation", name="Dashboard").get_by_role(
        "link", name="Settings"
    ).click()
    page.get_by_role("region", name="Advanced").get_by_role(
        "link", name="API tokens"
    ).click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    mark_page(page)

    page.get_by_label("Token name").fill("Website")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("The new token")
    expect(secret).to_have_value(re.compile(r"^blk_[\w-]{43}$"))
    expect(secret).to_be_focused()  # screen readers land on it
    expect(page.get_by_role("button", name="Copy token")).to_be_visible()
    assert was_not_reloaded(page)  # swapped in by HTMX
    raw = secret.input_value()
    assert violations(page) == []

    api = Client()  # the token alone, no session
    link = "/api/booking/link/"
    assert api.get(link, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200

    page.reload()
    expect(page.locator("#tokens-table")).to_contain_text("Website")
    expect(page.get_by_label("The new token")).to_have_count(0)
    assert raw not in page.content()

    page.once("dialog", lambda dialog: dialog.accept())  # hx-confirm
    page.get_by_role("button", name=re.compile("^Revoke Website")).click()
    expect(page.locator("#tokens-table")).to_contain_text("Revoked")
    expect(page.locator("#messages")).to_contain_text("stops working now")
    assert api.get(link, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_the_feed_address_is_replaced_after_confirming(
    page: Page, live_server, owner, business
):
    log_in(page, live_server.url, owner)
    page.goto(dash(business, "settings/"))
    address = page.get_by_role("textbox", name="Calendar feed address")
    old = address.input_value()
    old_path = reverse(
        "booking:calendar_feed",
        kwargs={"token": BookingSettings.objects.get().calendar_feed_token},
    )
    assert old.endswith(old_path)
    assert page.request.get(old_path).status == 200

    page.get_by_role("link", name="Regenerate address…").click()
    dialog = page.locator("dialog#dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(
        "Replace your calendar feed address?"
    )
    dialog.get_by_role("button", name="Yes, make a new address").click()
    expect(dialog).to_be_hidden()
    expect(address).not_to_have_value(old)
    expect(page.locator("#calendar-feed [data-saved]")).to_contain_text(
        "The old one no longer works"
    )
    new = address.input_value()
    assert page.request.get(old_path).status == 404
    new_path = new.split("127.0.0.1:8000", 1)[-1]
    answer = page.request.get(new_path)
    assert answer.status == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"


def test_keeping_the_feed_address_changes_nothing(
    page: Page, live_server, owner, business
):
    log_in(page, live_server.url, owner)
    page.goto(dash(business, "settings/"))
    before = BookingSettings.objects.get().calendar_feed_token
    page.get_by_role("link", name="Regenerate address…").click()
    dialog = page.locator("dialog#dialog")
    expect(dialog).to_be_visible()
    assert violations(page) == []
    dialog.get_by_role("button", name="Keep the current one").click()
    expect(dialog).to_be_hidden()
    assert BookingSettings.objects.get().calendar_feed_token == before


def test_a_failed_email_is_sent_again(
    page: Page, live_server, owner, business, failed_email, fake_sendgrid
):
    log_in(page, live_server.url, owner)
    page.goto(dash(business, "settings/"))
    page.get_by_role("region", name="Advanced").get_by_role(
        "link", name="System health"
    ).click()
    row = page.locator(f"#email-{failed_email.pk}")
    expect(row).to_contain_text("ada@example.com")
    expect(row).to_contain_text("does not contain a valid address")
    mark_page(page)

    row.get_by_role("button", name=re.compile("^Retry")).click()
    expect(row).to_have_count(0)
    expect(page.locator("#messages")).to_contain_text(
        "The email to ada@example.com is queued to be sent again."
    )
    expect(page.locator('[data-figure="sent"]')).to_have_text("1")
    assert was_not_reloaded(page)
    assert [mail.to for mail in fake_sendgrid.received] == [["ada@example.com"]]
    failed_email.refresh_from_db()
    assert failed_email.status == OutboundEmail.Status.SENT


def test_the_pages_pass_axe(page: Page, live_server, owner, business, failed_email):
    ApiToken.objects.create(
        user=owner,
        business=business,
        name="Zapier",
        prefix="blk_abcdefgh",
        token_hash="x",
    )
    log_in(page, live_server.url, owner)
    found = {}
    for path in PAGES:
        page.goto(dash(business, path))
        if problems := violations(page):
            found[path] = problems
    assert found == {}


def test_at_375_px_nothing_scrolls_sideways(
    page: Page, live_server, owner, business, failed_email
):
    ApiToken.objects.create(
        user=owner,
        business=business,
        name="Zapier",
        prefix="blk_abcdefgh",
        token_hash="x",
    )
    page.set_viewport_size({"width": 375, "height": 740})
    log_in(page, live_server.url, owner)
    wide = {}
    for path in PAGES:
        page.goto(dash(business, path))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            wide[path] = width
    assert wide == {}
