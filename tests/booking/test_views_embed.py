"""The widget's pages (/embed/…): who may frame them, the widget's confirmation.

The booking steps may be framed by any website until the owner lists theirs; the
client's private pages (their booking, cancelling it) only by this app and the listed
websites, never by any.
"""

import pytest
from django.urls import reverse

from booking.models import BookingRequest
from booking.responses import frame_ancestors
from tests.booking.views_helpers import make_session, submit, text
from tests.conftest import csp
from tests.factories import BookingRequestFactory

pytestmark = pytest.mark.django_db
# The frame-ancestors of the page's one Content-Security-Policy (tests/test_csp.py).
ANY = ["*"]
SELF = ["'self'"]


def set_origins(business, text: str) -> None:
    """As stored (the model field, no form): also values saved before the rules."""
    business.booking_settings.allowed_embed_origins = text
    business.booking_settings.save()


def step_urls(business, session) -> list[str]:
    return [
        reverse("booking:embed", args=[business.slug]),
        reverse("booking:embed_week", args=[business.slug, session.service_id]),
        reverse("booking:embed_details", args=[business.slug, session.pk]),
    ]


def private_urls(booking) -> list[str]:
    return [
        reverse("booking:embed_manage", args=[booking.access_token]),
        reverse("booking:embed_cancel", args=[booking.access_token]),
    ]


def test_any_site_may_frame_the_steps_until_the_owner_lists_sites(client, business):
    session = make_session(business, days=3, hour=9)
    for url in step_urls(business, session):
        response = client.get(url)
        assert response.status_code == 200, url
        assert csp(response)["frame-ancestors"] == ANY, url
        assert "X-Frame-Options" not in response
        assert not response.cookies


def test_listed_sites_alone_may_frame_the_steps(client, business):
    session = make_session(business, days=3, hour=9)
    set_origins(
        business,
        "https://www.swimschool.com\nhttps://*.partner.example:8443\n"
        "https://evil.example; script-src *\njavascript:alert(1)\n",
    )
    for url in step_urls(business, session):
        assert csp(client.get(url))["frame-ancestors"] == [
            "'self'",
            "https://www.swimschool.com",
            "https://*.partner.example:8443",
        ]


def test_the_header_holds_origins_in_ascii_only(client, business):
    """A value stored before the rules: normalised or left out, never sent as is.

    Django would MIME-encode a non-ASCII header, browsers would ignore the policy,
    and any site could then frame the widget.
    """
    set_origins(
        business,
        "HTTPS://B\u00fccher.Example:443/\nhttps://a.example:\u0668\u0660\n"
        "https://\u017fwimschool.com",
    )
    response = client.get(reverse("booking:embed", args=[business.slug]))
    assert csp(response)["frame-ancestors"] == [
        "'self'",
        "https://xn--bcher-kva.example",
        "https://swimschool.com",
    ]
    assert response["Content-Security-Policy"].isascii()


def test_a_list_of_unusable_lines_still_restricts(client, business):
    set_origins(business, "https://a.example:\u0661\nnot a website")
    response = client.get(reverse("booking:embed", args=[business.slug]))
    assert csp(response)["frame-ancestors"] == SELF


@pytest.fixture
def booking(business):
    return BookingRequestFactory(
        session=make_session(business, days=3, hour=9),
        client_name="Ada Lovelace",
        client_email="ada@example.com",
        client_phone="+44 7700 900123",
        notes="First lesson",
    )


def test_the_private_pages_are_never_framed_by_any_site(client, business, booking):
    for url in private_urls(booking):
        response = client.get(url)
        assert response.status_code == 200, url
        assert csp(response)["frame-ancestors"] == SELF, url
        assert response["Cache-Control"] == "private, no-store"
    set_origins(business, "https://www.swimschool.com")
    for url in private_urls(booking):
        assert csp(client.get(url))["frame-ancestors"] == [
            "'self'",
            "https://www.swimschool.com",
        ]


def test_frame_ancestors_is_one_rule(business):
    assert frame_ancestors(None) == "*"
    assert frame_ancestors(None, private=True) == "'self'"
    assert frame_ancestors(business) == "*"
    assert frame_ancestors(business, private=True) == "'self'"
    set_origins(business, "https://a.example")
    assert frame_ancestors(business) == "'self' https://a.example"
    assert frame_ancestors(business, private=True) == "'self' https://a.example"


def test_an_unknown_business_in_the_widget_says_so_on_any_site(client):
    response = client.get("/embed/nobody-here/")
    assert response.status_code == 404
    assert csp(response)["frame-ancestors"] == ANY


def test_the_embed_is_chrome_less_and_stays_in_the_embed(client, business):
    session = make_session(business, days=3, hour=9)
    page = text(client.get(reverse("booking:embed", args=[business.slug])))
    assert "is-embed" in page
    assert "site-foot" not in page
    assert f"/embed/{business.slug}/service/{session.service_id}/" in page
    week = text(
        client.get(
            reverse("booking:embed_week", args=[business.slug, session.service_id])
        )
    )
    assert f"/embed/{business.slug}/time/{session.pk}/" in week


@pytest.mark.parametrize(
    ("url", "step"),
    [
        (lambda b, s: reverse("booking:embed", args=[b.slug]), "service"),
        (
            lambda b, s: reverse("booking:embed_week", args=[b.slug, s.service_id]),
            "time",
        ),
        (lambda b, s: reverse("booking:embed_details", args=[b.slug, s.pk]), "details"),
    ],
    ids=["service", "time", "details"],
)
def test_each_step_names_itself_for_the_host_page(client, business, url, step):
    session = make_session(business, days=3, hour=9)
    page = text(client.get(url(business, session)))
    assert f'data-step="{step}"' in page


def test_booking_in_the_widget_confirms_in_the_widget(client, business):
    session = make_session(business, days=3, hour=9)
    url = reverse("booking:embed_details", args=[business.slug, session.pk])
    response = submit(
        client, business, session, url=url, client_phone="+44 7700 900123", notes="Hi"
    )
    booking = BookingRequest.objects.get()
    assert response["Location"] == reverse(
        "booking:embed_booked", args=[booking.access_token]
    )

    confirmation = client.get(response["Location"])
    page = text(confirmation)
    assert confirmation.status_code == 200
    # Framed like the steps, so the widget works on any site; private all the same.
    assert csp(confirmation)["frame-ancestors"] == ANY
    assert confirmation["Cache-Control"] == "private, no-store"
    assert confirmation["Referrer-Policy"] == "no-referrer"
    assert ">Booked</h2>" in page
    starts = session.starts_at.astimezone(business.tz).isoformat()
    assert (
        f'data-step="confirmation" data-completed '
        f'data-reference="{booking.booking_reference}" data-status="approved" '
        f'data-service="{session.service.name}" data-starts-at="{starts}"'
    ) in page
    # No personal details and no actions in a frame on someone else's site: the
    # private page, with them, opens outside the widget.
    for private in ("Ada Lovelace", "ada@example.com", "7700 900123", "Hi</dd>"):
        assert private not in page
    manage = reverse("booking:manage", args=[booking.access_token])
    assert f'href="{manage}" target="_blank"' in page
    assert reverse("booking:cancel", args=[booking.access_token]) not in page
    assert reverse("booking:embed", args=[business.slug]) in page  # book another


def test_a_request_in_the_widget_says_it_is_held(client, business):
    business.booking_settings.requires_approval = True
    business.booking_settings.save()
    session = make_session(business, days=3, hour=9)
    url = reverse("booking:embed_details", args=[business.slug, session.pk])
    page = text(client.get(submit(client, business, session, url=url)["Location"]))
    assert "Request sent" in page and "held for you until" in page
    assert 'data-status="pending"' in page


def test_a_cancelled_booking_reports_no_booking(client, booking):
    booking.status = BookingRequest.Status.CANCELLED
    booking.save()
    page = text(
        client.get(reverse("booking:embed_booked", args=[booking.access_token]))
    )
    assert "This booking is cancelled." in page
    assert 'data-step="confirmation"' in page
    assert "data-completed" not in page


def test_the_private_pages_name_their_step(client, booking):
    manage, cancel = private_urls(booking)
    assert 'data-step="booking"' in text(client.get(manage))
    assert 'data-step="cancel"' in text(client.get(cancel))
    assert client.post(cancel)["Location"] == manage
