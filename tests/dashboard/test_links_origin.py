"""Where links point (booking/links.py): BOOKING_BASE_URL, or in development with it
unset, the origin the request came to (so `make run` on any port links to itself)."""

import io
import json
from datetime import time

import pytest
import segno

from booking.links import absolute, base_url
from booking.models import BookingRequest
from tests.booking.api_helpers import days_ahead, public_url, session_at
from tests.dashboard.conftest import url

DEV_HOST = "127.0.0.1:8411"


@pytest.fixture
def development(settings):
    settings.DEBUG = True
    settings.BOOKING_BASE_URL = "http://127.0.0.1:8000"
    settings.BOOKING_BASE_URL_FROM_REQUEST = True


@pytest.mark.django_db
def test_in_development_the_link_card_follows_the_request(
    owner_client, business, development
):
    html = owner_client.get(url("link", business), HTTP_HOST=DEV_HOST).content
    html = html.decode()
    assert f'value="http://{DEV_HOST}/book/swim-school-pro/"' in html
    assert f"http://{DEV_HOST}/static/js/embed.js" in html
    assert "127.0.0.1:8000" not in html
    settings_page = owner_client.get(url("settings", business), HTTP_HOST=DEV_HOST)
    assert f'value="http://{DEV_HOST}/calendar/' in settings_page.content.decode()


@pytest.mark.django_db
def test_the_qr_code_follows_the_request_too(owner_client, business, development):
    svg = owner_client.get(url("link_qr", business, fmt="svg"), HTTP_HOST=DEV_HOST)
    expected = io.BytesIO()
    segno.make(f"http://{DEV_HOST}/book/swim-school-pro/", error="m").save(
        expected, kind="svg", scale=10, border=4, title="QR code of the booking link"
    )
    assert svg.content == expected.getvalue()


@pytest.mark.django_db
def test_a_booking_through_the_api_gets_a_manage_url_on_the_request_origin(
    client, business, development
):
    session = session_at(business, days_ahead(business, 3), time(9))
    answer = client.post(
        public_url(business, "book/"),
        json.dumps(
            {
                "session_id": session.pk,
                "client_name": "Ada",
                "client_phone": "+442079460000",
            }
        ),
        content_type="application/json",
        HTTP_HOST=DEV_HOST,
    )
    assert answer.status_code == 201
    booking = BookingRequest.objects.get()
    assert answer.json()["manage_url"] == (
        f"http://{DEV_HOST}/bookings/{booking.access_token}/"
    )
    assert base_url() == "http://127.0.0.1:8000"  # outside a request: the setting


@pytest.mark.django_db
def test_a_set_base_url_wins_over_the_request(owner_client, business, settings):
    settings.DEBUG = True
    settings.BOOKING_BASE_URL = "https://book.example.com"
    settings.BOOKING_BASE_URL_FROM_REQUEST = False
    html = owner_client.get(url("link", business), HTTP_HOST=DEV_HOST).content
    assert b'value="https://book.example.com/book/swim-school-pro/"' in html


@pytest.mark.django_db
def test_with_debug_off_the_request_never_decides(owner_client, business, settings):
    settings.DEBUG = False
    settings.BOOKING_BASE_URL = "https://book.example.com"
    settings.BOOKING_BASE_URL_FROM_REQUEST = True
    html = owner_client.get(url("link", business), HTTP_HOST="127.0.0.1").content
    assert b'value="https://book.example.com/book/swim-school-pro/"' in html
    assert absolute("/x/") == "https://book.example.com/x/"
