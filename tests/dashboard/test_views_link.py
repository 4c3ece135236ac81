"""The booking link card (dashboard/views/link.py): the link, the snippet, QR codes."""

import io
from xml.etree import ElementTree

import pytest
import segno

from tests.dashboard.conftest import url


@pytest.mark.django_db
def test_link_page_shows_the_link_snippet_and_qr(owner_client, business, settings):
    settings.BOOKING_BASE_URL = "https://book.example.com"
    html = owner_client.get(url("link", business)).content.decode()
    assert 'value="https://book.example.com/book/swim-school-pro/"' in html
    assert (
        "&lt;iframe src=&quot;https://book.example.com/embed/swim-school-pro/" in html
    )
    assert 'data-copy="#booking-link" hidden' in html  # shown by JavaScript only
    assert url("link_qr", business, fmt="png") + "?download=1" in html
    assert url("link_qr", business, fmt="svg") + "?download=1" in html


@pytest.mark.django_db
def test_qr_png(owner_client, business):
    response = owner_client.get(url("link_qr", business, fmt="png"))
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert "Content-Disposition" not in response


@pytest.mark.django_db
def test_qr_svg_download(owner_client, business):
    response = owner_client.get(url("link_qr", business, fmt="svg"), {"download": "1"})
    assert response["Content-Type"] == "image/svg+xml"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="swim-school-pro-booking-link-qr.svg"'
    )
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own output)
    assert root.tag.endswith("svg")


@pytest.mark.django_db
def test_qr_other_formats_are_404(owner_client, business):
    assert owner_client.get(url("link_qr", business, fmt="gif")).status_code == 404


@pytest.mark.django_db
def test_qr_encodes_the_link(owner_client, business, settings):
    settings.BOOKING_BASE_URL = "https://book.example.com"
    expected, wrong = io.BytesIO(), io.BytesIO()
    for text, out in (
        ("https://book.example.com/book/swim-school-pro/", expected),
        ("https://book.example.com/book/other/", wrong),
    ):
        segno.make(text, error="m").save(out, kind="png", scale=10, border=4)
    response = owner_client.get(url("link_qr", business, fmt="png"))
    assert response.content == expected.getvalue() != wrong.getvalue()
