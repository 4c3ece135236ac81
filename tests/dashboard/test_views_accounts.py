"""dashboard/views/accounts.py: sign-up, log in and out, password change and reset, a
new business, accepting an invitation, /dashboard/."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from booking.accounts import email_is_confirmed
from booking.models import Business, Membership, OutboundEmail
from dashboard.models import Invitation
from tests.dashboard.conftest import url
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory

SIGNUP = {
    "business_name": "Swim School Pro",
    "first_name": "Maria",
    "email": "Maria@Example.com",
    "password": "blue-whale-swims-far",
    "timezone": "Europe/Madrid",
}


@pytest.mark.django_db
def test_landing_page_links_to_sign_up_and_log_in(client):
    html = client.get("/").content.decode()
    assert reverse("signup") in html and reverse("login") in html


@pytest.mark.django_db
def test_sign_up_creates_user_business_settings_and_ownership(client):
    response = client.post(reverse("signup"), SIGNUP, follow=True)
    business = Business.objects.get()
    assert response.redirect_chain == [
        (reverse("dashboard:home", kwargs={"business_id": business.pk}), 302)
    ]
    user = get_user_model().objects.get()
    assert user.email == "maria@example.com"
    assert (business.slug, business.timezone) == ("swim-school-pro", "Europe/Madrid")
    assert business.booking_settings.is_active
    assert Membership.objects.get(user=user, business=business).is_owner
    html = response.content.decode()
    assert "Welcome! Swim School Pro is ready" in html
    assert "Get started" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"business_name": ""}, "business_name", "Enter your business&#x27;s name."),
        ({"first_name": ""}, "first_name", "Enter your name."),
        ({"email": ""}, "email", "Enter your email address."),
        ({"email": "not-an-email"}, "email", "Enter an email address like"),
        ({"password": ""}, "password", "Choose a password."),
        ({"password": "123"}, "password", "This password is too short."),
        ({"password": "password123"}, "password", "This password is too common."),
        ({"timezone": "Mars/Olympus"}, "timezone", "Select a valid choice."),
    ],
)
def test_sign_up_bad_input(client, changes, field, message):
    response = client.post(reverse("signup"), {**SIGNUP, **changes})
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'aria-describedby="id_{field}' in html and f"id_{field}_error" in html
    assert not Business.objects.exists()


@pytest.mark.django_db
def test_sign_up_refuses_an_email_already_used(client, owner):
    response = client.post(
        reverse("signup"), {**SIGNUP, "email": "OLIVIA.owner@example.com"}
    )
    assert "An account with this email already exists" in response.content.decode()
    assert Business.objects.count() == 1


@pytest.mark.django_db
def test_sign_up_is_rate_limited(client):
    for n in range(10):
        client.post(reverse("signup"), {**SIGNUP, "email": "bad", "first_name": n})
    response = client.post(reverse("signup"), SIGNUP)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not Business.objects.exists()


@pytest.mark.django_db
def test_signed_in_users_adding_a_business_go_to_the_new_business_form(owner_client):
    assert owner_client.get(reverse("signup"))["Location"] == reverse(
        "dashboard:business_new"
    )


@pytest.mark.django_db
def test_log_in_with_email_in_any_case(client, owner, business):
    response = client.post(
        reverse("login"),
        {"username": " OLIVIA.Owner@example.com ", "password": DEFAULT_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "dashboard:home", kwargs={"business_id": business.pk}
    )


@pytest.mark.django_db
def test_log_in_with_a_wrong_password(client, owner):
    response = client.post(
        reverse("login"), {"username": owner.email, "password": "nope"}
    )
    assert response.status_code == 200
    assert (
        "That email and password do not match an account" in response.content.decode()
    )


@pytest.mark.django_db
def test_log_out_is_a_post(owner_client):
    assert owner_client.get(reverse("logout")).status_code == 405
    response = owner_client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert owner_client.get(reverse("dashboard:index")).status_code == 302


@pytest.mark.django_db
def test_password_change(owner_client, owner):
    response = owner_client.post(
        reverse("password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "a-brand-new-secret",
            "new_password2": "a-brand-new-secret",
        },
        follow=True,
    )
    assert "Password changed" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password("a-brand-new-secret")


@pytest.mark.django_db
def test_password_change_bad_input(owner_client):
    response = owner_client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "a", "new_password2": "b"},
    )
    html = response.content.decode()
    assert "Your old password was entered incorrectly" in html
    assert 'aria-invalid="true"' in html


@pytest.mark.django_db
def test_password_reset_mails_a_link_on_the_public_origin(
    client, owner, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.BOOKING_BASE_URL = "https://book.example.com"
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends then
        response = client.post(
            reverse("password_reset"), {"email": "OLIVIA.OWNER@example.com"}
        )
    assert response["Location"] == reverse("password_reset_done")
    (email,) = mailoutbox
    assert email.to == ["olivia.owner@example.com"]
    assert email.subject == "Reset your Booking Links password"
    link = next(
        word for word in email.body.split() if word.startswith("https://book.example")
    )
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and link in html

    path = link.removeprefix("https://book.example.com")
    form_url = client.get(path)["Location"]  # Django swaps the token for a session
    response = client.post(
        form_url,
        {"new_password1": "fresh-secret-value", "new_password2": "fresh-secret-value"},
        follow=True,
    )
    assert "Your new password is saved" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password("fresh-secret-value")


@pytest.mark.django_db
def test_password_reset_for_an_unknown_email_sends_nothing(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mailoutbox == []


@pytest.mark.django_db
def test_password_reset_bad_input(client):
    response = client.post(reverse("password_reset"), {"email": "nope"})
    assert "Enter an email address like" in response.content.decode()


@pytest.mark.django_db
def test_an_expired_reset_link_says_so(client):
    response = client.get(
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "bad-token"})
    )
    assert "This link has expired" in response.content.decode()


@pytest.mark.django_db
def test_dashboard_index_goes_to_the_last_business_used(owner_client, owner, business):
    second = MembershipFactory(user=owner, role="staff").business
    assert owner_client.get(reverse("dashboard:index"))["Location"] == reverse(
        "dashboard:home", kwargs={"business_id": business.pk}
    )  # the first by name
    owner_client.get(reverse("dashboard:home", kwargs={"business_id": second.pk}))
    assert owner_client.get(reverse("dashboard:index"))["Location"] == reverse(
        "dashboard:home", kwargs={"business_id": second.pk}
    )


@pytest.mark.django_db
def test_a_user_without_a_business_is_asked_to_create_one(client):
    client.force_login(UserFactory())
    response = client.get(reverse("dashboard:index"), follow=True)
    assert response.redirect_chain == [(reverse("dashboard:business_new"), 302)]
    assert "Create your business" in response.content.decode()


@pytest.mark.django_db
def test_create_another_business(owner_client, owner):
    response = owner_client.post(
        reverse("dashboard:business_new"), {"name": "Tennis Club", "timezone": "UTC"}
    )
    business = Business.objects.get(name="Tennis Club")
    assert response["Location"] == reverse(
        "dashboard:home", kwargs={"business_id": business.pk}
    )
    assert Membership.objects.get(user=owner, business=business).is_owner
    html = owner_client.get(response["Location"]).content.decode()
    assert "Swim School Pro" in html and "Tennis Club" in html  # the switcher


@pytest.mark.django_db
def test_create_business_bad_input(owner_client):
    response = owner_client.post(
        reverse("dashboard:business_new"), {"name": "", "timezone": "Nowhere"}
    )
    html = response.content.decode()
    assert "Enter the business&#x27;s name." in html
    assert "Select a valid choice." in html


@pytest.mark.django_db
def test_an_account_owns_at_most_so_many_businesses(owner_client, owner, settings):
    settings.MAX_BUSINESSES_PER_ACCOUNT = 1
    response = owner_client.post(
        reverse("dashboard:business_new"), {"name": "Second", "timezone": "UTC"}
    )
    assert response.status_code == 200
    assert "You already own 1 businesses, the most one account may have." in (
        response.content.decode()
    )
    assert not Business.objects.filter(name="Second").exists()


# --- confirming the email address -----------------------------------------------------

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s\"<>]+/)")


def signed_up(client, mailoutbox, capture) -> str:
    """Sign up as Maria; the path of the confirmation link she was emailed."""
    with capture(execute=True):
        response = client.post(reverse("signup"), SIGNUP, follow=True)
    assert "We emailed you a link to confirm maria@example.com" in (
        response.content.decode()
    )
    (email,) = [m for m in mailoutbox if m.to == ["maria@example.com"]]
    assert email.subject == "Confirm your email address for Booking Links"
    return CONFIRM_LINK.search(email.body).group(1)


@pytest.mark.django_db
def test_sign_up_emails_a_link_that_confirms_the_address_once(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    path = signed_up(client, mailoutbox, django_capture_on_commit_callbacks)
    maria = get_user_model().objects.get(email="maria@example.com")
    business = Business.objects.get()
    home = client.get(url("home", business)).content.decode()
    assert "Confirm your email address." in home and "Send the link again" in home
    # The outbox keeps no copy of the link once it is sent.
    sent = OutboundEmail.objects.get(kind="email_confirmation")
    assert sent.status == "sent" and path not in sent.body_text + sent.body_html

    page = client.get(path)  # a mail scanner following the link confirms nothing
    assert page.status_code == 200
    assert "Yes, confirm maria@example.com" in page.content.decode()
    assert not email_is_confirmed(maria)
    done = client.post(path, follow=True)
    assert "Your email address is confirmed" in done.content.decode()
    assert email_is_confirmed(maria)
    assert "Confirm your email address." not in (
        client.get(url("home", business)).content.decode()
    )
    again = client.get(path)
    assert again.status_code == 410
    assert "This link no longer works" in again.content.decode()


@pytest.mark.django_db
def test_an_unconfirmed_owner_is_told_and_cannot_invite(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    signed_up(client, mailoutbox, django_capture_on_commit_callbacks)
    business = Business.objects.get()
    page = client.get(url("members", business)).content.decode()
    assert "Confirm your email address." in page
    response = client.post(
        url("member_invite", business), {"email": "x@example.com", "role": "staff"}
    )
    assert "Confirm your email address before you invite anyone" in (
        response.content.decode()
    )
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_the_link_can_be_sent_again_a_few_times_an_hour(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    signed_up(client, mailoutbox, django_capture_on_commit_callbacks)
    business = Business.objects.get()
    back = url("members", business)
    answers = []
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(
                client.post(reverse("email_confirm_send"), {"next": back}, follow=True)
            )
    assert all(a.redirect_chain[-1][0] == back for a in answers)
    assert "We sent a new link to maria@example.com" in answers[0].content.decode()
    assert "We have sent you several links in the last hour" in (
        answers[3].content.decode()
    )
    assert len([m for m in mailoutbox if m.to == ["maria@example.com"]]) == 4
    # The last link works; it confirms, and sending again says so.
    client.post(CONFIRM_LINK.search(mailoutbox[-1].body).group(1))
    told = client.post(reverse("email_confirm_send"), {"next": back}, follow=True)
    assert "Your email address is already confirmed." in told.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/accounts/confirm-email/Mg/bad-token/", "/accounts/confirm-email/!!/x-y/"]
)
def test_a_forged_confirmation_link_is_refused(client, owner, path):
    response = client.post(path)
    assert response.status_code == 410


# --- accepting an invitation ---------------------------------------------------------


@pytest.fixture
def invited(owner_client, business, mailoutbox, django_capture_on_commit_callbacks):
    """The path of the invitation link emailed to new.staff@example.com."""
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            url("member_invite", business),
            {"email": "new.staff@example.com", "role": "staff"},
        )
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", mailoutbox[-1].body)
    return link.group(0).split("://", 1)[1].split("/", 1)[1]


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
