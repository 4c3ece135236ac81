"""Staff invitations: create, revoke, accept (membership rules: booking.businesses)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from booking import emails, outbox
from booking.accounts import email_confirm, email_is_confirmed
from booking.businesses import member_add
from booking.links import absolute
from booking.models import Business, Membership
from booking.services import lock_business
from booking.timefmt import format_moment, zone_label
from dashboard.models import Invitation, hash_token

UNCONFIRMED = (
    "Confirm your email address before you invite anyone: follow the link we "
    "emailed you, or send it again from this page."
)


class InvitationError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def user_with_email(email: str) -> AbstractBaseUser | None:
    return (
        get_user_model()
        .objects.filter(Q(username__iexact=email) | Q(email__iexact=email))
        .order_by("pk")
        .first()
    )


def invitation_url(raw_token: str) -> str:
    return absolute(reverse("invitation_accept", kwargs={"token": raw_token}))


def invitation_create(
    *,
    business: Business,
    email: str,
    role: str,
    invited_by: AbstractBaseUser,
    now: datetime | None = None,
) -> Invitation:
    """Invite ``email``; a new invitation replaces an open one to the same address.

    The email is written to the outbox with the invitation (one transaction) and
    goes out once that commits.
    """
    now = now or timezone.now()
    email = email.strip().lower()
    if not email_is_confirmed(invited_by):
        raise InvitationError(UNCONFIRMED)
    existing = user_with_email(email)
    if (
        existing
        and Membership.objects.filter(user=existing, business=business).exists()
    ):
        raise InvitationError(f"{email} is already a member of {business.name}.")
    raw, token_hash = Invitation.new_token()
    with transaction.atomic():
        # One invitation at a time per business and per inviter, so the caps hold.
        lock_business(business.pk)
        get_user_model().objects.select_for_update().filter(pk=invited_by.pk).exists()
        _check_caps(business=business, invited_by=invited_by, now=now)
        Invitation.objects.open(now).filter(business=business, email=email).update(
            revoked_at=now
        )
        invitation = Invitation.objects.create(
            business=business,
            email=email,
            role=role,
            token_hash=token_hash,
            invited_by=invited_by,
            created_at=now,
            expires_at=Invitation.default_expiry(now),
        )
        outbox.queue_email(
            kind=emails.INVITATION,
            to_email=invitation.email,
            context=_invitation_email_context(invitation, raw),
            business=business,
        )
    return invitation


def _check_caps(*, business: Business, invited_by: AbstractBaseUser, now) -> None:
    """Invitations are email from our sender to any address: at most so many a day
    from one account and to one business (``MAX_INVITATIONS_PER_*_PER_DAY``)."""
    recent = Invitation.objects.filter(created_at__gt=now - timedelta(days=1))
    by_user = settings.MAX_INVITATIONS_PER_USER_PER_DAY
    if recent.filter(invited_by=invited_by).count() >= by_user:
        raise InvitationError(
            f"You have sent {by_user} invitations in the last 24 hours, the most one "
            "account may send. Please try again tomorrow."
        )
    by_business = settings.MAX_INVITATIONS_PER_BUSINESS_PER_DAY
    if recent.filter(business=business).count() >= by_business:
        raise InvitationError(
            f"{business.name} has sent {by_business} invitations in the last 24 "
            "hours, the most a business may send. Please try again tomorrow."
        )


def _invitation_email_context(invitation: Invitation, raw_token: str) -> dict:
    """What the invitation email shows; times in the business's zone, named."""
    inviter = invitation.invited_by
    inviter_name = (inviter.get_full_name() or inviter.email) if inviter else ""
    tz = invitation.business.tz
    role = invitation.get_role_display().lower()
    expires = (
        f"{format_moment(invitation.expires_at, tz)} "
        f"{zone_label(tz, invitation.expires_at)}"
    )
    details = [("Business", invitation.business.name), ("Your role", role)]
    if inviter_name:
        details.append(("Invited by", inviter_name))
    details.append(("Link valid until", expires))
    return {
        "invitation": invitation,
        "business": invitation.business,
        "inviter_name": inviter_name,
        "role": role,
        "url": invitation_url(raw_token),
        "expires": expires,
        "details": details,
    }


def invitation_revoke(*, invitation_id: int, now: datetime | None = None) -> None:
    Invitation.objects.filter(pk=invitation_id, accepted_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )


def invitation_for_token(raw_token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("business")
        .filter(token_hash=hash_token(raw_token))
        .first()
    )


def invitation_accept(
    *, invitation_id: int, user: AbstractBaseUser, now: datetime | None = None
) -> Membership:
    """Join the invitation's business as ``user``, once."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation_id)
        if not invitation.is_open(now):
            raise InvitationError(
                "This invitation is no longer valid. Ask the business for a new one."
            )
        membership = member_add(
            business=invitation.business, user=user, role=invitation.role
        )
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def invitation_accept_new_user(
    *,
    invitation_id: int,
    first_name: str,
    last_name: str,
    password: str,
    now: datetime | None = None,
) -> AbstractBaseUser:
    """Create the invited person's account (their email, their password) and join."""
    with transaction.atomic():
        invitation = Invitation.objects.get(pk=invitation_id)
        user = get_user_model()(
            username=invitation.email,
            email=invitation.email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        user.set_password(password)
        user.save()
        invitation_accept(invitation_id=invitation_id, user=user, now=now)
        # They followed the link emailed to this address: it is theirs.
        email_confirm(user=user, now=now)
    return user
