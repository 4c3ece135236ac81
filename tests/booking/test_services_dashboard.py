"""The dashboard's commands in booking/services.py: businesses, members, services,
sessions.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from booking import businesses, services
from booking.errors import BookingError
from booking.models import (
    BookingEvent,
    BookingRequest,
    BookingSettings,
    Business,
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

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
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


@pytest.fixture
def session(business):
    service = ServiceFactory(business=business, capacity=5)
    return SessionFactory(service=service, starts_at=NOW + timedelta(days=2))


def test_session_set_bookable(session):
    assert services.session_set_bookable(session_id=session.pk, bookable=False)
    session.refresh_from_db()
    assert session.is_bookable is False
    services.session_set_bookable(session_id=session.pk, bookable=True)
    session.refresh_from_db()
    assert session.is_bookable is True


def test_session_cancel_cancels_the_bookings_holding_a_spot(session, owner):
    approved = BookingRequestFactory(session=session, status=Status.APPROVED)
    pending = BookingRequestFactory(
        session=session, status=Status.PENDING, expires_at=NOW + timedelta(hours=3)
    )
    lapsed = BookingRequestFactory(
        session=session, status=Status.PENDING, expires_at=NOW - timedelta(hours=1)
    )
    rejected = BookingRequestFactory(session=session, status=Status.REJECTED)

    cancelled = services.session_cancel(
        session_id=session.pk, actor=owner.user, reason="Pool closed", now=NOW
    )

    assert {b.pk for b in cancelled} == {approved.pk, pending.pk}
    session.refresh_from_db()
    assert session.cancelled_at == NOW and session.is_bookable is False
    for booking in (approved, pending):
        booking.refresh_from_db()
        assert booking.status == Status.CANCELLED
        assert booking.cancellation_reason == "Pool closed"
        event = booking.events.get(action=BookingEvent.Action.CANCELLED)
        assert (event.actor, event.note) == (owner.user, "Pool closed")
    for untouched, status in ((lapsed, Status.PENDING), (rejected, Status.REJECTED)):
        untouched.refresh_from_db()
        assert untouched.status == status


def test_session_cancel_invents_no_message_and_refuses_twice(session):
    booking = BookingRequestFactory(session=session, status=Status.APPROVED)
    services.session_cancel(session_id=session.pk, actor=None, reason="  ", now=NOW)
    booking.refresh_from_db()
    # The client's email says the session was cancelled; no made-up "message".
    assert booking.status == Status.CANCELLED and booking.cancellation_reason == ""
    assert booking.events.get(action=BookingEvent.Action.CANCELLED).note == ""
    with pytest.raises(BookingError) as caught:
        services.session_cancel(session_id=session.pk, actor=None, now=NOW)
    assert caught.value.code == "session_cancelled"
    with pytest.raises(BookingError):
        services.session_set_bookable(session_id=session.pk, bookable=True)


def test_a_cancelled_session_cannot_be_booked(session):
    services.session_cancel(session_id=session.pk, actor=None, now=NOW)
    business = Business.objects.get(pk=session.business_id)
    with pytest.raises(BookingError) as caught:
        services.booking_create(
            business=business,
            session_id=session.pk,
            client_name="Late Larry",
            client_email="larry@example.com",
            now=NOW,
        )
    assert caught.value.code == "not_bookable"
