"""Confirming an account's email address: a link, emailed at sign-up, that its owner
follows.

An account may send invitations (emails from our sender to any address) only once
its address is confirmed (``email_is_confirmed``). The link,
``/accounts/confirm-email/<uid>/<token>/``, is signed like Django's password-reset
links (valid for ``PASSWORD_RESET_TIMEOUT``) and works once: confirming changes what
its signature was made from. The email goes through the outbox, which keeps no copy
of the link once it is sent. Following an emailed invitation to make an account
confirms that address too.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from booking import emails, outbox
from booking.links import absolute
from booking.models import ConfirmedEmail, OutboundEmail


class ConfirmationTokens(PasswordResetTokenGenerator):
    key_salt = "booking.accounts.ConfirmationTokens"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        # The address it confirms, and whether one is confirmed yet: a used link,
        # or one for an address the account no longer has, stops working.
        confirmed = (
            ConfirmedEmail.objects.filter(user=user)
            .values_list("email", "confirmed_at")
            .first()
        )
        return f"{user.pk}{user.email}{confirmed}{timestamp}"


tokens = ConfirmationTokens()


def email_is_confirmed(user: AbstractBaseUser) -> bool:
    """Did ``user`` confirm the address their account has now?"""
    return bool(user.email) and (
        ConfirmedEmail.objects.filter(user=user, email__iexact=user.email).exists()
    )


def email_confirm(
    *, user: AbstractBaseUser, now: datetime | None = None
) -> ConfirmedEmail:
    """Record that ``user`` reads their account's address."""
    confirmed, _ = ConfirmedEmail.objects.update_or_create(
        user=user,
        defaults={"email": user.email.lower(), "confirmed_at": now or timezone.now()},
    )
    return confirmed


def confirmation_url(user: AbstractBaseUser) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(
        "email_confirm", kwargs={"uidb64": uid, "token": tokens.make_token(user)}
    )
    return absolute(path)


def user_for_link(uidb64: str, token: str) -> AbstractBaseUser | None:
    """The account a confirmation link is for, if it is genuine and still works."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        user = get_user_model().objects.get(pk=pk)
    except (TypeError, ValueError, OverflowError, get_user_model().DoesNotExist):
        return None
    return user if tokens.check_token(user, token) else None


def confirmation_send(*, user: AbstractBaseUser) -> OutboundEmail:
    """Email ``user`` the link that confirms their address (through the outbox)."""
    return outbox.queue_email(
        kind=emails.EMAIL_CONFIRMATION,
        to_email=user.email,
        context={
            "user": user,
            "email": user.email,
            "url": confirmation_url(user),
            "valid_for": link_lifetime(),
            "details": [("Account", user.email)],
        },
    )


def link_lifetime() -> str:
    """How long an emailed account link works, in words ("3 days", "12 hours")."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    for unit, size in (("day", 86400), ("hour", 3600)):
        if seconds >= size and seconds % size == 0:
            return _plural(seconds // size, unit)
    return _plural(max(seconds // 60, 1), "minute")


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{pluralize(count)}"
