"""The booking link page: the link, QR codes (PNG, SVG), and the widget for a website:
its snippets, the websites that may show it, and a live preview.
"""

import io

import segno
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from booking.businesses import booking_settings_update
from booking.links import booking_link, iframe_snippet, widget_snippet
from booking.models import BookingSettings
from dashboard.access import DashboardRequest, business_view
from dashboard.forms.settings import EmbedOriginsForm
from dashboard.responses import render_page

QR_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
TEMPLATE = "dashboard/link.html"
ORIGINS_SAVED = "Saved: the websites that may show your widget."


def _page(request: DashboardRequest, *, origins=None, saved: str = ""):
    business = request.business
    settings = BookingSettings.objects.get(business=business)  # as saved, not as typed
    return render_page(
        request,
        TEMPLATE,
        {
            "link": booking_link(business),
            "widget": widget_snippet(business),
            "popup": widget_snippet(business, popup=True),
            "iframe": iframe_snippet(business),
            "services": business.services.filter(is_active=True).order_by("name"),
            "origins": settings.embed_origins,
            "origins_form": origins or EmbedOriginsForm(instance=settings),
            "saved": saved,
        },
        partial="origins" if origins is not None or saved else None,
    )


@business_view()
@require_safe
def link_page(request: DashboardRequest):
    return _page(request)


@business_view(owner_only=True)
@require_POST
def link_origins(request: DashboardRequest):
    """Save the websites that may show the widget (empty: any website)."""
    settings = BookingSettings.objects.get(business=request.business)
    form = EmbedOriginsForm(request.POST, instance=settings)
    if not form.is_valid():  # the model's validator, as booking_settings_update's
        return _page(request, origins=form)
    booking_settings_update(business=request.business, values=form.cleaned_data)
    if not request.htmx:
        messages.success(request, ORIGINS_SAVED)
        url = reverse("dashboard:link", kwargs={"business_id": request.business.pk})
        return redirect(f"{url}#widget-websites")
    return _page(request, saved=ORIGINS_SAVED)


@business_view()
@require_safe
def link_qr(request: DashboardRequest, fmt: str):
    """The link as a QR code; ``?download=1`` saves it as a file."""
    if fmt not in QR_TYPES:
        raise Http404("QR codes come as PNG or SVG")
    qr = segno.make(booking_link(request.business), error="m")
    out = io.BytesIO()
    if fmt == "png":
        qr.save(out, kind="png", scale=10, border=4)
    else:
        qr.save(
            out, kind="svg", scale=10, border=4, title="QR code of the booking link"
        )
    response = HttpResponse(out.getvalue(), content_type=QR_TYPES[fmt])
    if request.GET.get("download"):
        name = f"{request.business.slug}-booking-link-qr.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, max-age=300"
    return response
