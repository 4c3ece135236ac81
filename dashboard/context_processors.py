"""Dashboard chrome: the current business, the switcher and the bell's count."""

from functools import cached_property

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from booking.models import BookingNotification, Membership


class Chrome:
    """What every dashboard page shows around its content; queried once, lazily."""

    def __init__(self, request, membership: Membership) -> None:
        self.request = request
        self.membership = membership
        self.business = membership.business
        self.poll_seconds = getattr(settings, "DASHBOARD_BELL_POLL_SECONDS", 30)

    @cached_property
    def memberships(self) -> list[Membership]:
        """The user's businesses, each with its unread notification count."""
        unread = (
            BookingNotification.objects.filter(
                user=self.request.user,
                read_at__isnull=True,
                booking_request__session__business=OuterRef("business"),
            )
            .values("user")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return list(
            Membership.objects.filter(user=self.request.user)
            .select_related("business")
            .annotate(unread=Coalesce(Subquery(unread), 0))
            .order_by("business__name", "business_id")
        )

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
