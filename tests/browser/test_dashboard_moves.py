"""The owner moves a booking and staff add a phone client, in Chromium: the week
swaps in place with HTMX (focus on its heading) and everything works without
JavaScript too."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from booking.models import BookingRequest
from tests.browser.dashboard_support import log_in, schedule
from tests.factories import BookingRequestFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def week(business):
    """A service with five 18:00 sessions, Monday to Friday of a coming week."""
    _, sessions = schedule(business, capacity=1)
    return sessions


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_owner_moves_a_booking(
    browser: Browser, live_server, owner, business, week, javascript
):
    andy = BookingRequestFactory(
        session=week[0], client_name="Andy Approved", client_email="andy@example.com"
    )
    BookingRequestFactory(session=week[2], client_name="Flo Full")
    context = browser.new_context(
        java_script_enabled=javascript, base_url=live_server.url
    )
    page = context.new_page()
    log_in(page, live_server.url, owner)
    page.goto(f"/dashboard/{business.pk}/requests/{andy.pk}/")

    page.get_by_role("link", name="Move to another time…").click()
    expect(
        page.get_by_role("heading", name="Move the booking of Andy Approved")
    ).to_be_visible()
    expect(page.get_by_text("the booking's time now")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"18:00–19:00 Private Lesson · full"))
    ).to_be_visible()
    if javascript:
        # Next week and back, swapped in place; focus lands on the week's heading.
        page.get_by_role("link", name="Next week").click()
        expect(page.locator("#move-week-title")).to_be_focused()
        expect(page).to_have_url(re.compile(r"\?week="))
        page.get_by_role("link", name="Previous week").click()
        expect(page.locator("#move-week-title")).to_be_focused()
    links = page.get_by_role(
        "link", name=re.compile(r"18:00–19:00 Private Lesson · 1 spot left")
    )
    expect(links).to_have_count(3)  # Tue, Thu, Fri: Mon is his, Wed is full
    links.first.click()

    expect(
        page.get_by_role("heading", name="Move the booking of Andy Approved?")
    ).to_be_visible()
    page.get_by_label("Message to the client (optional)").fill(
        "The pool is closed on Monday."
    )
    page.get_by_role("button", name="Move booking").click()

    expect(
        page.get_by_text(f"Moved {andy.booking_reference} (Andy Approved)")
    ).to_be_visible()
    expect(page.get_by_text("The pool is closed on Monday.")).to_be_visible()  # history
    andy.refresh_from_db()
    assert andy.session == week[1]
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_staff_add_a_phone_client_from_a_session(
    browser: Browser, live_server, staff, business, week, javascript
):
    context = browser.new_context(
        java_script_enabled=javascript, base_url=live_server.url
    )
    page = context.new_page()
    log_in(page, live_server.url, staff)
    day = week[3].starts_at.astimezone(business.tz).date().isoformat()
    page.goto(f"/dashboard/{business.pk}/sessions/?week={day}")

    page.get_by_role("link", name=re.compile(r"^Add a client to Private Lesson")).nth(
        3
    ).click()
    expect(page.get_by_role("heading", name="Add a client")).to_be_visible()
    page.get_by_role("button", name="Book this client").click()
    expect(page.get_by_text("Enter the client's name.")).to_be_visible()

    page.get_by_label("Client's name").fill("Bo Diddley")
    page.get_by_label("Phone", exact=True).fill("07700 900123")
    page.get_by_label("Walk-in").check()
    page.get_by_role("button", name="Book this client").click()

    expect(page.get_by_text("Booked Bo Diddley")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Entered by Sam \w+, walk-in"))).to_be_visible()
    booking = BookingRequest.objects.get(client_name="Bo Diddley")
    assert (booking.session, booking.status) == (
        week[3],
        BookingRequest.Status.APPROVED,
    )
    context.close()


def test_the_owner_approves_a_clients_move(
    page: Page, live_server, owner, business, week
):
    business.booking_settings.requires_approval = True
    business.booking_settings.save()
    mo = BookingRequestFactory(
        session=week[0],
        client_name="Mo Moving",
        move_to=week[1],
        move_expires_at=week[0].starts_at,
    )
    log_in(page, live_server.url, owner)
    page.goto(f"/dashboard/{business.pk}/requests/")
    row = page.locator(f"#request-{mo.pk}")
    expect(row.get_by_text("Asks to move")).to_be_visible()
    row.get_by_role("link", name=mo.booking_reference, exact=True).click()

    expect(page.get_by_role("heading", name="Change of time requested")).to_be_visible()
    page.get_by_role("button", name="Approve the move").click()

    expect(
        page.get_by_text(f"Moved {mo.booking_reference} (Mo Moving)")
    ).to_be_visible()
    mo.refresh_from_db()
    assert (mo.session, mo.move_to) == (week[1], None)
