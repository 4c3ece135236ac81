"""The team page (dashboard/views/members.py): invitations by email, roles, removing
members. Accepting an invitation: test_views_accounts.py."""

import re

import pytest
from django.urls import reverse

from booking.models import Membership
from dashboard.models import Invitation
from tests.dashboard.conftest import url
from tests.factories import DEFAULT_PASSWORD


def invite(client, business, email="new.staff@example.com", role="staff"):
    return client.post(url("member_invite", business), {"email": email, "role": role})


def link_in(email) -> str:
    return re.search(r"https?://\S+/accounts/invitation/\S+/", email.body).group(0)


@pytest.mark.django_db
def test_team_page_lists_members_and_invitations(owner_client, business, staff):
    invite(owner_client, business)
    html = owner_client.get(url("members", business)).content.decode()
    assert "olivia.owner@example.com" in html and "sam.staff@example.com" in html
    assert "new.staff@example.com" in html and "Withdraw" in html


@pytest.mark.django_db(transaction=True)
def test_invite_sends_one_email_with_a_link(
    owner_client, business, mailoutbox, settings
):
    settings.BOOKING_BASE_URL = "https://book.example.com"
    response = invite(owner_client, business, email=" New.Staff@Example.com ")
    assert response["Location"] == url("members", business)
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("new.staff@example.com", "staff")
    (email,) = mailoutbox
    assert email.to == ["new.staff@example.com"]
    assert email.subject.startswith("Olivia ")  # the inviter's full name
    assert email.subject.endswith(" invited you to Swim School Pro on Booking Links")
    link = link_in(email)
    assert link.startswith("https://book.example.com/accounts/invitation/")
    assert invitation.token_hash not in link  # only the hash is stored
    assert link in email.alternatives[0][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "role": "staff"}, "Enter the email address to invite."),
        ({"email": "nope", "role": "staff"}, "Enter an email address like"),
        ({"email": "a@example.com", "role": "boss"}, "Select a valid choice."),
        ({"email": "SAM.staff@example.com", "role": "staff"}, "is already a member"),
    ],
)
def test_invite_bad_input(owner_client, business, staff, data, message):
    response = owner_client.post(url("member_invite", business), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_change_a_role(owner_client, business, staff):
    membership = Membership.objects.get(user=staff)
    response = owner_client.post(
        url("member_role", business, pk=membership.pk), {"role": "owner"}, follow=True
    )
    assert (
        "Sam" in response.content.decode()
        and "is now an owner" in response.content.decode()
    )
    membership.refresh_from_db()
    assert membership.is_owner


@pytest.mark.django_db
def test_bad_role_is_refused(owner_client, business, staff):
    membership = Membership.objects.get(user=staff)
    response = owner_client.post(
        url("member_role", business, pk=membership.pk), {"role": "boss"}, follow=True
    )
    assert "Pick a role from the list." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "staff"


@pytest.mark.django_db
def test_the_last_owner_is_kept(owner_client, owner, business):
    membership = Membership.objects.get(user=owner)
    for name, data in (("member_role", {"role": "staff"}), ("member_remove", {})):
        response = owner_client.post(
            url(name, business, pk=membership.pk), data, follow=True
        )
        assert "A business needs at least one owner" in response.content.decode()
    membership.refresh_from_db()
    assert membership.is_owner


@pytest.mark.django_db
def test_an_owner_who_steps_down_lands_on_home(owner_client, owner, business, staff):
    Membership.objects.filter(user=staff).update(role="owner")
    mine = Membership.objects.get(user=owner)
    response = owner_client.post(
        url("member_role", business, pk=mine.pk), {"role": "staff"}
    )
    assert response["Location"] == url("home", business)
    assert owner_client.get(url("members", business)).status_code == 403


@pytest.mark.django_db
def test_remove_a_member_and_leave(owner_client, owner, business, staff):
    membership = Membership.objects.get(user=staff)
    response = owner_client.post(
        url("member_remove", business, pk=membership.pk), follow=True
    )
    assert "no longer has access" in response.content.decode()
    assert not Membership.objects.filter(user=staff).exists()
    # With a second owner, the first one may leave.
    Membership.objects.create(user=staff, business=business, role="owner")
    mine = Membership.objects.get(user=owner)
    response = owner_client.post(url("member_remove", business, pk=mine.pk))
    assert response["Location"] == reverse("dashboard:index")
    assert owner_client.get(url("home", business)).status_code == 404


@pytest.mark.django_db
def test_staff_log_in_and_see_no_owner_pages(client, staff, business):
    client.post(
        reverse("login"), {"username": staff.email, "password": DEFAULT_PASSWORD}
    )
    html = client.get(url("home", business)).content.decode()
    assert url("requests", business) in html and url("sessions", business) in html
    assert url("settings", business) not in html
    assert url("members", business) not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("view", "data"), [("member_remove", {}), ("member_role", {"role": "staff"})]
)
def test_a_co_owner_who_leaves_loses_the_calendar_feed(
    owner_client, business, staff, view, data
):
    membership = Membership.objects.get(user=staff)
    membership.role = "owner"
    membership.save()
    old_feed = reverse(
        "booking:calendar_feed", args=[business.booking_settings.calendar_feed_token]
    )
    assert owner_client.get(old_feed).status_code == 200
    response = owner_client.post(
        url(view, business, pk=membership.pk), data, follow=True
    )
    assert "The calendar feed has a new address" in response.content.decode()
    assert owner_client.get(old_feed).status_code == 404
    business.booking_settings.refresh_from_db()
    new_feed = business.booking_settings.calendar_feed_token
    assert new_feed in owner_client.get(url("settings", business)).content.decode()
