"""Commands for businesses, their settings, members and catalogue (dashboard and API).

The booking rules themselves live in ``booking.services``; these keep a business
consistent: it always has an owner, and a service with bookings is never deleted.
"""

from datetime import datetime
from typing import Any

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from booking.errors import BookingError
from booking.feeds import calendar_feed_regenerate
from booking.models import (
    BookingRequest,
    BookingSettings,
    Business,
    Membership,
    Service,
)
from booking.money import currency_for_timezone
from booking.origins import tidy_origins
from booking.services import lock_business

# The booking settings an owner may change (the dashboard's form, the API's body).
EDITABLE_SETTINGS = (
    "requires_approval",
    "buffer_time_minutes",
    "booking_expiry_hours",
    "is_active",
    "auto_approve_returning_clients",
    "max_advance_booking_days",
    "min_advance_booking_hours",
    "reminder_hours_before",
    "allow_client_reschedule",
    "reschedule_notice_hours",
    "allowed_embed_origins",
)


def business_create(
    *, owner: AbstractBaseUser, name: str, timezone_name: str = "UTC"
) -> Business:
    """A new business with an auto slug, default booking settings and ``owner``.

    Its contact email is the owner's until they set another, so a client always has
    a way to reach it; its currency is its time zone's country's until they change
    it. An account owns at most ``MAX_BUSINESSES_PER_ACCOUNT`` businesses (each one
    may send invitations from our sender).
    """
    with transaction.atomic():
        # One new business at a time per account, so the cap holds.
        get_user_model().objects.select_for_update().filter(pk=owner.pk).exists()
        cap = django_settings.MAX_BUSINESSES_PER_ACCOUNT
        owned = Membership.objects.filter(user=owner, role=Membership.Role.OWNER)
        if owned.count() >= cap:
            raise BookingError(
                "business_limit",
                f"You already own {cap} businesses, the most one account may have.",
            )
        business = Business.objects.create(
            name=name.strip(),
            timezone=timezone_name,
            email=owner.email,
            currency=currency_for_timezone(timezone_name),
        )
        BookingSettings.objects.create(business=business)
        Membership.objects.create(
            user=owner, business=business, role=Membership.Role.OWNER
        )
    return business


def business_create_for_owner(
    *,
    email: str,
    password: str,
    business_name: str,
    timezone_name: str,
    first_name: str = "",
    last_name: str = "",
) -> tuple[AbstractBaseUser, Business]:
    """Sign-up: the user (username = lower-cased email) and their business, together."""
    email = email.strip().lower()
    with transaction.atomic():
        user = get_user_model()(
            username=email,
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        user.set_password(password)
        user.save()
        business = business_create(
            owner=user, name=business_name, timezone_name=timezone_name
        )
    return user, business


def booking_settings_update(
    *, business: Business, values: dict[str, Any]
) -> BookingSettings:
    """Change the booking settings named in ``values``; the others keep their values.

    Runs under a row lock on the settings and validates them with the model's own
    validators (``full_clean``): a refusal raises ValidationError naming each field,
    and nothing is saved. Embed origins come one a line, tidied before the check.
    """
    unknown = set(values) - set(EDITABLE_SETTINGS)
    if unknown:
        raise ValueError(f"not editable booking settings: {sorted(unknown)}")
    values = dict(values)
    if "allowed_embed_origins" in values:
        values["allowed_embed_origins"] = tidy_origins(values["allowed_embed_origins"])
    with transaction.atomic():
        BookingSettings.objects.get_or_create(business=business)
        settings = BookingSettings.objects.select_for_update().get(business=business)
        for name, value in values.items():
            setattr(settings, name, value)
        others = [
            f.name
            for f in BookingSettings._meta.fields
            if f.name not in EDITABLE_SETTINGS
        ]
        settings.full_clean(exclude=others, validate_unique=False)
        settings.save()
    settings.business = business
    return settings


def member_add(*, business: Business, user: AbstractBaseUser, role: str) -> Membership:
    """Make ``user`` a member; an existing member keeps the higher of the two roles."""
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, business=business, defaults={"role": role}
        )
        if not created and role == Membership.Role.OWNER and not membership.is_owner:
            membership.role = role
            membership.save(update_fields=["role"])
    return membership


def _other_owners(membership: Membership) -> bool:
    return (
        Membership.objects.filter(
            business_id=membership.business_id, role=Membership.Role.OWNER
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def member_set_role(*, membership_id: int, role: str) -> Membership:
    """Change a member's role; the last owner cannot stop being one.

    A demoted owner's copy of the calendar feed URL stops working (a new token).
    """
    with transaction.atomic():
        membership = Membership.objects.get(pk=membership_id)
        business = lock_business(membership.business_id)
        demoted = membership.is_owner and role != Membership.Role.OWNER
        if demoted and not _other_owners(membership):
            raise BookingError("last_owner")
        membership.role = role
        membership.save(update_fields=["role"])
        if demoted:
            _owner_left(business)
    return membership


def member_remove(*, membership_id: int) -> None:
    """Take a member out of a business; the last owner cannot be removed.

    A removed owner's copy of the calendar feed URL stops working (a new token); any
    member's API tokens stop at once (they act only through a membership).
    """
    with transaction.atomic():
        membership = Membership.objects.get(pk=membership_id)
        business = lock_business(membership.business_id)
        if membership.is_owner and not _other_owners(membership):
            raise BookingError("last_owner")
        membership.delete()
        if membership.is_owner:
            _owner_left(business)


def _owner_left(business: Business) -> None:
    """Only owners see the calendar feed URL, with every client's contact details:
    one who leaves must not keep a working copy. Subscribers get the new URL from
    the settings page."""
    if BookingSettings.objects.filter(business=business).exists():
        calendar_feed_regenerate(business=business)


def service_set_active(*, service_id: int, active: bool) -> Service:
    """Deactivate (off the booking link, history kept) or reactivate a service."""
    service = Service.objects.get(pk=service_id)
    service.is_active = active
    service.save(update_fields=["is_active", "updated_at"])
    return service


def service_delete(*, service_id: int) -> None:
    """Delete a service that was never booked, with its (unbooked) sessions.

    A service with any booking, whatever its status, is refused: deactivate it.
    """
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service_id)
        if BookingRequest.objects.filter(session__service=service).exists():
            raise BookingError("service_has_bookings")
        service.sessions.all().delete()
        service.delete()


def business_link_shared(*, business: Business, now: datetime | None = None) -> None:
    """Note that the owners copied or shared the booking link (the first time only)."""
    now = now or timezone.now()
    Business.objects.filter(pk=business.pk, link_shared_at__isnull=True).update(
        link_shared_at=now
    )
    business.refresh_from_db(fields=["link_shared_at"])
