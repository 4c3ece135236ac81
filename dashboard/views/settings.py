"""Owner settings: the business profile and the booking settings, saved in place;
the secret calendar feed, with its address replaced on request.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.http import trigger_client_event

from booking.businesses import booking_settings_update
from booking.feeds import calendar_feed_regenerate
from booking.links import calendar_feed_url, calendar_feed_webcal_url
from booking.models import BookingSettings, Business
from dashboard.access import DashboardRequest, business_view
from dashboard.forms.settings import BookingSettingsForm, BusinessProfileForm
from dashboard.responses import render_page

TEMPLATE = "dashboard/settings.html"
FEED_RENEWED = (
    "Your calendar feed has a new address. The old one no longer works: "
    "subscribe again with the new address in each calendar app."
)


def _fresh(request: DashboardRequest) -> tuple[Business, BookingSettings]:
    """Copies for the forms: a refused form must not alter the page's business."""
    business = Business.objects.select_related("booking_settings").get(
        pk=request.business.pk
    )
    return business, business.booking_settings


def _feed(business: Business, *, renewed: bool = False) -> dict:
    return {
        "feed_url": calendar_feed_url(business),
        "feed_webcal_url": calendar_feed_webcal_url(business),
        "feed_renewed": FEED_RENEWED if renewed else "",
    }


def _page(request, *, profile=None, booking=None, partial=None, saved=""):
    business, settings = _fresh(request)
    return render_page(
        request,
        TEMPLATE,
        {
            "profile_form": profile or BusinessProfileForm(instance=business),
            "booking_form": booking or BookingSettingsForm(instance=settings),
            "saved": saved,
            "saved_form": partial if saved else "",
            **_feed(business),
        },
        partial=partial,
    )


@business_view(owner_only=True)
@require_safe
def settings_page(request: DashboardRequest):
    return _page(request)


def _saved(request: DashboardRequest, message: str, partial: str):
    if not request.htmx:
        messages.success(request, message)
        return redirect("dashboard:settings", business_id=request.business.pk)
    return _page(request, partial=partial, saved=message)


@business_view(owner_only=True)
@require_POST
def settings_profile(request: DashboardRequest):
    business, _ = _fresh(request)
    old_slug = business.slug
    form = BusinessProfileForm(request.POST, instance=business)
    if not form.is_valid():
        return _page(request, profile=form, partial="profile_form")
    business = form.save()
    request.business = business
    message = "Business profile saved."
    if business.slug != old_slug:
        message += (
            f" Your link is now /book/{business.slug}/; the old /book/{old_slug}/ "
            "keeps redirecting to it."
        )
    return _saved(request, message, "profile_form")


@business_view(owner_only=True)
@require_POST
def settings_booking(request: DashboardRequest):
    _, settings = _fresh(request)
    form = BookingSettingsForm(request.POST, instance=settings)
    if not form.is_valid():  # the model's validators, as booking_settings_update's
        return _page(request, booking=form, partial="booking_form")
    booking_settings_update(business=request.business, values=form.cleaned_data)
    return _saved(request, "Booking settings saved.", "booking_form")


@business_view(owner_only=True)
@require_http_methods(["GET", "HEAD", "POST"])
def settings_feed_regenerate(request: DashboardRequest):
    """Ask first (a page, or the HTMX dialog); a POST replaces the feed's token."""
    if request.method != "POST":
        return render_page(
            request,
            "dashboard/feed_regenerate.html",
            {"in_dialog": bool(request.htmx)},
            partial="form",
        )
    calendar_feed_regenerate(business=request.business)
    if not request.htmx:
        messages.success(request, FEED_RENEWED)
        return redirect("dashboard:settings", business_id=request.business.pk)
    response = render(
        request, f"{TEMPLATE}#calendar_feed", _feed(request.business, renewed=True)
    )
    return trigger_client_event(response, "dashboard:close-dialog")
