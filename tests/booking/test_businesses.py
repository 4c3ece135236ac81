"""Commands for businesses, their booking settings, members and services:
booking/businesses.py.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from booking import businesses
from booking.errors import BookingError
from booking.models import (
    BookingRequest,
    BookingSettings,
    Membership,
    Service,
    Session,
)
from tests.factories import (
    BookingRequestFactory,
    BusinessFactory,
    MembershipFactory,
    ServiceFactory,
    SessionFactory,
    UserFactory,
)

Status = BookingRequest.Status


@pytest.mark.django_db
def test_business_create_for_owner_makes_everything_at_once():
    user, business = businesses.business_create_for_owner(
        email="  Maria@Example.COM ",
        password="a-long-enough-password",
        business_name="Swim School Pro",
        timezone_name="Europe/Madrid",
        first_name="Maria",
    )
    assert user.username == user.email == "maria@example.com"
    assert user.check_password("a-long-enough-password")
    assert business.slug == "swim-school-pro"
    assert business.timezone == "Europe/Madrid"
    assert BookingSettings.objects.get(business=business).requires_approval is False
    membership = Membership.objects.get(user=user, business=business)
    assert membership.is_owner
    # Clients can reach a new business from the start: its contact is the sign-up
    # email until the owner sets another; prices are in its country's currency.
    assert business.email == "maria@example.com"
    assert business.currency == "EUR"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "currency"),
    [("America/New_York", "USD"), ("Asia/Tokyo", "JPY"), ("UTC", "GBP")],
)
def test_a_new_business_guesses_its_currency_from_its_zone(zone, currency):
    business = businesses.business_create(
        owner=UserFactory(email="sam@example.com"), name="Place", timezone_name=zone
    )
    assert (business.currency, business.email) == (currency, "sam@example.com")


@pytest.mark.django_db
def test_business_slugs_stay_unique():
    owner = UserFactory()
    first = businesses.business_create(owner=owner, name="Swim School Pro")
    second = businesses.business_create(owner=owner, name="Swim School Pro")
    assert (first.slug, second.slug) == ("swim-school-pro", "swim-school-pro-2")


@pytest.mark.django_db
def test_sign_up_is_all_or_nothing(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(businesses, "business_create", broken)
    with pytest.raises(RuntimeError):
        businesses.business_create_for_owner(
            email="x@example.com",
            password="pw-123456789",
            business_name="X",
            timezone_name="UTC",
        )
    assert not get_user_model().objects.filter(username="x@example.com").exists()


@pytest.fixture
def business(db):
    return BusinessFactory()


@pytest.fixture
def owner(business):
    return MembershipFactory(business=business, role="owner")


@pytest.fixture
def staff(business):
    return MembershipFactory(business=business, role="staff")


@pytest.mark.django_db
def test_an_account_owns_at_most_so_many_businesses(settings):
    settings.MAX_BUSINESSES_PER_ACCOUNT = 2
    user, _ = businesses.business_create_for_owner(
        email="many@example.com",
        password="pw-123456789",
        business_name="First",
        timezone_name="UTC",
    )
    businesses.business_create(owner=user, name="Second")
    with pytest.raises(BookingError) as refused:
        businesses.business_create(owner=user, name="Third")
    assert refused.value.code == "business_limit"
    assert "You already own 2 businesses" in refused.value.message
    assert Membership.objects.filter(user=user).count() == 2
    # Staff memberships elsewhere do not count.
    Membership.objects.filter(user=user, business__name="Second").update(role="staff")
    businesses.business_create(owner=user, name="Third")


def test_member_add_keeps_the_higher_role(business, owner, staff):
    again = businesses.member_add(business=business, user=owner.user, role="staff")
    assert again.pk == owner.pk and again.is_owner
    promoted = businesses.member_add(business=business, user=staff.user, role="owner")
    assert promoted.pk == staff.pk and promoted.is_owner


def test_the_last_owner_cannot_be_demoted_or_removed(business, owner, staff):
    with pytest.raises(BookingError) as caught:
        businesses.member_set_role(membership_id=owner.pk, role="staff")
    assert caught.value.code == "last_owner"
    with pytest.raises(BookingError):
        businesses.member_remove(membership_id=owner.pk)
    businesses.member_set_role(membership_id=staff.pk, role="owner")
    businesses.member_set_role(membership_id=owner.pk, role="staff")
    businesses.member_remove(membership_id=owner.pk)
    assert list(Membership.objects.filter(business=business)) == [staff]


def _feed_token(business) -> str:
    return BookingSettings.objects.get(business=business).calendar_feed_token


@pytest.mark.parametrize("leaves", ["demoted", "removed"])
def test_an_owner_who_leaves_takes_no_working_feed_url_along(business, owner, leaves):
    BookingSettings.objects.get_or_create(business=business)
    other = MembershipFactory(business=business, role="owner")
    before = _feed_token(business)
    if leaves == "demoted":
        businesses.member_set_role(membership_id=owner.pk, role="staff")
    else:
        businesses.member_remove(membership_id=owner.pk)
    after = _feed_token(business)
    assert after != before and len(after) == len(before)
    # Staff never see the feed: their comings and goings keep it.
    staff = MembershipFactory(business=business, role="staff")
    businesses.member_set_role(membership_id=other.pk, role="owner")
    businesses.member_remove(membership_id=staff.pk)
    assert _feed_token(business) == after


def test_service_deactivate_and_reactivate(business):
    service = ServiceFactory(business=business)
    assert (
        businesses.service_set_active(service_id=service.pk, active=False).is_active
        is False
    )
    service.refresh_from_db()
    assert service.is_active is False
    assert businesses.service_set_active(service_id=service.pk, active=True).is_active


def test_a_service_never_booked_is_deleted_with_its_sessions(business):
    service = ServiceFactory(business=business)
    SessionFactory(service=service)
    businesses.service_delete(service_id=service.pk)
    assert not Service.objects.filter(pk=service.pk).exists()
    assert not Session.objects.filter(service_id=service.pk).exists()


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.APPROVED])
def test_a_service_with_any_booking_is_never_deleted(business, status):
    service = ServiceFactory(business=business)
    BookingRequestFactory(session=SessionFactory(service=service), status=status)
    with pytest.raises(BookingError) as caught:
        businesses.service_delete(service_id=service.pk)
    assert caught.value.code == "service_has_bookings"
    assert Service.objects.filter(pk=service.pk).exists()


# --- booking settings: the one write path of the dashboard's form and the API ---------


def saved_settings(business) -> BookingSettings:
    return BookingSettings.objects.get(business=business)


def test_settings_update_changes_only_what_it_is_given(business):
    settings = businesses.booking_settings_update(
        business=business,
        values={"buffer_time_minutes": 0, "requires_approval": True},
    )
    assert (settings.buffer_time_minutes, settings.requires_approval) == (0, True)
    stored = saved_settings(business)
    assert (stored.buffer_time_minutes, stored.requires_approval) == (0, True)
    assert stored.booking_expiry_hours == 24  # untouched


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"buffer_time_minutes": 241}, ["buffer_time_minutes"]),
        ({"booking_expiry_hours": 0}, ["booking_expiry_hours"]),
        ({"max_advance_booking_days": 366}, ["max_advance_booking_days"]),
        ({"min_advance_booking_hours": 721}, ["min_advance_booking_hours"]),
        ({"reminder_hours_before": 169}, ["reminder_hours_before"]),
        (
            {"booking_expiry_hours": 0, "allowed_embed_origins": "example.com"},
            ["allowed_embed_origins", "booking_expiry_hours"],
        ),
    ],
)
def test_settings_update_refuses_out_of_range_values_and_saves_nothing(
    business, values, fields
):
    before = saved_settings(business)
    with pytest.raises(ValidationError) as caught:
        businesses.booking_settings_update(
            business=business, values={"requires_approval": True, **values}
        )
    assert sorted(caught.value.message_dict) == fields
    after = saved_settings(business)
    assert (after.requires_approval, after.updated_at) == (False, before.updated_at)


def test_settings_update_tidies_embed_origins_and_names_every_bad_one(business):
    businesses.booking_settings_update(
        business=business,
        values={
            "allowed_embed_origins": " https://a.example/ \n\nhttp://b.example:8080"
        },
    )
    assert saved_settings(business).embed_origins == [
        "https://a.example",
        "http://b.example:8080",
    ]
    with pytest.raises(ValidationError) as caught:
        businesses.booking_settings_update(
            business=business,
            values={
                "allowed_embed_origins": "https://ok.example\nftp://x.y\nexample.com"
            },
        )
    (message,) = caught.value.message_dict["allowed_embed_origins"]
    assert "Not an origin: ftp://x.y, example.com." in message
    assert saved_settings(business).embed_origins == [
        "https://a.example",
        "http://b.example:8080",
    ]


def test_settings_update_stores_origins_in_their_ascii_form(business):
    """A look-alike or international name is stored as the browser will match it."""
    businesses.booking_settings_update(
        business=business,
        values={
            "allowed_embed_origins": "https://\u017fwimschool.com\n"
            "HTTPS://B\u00fccher.Example:443/"
        },
    )
    stored = saved_settings(business).allowed_embed_origins
    assert stored == "https://swimschool.com\nhttps://xn--bcher-kva.example"
    assert stored.isascii()
    with pytest.raises(ValidationError) as caught:
        businesses.booking_settings_update(
            business=business,
            values={"allowed_embed_origins": "https://a.example:\u0668\u0660"},
        )
    assert "allowed_embed_origins" in caught.value.message_dict
    assert saved_settings(business).allowed_embed_origins == stored


def test_settings_update_accepts_only_the_editable_settings(business):
    with pytest.raises(ValueError, match="calendar_feed_token"):
        businesses.booking_settings_update(
            business=business, values={"calendar_feed_token": "guessable"}
        )


def test_settings_update_creates_missing_settings(business):
    BookingSettings.objects.filter(business=business).delete()
    business = type(business).objects.get(pk=business.pk)
    settings = businesses.booking_settings_update(
        business=business, values={"is_active": False}
    )
    assert settings.pk and saved_settings(business).is_active is False
