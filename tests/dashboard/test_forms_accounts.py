"""The password reset email (dashboard/forms/accounts.py) leaves through the outbox,
like every booking email: an ``OutboundEmail`` row, sent by the Huey task with
retries, by the real ``sendgrid`` client, here to the local fake SendGrid server.
"""

from email.utils import parseaddr

import pytest
from django.urls import reverse

from booking import emails
from booking.accounts import link_lifetime
from booking.health import health_snapshot
from booking.models import OutboundEmail
from tests.dashboard.conftest import ORIGIN, link_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_origin")]
Status = OutboundEmail.Status


def ask_for_reset(client, capture, email="OLIVIA.OWNER@example.com") -> None:
    with capture(execute=True):
        response = client.post(reverse("password_reset"), {"email": email})
    assert response["Location"] == reverse("password_reset_done")


def reset_password_with(client, link: str, password: str):
    # Django swaps the token in the link for one kept in the session, then asks.
    form_url = client.get(link.removeprefix(ORIGIN))["Location"]
    return client.post(
        form_url, {"new_password1": password, "new_password2": password}, follow=True
    )


def test_a_password_reset_arrives_once_with_a_working_link(
    client, owner, fake_sendgrid, django_capture_on_commit_callbacks
):
    ask_for_reset(client, django_capture_on_commit_callbacks)

    (mail,) = fake_sendgrid.received
    assert mail.to == ["olivia.owner@example.com"]
    assert mail.subject == "Reset your Booking Links password"
    assert parseaddr(mail.body["from"]["email"])[1] == "bookings@example.com"
    assert "Hello Olivia," in mail.text
    assert "expires in 3 days" in mail.text
    link = link_in(mail.text, "/accounts/reset/")
    assert f'href="{link}"' in mail.html
    assert "Choose a new password" in mail.html
    assert ">Booking Links</td>" in mail.html  # the platform's brand, no business

    # Sent by the outbox, which keeps no copy of the link once it has gone.
    row = OutboundEmail.objects.get()
    assert (row.kind, row.status, row.attempts) == (emails.PASSWORD_RESET, "sent", 1)
    assert row.business is None and row.subject == mail.subject
    assert link not in row.body_text + row.body_html

    response = reset_password_with(client, link, "fresh-secret-value")
    assert "Your new password is saved" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password("fresh-secret-value")
    # The link worked once.
    assert (
        "This link has expired"
        in client.get(link.removeprefix(ORIGIN)).content.decode()
    )
    assert len(fake_sendgrid.received) == 1


def test_an_unknown_address_gets_no_reset_email(
    client, owner, fake_sendgrid, django_capture_on_commit_callbacks
):
    ask_for_reset(client, django_capture_on_commit_callbacks, "nobody@example.com")
    assert not OutboundEmail.objects.exists()
    assert fake_sendgrid.attempts == 0


def test_a_failing_sendgrid_still_delivers_a_reset_once(
    client, owner, fake_sendgrid, django_capture_on_commit_callbacks, settings
):
    settings.BOOKING_EMAIL_RETRY_SECONDS = 0  # the retry runs inline at once
    fake_sendgrid.answer_with(500)
    ask_for_reset(client, django_capture_on_commit_callbacks)

    assert fake_sendgrid.attempts == 2
    (mail,) = fake_sendgrid.received
    row = OutboundEmail.objects.get()
    assert (row.kind, row.status, row.attempts, row.last_error) == (
        emails.PASSWORD_RESET,
        Status.SENT,
        2,
        "",
    )
    response = reset_password_with(
        client, link_in(mail.text, "/accounts/"), "fresh-secret-value"
    )
    assert "Your new password is saved" in response.content.decode()


def test_a_refused_account_email_is_failed_and_shown_in_health(
    client, owner, fake_sendgrid, django_capture_on_commit_callbacks
):
    fake_sendgrid.answer_with(400)
    ask_for_reset(client, django_capture_on_commit_callbacks)
    row = OutboundEmail.objects.get()
    assert row.status == Status.FAILED
    # Not sent: the body (and its link) stays for a retry.
    assert "/accounts/reset/" in row.body_text
    (failed,) = health_snapshot().failed_emails
    assert (failed.id, failed.kind) == (row.pk, emails.PASSWORD_RESET)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(259200, "3 days"), (86400, "1 day"), (7200, "2 hours"), (5400, "90 minutes")],
)
def test_the_reset_email_says_how_long_its_link_works(settings, seconds, words):
    settings.PASSWORD_RESET_TIMEOUT = seconds
    assert link_lifetime() == words
