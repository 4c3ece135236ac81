"""The notification centre: the bell, the list, marking read, email preferences."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from booking.models import Membership
from booking.selectors import notifications_for, unread_count
from dashboard.access import (
    DashboardRequest,
    business_view,
    get_notification_for_member,
)
from dashboard.forms.settings import NotificationPreferencesForm
from dashboard.responses import posted, redirect_back, render_page


def _list_url(request: DashboardRequest) -> str:
    return reverse(
        "dashboard:notifications", kwargs={"business_id": request.business.pk}
    )


@business_view()
@require_safe
def notifications_list(request: DashboardRequest):
    found = notifications_for(user=request.user, business=request.business)
    page = Paginator(found.select_related("booking_request"), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "dashboard/notifications/list.html",
        {
            "page": page,
            "unread": unread_count(user=request.user, business=request.business),
        },
    )


@business_view()
@require_safe
def notifications_bell(request: DashboardRequest):
    return render(
        request,
        "dashboard/fragment_bell.html",
        {"unread": unread_count(user=request.user, business=request.business)},
    )


@business_view()
@require_POST
def notification_read(request: DashboardRequest, pk: int):
    """Mark one read; with ``open`` set, go on to its booking request."""
    notification = get_notification_for_member(request, pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    if request.POST.get("open"):
        return redirect(
            "dashboard:request_detail",
            business_id=request.business.pk,
            pk=notification.booking_request_id,
        )
    return redirect_back(request, _list_url(request))


@business_view()
@require_POST
def notifications_read_all(request: DashboardRequest):
    count = (
        notifications_for(user=request.user, business=request.business)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )
    messages.success(request, f"Marked {count} notification{pluralize(count)} as read.")
    return redirect_back(request, _list_url(request))


@business_view()
@require_http_methods(["GET", "HEAD", "POST"])
def notification_preferences(request: DashboardRequest):
    membership = Membership.objects.get(pk=request.membership.pk)
    form = NotificationPreferencesForm(posted(request), instance=membership)
    saved = ""
    if request.method == "POST" and form.is_valid():
        form.save()
        saved = "Email preferences saved."
        if not request.htmx:
            messages.success(request, saved)
            return redirect(
                "dashboard:notification_preferences", business_id=request.business.pk
            )
    return render_page(
        request,
        "dashboard/notifications/preferences.html",
        {"form": form, "saved": saved},
        partial="form",
    )
