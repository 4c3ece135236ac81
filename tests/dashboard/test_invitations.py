"""Staff invitations (dashboard/invitations.py): one replaces another, a closed one is
refused, and the email leaves through the outbox like every booking email, sent by
the real ``sendgrid`` client to the local fake SendGrid server.
"""

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from booking import emails
from booking.accounts import email_confirm, email_is_confirmed
from booking.models import Membership, OutboundEmail
from dashboard.invitations import (
    InvitationError,
    invitation_accept,
    invitation_accept_new_user,
    invitation_create,
)
from dashboard.models import Invitation
from tests.dashboard.conftest import ORIGIN, link_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_origin")]
Status = OutboundEmail.Status


def invite(owner_client, business, capture, email="nina@example.com") -> None:
    with capture(execute=True):
        response = owner_client.post(
            reverse("dashboard:member_invite", kwargs={"business_id": business.pk}),
            {"email": email, "role": "staff"},
        )
    assert response.status_code == 302


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


def test_a_failing_sendgrid_still_delivers_an_invitation_once(
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
    invite(owner_client, business, django_capture_on_commit_callbacks)

    assert fake_sendgrid.attempts == 2
    (mail,) = fake_sendgrid.received
    row = OutboundEmail.objects.get()
    assert (row.kind, row.status, row.attempts, row.last_error) == (
        emails.INVITATION,
        Status.SENT,
        2,
        "",
    )
    link = link_in(mail.text, "/accounts/")
    assert (
        "Join Swim School Pro" in client.get(link.removeprefix(ORIGIN)).content.decode()
    )


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


def test_a_new_invitation_replaces_the_open_one(owner, business):
    first = invitation_create(
        business=business, email="x@example.com", role="staff", invited_by=owner
    )
    second = invitation_create(
        business=business, email="x@example.com", role="owner", invited_by=owner
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert list(Invitation.objects.open()) == [second]


def test_accepting_a_closed_invitation_is_refused(owner, business, staff):
    invitation = invitation_create(
        business=business, email="z@example.com", role="staff", invited_by=owner
    )
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(InvitationError):
        invitation_accept(invitation_id=invitation.pk, user=staff)


# --- not an open relay: a confirmed address, caps per day -----------------------------


def test_an_account_with_an_unconfirmed_address_cannot_invite(business, mailoutbox):
    newcomer = UserFactory(email="new.owner@example.com")
    MembershipFactory(user=newcomer, business=business, role="owner")
    with pytest.raises(InvitationError, match="Confirm your email address"):
        invitation_create(
            business=business, email="x@example.com", role="staff", invited_by=newcomer
        )
    assert not Invitation.objects.exists() and not OutboundEmail.objects.exists()


def test_invitations_from_one_account_are_capped_per_day(
    owner, business, other_business, settings
):
    settings.MAX_INVITATIONS_PER_USER_PER_DAY = 2
    MembershipFactory(user=owner, business=other_business, role="owner")
    now = timezone.now()
    for n, place in enumerate([business, other_business]):
        invitation_create(
            business=place,
            email=f"p{n}@example.com",
            role="staff",
            invited_by=owner,
            now=now,
        )
    with pytest.raises(
        InvitationError, match="You have sent 2 invitations in the last 24 hours"
    ):
        invitation_create(
            business=business,
            email="p3@example.com",
            role="staff",
            invited_by=owner,
            now=now,
        )
    assert Invitation.objects.count() == 2
    invitation_create(
        business=business,
        email="p3@example.com",
        role="staff",
        invited_by=owner,
        now=now + timedelta(hours=24, minutes=1),
    )


def test_invitations_to_one_business_are_capped_per_day(owner, business, settings):
    settings.MAX_INVITATIONS_PER_BUSINESS_PER_DAY = 2
    co_owner = UserFactory(email="co.owner@example.com")
    MembershipFactory(user=co_owner, business=business, role="owner")
    email_confirm(user=co_owner)
    for n, who in enumerate([owner, co_owner]):
        invitation_create(
            business=business, email=f"p{n}@example.com", role="staff", invited_by=who
        )
    with pytest.raises(
        InvitationError, match="Swim School Pro has sent 2 invitations in the last 24"
    ):
        invitation_create(
            business=business, email="p3@example.com", role="staff", invited_by=co_owner
        )
    assert Invitation.objects.count() == 2


def test_joining_through_the_emailed_link_confirms_that_address(owner, business):
    invitation = invitation_create(
        business=business, email="nina@example.com", role="staff", invited_by=owner
    )
    nina = invitation_accept_new_user(
        invitation_id=invitation.pk,
        first_name="Nina",
        last_name="",
        password="pw-x-123456",
    )
    assert email_is_confirmed(nina)
