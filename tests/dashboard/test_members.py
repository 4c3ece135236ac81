"""The team page: invitations by email, accepting them, roles, removing members."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from booking.models import Membership
from dashboard.invitations import InvitationError, invitation_accept, invitation_create
from dashboard.models import Invitation
from tests.dashboard.conftest import url
from tests.factories import DEFAULT_PASSWORD, UserFactory


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


@pytest.fixture
def invited(owner_client, business, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client, business)
    return link_in(mailoutbox[-1]).split("://", 1)[1].split("/", 1)[1]


@pytest.mark.django_db
def test_a_new_person_sets_a_password_and_joins_as_staff(client, business, invited):
    path = "/" + invited
    page = client.get(path).content.decode()
    assert "Join Swim School Pro" in page and "new.staff@example.com" in page
    response = client.post(
        path, {"first_name": "Nina", "password": "nina-secret-pass"}, follow=True
    )
    assert response.redirect_chain[-1][0] == url("home", business)
    assert "Welcome to Swim School Pro." in response.content.decode()
    membership = Membership.objects.get(user__email="new.staff@example.com")
    assert membership.role == "staff"
    assert membership.user.check_password("nina-secret-pass")
    assert Invitation.objects.get().accepted_by == membership.user
    # The link works once.
    assert client.get(path).status_code == 410


@pytest.mark.django_db
def test_invitation_sign_up_bad_input(client, invited):
    response = client.post("/" + invited, {"first_name": "", "password": "123"})
    html = response.content.decode()
    assert "Enter your name." in html and "This password is too short" in html
    assert not Membership.objects.filter(user__email="new.staff@example.com").exists()


@pytest.mark.django_db
def test_someone_with_an_account_is_asked_to_log_in_then_joins(
    client, business, invited
):
    person = UserFactory(email="new.staff@example.com")
    assert "Log in to accept" in client.get("/" + invited).content.decode()
    client.force_login(person)
    assert "Join Swim School Pro" in client.get("/" + invited).content.decode()
    response = client.post("/" + invited)
    assert response["Location"] == url("home", business)
    assert Membership.objects.get(user=person).role == "staff"


@pytest.mark.django_db
def test_revoked_expired_and_unknown_invitations_are_refused(
    owner_client, client, business, invited
):
    invitation = Invitation.objects.get()
    response = owner_client.post(url("invitation_revoke", business, pk=invitation.pk))
    assert response["Location"] == url("members", business)
    assert client.get("/" + invited).status_code == 410
    Invitation.objects.update(revoked_at=None, expires_at=timezone.now())
    assert client.get("/" + invited).status_code == 410
    response = client.get(reverse("invitation_accept", kwargs={"token": "nope"}))
    assert response.status_code == 410
    assert "no longer valid" in response.content.decode()


@pytest.mark.django_db
def test_accepting_a_closed_invitation_is_refused(owner, business, staff):
    invitation = invitation_create(
        business=business, email="z@example.com", role="staff", invited_by=owner
    )
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(InvitationError):
        invitation_accept(invitation_id=invitation.pk, user=staff)


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
def test_accepting_invitations_is_rate_limited(client, invited):
    for _ in range(20):
        client.post("/" + invited, {"first_name": "", "password": ""})
    response = client.post(
        "/" + invited,
        {"first_name": "Nina", "password": "nina-secret-pass"},
        follow=True,
    )
    assert "Too many attempts" in response.content.decode()
    assert not Membership.objects.filter(user__email="new.staff@example.com").exists()
