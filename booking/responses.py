"""Responses of the public pages: the page or its HTMX fragment, one field, the 429,
and the 503 of a request whose database connection failed.

The plumbing every public view shares (fragment or page, ``HX-Push-Url``, ``Vary``,
frame and privacy headers), kept apart so each view reads as "resolve, ask booking/,
render".
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

from booking.clock import hour_cycle
from booking.forms import DetailsForm
from booking.origins import is_origin, normalize_origin
from booking.ratelimits import browse_rate, retry_after_seconds, submit_rate
from booking.steps import DisplayZone


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
        allow_framing(response, context.get("business"))
    return response


def frame_ancestors(business, *, private: bool = False) -> str:
    """Who may frame an embed page: the value of its CSP ``frame-ancestors``.

    The booking steps: any website (``*``) until the owner lists their sites, then
    only this app and those. A client's private pages (``private``: their booking,
    cancelling it) never any website: this app and the listed sites only. A list
    whose every line is unusable stays a restriction (it never widens to ``*``).
    """
    settings = getattr(business, "booking_settings", None) if business else None
    listed = settings.embed_origins if settings else []
    if not listed and not private:
        return "*"
    normalised = (normalize_origin(origin) for origin in listed)
    return " ".join(["'self'", *(origin for origin in normalised if is_origin(origin))])


def allow_framing(response: HttpResponse, business, *, private: bool = False) -> None:
    """Let the sites ``frame_ancestors`` names frame this widget page.

    One ``Content-Security-Policy`` header: django-csp's policy for every page, with
    its ``frame-ancestors`` replaced for this response; no ``X-Frame-Options``.
    """
    response.xframe_options_exempt = True
    ancestors = frame_ancestors(business, private=private)
    sources = ancestors.split() if isinstance(ancestors, str) else list(ancestors)
    replace = getattr(response, "_csp_replace", None) or {}
    response._csp_replace = {**replace, "frame-ancestors": sources}


def render_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    zone: DisplayZone | None = None,
    status: int = 200,
    private: bool = False,
    framed_as_step: bool = False,
) -> HttpResponse:
    """The whole page, or its ``#step`` fragment for an HTMX swap.

    Times render in ``zone``; embedded pages may be framed as ``frame_ancestors``
    says (a private page as a booking step when ``framed_as_step``: the widget's
    confirmation); private pages (a booking's secret URL) are neither cached nor
    indexed and leak no referrer.
    """
    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx) and not htmx.history_restore_request
    name = f"{template}#step" if fragment else template
    context = {**context, "private": private}
    if zone is not None:  # times on a 12- or 24-hour clock, as the reader's language
        context["hours"] = hour_cycle(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
    with timezone.override(zone.zone if zone else timezone.get_current_timezone()):
        content = render_to_string(name, context, request=request)
    response = HttpResponse(content, status=status)
    patch_vary_headers(response, ["HX-Request", *(["Accept-Language"] if zone else [])])
    if fragment:
        response["HX-Push-Url"] = request.get_full_path()
    if context.get("embed"):
        allow_framing(
            response,
            context.get("business"),
            private=private and not framed_as_step,
        )
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


UNAVAILABLE_RETRY_AFTER_SECONDS = 30
UNAVAILABLE_MESSAGE = (
    "We could not reach our database just now, so this may not have gone through. "
    "Please try again in a minute: sending the same form again never books twice."
)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 "try again" for a request whose database connection failed mid-way.

    JSON (the API's error body) under ``/api/``, else a plain page. Built without the
    database: the page is rendered with no request, so no context processor runs.
    """
    if request.path.startswith("/api/"):
        body = {"code": "unavailable", "message": UNAVAILABLE_MESSAGE, "errors": {}}
        response = JsonResponse(body, status=503)
    else:
        html = render_to_string("503.html", {"message": UNAVAILABLE_MESSAGE})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    patch_cache_control(response, no_store=True)
    return response
