"""Who is calling an admin endpoint, and for which business.

Two ways in: a personal API token (``Authorization: Bearer <token>``), bound to one
user and one business; or the dashboard's session cookie, which needs Django's CSRF
token (``X-CSRFToken``) on unsafe methods like any dashboard form. A session user who
belongs to several businesses picks one with ``?business=<slug>``; without it the
business they joined first (their oldest membership) is used.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from booking.api.errors import ApiError
from booking.models import ApiToken, Business, Membership
from booking.tokens import TokenAuth, api_token_authenticate

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class BearerToken(HttpBearer):
    """``Authorization: Bearer blk_…``: a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> TokenAuth:
        auth = api_token_authenticate(token.strip())
        if auth is None:
            raise ApiError(
                401,
                "invalid_token",
                "This API token is not valid: it may have been revoked, or its user "
                "is no longer a member of the business.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return auth


class DashboardSession(APIKeyCookie):
    """The dashboard's login session; CSRF-checked on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, once we know who is calling

    def authenticate(self, request: HttpRequest, key: str | None):
        user = request.user
        if not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise ApiError(
                403,
                "csrf_failed",
                "Send the CSRF token in an X-CSRFToken header with session "
                "authentication, or use an API token.",
            )
        return user


ADMIN_AUTH = [BearerToken(), DashboardSession()]


@dataclass(frozen=True)
class Actor:
    """A member acting on one business through the API."""

    user: AbstractBaseUser
    business: Business
    membership: Membership
    token: ApiToken | None

    @property
    def is_owner(self) -> bool:
        return self.membership.is_owner


def actor_for(request: HttpRequest, business_slug: str | None) -> Actor:
    """The caller and the business they act on; 404 for a business not theirs."""
    auth = request.auth
    if isinstance(auth, TokenAuth):
        membership = auth.membership
        if business_slug and business_slug != membership.business.slug:
            raise _business_not_found()
        return Actor(membership.user, membership.business, membership, auth.token)
    memberships = (
        Membership.objects.filter(user=auth)
        .select_related("business")
        .order_by("created_at", "id")
    )
    if business_slug:
        memberships = memberships.filter(business__slug=business_slug)
    membership = memberships.first()
    if membership is None:
        if business_slug:
            raise _business_not_found()
        raise ApiError(
            403, "no_business", "Your account is not a member of any business."
        )
    return Actor(auth, membership.business, membership, None)


def require_owner(actor: Actor) -> None:
    if not actor.is_owner:
        raise ApiError(
            403,
            "owner_only",
            "Only the business's owners can see or change its booking settings.",
        )


def _business_not_found() -> ApiError:
    return ApiError.not_found(
        "No business with that slug that you can act on.", code="business_not_found"
    )
