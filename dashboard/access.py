"""Who may see what: every dashboard view goes through ``business_view``.

URLs carry the business (``/dashboard/<business_id>/…``). A user who is not a member
of that business gets 404 (we do not confirm it exists); staff get 403 on owner-only
pages. Object lookups are scoped to the business, so another business's ids are 404.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from booking.lookup import membership_of
from booking.models import (
    BookingNotification,
    BookingRequest,
    Business,
    Membership,
    Service,
    Session,
)

CURRENT_BUSINESS_KEY = "dashboard_business_id"


class DashboardRequest(HttpRequest):
    """A request that passed ``business_view``."""

    membership: Membership
    business: Business


def business_view(*, owner_only: bool = False) -> Callable:
    """Require login and membership of the URL's business (and ownership if asked).

    Sets ``request.membership`` and ``request.business`` and renders in the
    business's time zone.
    """

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request, business_id: int, *args, **kwargs) -> HttpResponse:
            membership = membership_of(
                user_id=request.user.pk, business_id=int(business_id)
            )
            if membership is None:
                raise Http404("No such business")
            if owner_only and not membership.is_owner:
                raise PermissionDenied("Only owners can do this.")
            request.membership = membership
            request.business = membership.business
            if request.session.get(CURRENT_BUSINESS_KEY) != business_id:
                request.session[CURRENT_BUSINESS_KEY] = business_id
            with timezone.override(membership.business.tz):
                return view(request, *args, **kwargs)

        return wrapper

    return decorator


def get_request_for_member(request: DashboardRequest, pk: int) -> BookingRequest:
    return get_object_or_404(
        BookingRequest.objects.select_related(
            "session__service", "approved_by", "move_to__service"
        ),
        pk=pk,
        business=request.business,
    )


def get_session_for_member(request: DashboardRequest, pk: int) -> Session:
    return get_object_or_404(
        Session.objects.select_related("service"), pk=pk, business=request.business
    )


def get_service_for_owner(request: DashboardRequest, pk: int) -> Service:
    return get_object_or_404(Service, pk=pk, business=request.business)


def get_membership_for_owner(request: DashboardRequest, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, business=request.business
    )


def get_notification_for_member(
    request: DashboardRequest, pk: int
) -> BookingNotification:
    return get_object_or_404(
        BookingNotification,
        pk=pk,
        user=request.user,
        booking_request__business=request.business,
    )
