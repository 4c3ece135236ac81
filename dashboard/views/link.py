"""The booking link card: the link, the embed snippet and QR codes (PNG, SVG)."""

import io

import segno
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from booking.links import booking_link, embed_snippet
from dashboard.access import DashboardRequest, business_view

QR_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@business_view()
@require_safe
def link_page(request: DashboardRequest):
    business = request.business
    return render(
        request,
        "dashboard/link.html",
        {"link": booking_link(business), "embed": embed_snippet(business)},
    )


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
