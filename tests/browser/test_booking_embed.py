"""The widget on the business's own website: a real page on another origin.

The app (``live_server``) answers on one loopback name and the business's site on the
other, so the browser treats them as two sites, as it would in production. The
server's clock is frozen at a fixed instant, so every step shows the same dates and
has the same height whatever day the tests run; heights are read after the frame says
it resized (a ``booking:resize`` event), never after a delay.
"""

import json
import re
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Frame, Page, expect

from booking.models import BookingRequest
from tests.browser.booking_helpers import AXE_OPTIONS, step_ready
from tests.factories import BookingRequestFactory, ServiceFactory, SessionFactory

pytestmark = pytest.mark.browser

# Wednesday 10 June 2026, 09:00 in London: far from any clock change.
FROZEN = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
ZONE = "Europe/London"
DESKTOP = {"width": 1280, "height": 900}
# What the host page records: every widget event, with the tag it was fired on.
RECORDER = """<script>
window.seen = [];
["booking:step", "booking:completed", "booking:resize"].forEach(function (name) {
  window.addEventListener(name, function (event) {
    window.seen.push({name: name, detail: event.detail, on: event.target.tagName});
  });
});
</script>"""


# --- the business's website -----------------------------------------------------------


def site_origin(live_server) -> str:
    """The other loopback name than the app's, on a port of its own."""
    app_host = urlsplit(live_server.url).hostname
    return "127.0.0.1" if app_host == "localhost" else "localhost"


@contextmanager
def business_site(live_server, body: str):
    """Serve ``body`` (``{app}`` is the app's origin) at ``/`` of another origin."""
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Swim School</title>{RECORDER}</head><body><main>"
        f"<h1>Our timetable</h1>{body.format(app=live_server.url)}</main></body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://{site_origin(live_server)}:{server.server_port}"
    assert urlsplit(origin)[:2] != urlsplit(live_server.url)[:2]
    try:
        yield origin
    finally:
        server.shutdown()
        server.server_close()


def one_line(slug: str, **options: str) -> str:
    attrs = "".join(f' data-{name}="{value}"' for name, value in options.items())
    return (
        f'<script src="{{app}}/static/js/embed.js" data-booking-link="{slug}"'
        f"{attrs} async></script>"
    )


# --- the data: every step's content is fixed ------------------------------------------


@pytest.fixture
def frozen():
    """The server's clock (the live server runs in this process) at ``FROZEN``."""
    with time_machine.travel(FROZEN, tick=True):
        yield


@pytest.fixture
def lessons(business, frozen):
    """Private Lesson: twelve times on Friday 12 June (a tall week step), one service.

    Group Lesson: a single time the same Friday, for the popup.
    """
    private = ServiceFactory(
        business=business, name="Private Lesson", duration_minutes=60, capacity=1
    )
    group = ServiceFactory(
        business=business, name="Group Lesson", duration_minutes=45, capacity=6
    )
    for hour in range(8, 20):
        SessionFactory(service=private, starts_at=at(12, hour))
    SessionFactory(service=group, capacity=6, starts_at=at(12, 17, 30))
    return private, group


def at(day: int, hour: int, minute: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(2026, 6, day, hour, minute, tzinfo=ZoneInfo(ZONE))


def new_page(browser: Browser, **options) -> Page:
    context = browser.new_context(
        viewport=DESKTOP, timezone_id=ZONE, locale="en-GB", **options
    )
    return context.new_page()


# --- heights --------------------------------------------------------------------------

# The height the step inside the frame needs: the body's box and its margins.
CONTENT_HEIGHT = """() => {
    const style = getComputedStyle(document.body);
    return Math.ceil(document.body.getBoundingClientRect().height
        + parseFloat(style.marginTop) + parseFloat(style.marginBottom));
}"""
# How far the frame's document can scroll, and the bottom of its last content with
# the page's own padding below it.
INSIDE = """() => {
    const root = document.scrollingElement;
    const main = document.querySelector("main");
    const bottoms = [...main.children]
        .filter((el) => el.getClientRects().length)
        .map((el) => el.getBoundingClientRect().bottom);
    return {
        overflow: root.scrollHeight - root.clientHeight,
        viewport: window.innerHeight,
        contentBottom: Math.max(...bottoms)
            + parseFloat(getComputedStyle(main).paddingBottom),
    };
}"""


def inner_frame(page: Page, selector: str = "iframe") -> Frame:
    return page.locator(selector).element_handle().content_frame()


def frame_fits(page: Page, selector: str = "iframe") -> int:
    """Wait for the frame to report the step's height, check the frame fits it.

    The frame never scrolls inside and is at most a few pixels taller than its
    content (the last element's bottom, and the page's padding). Returns the
    frame's height.
    """
    frame = inner_frame(page, selector)
    needed = frame.evaluate(CONTENT_HEIGHT)
    page.wait_for_function(
        """([selector, needed]) => {
            const last = window.seen.filter((e) => e.name === "booking:resize").pop();
            const height = document.querySelector(selector)
                .getBoundingClientRect().height;
            return last && last.detail.height === needed && height === needed;
        }""",
        arg=[selector, needed],
    )
    inside = frame.evaluate(INSIDE)
    assert inside["overflow"] == 0, f"the frame scrolls inside: {inside}"
    assert inside["viewport"] == needed
    assert 0 <= needed - inside["contentBottom"] <= 4, inside
    return needed


def events(page: Page, name: str) -> list[dict]:
    return [e for e in page.evaluate("window.seen") if e["name"] == name]


# --- the one line ---------------------------------------------------------------------


def test_the_one_line_snippet_books_on_any_site(
    browser: Browser, live_server, business, lessons
):
    """No websites listed: any site may show the widget, and a client books in it."""
    page = new_page(browser)
    with business_site(live_server, one_line(business.slug)) as site:
        page.goto(f"{site}/")
        widget = page.frame_locator("iframe")
        expect(page.locator("iframe")).to_have_attribute("title", "Book online")
        expect(page.locator("iframe")).to_have_attribute("loading", "lazy")
        expect(widget.get_by_role("heading", name="Choose a service")).to_be_visible()
        frame_fits(page)

        widget.get_by_role("link", name="Private Lesson").click()
        step_ready(widget, "Choose a time")
        week = frame_fits(page)
        widget.get_by_role("link", name=re.compile(r"09:00–10:00")).click()
        step_ready(widget, "Your details")
        details = frame_fits(page)
        # Twelve times make the week taller than the form: the frame shrank to it.
        assert details < week

        # Narrower, the form wraps onto more lines: the frame grows, then shrinks.
        page.set_viewport_size({"width": 375, "height": 900})
        narrow = frame_fits(page)
        assert narrow > details
        page.set_viewport_size(DESKTOP)
        assert frame_fits(page) == details

        widget.get_by_label("Your name").fill("Ada Lovelace")
        widget.get_by_label("Email", exact=True).fill("ada@example.com")
        widget.get_by_role("button", name="Book this time").click()
        step_ready(widget, "Booked")
        frame_fits(page)

    booking = BookingRequest.objects.get()
    assert booking.session.starts_at == at(12, 9)
    (completed,) = events(page, "booking:completed")
    assert completed == {
        "name": "booking:completed",
        "on": "SCRIPT",  # the snippet's own element, bubbling to the window
        "detail": {
            "reference": booking.booking_reference,
            "status": "approved",
            "service": "Private Lesson",
            "starts_at": "2026-06-12T09:00:00+01:00",
        },
    }
    assert "Ada" not in json.dumps(page.evaluate("window.seen"))
    steps = [e["detail"]["step"] for e in events(page, "booking:step")]
    assert steps == ["service", "time", "details", "confirmation"]
    # The booking origin stored nothing in the browser (nor did anyone else).
    assert page.context.cookies() == []
    page.context.close()


def test_a_site_not_in_the_list_cannot_show_the_widget(
    browser: Browser, live_server, business, lessons
):
    business.booking_settings.allowed_embed_origins = "https://www.swimschool.com"
    business.booking_settings.save()
    page = new_page(browser)
    with business_site(live_server, one_line(business.slug)) as site:
        page.goto(f"{site}/")
        expect(page.get_by_role("heading", name="Our timetable")).to_be_visible()
        # The browser refuses to render it: the frame holds its error page instead.
        expect(page.locator("iframe")).to_be_attached()
        page.wait_for_function("() => window.frames.length === 1")
        expect(inner_frame(page).locator("body")).to_be_attached()
        assert inner_frame(page).url.startswith("chrome-error://")
        assert events(page, "booking:step") == []
    page.context.close()


def test_a_listed_site_shows_it_and_a_clients_private_page_stays_off_other_sites(
    browser: Browser, live_server, business, lessons
):
    private, _ = lessons
    booking = BookingRequestFactory(session=private.sessions.first())
    manage = f"{live_server.url}/embed/bookings/{booking.access_token}/"
    body = one_line(business.slug) + f'<iframe id="private" src="{manage}"></iframe>'
    page = new_page(browser)
    with business_site(live_server, body) as site:
        page.goto(f"{site}/")
        widget = page.frame_locator("iframe[title='Book online']")
        expect(widget.get_by_role("heading", name="Choose a service")).to_be_visible()
        # With no websites listed, no site may frame a client's own booking page.
        page.wait_for_function("() => window.frames.length === 2")
        expect(inner_frame(page, "#private").locator("body")).to_be_attached()
        assert inner_frame(page, "#private").url.startswith("chrome-error://")

        business.booking_settings.allowed_embed_origins = site
        business.booking_settings.save()
        page.reload()
        expect(widget.get_by_role("heading", name="Choose a service")).to_be_visible()
        private_page = page.frame_locator("#private")
        expect(private_page.get_by_role("heading", name="Your booking")).to_be_visible()
    page.context.close()


def test_a_placeholder_opens_at_a_service_in_the_clients_zone(
    browser: Browser, live_server, business, lessons
):
    private, _ = lessons
    body = (
        f'<div id="booking" data-booking-link="{business.slug}" '
        f'data-service="{private.pk}" data-timezone="Asia/Tokyo"></div>'
        '<script src="{app}/static/js/embed.js" async></script>'
    )
    page = new_page(browser)
    with business_site(live_server, body) as site:
        page.goto(f"{site}/")
        widget = page.frame_locator("#booking iframe")
        expect(widget.get_by_role("heading", name="Choose a time")).to_be_visible()
        expect(widget.get_by_text("Times in Asia/Tokyo")).to_be_visible()
        # Friday 09:00 in London is 17:00 in Tokyo.
        expect(
            widget.get_by_role("link", name=re.compile("17:00–18:00"))
        ).to_be_visible()
        frame_fits(page, "#booking iframe")
        (step,) = events(page, "booking:step")
        assert (step["on"], step["detail"]) == ("DIV", {"step": "time"})
    page.context.close()


def test_the_old_iframe_snippet_keeps_working(
    browser: Browser, live_server, business, lessons
):
    """The iframe handed out before, with its 720 px minimum, and embed.js deferred."""
    body = (
        f'<iframe src="{{app}}/embed/{business.slug}/" title="Book a lesson" '
        'style="width:100%;min-height:720px;border:0"></iframe>'
        '<script src="{app}/static/js/embed.js" defer></script>'
    )
    page = new_page(browser)
    with business_site(live_server, body) as site:
        page.goto(f"{site}/")
        widget = page.frame_locator("iframe")
        expect(widget.get_by_role("heading", name="Choose a service")).to_be_visible()
        # Shorter than 720 px, and the frame follows it down.
        assert frame_fits(page) < 720
        widget.get_by_role("link", name="Private Lesson").click()
        step_ready(widget, "Choose a time")
        frame_fits(page)
        assert [e["on"] for e in events(page, "booking:step")] == ["IFRAME"] * 2
    page.context.close()


# --- the popup ------------------------------------------------------------------------

# Where the host page's focus is: in the dialog, on the page behind it, or nowhere
# (the browser's own controls, which a modal dialog lets the keyboard reach).
FOCUS = """() => {
    const active = document.activeElement;
    if (!active || active === document.body) return "nowhere";
    if (!active.closest("dialog")) return "page: " + active.outerHTML.slice(0, 60);
    return active.tagName === "IFRAME" ? "frame" : active.textContent.trim();
}"""


def tab_to(page: Page, target, *, limit: int = 40) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def assert_no_axe_violations(scope, context=None) -> None:
    results = Axe().run(scope, context=context, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def test_the_popup_books_and_closes_by_keyboard_alone(
    browser: Browser, live_server, business, lessons
):
    body = (
        '<p><a href="#prices">Prices</a></p>'
        + one_line(business.slug, mode="popup", label="Book a lesson")
        + '<p><a href="#contact">Contact</a></p>'
    )
    page = new_page(browser)
    with business_site(live_server, body) as site:
        page.goto(f"{site}/")
        button = page.get_by_role("button", name="Book a lesson")
        tab_to(page, button)
        page.keyboard.press("Enter")

        dialog = page.get_by_role("dialog", name="Book a lesson")
        expect(dialog).to_be_visible()
        assert page.evaluate(FOCUS) == "Close"  # focus moved into the dialog
        widget = page.frame_locator("dialog iframe")
        expect(widget.get_by_role("heading", name="Choose a service")).to_be_visible()
        assert_no_axe_violations(page, "dialog")
        assert_no_axe_violations(inner_frame(page, "dialog iframe"))

        # Tab goes round the dialog and back to its start; the page behind it
        # never gets the focus.
        seen = []
        while len(seen) < 40 and (not seen or seen[-1] != "Close"):
            page.keyboard.press("Tab")
            seen.append(page.evaluate(FOCUS))
        assert seen[-1] == "Close"
        assert "frame" in seen and set(seen) <= {"Close", "frame", "nowhere"}, seen

        tab_to(page, widget.get_by_role("link", name="Group Lesson"))
        page.keyboard.press("Enter")
        step_ready(widget, "Choose a time")
        tab_to(page, widget.get_by_role("link", name=re.compile("17:30–18:15")))
        page.keyboard.press("Enter")
        step_ready(widget, "Your details")
        tab_to(page, widget.get_by_label("Your name"))
        page.keyboard.type("Ada Lovelace")
        page.keyboard.press("Tab")
        page.keyboard.type("ada@example.com")
        page.keyboard.press("Enter")
        step_ready(widget, "Booked")
        assert_no_axe_violations(inner_frame(page, "dialog iframe"))
        page.wait_for_function(
            "() => window.seen.some((e) => e.name === 'booking:completed')"
        )
        (completed,) = events(page, "booking:completed")
        booking = BookingRequest.objects.get()
        assert completed["detail"]["reference"] == booking.booking_reference
        assert completed["on"] == "SCRIPT"

        # Escape, with the focus inside the booking, closes it: focus is back on
        # the button that opened it.
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(button).to_be_focused()

        # Open again (the booking is still shown), close with the Close button.
        page.keyboard.press("Enter")
        expect(dialog).to_be_visible()
        expect(widget.get_by_role("heading", name="Booked", exact=True)).to_be_visible()
        assert page.evaluate(FOCUS) == "Close"
        page.keyboard.press("Enter")
        expect(dialog).to_be_hidden()
        expect(button).to_be_focused()
        # And Escape while the Close button has the focus.
        page.keyboard.press("Enter")
        expect(dialog).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(button).to_be_focused()
    assert page.context.cookies() == []
    page.context.close()
