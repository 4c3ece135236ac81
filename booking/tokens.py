"""Personal API tokens: one user, one business; shown once, stored as a SHA-256 hash.

The raw token (``blk_`` + 43 URL-safe characters, 256 random bits) exists only in the
answer to ``api_token_create``; the database keeps its hash and its first characters
(``prefix``) so an owner can tell tokens apart. A token works while it is not revoked,
its user is active and still a member of its business, with that member's current role.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from booking.models import ApiToken, Business, Membership

TOKEN_PREFIX = "blk_"
PREFIX_LENGTH = 12  # ApiToken.prefix: "blk_" and 8 random characters
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length
RAW_MAX_LENGTH = 200  # anything longer is not one of ours: no hashing, no query
# last_used_at is a hint for owners, not an audit log: write it at most once a minute.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(ValueError):
    """A token cannot be created as asked; the message says why."""


@dataclass(frozen=True)
class TokenAuth:
    """A valid token and the membership it acts through (user, business, role)."""

    token: ApiToken
    membership: Membership


def api_token_create(
    *, user: AbstractBaseUser, business: Business, name: str
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` at ``business``; returns it and the raw secret.

    The raw secret is not stored anywhere: show it once.
    """
    name = (name or "").strip()
    if not name:
        raise TokenError("Give the token a name, such as the app that will use it.")
    if len(name) > NAME_MAX_LENGTH:
        raise TokenError(f"A token name has at most {NAME_MAX_LENGTH} characters.")
    if not Membership.objects.filter(user=user, business=business).exists():
        raise TokenError(f"{user} is not a member of {business}.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        business=business,
        name=name,
        prefix=raw[:PREFIX_LENGTH],
        token_hash=ApiToken.hash(raw),
    )
    return token, raw


def api_token_revoke(*, token: ApiToken, now: datetime | None = None) -> ApiToken:
    """Revoke ``token`` (no-op if it already is); it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=token.revoked_at
        )
    return token


def api_token_authenticate(
    raw: str, *, now: datetime | None = None
) -> TokenAuth | None:
    """The token whose secret is ``raw`` if it may act now, else ``None``.

    Two queries (token with user and business, membership), and a third at most once
    a minute to record ``last_used_at``.
    """
    if not raw or len(raw) > RAW_MAX_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("user", "business")
        .filter(token_hash=ApiToken.hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    membership = Membership.objects.filter(
        user_id=token.user_id, business_id=token.business_id
    ).first()
    if membership is None:
        return None
    membership.user = token.user
    membership.business = token.business
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return TokenAuth(token=token, membership=membership)
