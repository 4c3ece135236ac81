"""Account emails (password reset, staff invitations) leave through the outbox, like
every booking email: an ``OutboundEmail`` row, sent by the Huey task with retries, by
the real ``sendgrid`` client, here to the local fake SendGrid server.
"""

import re
from email.utils import parseaddr

import pytest
from django.db import transaction
from django.urls import reverse

from booking import emails
from booking.health import health_snapshot
from booking.models import Membership, OutboundEmail
from dashboard.forms.accounts import reset_link_lifetime
from dashboard.invitations import invitation_create
from dashboard.models import Invitation

pytestmark = pytest.mark.django_db
Status = OutboundEmail.Status
ORIGIN = "https://book.example.com"


@pytest.fixture(autouse=True)
def _public_origin(settings):
    settings.BOOKING_BASE_URL = ORIGIN


def link_in(text: str, path: str) -> str:
    return re.search(rf"{re.escape(ORIGIN + path)}\S+/", text).group(0)


def ask_for_reset(client, capture, email="OLIVIA.OWNER@example.com") -> None:
    with capture(execute=True):
        response = client.post(reverse("password_reset"), {"email": email})
    assert response["Location"] == reverse("password_reset_done")


def invite(owner_client, business, capture, email="nina@example.com") -> None:
    with capture(execute=True):
        response = owner_client.post(
            reverse("dashboard:member_invite", kwargs={"business_id": business.pk}),
            {"email": email, "role": "staff"},
        )
    assert response.status_code == 302


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


def test_an_invitation_arrives_once_with_a_working_link(
    client,
    owner_client,
    business,
    owner,
    fake_sendgrid,
    django_capture_on_commit_callbacks,
):
    invite(owner_client, business, django_capture_on_commit_callbacks)

    (mail,) = fake_sendgrid.received
    invitation = Invitation.objects.get()
    assert mail.to == ["nina@example.com"]
    assert re.fullmatch(
        r"Olivia .* invited you to Swim School Pro on Booking Links", mail.subject
    )
    assert "help run Swim School Pro on Booking Links, as staff" in mail.text
    assert "Your role: staff" in mail.text
    assert "Link valid until: " in mail.text and "Europe/London (" in mail.text
    link = link_in(mail.text, "/accounts/invitation/")
    assert invitation.token_hash not in link  # only the hash is stored
    assert f'href="{link}"' in mail.html and "Accept the invitation" in mail.html

    row = OutboundEmail.objects.get()
    assert (row.kind, row.status, row.attempts) == (emails.INVITATION, "sent", 1)
    assert row.business == business  # on the business's health page
    assert link not in row.body_text + row.body_html

    path = link.removeprefix(ORIGIN)
    assert "Join Swim School Pro" in client.get(path).content.decode()
    client.post(path, {"first_name": "Nina", "password": "nina-secret-pass"})
    membership = Membership.objects.get(user__email="nina@example.com")
    assert (membership.business, membership.role) == (business, "staff")
    assert membership.user.check_password("nina-secret-pass")
    assert len(fake_sendgrid.received) == 1


@pytest.mark.parametrize("kind", [emails.PASSWORD_RESET, emails.INVITATION])
def test_a_failing_sendgrid_still_delivers_once(
    kind,
    client,
    owner_client,
    business,
    owner,
    fake_sendgrid,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.BOOKING_EMAIL_RETRY_SECONDS = 0  # the retry runs inline at once
    fake_sendgrid.answer_with(500)
    if kind == emails.PASSWORD_RESET:
        ask_for_reset(client, django_capture_on_commit_callbacks)
    else:
        invite(owner_client, business, django_capture_on_commit_callbacks)

    assert fake_sendgrid.attempts == 2
    (mail,) = fake_sendgrid.received
    row = OutboundEmail.objects.get()
    assert (row.kind, row.status, row.attempts, row.last_error) == (
        kind,
        Status.SENT,
        2,
        "",
    )
    link = link_in(mail.text, "/accounts/")
    if kind == emails.PASSWORD_RESET:
        response = reset_password_with(client, link, "fresh-secret-value")
        assert "Your new password is saved" in response.content.decode()
    else:
        assert (
            "Join Swim School Pro"
            in client.get(link.removeprefix(ORIGIN)).content.decode()
        )


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


def test_a_rolled_back_invitation_sends_nothing(
    owner, business, fake_sendgrid, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invitation_create(
            business=business, email="nina@example.com", role="staff", invited_by=owner
        )
        raise RuntimeError("the page failed after inviting")
    assert callbacks == []
    assert not Invitation.objects.exists() and not OutboundEmail.objects.exists()
    assert fake_sendgrid.attempts == 0


def test_account_emails_render_one_line_subjects_without_escaping(business, owner):
    business.name = "Tom & Jerry's Pool"
    rendered = emails.render_email(
        emails.INVITATION,
        {
            "business": business,
            "inviter_name": "Olivia O'Neil",
            "role": "staff",
            "url": f"{ORIGIN}/accounts/invitation/t/",
            "details": [("Business", business.name)],
        },
    )
    assert rendered.subject == (
        "Olivia O'Neil invited you to Tom & Jerry's Pool on Booking Links"
    )
    assert "Tom & Jerry's Pool" in rendered.text
    assert "Tom &amp; Jerry&#x27;s Pool" in rendered.html


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(259200, "3 days"), (86400, "1 day"), (7200, "2 hours"), (5400, "90 minutes")],
)
def test_the_reset_email_says_how_long_its_link_works(settings, seconds, words):
    settings.PASSWORD_RESET_TIMEOUT = seconds
    assert reset_link_lifetime() == words
