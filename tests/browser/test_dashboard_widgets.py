"""The dashboard's HTMX pieces in a real browser: filters, sorting, the bell, the copy
button, session toggles, settings errors in place, bulk approve.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from booking.models import BookingRequest, Session
from tests.browser.dashboard_support import (
    log_in,
    mark_page,
    schedule,
    was_not_reloaded,
)
from tests.dashboard.conftest import notify
from tests.factories import (
    BookingRequestFactory,
    ServiceFactory,
    SessionFactory,
)

pytestmark = pytest.mark.browser
Status = BookingRequest.Status


def week_title(monday) -> str:
    """The sessions page's week heading, as ``7 Dec – 13 Dec 2026``."""
    sunday = monday + timedelta(days=6)
    return f"{monday.day} {monday:%b} – {sunday.day} {sunday:%b %Y}"


@pytest.fixture
def bookings(business):
    _, sessions = schedule(business, capacity=5)
    names = ["Ada Pending", "Bea Pending", "Cy Approved"]
    return [
        BookingRequestFactory(
            session=sessions[i],
            client_name=name,
            status=Status.APPROVED if "Approved" in name else Status.PENDING,
        )
        for i, name in enumerate(names)
    ]


def more(card):
    """The card's menu of other actions, opened."""
    card.locator("summary").click()
    return card.locator(".menu")


def rows(page: Page):
    return page.locator("#requests-table tbody tr")


def test_filters_and_sorting_swap_the_table_and_push_the_url(
    page: Page, live_server, owner, business, bookings
):
    log_in(page, live_server.url, owner)
    page.goto(f"/dashboard/{business.pk}/requests/?status=")
    expect(rows(page)).to_have_count(3)
    mark_page(page)

    page.get_by_label("Search").fill("bea")
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("Bea Pending")
    expect(page).to_have_url(re.compile(r"\?q=bea"))
    expect(page.get_by_label("Search")).to_be_focused()  # typing was not interrupted

    page.get_by_label("Search").fill("")
    page.get_by_label("Status").select_option("pending")
    expect(rows(page)).to_have_count(2)
    expect(page).to_have_url(re.compile(r"status=pending"))

    page.get_by_role("link", name="Client").click()
    expect(page).to_have_url(re.compile(r"sort=client"))
    expect(rows(page).first).to_contain_text("Ada Pending")
    page.get_by_role("link", name="Client").click()
    expect(page).to_have_url(re.compile(r"sort=-client"))
    expect(rows(page).first).to_contain_text("Bea Pending")
    page.get_by_label("Search").fill("pending")  # a new filter keeps the sort
    expect(page).to_have_url(
        re.compile(r"q=pending.*sort=-client|sort=-client.*q=pend")
    )
    expect(rows(page).first).to_contain_text("Bea Pending")
    assert was_not_reloaded(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"sort=-client$"))
    page.go_back()
    expect(rows(page).first).to_contain_text("Ada Pending")


def test_bulk_approve_selected_rows(page: Page, live_server, owner, business, bookings):
    log_in(page, live_server.url, owner)
    page.goto(f"/dashboard/{business.pk}/requests/?status=pending")
    page.get_by_label("Select all pending requests on this page").check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.locator("#messages")).to_contain_text("Approved 2 requests.")
    expect(rows(page)).to_have_text([re.compile("Nothing is waiting for your answer")])
    assert set(BookingRequest.objects.values_list("status", flat=True)) == {
        Status.APPROVED
    }


def test_the_bell_updates_without_a_reload(
    page: Page, live_server, owner, business, bookings, settings
):
    settings.DASHBOARD_BELL_POLL_SECONDS = 1
    log_in(page, live_server.url, owner)
    page.goto(f"/dashboard/{business.pk}/")
    bell = page.locator("#bell")
    expect(bell).to_have_attribute("aria-label", "Notifications, 0 unread")
    mark_page(page)
    notify(owner, bookings[0])
    notify(owner, bookings[1])
    expect(bell).to_have_attribute("aria-label", "Notifications, 2 unread")
    expect(bell.locator("[data-unread]")).to_have_text("2")
    assert was_not_reloaded(page)

    bell.click()
    page.get_by_role("button", name="Mark all as read (2)").click()
    expect(page.locator("#messages")).to_contain_text("Marked 2 notifications as read.")
    expect(page.locator("#bell")).to_have_attribute(
        "aria-label", "Notifications, 0 unread"
    )


def test_the_copy_button_copies_the_link(page: Page, live_server, owner, business):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server.url, owner)
    page.goto(f"/dashboard/{business.pk}/link/")
    link = page.locator("#booking-link")
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == link.input_value()
    expect(page.locator("img[alt^='QR code']")).to_have_js_property("complete", True)
    assert page.locator("img[alt^='QR code']").evaluate("img => img.naturalWidth") > 0


def test_session_toggle_and_cancel(page: Page, live_server, owner, business, bookings):
    session = bookings[0].session
    log_in(page, live_server.url, owner)
    week = session.starts_at.astimezone(business.tz).date().isoformat()
    page.goto(f"/dashboard/{business.pk}/sessions/?week={week}")
    card = page.locator(f"#session-{session.pk}")
    mark_page(page)
    more(card).get_by_role("button", name=re.compile("^Close online booking")).click()
    expect(card).to_contain_text("Closed online")
    expect(page.locator("#messages")).to_contain_text(
        "Session closed for online booking"
    )
    assert was_not_reloaded(page)
    session.refresh_from_db()
    assert session.is_bookable is False

    # Each week is swapped in before the next click: a click on the old week's
    # links would land on another week.
    day = session.starts_at.astimezone(business.tz).date()
    monday = day - timedelta(days=day.weekday())
    heading = page.get_by_role("navigation", name="Weeks").get_by_role("heading")
    page.get_by_role("link", name="Next week").click()
    expect(heading).to_have_text(week_title(monday + timedelta(days=7)))
    page.get_by_role("link", name="Previous week").click()
    expect(heading).to_have_text(week_title(monday))
    more(card).get_by_role("link", name=re.compile("^Cancel")).click()
    expect(page.get_by_role("heading", name="Cancel this session?")).to_be_visible()
    expect(page.get_by_text("Ada Pending")).to_be_visible()
    page.get_by_label("Message to the client (optional)").fill("Pool closed.")
    page.get_by_role("button", name=re.compile("Yes, cancel")).click()
    expect(page.locator("#messages")).to_contain_text("1 booking was cancelled")
    expect(page.locator(f"#session-{session.pk}")).to_contain_text("Cancelled")
    assert Session.objects.get(pk=session.pk).cancelled_at is not None
    assert BookingRequest.objects.get(pk=bookings[0].pk).status == Status.CANCELLED


@pytest.fixture
def booked_session(business):
    """A session two days ahead (on the home page's week whatever the day), booked."""
    service = ServiceFactory(business=business, name="Group Swim", capacity=4)
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    session = SessionFactory(service=service, starts_at=start + timedelta(days=2))
    for name in ("Ada Approved", "Bea Pending"):
        BookingRequestFactory(
            session=session,
            client_name=name,
            status=Status.APPROVED if "Approved" in name else Status.PENDING,
        )
    return session


def test_home_toggle_keeps_the_client_list(
    page: Page, live_server, owner, business, booked_session
):
    log_in(page, live_server.url, owner)
    page.goto(f"/dashboard/{business.pk}/")
    card = page.locator(f"#session-{booked_session.pk}")
    clients = card.get_by_role("list", name=re.compile("^Booked on")).get_by_role(
        "listitem"
    )
    expect(clients).to_have_text(["Ada Approved", re.compile("^Bea Pending")])
    mark_page(page)

    more(card).get_by_role("button", name=re.compile("^Close online booking")).click()
    expect(card).to_contain_text("Closed online")
    expect(clients).to_have_text(["Ada Approved", re.compile("^Bea Pending")])
    expect(card.get_by_role("link", name="Bea Pending")).to_be_visible()
    more(card).get_by_role("button", name=re.compile("^Open online booking")).click()
    expect(card).to_contain_text("Open")
    expect(clients).to_have_count(2)
    assert was_not_reloaded(page)


def test_list_view_toggle_keeps_the_date(
    page: Page, live_server, owner, business, booked_session
):
    log_in(page, live_server.url, owner)
    page.goto(f"/dashboard/{business.pk}/sessions/?view=list")
    card = page.locator(f"#session-{booked_session.pk}")
    day = booked_session.starts_at.astimezone(business.tz).strftime("%a %-d %b")
    shown_date = card.locator("span", has_text=f"· {day}")
    expect(shown_date).to_be_visible()
    more(card).get_by_role("button", name=re.compile("^Close online booking")).click()
    expect(card).to_contain_text("Closed online")
    expect(shown_date).to_be_visible()


def test_settings_errors_show_in_place(page: Page, live_server, owner, business):
    log_in(page, live_server.url, owner)
    page.goto(f"/dashboard/{business.pk}/settings/")
    mark_page(page)
    field = page.get_by_label("Hold a pending request for")
    field.fill("500")
    page.get_by_role("button", name="Save booking settings").click()
    field = page.get_by_label("Hold a pending request for")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_booking_expiry_hours_error")).to_contain_text(
        "from 1 to 168"
    )
    page.get_by_label("Booking link address").fill("swim-school-plus")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#profile-card [data-saved]")).to_contain_text(
        "keeps redirecting"
    )
    assert was_not_reloaded(page)
    business.refresh_from_db()
    assert business.slug == "swim-school-plus"
    assert business.booking_settings.booking_expiry_hours == 24


def test_sign_up_preselects_the_browser_time_zone(browser, live_server):
    context = browser.new_context(timezone_id="Asia/Tokyo", base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/signup/")
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    context.close()
