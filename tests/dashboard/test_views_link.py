"""The booking link card (dashboard/views/link.py): the link, the snippet, QR codes."""

import io
from xml.etree import ElementTree

import pytest
import segno

from booking.models import BookingSettings
from tests.conftest import HTMX
from tests.dashboard.conftest import url
from tests.factories import ServiceFactory


@pytest.mark.django_db
def test_link_page_shows_the_link_and_qr(owner_client, business, settings):
    settings.BOOKING_BASE_URL = "https://book.example.com"
    html = owner_client.get(url("link", business)).content.decode()
    assert 'value="https://book.example.com/book/swim-school-pro/"' in html
    assert 'data-copy="#booking-link" hidden' in html  # shown by JavaScript only
    assert url("link_qr", business, fmt="png") + "?download=1" in html
    assert url("link_qr", business, fmt="svg") + "?download=1" in html


@pytest.mark.django_db
def test_the_widget_snippets_come_first_line_then_button_then_frame(
    owner_client, business, settings
):
    settings.BOOKING_BASE_URL = "https://book.example.com"
    service = ServiceFactory(business=business, name="Private Lesson")
    html = owner_client.get(url("link", business)).content.decode()
    script = "&lt;script src=&quot;https://book.example.com/static/js/embed.js&quot; "
    line = f"{script}data-booking-link=&quot;swim-school-pro&quot; async&gt;"
    popup = (
        f"{script}data-booking-link=&quot;swim-school-pro&quot; "
        "data-mode=&quot;popup&quot; data-label=&quot;Book now&quot; async&gt;"
    )
    frame = "&lt;iframe src=&quot;https://book.example.com/embed/swim-school-pro/"
    assert html.index(line) < html.index(popup) < html.index(frame)
    for snippet in ("#widget-snippet", "#popup-snippet", "#iframe-snippet"):
        assert f'data-copy="{snippet}"' in html
    assert f'<code>data-service="{service.pk}"</code> for Private Lesson' in html
    # The live preview: the widget itself, as on a website.
    assert '<div class="widget-preview" data-booking-link="swim-school-pro"' in html
    assert '<script src="/static/js/embed.js" async></script>' in html


@pytest.mark.django_db
def test_any_website_may_show_the_widget_until_the_owner_lists_some(
    owner_client, business
):
    page = owner_client.get(url("link", business)).content.decode()
    assert "Any website may show your widget." in page
    response = owner_client.post(
        url("link_origins", business),
        {
            "allowed_embed_origins": " https://www.swimschool.example/ \n\n"
            "https://B\u00fccher.example"
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("link", business) + "#widget-websites"
    business.booking_settings.refresh_from_db()
    assert business.booking_settings.embed_origins == [
        "https://www.swimschool.example",
        "https://xn--bcher-kva.example",
    ]
    page = owner_client.get(response["Location"]).content.decode()
    assert "Saved: the websites that may show your widget." in page
    assert (
        "Only these websites may show your widget: https://www.swimschool.example, "
        "https://xn--bcher-kva.example." in page
    )


@pytest.mark.django_db
def test_websites_are_checked_in_place_and_nothing_else_changes(owner_client, business):
    business.booking_settings.requires_approval = True
    business.booking_settings.allowed_embed_origins = "https://a.example"
    business.booking_settings.save()
    response = owner_client.post(
        url("link_origins", business),
        {"allowed_embed_origins": "https://ok.example\nftp://x.y\nexample.com"},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="widget-websites"')
    assert "Not an origin: ftp://x.y, example.com." in html
    assert 'aria-invalid="true"' in html
    settings = BookingSettings.objects.get(business=business)
    assert settings.embed_origins == ["https://a.example"]

    response = owner_client.post(
        url("link_origins", business), {"allowed_embed_origins": ""}, **HTMX
    )
    html = response.content.decode()
    assert 'role="status" data-saved>Saved' in html
    assert "Any website may show your widget." in html
    settings = BookingSettings.objects.get(business=business)
    assert (settings.embed_origins, settings.requires_approval) == ([], True)


@pytest.mark.django_db
def test_staff_see_the_websites_but_cannot_change_them(staff_client, business):
    business.booking_settings.allowed_embed_origins = "https://a.example"
    business.booking_settings.save()
    page = staff_client.get(url("link", business)).content.decode()
    assert "Only these websites may show your widget: https://a.example." in page
    assert url("link_origins", business) not in page
    response = staff_client.post(
        url("link_origins", business), {"allowed_embed_origins": ""}
    )
    assert response.status_code == 403
    business.booking_settings.refresh_from_db()
    assert business.booking_settings.embed_origins == ["https://a.example"]


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
