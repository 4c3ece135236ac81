"""The owner's journey through the dashboard, with and without JavaScript."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from booking.models import BookingRequest, Business, Session
from dashboard.forms.requests import READY_REASONS
from tests.browser.booking_helpers import step_ready
from tests.browser.dashboard_support import (
    first_weekday_after,
    log_in,
    mark_page,
    schedule,
    was_not_reloaded,
)
from tests.factories import BookingRequestFactory

pytestmark = pytest.mark.browser
Status = BookingRequest.Status


def book_online(
    browser: Browser, link: str, session: Session, name: str, email: str
) -> str:
    """A client opens the booking link in their own browser and books ``session``
    through every public step; returns the booking reference they are shown."""
    context = browser.new_context()
    client = context.new_page()
    client.goto(link)
    expect(client.get_by_role("heading", name="Choose a service")).to_be_visible()
    expect(client.get_by_text(session.service.name)).to_be_visible()
    client.get_by_role("link", name=session.service.name).click()
    step_ready(client, "Choose a time")
    # The week starts today: move on to the week of the session's day.
    day = f"{session.starts_at.astimezone(session.business.tz):%A %-d %B}"
    slots = client.get_by_role("list", name=day)
    for _ in range(5):
        if slots.count():
            break
        week = client.locator("#week-heading").inner_text()
        client.get_by_role("link", name="Next week", exact=True).click()
        expect(client.locator("#week-heading")).not_to_have_text(week)
        step_ready(client, "Choose a time")
    slots.get_by_role("link", name=re.compile(r"^18:00–18:45")).click()
    step_ready(client, "Your details")
    client.get_by_label("Your name").fill(name)
    client.get_by_label("Email", exact=True).fill(email)
    client.get_by_role("button", name="Send booking request").click()
    step_ready(client, "Request sent")
    expect(client.get_by_text("Waiting for Aqua Kids to confirm.")).to_be_visible()
    reference = client.locator(".ref").inner_text()
    assert context.cookies() == []  # the public pages set none
    context.close()
    return reference


def row(page: Page, name: str):
    return page.locator("#requests-table tbody tr", has_text=name)


def test_sign_up_set_up_get_booked_and_answer(
    page: Page, browser: Browser, live_server, settings
):
    settings.BOOKING_BASE_URL = live_server.url

    # Sign up.
    page.goto("/")
    page.get_by_role("link", name="Create your booking link").click()
    page.get_by_label("Business name").fill("Aqua Kids")
    page.get_by_label("Your name").fill("Maria")
    page.get_by_label("Email").fill("maria@example.com")
    page.get_by_label("Password").fill("blue-whale-swims-far")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Welcome! Aqua Kids is ready")).to_be_visible()
    business = Business.objects.get(name="Aqua Kids")

    # Settings: approval on, saved in place.
    page.get_by_role("navigation", name="Dashboard").get_by_role(
        "link", name="Settings"
    ).click()
    mark_page(page)
    page.get_by_label("I approve each booking request").check()
    page.get_by_label("Buffer between sessions").fill("10")
    page.get_by_role("button", name="Save booking settings").click()
    expect(page.locator("#booking-card [data-saved]")).to_have_text(
        "Booking settings saved."
    )
    assert was_not_reloaded(page)
    business.booking_settings.refresh_from_db()
    assert business.booking_settings.requires_approval is True
    assert business.booking_settings.buffer_time_minutes == 10

    # A service.
    page.get_by_role("link", name="Services").click()
    page.get_by_role("link", name="Add your first service").click()
    page.get_by_label("Name").fill("Swimming lesson")
    page.get_by_label("Duration").fill("45")
    page.get_by_label("Capacity").fill("4")
    page.get_by_label("Price").fill("20")
    page.get_by_role("button", name="Save service").click()
    expect(page.get_by_text("Service “Swimming lesson” saved.")).to_be_visible()

    # A recurring series, previewed live.
    first = first_weekday_after(0, 3, business.tz)
    page.get_by_role("link", name="Sessions", exact=True).click()
    page.get_by_role("link", name="Create a recurring series").click()
    page.get_by_label("Service").select_option(label="Swimming lesson")
    page.get_by_label("Monday").check()
    page.get_by_label("Wednesday").check()
    page.get_by_label("Start time").fill("18:00")
    page.get_by_label("From").fill(first.isoformat())
    page.get_by_label("Until").fill((first + timedelta(days=13)).isoformat())
    page.get_by_label("Booking closes").fill("0")
    expect(page.locator("[data-preview-count]")).to_contain_text(
        "4 sessions will be created."
    )
    page.get_by_role("button", name="Create sessions").click()
    expect(page.get_by_text("Created 4 sessions of Swimming lesson.")).to_be_visible()
    sessions = list(Session.objects.filter(business=business).order_by("starts_at"))
    assert len(sessions) == 4

    # The owner shares the booking link; two clients book through the public pages,
    # each in their own browser.
    link = page.locator("#booking-link")
    page.get_by_role("link", name="Booking link", exact=True).click()
    expect(link).to_have_value(f"{live_server.url}/book/aqua-kids/")
    amy_ref = book_online(
        browser, link.input_value(), sessions[0], "Amy Approve", "amy@example.com"
    )
    ben_ref = book_online(
        browser, link.input_value(), sessions[1], "Ben Reject", "ben@example.com"
    )

    # The requests, answered in place.
    page.goto(f"/dashboard/{business.pk}/requests/")
    expect(row(page, "Amy Approve")).to_contain_text("Pending")
    expect(row(page, "Amy Approve")).to_contain_text(amy_ref)
    expect(row(page, "Ben Reject")).to_contain_text(ben_ref)
    mark_page(page)
    row(page, "Amy Approve").get_by_role("button", name=re.compile("^Approve")).click()
    expect(row(page, "Amy Approve")).to_contain_text("Approved")
    expect(page.locator("#messages")).to_contain_text("Approved BK-")
    assert was_not_reloaded(page)

    row(page, "Ben Reject").get_by_role("link", name=re.compile("^Reject")).click()
    dialog = page.locator("dialog#dialog")
    expect(dialog).to_be_visible()
    # The ready reasons come first, then the client's own words.
    expect(dialog.get_by_label(READY_REASONS[0])).to_be_focused()
    dialog.get_by_label("Reason for the client").fill("We are full that week.")
    dialog.get_by_role("button", name="Reject request").click()
    expect(dialog).to_be_hidden()
    expect(row(page, "Ben Reject")).to_contain_text("Rejected")
    assert was_not_reloaded(page)

    amy = BookingRequest.objects.get(client_name="Amy Approve")
    ben = BookingRequest.objects.get(client_name="Ben Reject")
    assert (amy.session, ben.session) == (sessions[0], sessions[1])
    assert (amy.booking_reference, ben.booking_reference) == (amy_ref, ben_ref)
    assert (amy.status, ben.status) == (Status.APPROVED, Status.REJECTED)
    assert ben.rejection_reason == "We are full that week."
    assert amy.approved_by.email == "maria@example.com"


def test_an_empty_reason_is_refused_in_the_dialog(
    page: Page, live_server, owner, business
):
    _, sessions = schedule(business)
    booking = BookingRequestFactory(
        session=sessions[0], status=Status.PENDING, client_name="Cara Client"
    )
    log_in(page, live_server.url, owner)
    page.goto(f"/dashboard/{business.pk}/requests/")
    row(page, "Cara Client").get_by_role("link", name=re.compile("^Reject")).click()
    dialog = page.locator("dialog#dialog")
    reason = dialog.get_by_label("Reason for the client")
    reason.fill("   ")
    reason.evaluate("el => el.removeAttribute('required')")  # let the server judge
    dialog.get_by_role("button", name="Reject request").click()
    expect(
        dialog.get_by_text("Please give a reason; the client will read it.")
    ).to_be_visible()
    expect(dialog.get_by_label("Reason for the client")).to_have_attribute(
        "aria-invalid", "true"
    )
    dialog.get_by_role("button", name="Keep it").click()
    expect(dialog).to_be_hidden()
    booking.refresh_from_db()
    assert booking.status == Status.PENDING


def test_approve_and_reject_without_javascript(
    browser: Browser, live_server, owner, business
):
    _, sessions = schedule(business)
    for name in ("Nora NoJS", "Olly NoJS"):
        BookingRequestFactory(
            session=sessions[0], status=Status.PENDING, client_name=name
        )
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    log_in(page, live_server.url, owner)
    page.goto(f"/dashboard/{business.pk}/requests/?status=pending")

    row(page, "Nora NoJS").get_by_role("button", name=re.compile("^Approve")).click()
    expect(page).to_have_url(re.compile(r"/requests/\?status=pending$"))
    expect(page.locator("#messages")).to_contain_text("Approved BK-")
    expect(row(page, "Nora NoJS")).to_have_count(0)  # no longer pending

    row(page, "Olly NoJS").get_by_role("link", name=re.compile("^Reject")).click()
    expect(
        page.get_by_role("heading", name="Reject the request of Olly NoJS")
    ).to_be_visible()
    page.get_by_label("Reason for the client").fill("Closed for a holiday.")
    page.get_by_role("button", name="Reject request").click()
    expect(page).to_have_url(re.compile(r"/requests/\?status=pending$"))
    expect(page.locator("#messages")).to_contain_text("Rejected BK-")
    context.close()

    nora = BookingRequest.objects.get(client_name="Nora NoJS")
    olly = BookingRequest.objects.get(client_name="Olly NoJS")
    assert (nora.status, olly.status) == (Status.APPROVED, Status.REJECTED)
    assert olly.rejection_reason == "Closed for a holiday."
