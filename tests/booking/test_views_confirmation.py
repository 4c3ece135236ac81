"""What a client reads once they have booked: one name for the state everywhere
("Booked" / "Request sent"), where we emailed them, calendar buttons only once the
business expects them, and no "private link" talk inside the widget.
"""

import pytest
from django.urls import reverse

from booking.models import BookingRequest
from tests.booking.views_helpers import make_session, text
from tests.factories import BookingRequestFactory

pytestmark = pytest.mark.django_db
Status = BookingRequest.Status


def _booking(business, **fields):
    session = make_session(business, days=3, hour=9)
    return BookingRequestFactory(session=session, client_name="Ada Lovelace", **fields)


def _manage(client, booking, *, embed=False, new=True):
    name = "booking:embed_manage" if embed else "booking:manage"
    url = reverse(name, args=[booking.access_token]) + ("?new=1" if new else "")
    return client.get(url)


def test_a_new_booking_says_booked_where_we_emailed_and_offers_the_calendar(
    client, business
):
    booking = _booking(business, client_email="ada@example.com")

    response = _manage(client, booking)

    page = text(response)
    assert '<h2 id="step-heading" tabindex="-1">Booked</h2>' in page
    assert "We emailed you at <strong>ada@example.com</strong>." in page
    assert "<dt>Status</dt><dd>Booked</dd>" in page
    assert "Confirmed:" not in page and "<dd>Approved" not in page
    assert reverse("booking:ics", args=[booking.access_token]) in page
    assert "Add to Google Calendar" in page and "Add to Outlook" in page


def test_a_request_says_request_sent_and_has_no_calendar_buttons_yet(client, business):
    booking = _booking(business, client_email="ada@example.com", status=Status.PENDING)

    page = text(_manage(client, booking))

    assert '<h2 id="step-heading" tabindex="-1">Request sent</h2>' in page
    assert "<dt>Status</dt><dd>Request sent</dd>" in page
    assert "Pending" not in page
    assert "We emailed you at <strong>ada@example.com</strong>." in page
    assert reverse("booking:ics", args=[booking.access_token]) not in page
    assert "Add to Google Calendar" not in page and "Add to Outlook" not in page
    assert "add it to your calendar once Swim School Pro confirms it" in page


def test_nobody_is_told_we_emailed_them_when_they_gave_no_email(client, business):
    booking = _booking(business, client_email="", client_phone="+447700900123")

    page = text(_manage(client, booking))

    assert "We emailed you" not in page
    assert '<h2 id="step-heading" tabindex="-1">Booked</h2>' in page


def test_the_emailed_line_belongs_to_the_confirmation_not_later_visits(
    client, business
):
    booking = _booking(business, client_email="ada@example.com")

    page = text(_manage(client, booking, new=False))

    assert "We emailed you" not in page
    assert "<dt>Status</dt><dd>Booked</dd>" in page


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Status.CANCELLED, "Cancelled"),
        (Status.REJECTED, "Declined"),
        (Status.EXPIRED, "Expired"),
    ],
)
def test_other_states_have_one_plain_name(client, business, status, label):
    booking = _booking(business, status=status)

    page = text(_manage(client, booking, new=False))

    assert f"<dt>Status</dt><dd>{label}</dd>" in page
    assert reverse("booking:ics", args=[booking.access_token]) not in page


def test_the_widget_speaks_of_no_private_link(client, business):
    booked = _booking(business, client_email="ada@example.com")
    requested = _booking(
        business, client_email="", client_phone="+447700900123", status=Status.PENDING
    )

    pages = [
        text(client.get(reverse("booking:embed_booked", args=[booked.access_token]))),
        text(
            client.get(reverse("booking:embed_booked", args=[requested.access_token]))
        ),
        text(_manage(client, booked, embed=True)),
    ]

    for page in pages:
        assert "private link" not in page
    assert '<h2 id="step-heading" tabindex="-1">Booked</h2>' in pages[0]
    assert "We emailed you the details." in pages[0]
    assert '<h2 id="step-heading" tabindex="-1">Request sent</h2>' in pages[1]
    assert "We emailed you" not in pages[1]
    # The client's own page, outside the widget, still tells them to keep its address.
    assert "private link" in text(_manage(client, booked))
