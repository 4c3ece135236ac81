"""Rendering plumbing of the public pages: HTMX fragments, frame and privacy headers.

Kept apart from the views so each view reads as "resolve, ask booking/, render".
"""

from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from booking.forms import ClientDetailsForm
from booking.origins import is_origin
from booking.pages import DisplayZone
from booking.ratelimits import browse_rate, retry_after_seconds, submit_rate

CARRIED_FIELDS = {
    "client_name": 255,
    "client_email": 255,
    "client_phone": 40,
    "notes": 2000,
}


class DetailsForm(ClientDetailsForm):
    """The shared client-details form with the browser hints a booking page wants."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        hints = {
            "client_name": {"autocomplete": "name"},
            "client_email": {"autocomplete": "email", "inputmode": "email"},
            "client_phone": {"autocomplete": "tel", "inputmode": "tel"},
            "notes": {"rows": "4"},
        }
        for name, attrs in hints.items():
            self.fields[name].widget.attrs.update(attrs)
        self.fields["client_phone"].widget.input_type = "tel"
        self.fields["client_email"].help_text = "For your confirmation."
        self.fields[
            "client_phone"
        ].help_text = "Email or phone: give at least one so the business can reach you."
        self.fields["notes"].help_text = "Optional, up to 2,000 characters."

    @property
    def first_error(self) -> str:
        """The first field with an error: it gets the focus (``autofocus``)."""
        if not self.is_bound:
            return ""
        return next((name for name in self.fields if name in self.errors), "")


def render_field(
    request: HttpRequest, form: DetailsForm, name: str, **context
) -> HttpResponse:
    """One field with its own errors; "give email or phone" waits for the submit."""
    field = form[name]
    own = [
        e for e in form.errors.as_data().get(name, []) if e.code != "contact_required"
    ]
    form.errors.pop(name, None)
    if own:
        form.add_error(name, own)
    check_url = request.path
    ctx = {**context, "field": field, "check_url": check_url, "first_error": ""}
    html = render_to_string("booking/fragment_field.html", ctx, request=request)
    response = HttpResponse(html)
    patch_vary_headers(response, ["HX-Request"])
    if context.get("embed"):
        response.xframe_options_exempt = True
    return response


def carried_details(data: QueryDict) -> dict[str, str]:
    """What a client typed, carried on (not validated) while they pick another time."""
    return {
        name: data.get(name, "").strip()[:limit]
        for name, limit in CARRIED_FIELDS.items()
        if data.get(name, "").strip()
    }


def frame_ancestors(business) -> str:
    settings = getattr(business, "booking_settings", None) if business else None
    origins = settings.embed_origins if settings else []
    allowed = [origin for origin in origins if is_origin(origin)]
    return " ".join(["'self'", *allowed])


def render_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    zone: DisplayZone | None = None,
    status: int = 200,
    private: bool = False,
) -> HttpResponse:
    """The whole page, or its ``#step`` fragment for an HTMX swap.

    Times render in ``zone``; embedded pages may be framed by the business's own
    sites; private pages (a booking's secret URL) are neither cached nor indexed and
    leak no referrer.
    """
    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx) and not htmx.history_restore_request
    name = f"{template}#step" if fragment else template
    context = {**context, "private": private}
    with timezone.override(zone.zone if zone else timezone.get_current_timezone()):
        content = render_to_string(name, context, request=request)
    response = HttpResponse(content, status=status)
    patch_vary_headers(response, ["HX-Request"])
    if fragment:
        response["HX-Push-Url"] = request.get_full_path()
    if context.get("embed"):
        response.xframe_options_exempt = True
        ancestors = frame_ancestors(context.get("business"))
        response["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
    if private:
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
    return response


def too_many_requests(
    request: HttpRequest, *, embed: bool, submit: bool = False
) -> HttpResponse:
    rate = submit_rate() if submit else browse_rate()
    ctx = {"embed": embed, "submit": submit}
    response = render_page(request, "429.html", ctx, status=429)
    response["Retry-After"] = str(retry_after_seconds(rate))
    return response
