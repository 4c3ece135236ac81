"""The API docs page renders Swagger UI from our own files, with no outside request."""

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser


def test_api_docs_render_without_the_internet(page: Page, live_server):
    outside: list[str] = []

    def only_our_server(route: Route) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_our_server)
    page.goto("/api/docs")
    expect(page.get_by_role("heading", name="Booking Links API")).to_be_visible()
    book = page.locator('[data-path="/api/booking/public/{business_slug}/book/"]')
    expect(book).to_be_visible()
    # GET lists the requests, POST enters one taken by phone or at the desk.
    expect(page.locator('[data-path="/api/booking/requests/"]')).to_have_count(2)
    reschedule = '[data-path="/api/booking/requests/{id}/reschedule/"]'
    expect(page.locator(reschedule)).to_be_visible()
    book.click()
    expect(page.get_by_text("Idempotency-Key").first).to_be_visible()
    assert outside == []
