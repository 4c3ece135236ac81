"""Dashboard chrome: the current business, the switcher and the bell's count."""

from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

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


class Chrome:
    """What every dashboard page shows around its content; queried once, lazily."""

    def __init__(self, request, membership: Membership) -> None:
        self.request = request
        self.membership = membership
        self.business = membership.business
        self.poll_seconds = getattr(settings, "DASHBOARD_BELL_POLL_SECONDS", 30)

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
