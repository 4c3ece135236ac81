"""Public booking pages. Thin: every rule lives in booking.availability / services."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from booking import services
from booking.calendar import booking_ics, google_calendar_url
from booking.errors import BookingError
from booking.models import BookingRequest, Business


def _business(slug: str) -> Business:
    return get_object_or_404(
        Business.objects.select_related("booking_settings"), slug=slug
    )


def _booking(token: str) -> BookingRequest:
    return get_object_or_404(
        BookingRequest.objects.select_related("session__service", "session__business"),
        access_token=token,
    )


@require_safe
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 1: the business and its services."""
    business = _business(slug)
    services_ = business.services.filter(is_active=True).order_by("name")
    return render(
        request, "booking/start.html", {"business": business, "services": services_}
    )


@require_safe
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    return start(request, slug)


@require_safe
def manage(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking(token)
    return render(
        request,
        "booking/manage.html",
        {
            "booking": booking,
            "business": booking.session.business,
            "google_url": google_calendar_url(booking),
        },
    )


@require_safe
def ics(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking(token)
    response = HttpResponse(booking_ics(booking), content_type="text/calendar")
    response["Content-Disposition"] = (
        f'attachment; filename="{booking.booking_reference}.ics"'
    )
    return response


# The secret token in the URL is what authorises the cancel; no cookie, no CSRF cookie.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking(token)
    error = None
    if request.method == "POST":
        try:
            services.booking_cancel(booking_id=booking.pk, by_client=True)
        except BookingError as exc:
            error = exc.message
        else:
            return redirect("booking:manage", token=token)
    return render(
        request,
        "booking/cancel.html",
        {"booking": booking, "business": booking.session.business, "error": error},
        status=409 if error else 200,
    )
