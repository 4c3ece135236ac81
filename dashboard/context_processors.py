"""Dashboard chrome: the current business, the switcher and the bell's count."""

from dataclasses import dataclass
from functools import cached_property, lru_cache
from types import MappingProxyType

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import get_script_prefix, get_urlconf, reverse

from booking.compiled import CompiledQuery
from booking.models import BookingNotification, Membership


def _memberships_query(*, user_id: int):
    """The user's businesses, by name, each with their unread notification count."""
    unread = (
        BookingNotification.objects.filter(
            user_id=user_id,
            read_at__isnull=True,
            booking_request__session__business=OuterRef("business"),
        )
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Membership.objects.filter(user_id=user_id)
        .annotate(unread=Coalesce(Subquery(unread), 0))
        .order_by("business__name", "business_id")
        .values_list("business_id", "business__name", "role", "unread")
    )


# Compiled once per process (booking.compiled): building this query's subquery
# cost Django more than PostgreSQL took to run it, on every dashboard page.
_MEMBERSHIPS = CompiledQuery(_memberships_query)


# The business's pages every dashboard page links to (the nav, the bell, the menus),
# and the requests table's.
_BUSINESS_PAGES = (
    "home",
    "requests",
    "requests_bulk_approve",
    "requests_export",
    "sessions",
    "link",
    "notifications",
    "notifications_bell",
    "services",
    "settings",
    "members",
    "notification_preferences",
    "api_tokens",
)


def business_urls(business_id: int) -> MappingProxyType:
    """The paths of a business's dashboard pages by URL name (``home``,
    ``requests``…), reversed once per process: the layout's links took some 20
    ``reverse`` calls on every page."""
    return _business_urls(business_id, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=4096)
def _business_urls(business_id: int, prefix: str, urlconf) -> MappingProxyType:
    """``prefix`` and ``urlconf``: what ``reverse`` reads besides its arguments,
    part of the cache's key."""
    return MappingProxyType(
        {
            name: reverse(f"dashboard:{name}", args=[business_id])
            for name in _BUSINESS_PAGES
        }
    )


@dataclass(frozen=True)
class SwitcherEntry:
    """One of the user's businesses in the switcher."""

    business_id: int
    business_name: str
    role: str
    unread: int

    @property
    def role_label(self) -> str:
        return Membership.Role(self.role).label

    @property
    def home_url(self) -> str:
        return business_urls(self.business_id)["home"]


class Chrome:
    """What every dashboard page shows around its content; queried once, lazily."""

    def __init__(self, request, membership: Membership) -> None:
        self.request = request
        self.membership = membership
        self.business = membership.business
        self.poll_seconds = getattr(settings, "DASHBOARD_BELL_POLL_SECONDS", 30)
        self.urls = business_urls(self.business.pk)

    @cached_property
    def memberships(self) -> list[SwitcherEntry]:
        """The user's businesses, each with its unread notification count."""
        rows = _MEMBERSHIPS.rows(user_id=self.request.user.pk)
        return [SwitcherEntry(*row) for row in rows]

    @cached_property
    def unread(self) -> int:
        return next(
            (m.unread for m in self.memberships if m.business_id == self.business.pk),
            0,
        )

    @cached_property
    def unread_elsewhere(self) -> int:
        return sum(
            m.unread for m in self.memberships if m.business_id != self.business.pk
        )


def dashboard(request) -> dict:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {
        "chrome": Chrome(request, membership),
        "current_business": membership.business,
        "current_membership": membership,
    }
