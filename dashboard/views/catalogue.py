"""Services: list, create, edit, deactivate, delete (only if never booked)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from booking import businesses
from booking.models import BookingRequest, Service
from dashboard.access import DashboardRequest, business_view, get_service_for_owner
from dashboard.forms.catalogue import ServiceForm
from dashboard.responses import posted, run_command, safe_next
from dashboard.views.home import get_started


def _back(request: DashboardRequest):
    return redirect("dashboard:services", business_id=request.business.pk)


@business_view(owner_only=True)
@require_safe
def services_list(request: DashboardRequest):
    booked = BookingRequest.objects.filter(session__service=OuterRef("pk"))
    rows = (
        Service.objects.filter(business=request.business)
        .annotate(
            upcoming=Count(
                "sessions",
                filter=Q(
                    sessions__starts_at__gte=timezone.now(),
                    sessions__cancelled_at__isnull=True,
                ),
            ),
            has_bookings=Exists(booked),
        )
        .order_by("-is_active", "name")
    )
    return render(request, "dashboard/services/list.html", {"services": rows})


def _after_saving(request: DashboardRequest, saved: Service, *, created: bool):
    """Back where the owner came from (adding a session: with this service chosen);
    else, for a new service, to "Get started" while the business is not ready; else
    to the services."""
    target = safe_next(request, "")
    if target:
        joiner = "&" if "?" in target else "?"
        return redirect(f"{target}{joiner}{urlencode({'service': saved.pk})}")
    if created and not get_started(request.business).done:
        return redirect(
            reverse("dashboard:home", kwargs={"business_id": request.business.pk})
            + "#get-started"
        )
    return _back(request)


def _form_page(request: DashboardRequest, service: Service | None):
    form = ServiceForm(posted(request), instance=service, business=request.business)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, f"Service “{saved.name}” saved.")
        return _after_saving(request, saved, created=service is None)
    return render(
        request,
        "dashboard/services/form.html",
        {"form": form, "service": service, "next": safe_next(request, "")},
    )


@business_view(owner_only=True)
@require_http_methods(["GET", "HEAD", "POST"])
def service_new(request: DashboardRequest):
    return _form_page(request, None)


@business_view(owner_only=True)
@require_http_methods(["GET", "HEAD", "POST"])
def service_edit(request: DashboardRequest, pk: int):
    return _form_page(request, get_service_for_owner(request, pk))


@business_view(owner_only=True)
@require_POST
def service_active(request: DashboardRequest, pk: int):
    service = get_service_for_owner(request, pk)
    active = request.POST.get("active") == "1"
    businesses.service_set_active(service_id=service.pk, active=active)
    messages.success(
        request,
        f"“{service.name}” is back on your booking link."
        if active
        else f"“{service.name}” is deactivated: clients can no longer book it. "
        "Its sessions and bookings are kept.",
    )
    return _back(request)


@business_view(owner_only=True)
@require_POST
def service_delete(request: DashboardRequest, pk: int):
    service = get_service_for_owner(request, pk)
    run_command(
        request,
        lambda: businesses.service_delete(service_id=service.pk),
        done=f"“{service.name}” deleted.",
    )
    return _back(request)
