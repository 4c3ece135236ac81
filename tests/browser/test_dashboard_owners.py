"""What owners meet (issue 15), in a browser: the session card's menu by keyboard with
and without JavaScript, the week as a calendar grid on a wide screen and a list on a
phone, "Get started" ticked off by copying the link, no dead end without a service,
the ready reasons and phone-only clients; axe on every changed page at 375 and 1280
px wide.
"""

import re
from datetime import time, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from booking.models import BookingRequest, Business, Session
from booking.scheduling import session_create
from dashboard.forms.requests import READY_REASONS
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
PHONE = "+447700900103"
DESKTOP = {"width": 1280, "height": 800}
PHONE_SIZE = {"width": 375, "height": 740}


@pytest.fixture
def week(business):
    """Mon–Fri 18:00 sessions at least three days ahead, one of them booked by a
    client who left only a phone number, and a Tuesday 09:00 session."""
    service, sessions = schedule(business, name="Group Swim", capacity=4)
    monday = sessions[0].starts_at.astimezone(business.tz).date()
    morning, _ = session_create(
        business=business,
        service=service,
        day=monday + timedelta(days=1),
        start_time=time(9, 0),
    )
    phone_only = BookingRequestFactory(
        session=sessions[0],
        client_name="Olivia Brown",
        client_email="",
        client_phone=PHONE,
        status=Status.PENDING,
    )
    BookingRequestFactory(session=sessions[1], client_name="Ada Lovelace")
    return {"sessions": sessions, "morning": morning, "phone_only": phone_only}


def violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} "
        f"{[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def dash(business: Business, path: str = "") -> str:
    return f"/dashboard/{business.pk}/{path}"


CHANGED = [
    "",
    "requests/",
    "requests/?status=",
    "requests/{booking}/",
    "requests/{booking}/reject/",
    "requests/{booking}/cancel/",
    "sessions/?week={monday}",
    "sessions/?view=list",
    "sessions/new/",
    "sessions/{session}/edit/",
    "sessions/{session}/cancel/",
    "services/",
    "services/new/?next=/",
    "settings/",
    "link/",
]


@pytest.mark.parametrize("size", [PHONE_SIZE, DESKTOP], ids=["375px", "1280px"])
def test_the_changed_pages_pass_axe_and_fit(
    page: Page, live_server, owner, business, week, size
):
    page.set_viewport_size(size)
    log_in(page, live_server.url, owner)
    ids = {
        "booking": week["phone_only"].pk,
        "session": week["sessions"][0].pk,
        "monday": week["sessions"][0].starts_at.date().isoformat(),
    }
    found, wide = {}, {}
    for path in CHANGED:
        page.goto(dash(business, path.format(**ids)))
        if problems := violations(page):
            found[path] = problems
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > size["width"]:
            wide[path] = width
    # A session card's menu, open.
    page.goto(dash(business, f"sessions/?week={ids['monday']}"))
    page.locator(f"#session-{ids['session']} summary").click()
    if problems := violations(page):
        found["open menu"] = problems
    # The reject dialog over the requests table.
    page.goto(dash(business, "requests/"))
    page.get_by_role("link", name=re.compile("^Reject")).first.click()
    expect(page.locator("dialog#dialog")).to_be_visible()
    if problems := violations(page):
        found["reject dialog"] = problems
    assert found == {}
    assert wide == {}


def test_the_session_menu_works_by_keyboard_without_javascript(
    browser: Browser, live_server, owner, business, week
):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    log_in(page, live_server.url, owner)
    session = week["sessions"][2]
    page.goto(dash(business, f"sessions/?week={session.starts_at.date()}"))
    card = page.locator(f"#session-{session.pk}")
    summary = card.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    close = card.get_by_role("button", name=re.compile("^Close online booking"))
    expect(close).to_be_visible()
    close.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text("Session closed for online")
    expect(page.locator(f"#session-{session.pk}")).to_contain_text("Closed online")
    assert Session.objects.get(pk=session.pk).is_bookable is False
    context.close()


def test_with_javascript_the_menu_gives_the_focus_back_to_the_card(
    page: Page, live_server, owner, business, week
):
    log_in(page, live_server.url, owner)
    session = week["sessions"][2]
    page.goto(dash(business, f"sessions/?week={session.starts_at.date()}"))
    mark_page(page)
    card = page.locator(f"#session-{session.pk}")
    card.locator("summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(card.get_by_role("link", name=re.compile("^Edit session"))).to_be_focused()
    page.keyboard.press("Tab")
    expect(
        card.get_by_role("button", name=re.compile("^Close online booking"))
    ).to_be_focused()
    page.keyboard.press("Enter")
    expect(card).to_contain_text("Closed online")
    expect(card.locator("summary")).to_be_focused()
    # Escape closes an open menu and leaves the focus on its button.
    page.keyboard.press("Enter")
    expect(card.get_by_role("link", name=re.compile("^Cancel session"))).to_be_visible()
    page.keyboard.press("Escape")
    expect(card.get_by_role("link", name=re.compile("^Cancel session"))).to_be_hidden()
    expect(card.locator("summary")).to_be_focused()
    assert was_not_reloaded(page)


def boxes(page: Page, selector: str) -> list[dict]:
    return page.locator(selector).evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().toJSON())"
    )


def test_the_week_is_a_calendar_on_a_wide_screen_and_a_list_on_a_phone(
    page: Page, live_server, owner, business, week
):
    log_in(page, live_server.url, owner)
    sessions = week["sessions"]
    page.set_viewport_size(DESKTOP)
    page.goto(dash(business, f"sessions/?week={sessions[0].starts_at.date()}"))
    days = boxes(page, ".week-day")
    assert len(days) == 7
    assert len({round(d["top"]) for d in days}) == 1  # side by side
    assert [d["left"] for d in days] == sorted(d["left"] for d in days)
    assert days[-1]["right"] <= 1280
    # 18:00 lines up across the days, though Tuesday has a 09:00 session above it.
    evening = [
        page.locator(f"#session-{s.pk}").bounding_box()["y"] for s in sessions[:3]
    ]
    assert max(evening) - min(evening) < 1
    morning = page.locator(f"#session-{week['morning'].pk}").bounding_box()
    assert morning["y"] < min(evening)
    expect(page.locator(f"#session-{sessions[0].pk}")).to_contain_text("Olivia Brown")
    expect(page.locator(f"#session-{sessions[1].pk}")).to_contain_text("Ada Lovelace")
    expect(page.locator(".week-hour").first).to_be_visible()

    page.set_viewport_size(PHONE_SIZE)
    days = boxes(page, ".week-day")
    assert len({round(d["left"]) for d in days}) == 1  # one under the other
    assert [d["top"] for d in days] == sorted(d["top"] for d in days)
    expect(page.locator(".week-hour").first).to_be_hidden()


def test_copying_the_link_ticks_off_get_started(page: Page, live_server, owner):
    business = Business.objects.get(memberships__user=owner)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server.url, owner)
    page.goto(dash(business))
    checklist = page.locator("#get-started")
    expect(checklist).to_contain_text("I have shared my link")
    mark_page(page)
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    expect(checklist).to_contain_text("Your booking link was shared on")
    expect(checklist.locator("[data-all-set]")).to_contain_text("you are all set")
    assert was_not_reloaded(page)
    business.refresh_from_db()
    assert business.link_shared_at is not None


def test_adding_a_session_without_services_goes_by_the_service_form(
    page: Page, live_server, owner, business
):
    business.booking_settings.min_advance_booking_hours = 3
    business.booking_settings.save()
    log_in(page, live_server.url, owner)
    page.goto(dash(business))
    page.get_by_role("link", name="Add a session").click()
    expect(page.get_by_role("heading", name="Add a service")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("First add a service")
    page.get_by_label("Name").fill("Aqua Fit")
    page.get_by_label("Duration").fill("45")
    page.get_by_label("Capacity").fill("8")
    page.get_by_label("Price").fill("12.50")
    page.get_by_role("button", name="Save service").click()
    expect(page.get_by_role("heading", name="Add a session")).to_be_visible()
    expect(page.get_by_label("Service")).to_have_value(str(business.services.get().pk))
    # The deadline starts at the minimum notice, and the form says how the two mix.
    expect(page.get_by_label("Booking closes")).to_have_value("3")
    expect(page.get_by_text("the longer of the two applies")).to_be_visible()
    day = first_weekday_after(2, 3, business.tz)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_role("button", name="Add session").click()
    expect(page.locator("#messages")).to_contain_text("Session added: Aqua Fit")
    card = page.locator(".session-card", has_text="Aqua Fit")
    expect(card).to_contain_text(re.compile(r"Booking closes in \d+ d"))


def test_a_ready_reason_rejects_a_phone_only_request(
    page: Page, live_server, owner, business, week
):
    booking = week["phone_only"]
    log_in(page, live_server.url, owner)
    page.goto(dash(business, f"requests/{booking.pk}/"))
    call = page.get_by_role("link", name=PHONE).first
    expect(call).to_have_attribute("href", f"tel:{PHONE}")
    expect(page.get_by_text("No email: call")).to_be_visible()
    page.goto(dash(business, "requests/"))
    row = page.locator("#requests-table tbody tr", has_text="Olivia Brown")
    row.get_by_role("link", name=re.compile("^Reject")).click()
    dialog = page.locator("dialog#dialog")
    expect(dialog.get_by_text("No email: call")).to_be_visible()
    expect(dialog).not_to_contain_text("in their email")
    dialog.get_by_label(READY_REASONS[1]).check()
    dialog.get_by_role("button", name="Reject request").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#messages")).to_contain_text("Rejected")
    booking.refresh_from_db()
    assert (booking.status, booking.rejection_reason) == (
        Status.REJECTED,
        READY_REASONS[1],
    )


def test_settings_say_saved_beside_the_button_and_prices_take_the_currency(
    page: Page, live_server, owner, business, week
):
    log_in(page, live_server.url, owner)
    page.goto(dash(business, "settings/"))
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_role("button", name="Save profile").click()
    saved = page.locator("#profile-card [data-saved]")
    expect(saved).to_have_text("Business profile saved.")
    button = page.get_by_role("button", name="Save profile").bounding_box()
    message = saved.bounding_box()
    assert abs(message["y"] - button["y"]) < button["height"]  # on the same line
    assert message["x"] > button["x"]
    page.goto(f"/book/{business.slug}/")
    expect(page.get_by_text(re.compile("Price €"))).to_be_visible()
