"""Dashboard chrome: the current business, the switcher and the bell's count."""

from dataclasses import dataclass
from functools import cached_property, lru_cache
from html import escape
from types import MappingProxyType

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString

from booking.compiled import CompiledQuery
from booking.models import BookingNotification, Membership


def _memberships_query(*, user_id: int):
    """The user's businesses, by name, each with their unread notification count."""
    unread = (
        BookingNotification.objects.filter(
            user_id=user_id,
            read_at__isnull=True,
            booking_request__business=OuterRef("business"),
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


# The dashboard's nav: its links' URL names and labels, which pages (by URL name)
# each is current on, and whether only owners see it.
_NAV = (
    ("home", "Home", lambda name: name == "home", False),
    ("requests", "Booking requests", lambda name: name[:7] == "request", False),
    (
        "sessions",
        "Sessions",
        lambda name: name[:7] == "session" or name[:6] == "series",
        False,
    ),
    ("link", "Booking link", lambda name: name == "link", False),
    (
        "notifications",
        "Notifications",
        lambda name: name[:12] == "notification",
        False,
    ),
    ("services", "Services", lambda name: name[:7] == "service", True),
    (
        "settings",
        "Settings",
        lambda name: (
            name[:8] == "settings" or name[:6] == "health" or name[:9] == "api_token"
        ),
        True,
    ),
    (
        "members",
        "Team",
        lambda name: name[:6] == "member" or name == "invitation_revoke",
        True,
    ),
)


def nav_html(business_id: int, url_name: str | None, owner: bool) -> SafeString:
    """The nav's links for a page (``url_name``, the one marked current) of the
    business, owners seeing their pages too: written once per process for each, a
    template's loop of links and filters took some 1,500 function calls a page."""
    return _nav_html(
        business_id, url_name or "", owner, get_script_prefix(), get_urlconf()
    )


@lru_cache(maxsize=4096)
def _nav_html(
    business_id: int, url_name: str, owner: bool, prefix: str, urlconf
) -> SafeString:
    urls = _business_urls(business_id, prefix, urlconf)
    links = []
    for name, label, current, owners in _NAV:
        if owners and not owner:
            continue
        mark = ' aria-current="page"' if current(url_name) else ""
        links.append(f'<li><a href="{escape(urls[name])}"{mark}>{label}</a></li>')
    return SafeString("\n".join(links))


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

    @property
    def nav(self) -> SafeString:
        return nav_html(
            self.business.pk,
            self.request.resolver_match.url_name,
            self.membership.is_owner,
        )

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
