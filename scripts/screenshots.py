"""`make screenshots`: the pictures of README.md and docs/USER_GUIDE.md, from the app.

    python scripts/screenshots.py               # writes docs/img/*.png
    python scripts/screenshots.py --out /tmp/x  # anywhere else (the docs test does)

It never touches your own database: it migrates a throwaway SQLite database in a
temporary folder, loads the demo business with ``seed_demo``, starts gunicorn on a
free port, and drives Debian's Chromium through Playwright the way an owner and a
client would (sign up, turn approval on, book from a phone, answer the request).
Then it stops the server by its process id and deletes the folder.

The demo's sessions start from today, so the pictures show today's dates; nothing
here depends on the day it runs. Desktop pictures are 1280 px wide, the client's
phone pictures 375 px. ``optipng`` shrinks the files when it is installed.
"""

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Same flags as the browser tests (tests/conftest.py).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    # The made-up business site below is "public" and the app listens on loopback;
    # Chromium's local-network protection would keep the widget out of it. (Deployed,
    # both are public sites, and nothing needs this.)
    "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,"
    "PrivateNetworkAccessSendPreflights",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
ZONE = "Europe/London"  # the demo business's zone; the browsers live there too
SLUG = "swim-school-pro"
OWNER = "owner@example.com"
# What the pages print as the public address: the one `make run` serves.
BASE_URL_SHOWN = "http://127.0.0.1:8000"
CLIENT = {
    "name": "Grace Hopper",
    "email": "grace.hopper@example.com",
    "notes": "Can swim a little; would like to work on breathing.",
}
SERVER_START_SECONDS = 30
# The business's own website, where the widget is shown (Playwright answers for it).
SITE = "https://www.swimschool.example"
SITE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Swim School Pro</title><style>
body {{ margin: 0; font: 16px/1.5 Georgia, serif; background: #eef6f8; color: #123; }}
header {{ background: #0b4f6c; color: #fff; padding: 1rem 2rem; }}
header h1 {{ margin: 0; font-size: 1.6rem; }}
main {{ max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; }}
</style></head><body>
<header><h1>Swim School Pro</h1><p>Lessons for every age, all year round</p></header>
<main><h2>Book a lesson</h2>
<p>Pick a lesson and a time below; you get a confirmation by email.</p>
{snippet}
</main></body></html>"""


# --- the throwaway app ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(folder: Path, password: str) -> dict[str, str]:
    """The environment of every process of the throwaway app: nothing of yours.

    Built from scratch (not a copy of os.environ), so your DATABASE_URL, REDIS_URL,
    SendGrid key or SECRET_KEY can never reach it.
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(folder)),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "HUEY_SQLITE_PATH": str(folder / "huey.sqlite3"),
        "EMAIL_FILE_PATH": str(folder / "emails"),
        "BOOKING_BASE_URL": BASE_URL_SHOWN,
        "DEMO_PASSWORD": password,
        "RATELIMIT_ENABLE": "false",
    }
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    """Poll ``url`` until it answers; fail with the server's log if it never does."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(
        f"The app did not start at {url}. Its log:\n{log.read_text()[-3000:]}"
    )


@contextmanager
def demo_app() -> Iterator[tuple[str, str]]:
    """A migrated, seeded app served by gunicorn; yields (base URL, owner password)."""
    folder = Path(tempfile.mkdtemp(prefix="booking-screenshots-"))
    password = secrets.token_urlsafe(12)
    env = app_env(folder, password)
    server = None
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo")
        port = free_port()
        log = folder / "server.log"
        with log.open("w") as log_file:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                    "--threads",
                    "4",
                ],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{base}/book/{SLUG}/", server, log)
        yield base, password
    finally:
        if server is not None:
            server.terminate()  # by its own pid: gunicorn stops its worker too
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(folder, ignore_errors=True)


# --- taking the pictures -------------------------------------------------------------


class Camera:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.taken: list[Path] = []

    def page(self, page: Page, name: str, *, full_page: bool = False) -> None:
        path = self.out / name
        page.screenshot(path=path, full_page=full_page, animations="disabled")
        self.taken.append(path)

    def around(self, page: Page, selectors: list[str], name: str) -> None:
        """The smallest picture that holds every one of ``selectors`` (a card and
        the menu open over it), with a margin."""
        boxes = [page.locator(selector).bounding_box() for selector in selectors]
        left = max(min(b["x"] for b in boxes) - 16, 0)
        top = max(min(b["y"] for b in boxes) - 16, 0)
        right = max(b["x"] + b["width"] for b in boxes) + 16
        bottom = max(b["y"] + b["height"] for b in boxes) + 16
        width = max(right - left, 320)  # the guide shows nothing narrower
        clip = {"x": left, "y": top, "width": width, "height": bottom - top}
        path = self.out / name
        page.screenshot(path=path, clip=clip, animations="disabled")
        self.taken.append(path)

    def element(self, page: Page, selector: str, name: str) -> None:
        path = self.out / name
        page.locator(selector).screenshot(path=path, animations="disabled")
        self.taken.append(path)


def step_ready(page: Page, heading: str) -> None:
    """A booking step is live once its heading has focus (booking.js moves it)."""
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    page.wait_for_load_state("networkidle")


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def sign_up(browser: Browser, base: str, camera: Camera) -> None:
    """A new owner signs up and lands on an empty dashboard with its first steps."""
    context = browser.new_context(
        base_url=base, viewport=DESKTOP, timezone_id=ZONE, locale="en-GB"
    )
    page = context.new_page()
    page.goto("/accounts/signup/")
    page.get_by_label("Business name").fill("Lakeside Yoga")
    page.get_by_label("Your name").fill("Priya")
    page.get_by_label("Email").fill("priya@lakeside-yoga.example")
    page.get_by_label("Password").fill(secrets.token_urlsafe(12))
    page.get_by_label("Time zone").select_option(ZONE)
    camera.page(page, "signup.png")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Get started")).to_be_visible()
    camera.page(page, "home-get-started.png")
    context.close()


def owner_sets_up(page: Page, camera: Camera, password: str) -> None:
    """The demo owner: home, services, a weekly series, the week, settings, the link."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(OWNER)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Swim School Pro")).to_be_visible()
    camera.page(page, "home.png")

    page.get_by_role("navigation", name="Dashboard").get_by_role(
        "link", name="Services"
    ).click()
    expect(page.get_by_role("heading", name="Services")).to_be_visible()
    camera.page(page, "services.png")

    nav = page.get_by_role("navigation", name="Dashboard")
    nav.get_by_role("link", name="Sessions").click()
    page.get_by_role("link", name="Create a recurring series").click()
    # Four weeks of Tuesdays and Thursdays, after the demo's own 30 days.
    today = datetime.now(ZoneInfo(ZONE)).date()
    first = next_monday(today) + timedelta(days=28)
    page.get_by_label("Service").select_option(label="Group Lesson")
    page.get_by_label("Tuesday").check()
    page.get_by_label("Thursday").check()
    page.get_by_label("Start time").fill("18:30")
    page.get_by_label("From").fill(first.isoformat())
    page.get_by_label("Until").fill((first + timedelta(days=27)).isoformat())
    page.get_by_label("Until").blur()
    expect(page.locator("[data-preview-count]")).to_contain_text("8 sessions")
    camera.page(page, "series.png")
    page.get_by_role("button", name="Create sessions").click()
    expect(page.get_by_role("heading", name="Sessions", exact=True)).to_be_visible()
    # The week of the day after tomorrow: this week, or the next one near a weekend.
    week = (today + timedelta(days=2)).isoformat()
    page.goto(f"{page.url.split('?')[0]}?week={week}")
    expect(page.locator(".week-day").first).to_be_visible()
    camera.page(page, "sessions-week.png")
    # A booked session ahead, with its menu open.
    card = page.locator(".session-card:has(details):has(.session-card__clients)").first
    card.locator("summary").click()
    expect(card.get_by_role("link", name=re.compile("^Cancel session"))).to_be_visible()
    card_id = f"#{card.get_attribute('id')}"
    camera.around(page, [card_id, f"{card_id} .menu"], "session-menu.png")
    page.keyboard.press("Escape")

    nav.get_by_role("link", name="Settings").click()
    page.get_by_label("I approve each booking request").check()
    page.get_by_role("button", name="Save booking settings").click()
    expect(page.locator("#booking-card [data-saved]")).to_be_visible()
    camera.element(page, "#booking-card", "settings-booking.png")
    camera.element(page, "#calendar-feed", "calendar-feed.png")

    nav.get_by_role("link", name="Booking link").click()
    expect(page.get_by_role("heading", name="Booking link", exact=True)).to_be_visible()
    camera.page(page, "link.png")
    page.get_by_label("Websites that may show the widget").fill(SITE)
    page.get_by_role("button", name="Save websites").click()
    expect(page.locator("#widget-websites [data-saved]")).to_be_visible()
    preview = page.frame_locator(".widget-preview iframe")
    expect(preview.get_by_role("heading", name="Choose a service")).to_be_visible()
    sized_to_its_step(page, ".widget-preview iframe")
    camera.element(page, "#widget", "link-widget.png")


def client_books(browser: Browser, base: str, camera: Camera) -> None:
    """A client books from a phone; approval is on, so it is a request."""
    context = browser.new_context(
        base_url=base,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        timezone_id=ZONE,
        locale="en-GB",
    )
    page = context.new_page()
    page.goto(f"/book/{SLUG}/")
    step_ready(page, "Choose a service")
    camera.page(page, "booking-services-phone.png", full_page=True)
    page.get_by_role("link", name="Group Lesson").click()
    step_ready(page, "Choose a time")
    slots = page.locator("a.slot")
    if not slots.count():  # no open time this week: the page links the next one
        page.get_by_role("link", name="Go to the next week with a time").click()
        step_ready(page, "Choose a time")
    camera.page(page, "booking-week-phone.png", full_page=True)
    page.locator("a.slot").first.click()
    step_ready(page, "Your details")
    page.get_by_label("Your name").fill(CLIENT["name"])
    page.get_by_label("Email", exact=True).fill(CLIENT["email"])
    page.get_by_label("Notes for the business").fill(CLIENT["notes"])
    page.evaluate("document.activeElement.blur()")  # the field checks run on change
    page.wait_for_load_state("networkidle")
    camera.page(page, "booking-details-phone.png", full_page=True)
    page.get_by_role("button", name="Send booking request").click()
    step_ready(page, "Request sent")
    camera.page(page, "booking-requested-phone.png", full_page=True)
    context.close()


def sized_to_its_step(page: Page, frame: str) -> None:
    """Wait until embed.js has given the frame its step's height (not its first)."""
    page.wait_for_function(
        "(frame) => document.querySelector(frame).style.height !== '480px'",
        arg=frame,
    )


def business_site(browser: Browser, base: str, snippet: str) -> Page:
    """The business's own website (Playwright answers for it), with ``snippet`` in."""
    # The pages print BASE_URL_SHOWN; this throwaway app answers on another port.
    snippet = snippet.replace(BASE_URL_SHOWN, base)
    context = browser.new_context(viewport=DESKTOP, timezone_id=ZONE, locale="en-GB")
    site = context.new_page()
    site.route(
        f"{SITE}/",
        lambda route: route.fulfill(
            content_type="text/html; charset=utf-8",
            body=SITE_PAGE.format(snippet=snippet),
        ),
    )
    site.goto(f"{SITE}/")
    return site


def widget_on_site(browser: Browser, page: Page, base: str, camera: Camera) -> None:
    """The one line from the link page, pasted into the business's own site; then
    the button variant, opened."""
    site = business_site(browser, base, page.locator("#widget-snippet").inner_text())
    widget = site.frame_locator("iframe")
    expect(widget.get_by_role("heading", name="Choose a service")).to_be_visible()
    sized_to_its_step(site, "iframe")
    site.wait_for_load_state("networkidle")
    camera.page(site, "widget.png")
    site.context.close()

    popup = page.locator("#popup-snippet").inner_text()
    site = business_site(browser, base, popup.replace("Book now", "Book a lesson"))
    site.get_by_role("button", name="Book a lesson").click()
    widget = site.frame_locator("dialog iframe")
    expect(widget.get_by_role("heading", name="Choose a service")).to_be_visible()
    sized_to_its_step(site, "dialog iframe")
    site.wait_for_load_state("networkidle")
    camera.page(site, "widget-popup.png")
    site.context.close()


def owner_answers(page: Page, camera: Camera) -> None:
    """Back in the dashboard: the notice, the requests table, a request, rejecting."""
    nav = page.get_by_role("navigation", name="Dashboard")
    nav.get_by_role("link", name="Notifications").click()
    notice = f"New booking request from {CLIENT['name']}"
    expect(page.get_by_text(notice, exact=True)).to_be_visible()
    camera.page(page, "notifications.png")

    nav.get_by_role("link", name="Booking requests").click()  # opens on those waiting
    expect(page.locator("[data-total]")).to_have_text("3 requests")
    camera.page(page, "requests.png")

    # The demo's client who left only a phone number.
    other = page.locator("#requests-table tbody tr").filter(has_text="Olivia Brown")
    other.get_by_role("link", name="Reject").click()
    dialog = page.locator("#dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Reason for the client").fill(
        "The pool is closed for a gala that afternoon. Any other day this week?"
    )
    camera.page(page, "request-reject.png")
    dialog.get_by_role("button", name="Keep it").click()

    page.locator("#requests-table tbody tr", has_text=CLIENT["name"]).get_by_role(
        "link"
    ).first.click()
    expect(page.get_by_role("heading", name="Your answer")).to_be_visible()
    camera.page(page, "request-detail.png", full_page=True)


def shrink(paths: list[Path]) -> None:
    """Losslessly smaller PNGs, when optipng is installed (it is optional)."""
    optipng = shutil.which("optipng")
    if optipng and paths:
        subprocess.run([optipng, "-quiet", "-o2", *map(str, paths)], check=True)


def take_all(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    camera = Camera(out)
    with demo_app() as (base, password), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH,
            args=CHROMIUM_ARGS,
        )
        try:
            sign_up(browser, base, camera)
            owner = browser.new_context(
                base_url=base, viewport=DESKTOP, timezone_id=ZONE, locale="en-GB"
            )
            page = owner.new_page()
            owner_sets_up(page, camera, password)
            widget_on_site(browser, page, base, camera)
            client_books(browser, base, camera)
            owner_answers(page, camera)
            owner.close()
        finally:
            browser.close()
    shrink(camera.taken)
    return camera.taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "docs" / "img",
        help="folder for the PNG files (default: docs/img)",
    )
    args = parser.parse_args()
    taken = take_all(args.out)
    for path in taken:
        print(f"{path}  {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
