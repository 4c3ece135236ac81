"""The widget in an iframe on the business's own site (another origin)."""

import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser, expect

from booking.models import BookingRequest
from tests.booking.pages_helpers import local_at
from tests.browser.booking_helpers import make_shop, step_ready
from tests.factories import SessionFactory

pytestmark = pytest.mark.browser


def host_page(live_server, slug: str) -> str:
    return f"""<!doctype html><html lang="en"><head><title>Swim School</title></head>
    <body><main><h1>Our timetable</h1>
    <iframe id="widget" src="{live_server.url}/embed/{slug}/" title="Book a lesson"
      style="width:100%;min-height:400px;border:0"></iframe>
    <script src="{live_server.url}/static/js/embed.js" defer></script>
    </main></body></html>"""


@contextmanager
def business_site(live_server, slug: str):
    """The business's own website: a real server on another origin (127.0.0.1)."""
    body = host_page(live_server, slug).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_allowed_site_embeds_the_whole_flow(browser: Browser, live_server, business):
    shop = make_shop(business)
    # Five more afternoon times on the same day: the week step is then several slot
    # rows taller than the details step on any day the test runs, so "the shorter
    # step shrinks the frame" is decided by the data, not by how the dates wrap.
    for hour in (13, 14, 15, 16, 17):
        SessionFactory(service=shop.private, starts_at=local_at(business, 2, hour))
    context = browser.new_context()
    page = context.new_page()
    with business_site(live_server, business.slug) as origin:
        business.booking_settings.allowed_embed_origins = origin
        business.booking_settings.save()
        page.goto(f"{origin}/")
        book_in_the_widget(page)
    assert BookingRequest.objects.get().session == shop.morning
    assert context.cookies() == []
    context.close()


def book_in_the_widget(page) -> None:
    widget = page.frame_locator("#widget")

    # Each step is used once it is live (swapped in, processed, focus moved), as a
    # person would: acting on content still being swapped races its focus and
    # scroll, and in a frame a click the page moved away from can be lost.
    widget.get_by_role("link", name="Private Lesson").click()
    step_ready(widget, "Choose a time")
    week_height = frame_fits_its_content(page)
    widget.get_by_role("link", name=re.compile(r"09:00–10:00")).click()
    step_ready(widget, "Your details")
    # The shorter step shrinks the frame again: no blank space left below it.
    assert frame_fits_its_content(page) < week_height
    widget.get_by_label("Your name").fill("Ada Lovelace")
    widget.get_by_label("Email", exact=True).fill("ada@example.com")
    widget.get_by_role("button", name="Book this time").click()

    step_ready(widget, "You're booked")
    # embed.js grew the iframe to fit the confirmation.
    expect(page.locator("#widget")).to_have_attribute(
        "style", re.compile(r"height: \d{3,}px")
    )


def frame_fits_its_content(page) -> int:
    """Wait until embed.js has sized the frame to the step inside; return its height."""
    inner = page.locator("#widget").element_handle().content_frame()
    content = inner.evaluate(
        """() => {
            const style = getComputedStyle(document.body);
            return Math.ceil(document.body.getBoundingClientRect().height
                + parseFloat(style.marginTop) + parseFloat(style.marginBottom));
        }"""
    )
    expected = max(320, content)
    page.wait_for_function(
        """(expected) => Math.abs(
            document.getElementById("widget").getBoundingClientRect().height - expected
        ) <= 1""",
        arg=expected,
    )
    return expected


def test_another_site_cannot_frame_the_widget(browser: Browser, live_server, business):
    make_shop(business)
    business.booking_settings.allowed_embed_origins = "https://www.swimschool.com"
    business.booking_settings.save()
    context = browser.new_context()
    page = context.new_page()
    with business_site(live_server, business.slug) as origin:
        page.goto(f"{origin}/")
        expect(page.get_by_role("heading", name="Our timetable")).to_be_visible()
        frame = page.frame_locator("#widget")
        # The browser refuses to render it: the frame holds its error page instead.
        expect(frame.locator("body")).to_be_attached()
        expect(frame.get_by_role("heading", name="Choose a service")).to_have_count(0)
        assert page.frames[1].url.startswith("chrome-error://")
    context.close()
