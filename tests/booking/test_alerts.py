"""Without Sentry, ADMINS get an email for each new error, through the outbox."""

import pytest

from booking.alerts import ADMIN_ERROR
from booking.models import OutboundEmail

pytestmark = pytest.mark.django_db(transaction=True)  # errors happen outside one

CLIENT = {"client_name": "Zelda Quixote", "client_email": "zelda@example.net"}
TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"


@pytest.fixture
def admins(settings, fake_sendgrid):
    settings.ROOT_URLCONF = "tests.booking.failing_urls"
    settings.ADMINS = [("Ada Ops", "ada.ops@example.com"), ("", "oncall@example.com")]
    return fake_sendgrid


@pytest.fixture
def failing_client(client):
    client.raise_request_exception = False
    return client


def test_an_unhandled_error_emails_every_admin_through_the_outbox(
    admins, failing_client
):
    response = failing_client.post(f"/broken/?next=/bookings/{TOKEN}/", CLIENT)

    assert response.status_code == 500
    rows = OutboundEmail.objects.filter(kind=ADMIN_ERROR)
    assert sorted(rows.values_list("to_email", "status")) == [
        ("ada.ops@example.com", "sent"),
        ("oncall@example.com", "sent"),
    ]
    assert sorted(to for email in admins.received for to in email.to) == [
        "ada.ops@example.com",
        "oncall@example.com",
    ]
    email = admins.received[0]
    assert email.subject == (
        "[Booking Links] ERROR: Internal Server Error: /broken/ (ZeroDivisionError)"
    )
    assert "Request: POST /broken/" in email.text
    assert "View: broken" in email.text
    assert f"Request id: {response['X-Request-ID']}" in email.text
    assert "ZeroDivisionError: 13 / 0" in email.text
    for secret in (*CLIENT.values(), TOKEN):
        assert secret not in email.text


def test_the_same_error_again_soon_sends_no_second_email(admins, failing_client):
    for _ in range(3):
        assert failing_client.post("/broken/", CLIENT).status_code == 500

    assert OutboundEmail.objects.filter(kind=ADMIN_ERROR).count() == 2  # one each


def test_an_error_inside_a_transaction_is_emailed_at_once(admins, client):
    # Its outbox row would be rolled back with the transaction: sent directly.
    assert client.get("/broken-in-transaction/").status_code == 200

    assert not OutboundEmail.objects.filter(kind=ADMIN_ERROR).exists()
    assert [email.subject for email in admins.received] == [
        "[Booking Links] ERROR: Failed inside a transaction (ZeroDivisionError)"
    ]


def test_no_admins_or_debug_on_means_no_email(admins, failing_client, settings):
    settings.ADMINS = []
    failing_client.post("/broken/", CLIENT)
    settings.ADMINS = [("Ada Ops", "ada.ops@example.com")]
    settings.DEBUG = True
    failing_client.post("/broken/", CLIENT)

    assert not OutboundEmail.objects.filter(kind=ADMIN_ERROR).exists()
    assert admins.received == []
