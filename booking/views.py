"""Public booking pages: service → time → details → confirmation. Thin: no rules here.

Each step is one view serving the whole page, or its ``#step`` fragment to HTMX. These
pages set no cookies (no session, no CSRF cookie, no messages): the booking form carries
a signed token instead (booking.formtoken), and the zone to show travels in ``?tz=``.
"""

from datetime import date
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from booking import services
from booking.availability import check_session_offered
from booking.calendar import booking_ics, event_facts, google_url_from, outlook_url_from
from booking.errors import BookingError
from booking.forms import DetailsForm, carried_details
from booking.formtoken import MESSAGES as FORM_TOKEN_MESSAGES
from booking.formtoken import FormTokenError, make_token, read_token
from booking.lookup import active_service, active_services, business_by_slug
from booking.models import (
    BookingRequest,
    Business,
    BusinessSlugRedirect,
    Service,
    Session,
)
from booking.ratelimits import browse_limited, submit_limited
from booking.responses import render_field, render_page, too_many_requests
from booking.steps import (
    DisplayZone,
    build_week,
    display_zone,
    next_slots_by_service,
    parse_date,
    with_current_time,
)


def business_page(view):
    """Resolve ``slug`` to an active business: old slugs redirect, unknown ones 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args, embed: bool = False, **kw):
        if browse_limited(request):
            return too_many_requests(request, embed=embed)
        business = business_by_slug(slug)
        if business is None:
            return _moved_or_missing(request, slug, embed=embed)
        ctx = {"business": business, "embed": embed}
        settings = getattr(business, "booking_settings", None)
        if settings is None or not settings.is_active:
            status = 200 if request.method in {"GET", "HEAD"} else 403
            return render_page(request, "booking/inactive.html", ctx, status=status)
        return view(request, business, *args, embed=embed, **kw)

    return wrapper


def _moved_or_missing(request: HttpRequest, slug: str, *, embed: bool) -> HttpResponse:
    moved = (
        BusinessSlugRedirect.objects.select_related("business")
        .filter(old_slug=slug)
        .first()
    )
    if moved is None:
        ctx = {"embed": embed, "slug": slug}
        return render_page(request, "booking/unknown.html", ctx, status=404)
    match = request.resolver_match
    kwargs = {k: v for k, v in match.kwargs.items() if k != "embed"}
    url = reverse(match.view_name, kwargs={**kwargs, "slug": moved.business.slug})
    if request.META.get("QUERY_STRING"):
        url += "?" + request.META["QUERY_STRING"]
    # 308 keeps a POST a POST; links and bookmarks get the classic 301.
    return redirect(url, permanent=True, preserve_request=request.method == "POST")


@require_safe
@business_page
def start(request: HttpRequest, business: Business, *, embed: bool) -> HttpResponse:
    """Step 1: the business's active services, each with its next open time."""
    zone = display_zone(request.GET.get("tz"), business)
    now = timezone.now()
    offered = active_services(business)
    next_slots = next_slots_by_service(
        business=business,
        zone=zone.zone,
        now=now,
        service_ids=[service.pk for service in offered],
    )
    services_ = [(service, next_slots.get(service.pk)) for service in offered]
    ctx = {"business": business, "embed": embed, "zone": zone, "services": services_}
    return render_page(request, "booking/service_step.html", ctx, zone=zone)


@csrf_exempt  # POST only carries a client's typed details on to another week
@require_http_methods(["GET", "HEAD", "POST"])
@business_page
def week(
    request: HttpRequest, business: Business, service_id: int, *, embed: bool
) -> HttpResponse:
    """Step 2: one week of the service's open times, in the display time zone."""
    service = active_service(business, service_id)
    if service is None:
        return _missing(request, business, embed, "service")
    zone = display_zone(_param(request, "tz"), business)
    return render_week(
        request,
        business=business,
        service=service,
        zone=zone,
        start=parse_date(_param(request, "start")),
        embed=embed,
        carry=carried_details(request.POST) if request.method == "POST" else None,
    )


def render_week(
    request: HttpRequest,
    *,
    business: Business,
    service: Service,
    zone: DisplayZone,
    start: date | None,
    embed: bool,
    carry: dict | None = None,
    error: str = "",
    moving: BookingRequest | None = None,
) -> HttpResponse:
    """The week step; with ``error``, the answer to a time that was just taken.

    ``moving``: the same week for a client moving that booking (its own spots count
    as free, its current time is marked, each time leads to ``move_confirm``), or
    why it cannot move now.
    """
    now = timezone.now()
    problem = moving.client_move_problem(now) if moving else None
    week_ = None
    if problem is None:
        week_ = build_week(
            business=business,
            service=service,
            zone=zone.zone,
            requested_start=start,
            now=now,
            moving_id=moving.pk if moving else None,
        )
        if moving:
            week_ = with_current_time(week_, moving.session, zone.zone)
    ctx = {
        "business": business,
        "embed": embed,
        "zone": zone,
        "service": service,
        "week": week_,
        "carry": carry,
        "error": error,
        "moving": moving,
        "move_problem": BookingError(problem) if problem else None,
    }
    status = 409 if error else 200
    return render_page(
        request,
        "booking/week_step.html",
        ctx,
        zone=zone,
        status=status,
        private=moving is not None,
    )


@csrf_exempt  # no cookies: the signed form token and a honeypot guard this form
@require_http_methods(["GET", "HEAD", "POST"])
@business_page
def details(
    request: HttpRequest, business: Business, session_id: int, *, embed: bool
) -> HttpResponse:
    """Step 3: the chosen time and the client's details; POST books it."""
    session = (
        Session.objects.select_related("service")
        .filter(business=business, pk=session_id)
        .first()
    )
    if session is None:
        return _missing(request, business, embed, "session")
    zone = display_zone(_param(request, "tz"), business)
    page = {"business": business, "session": session, "zone": zone, "embed": embed}
    if request.method == "POST" and "carry" not in request.POST:
        return _submit(request, page)
    now = timezone.now()
    try:
        spots = check_session_offered(
            session=session, settings=business.booking_settings, now=now
        )
    except BookingError as error:
        return _taken(request, page, error, carry=carried_details(request.POST))
    form = DetailsForm(initial=carried_details(request.POST) or None)
    return _details_page(request, page, form, spots=spots, now=now)


def _details_page(request, page, form, *, spots=None, now, error="", status=200):
    if spots is None:  # a form sent back with an error keeps "2 spots left"
        spots = _spots_left(page, now)
    token = make_token(
        business_id=page["business"].pk, session_id=page["session"].pk, now=now
    )
    ctx = {**page, "form": form, "token": token, "spots": spots, "error": error}
    response = render_page(
        request, "booking/details_step.html", ctx, zone=page["zone"], status=status
    )
    # The token is this client's alone: no cache may hand the page to another.
    patch_cache_control(response, no_store=True, private=True)
    return response


def _spots_left(page: dict, now) -> int | None:
    try:
        return check_session_offered(
            session=page["session"], settings=page["business"].booking_settings, now=now
        )
    except BookingError:
        return None


def _submit(request: HttpRequest, page: dict) -> HttpResponse:
    if submit_limited(request):
        return too_many_requests(request, embed=page["embed"], submit=True)
    business, session = page["business"], page["session"]
    now = timezone.now()
    form = DetailsForm(request.POST)
    try:
        token = read_token(
            request.POST.get("token", ""),
            business_id=business.pk,
            session_id=session.pk,
            now=now,
        )
    except FormTokenError as problem:
        form.is_valid()  # show any field errors too, with a fresh token
        error = problem.message
        return _details_page(request, page, form, now=now, error=error, status=400)
    if request.POST.get("website"):
        error = "We could not accept this form. Please try again."
        return _details_page(request, page, form, now=now, error=error, status=400)
    if not form.is_valid():
        return _details_page(request, page, form, now=now, status=400)
    try:
        result = services.booking_create(
            business=business,
            session_id=session.pk,
            client_timezone=page["zone"].name,
            idempotency_key=token.idempotency_key,
            now=now,
            **form.cleaned_data,
        )
    except BookingError as error:
        if error.code == "idempotency_key_reused":
            reused = FORM_TOKEN_MESSAGES["reused"]
            return _details_page(request, page, form, now=now, error=reused, status=409)
        return _taken(request, page, error, carry=form.cleaned_data)
    token = result.booking.access_token
    if page["embed"]:
        url = reverse("booking:embed_booked", kwargs={"token": token})
    else:
        url = reverse("booking:manage", kwargs={"token": token}) + "?new=1"
    return HttpResponseRedirect(url, status=303)


@csrf_exempt  # reads a typed value back with its errors; writes nothing
@require_POST
@business_page
def check_field(
    request: HttpRequest, business: Business, session_id: int, *, embed: bool
) -> HttpResponse:
    """One field of the details form, validated as the client leaves it (HTMX)."""
    form = DetailsForm(request.POST)
    name = request.POST.get("field", "")
    if name not in form.fields:
        return HttpResponse("Unknown field.", status=400, content_type="text/plain")
    form.is_valid()
    return render_field(request, form, name, business=business, embed=embed)


def _taken(request, page: dict, error: BookingError, *, carry) -> HttpResponse:
    """The time cannot be booked (any more): show the refreshed week, details kept."""
    business, session = page["business"], page["session"]
    if error.code == "link_inactive":
        return render_page(request, "booking/inactive.html", page, status=403)
    if error.code == "service_inactive":
        return _missing(request, business, page["embed"], "service")
    zone = page["zone"]
    return render_week(
        request,
        business=business,
        service=session.service,
        zone=zone,
        start=session.starts_at.astimezone(zone.zone).date(),
        embed=page["embed"],
        carry=carry or None,
        error=error.message,
    )


def _missing(request, business: Business, embed: bool, what: str) -> HttpResponse:
    ctx = {"business": business, "embed": embed, "what": what}
    return render_page(request, "booking/missing.html", ctx, status=404)


def _param(request: HttpRequest, name: str) -> str | None:
    """A query parameter, or the same field of a POSTed form."""
    return request.GET.get(name) or request.POST.get(name)


# --- the client's booking: confirmation / manage, calendar file, cancel ---------------


def _booking(token: str) -> BookingRequest:
    return get_object_or_404(
        BookingRequest.objects.select_related(
            "session__service",
            "session__business__booking_settings",
            "move_to__service",
        ),
        access_token=token,
    )


@require_safe
def manage(request: HttpRequest, token: str, *, embed: bool = False) -> HttpResponse:
    """The client's private page: what, when (their zone and the business's), links."""
    booking = _booking(token)
    business = booking.session.business
    zone = display_zone(request.GET.get("tz") or booking.client_timezone, business)
    now = timezone.now()
    event = event_facts(booking)  # both calendar links from one set of facts
    ctx = {
        "booking": booking,
        "business": business,
        "embed": embed,
        "zone": zone,
        "status": booking.effective_status(now),
        "is_new": request.GET.get("new") == "1",
        "google_url": google_url_from(event),
        "outlook_url": outlook_url_from(event),
        "can_cancel": booking.client_can_cancel(now),
        "can_move": booking.client_can_move(now),
        "move_waiting": booking.has_waiting_move(now),
        "moved": request.GET.get("moved") == "1",
    }
    return render_page(request, "booking/manage.html", ctx, zone=zone, private=True)


@require_safe
def booked(request: HttpRequest, token: str, *, embed: bool = True) -> HttpResponse:
    """The widget's confirmation: what was booked, no personal details, no actions.

    Framed like the booking steps (any site until the owner lists theirs), while the
    client's private page, with their details and the cancel button, opens outside.
    """
    booking = _booking(token)
    business = booking.session.business
    zone = display_zone(request.GET.get("tz") or booking.client_timezone, business)
    ctx = {
        "booking": booking,
        "business": business,
        "embed": True,
        "zone": zone,
        "status": booking.effective_status(timezone.now()),
    }
    return render_page(
        request,
        "booking/booked.html",
        ctx,
        zone=zone,
        private=True,
        framed_as_step=True,
    )


@require_safe
def ics(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking(token)
    response = HttpResponse(booking_ics(booking), content_type="text/calendar")
    response["Content-Disposition"] = (
        f'attachment; filename="{booking.booking_reference}.ics"'
    )
    response["X-Robots-Tag"] = "noindex"
    return response


# The secret token in the URL is what authorises the cancel; no cookie, no CSRF cookie.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest, token: str, *, embed: bool = False) -> HttpResponse:
    """Confirm, then cancel the booking (``booking_cancel`` decides if it still can)."""
    booking = _booking(token)
    business = booking.session.business
    zone = display_zone(request.GET.get("tz") or booking.client_timezone, business)
    error = ""
    if request.method == "POST":
        try:
            services.booking_cancel(booking_id=booking.pk, by_client=True)
        except BookingError as exc:
            error = exc.message
        else:
            name = "booking:embed_manage" if embed else "booking:manage"
            return HttpResponseRedirect(reverse(name, args=[token]), status=303)
    ctx = {
        "booking": booking,
        "business": business,
        "embed": embed,
        "zone": zone,
        "error": error,
        "can_cancel": booking.client_can_cancel(timezone.now()),
    }
    return render_page(
        request,
        "booking/cancel.html",
        ctx,
        zone=zone,
        private=True,
        status=409 if error else 200,
    )


# --- the client moves their booking: week → confirm (ARCHITECTURE.md, "Moves") -------


@require_safe
def move(request: HttpRequest, token: str, *, embed: bool = False) -> HttpResponse:
    """ "Change time": the week of the booking's service, its current time marked."""
    if browse_limited(request):
        return too_many_requests(request, embed=embed)
    booking = _booking(token)
    business = booking.session.business
    zone = display_zone(request.GET.get("tz") or booking.client_timezone, business)
    start = parse_date(request.GET.get("start"))
    return render_week(
        request,
        business=business,
        service=booking.session.service,
        zone=zone,
        start=start or booking.session.starts_at.astimezone(zone.zone).date(),
        embed=embed,
        moving=booking,
    )


# The secret link authorises the move; the signed form token guards the form.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def move_confirm(
    request: HttpRequest, token: str, session_id: int, *, embed: bool = False
) -> HttpResponse:
    """The old and the new time side by side; POST moves it (or asks the business)."""
    submitting = request.method == "POST"
    if submit_limited(request) if submitting else browse_limited(request):
        return too_many_requests(request, embed=embed, submit=submitting)
    booking = _booking(token)
    business = booking.session.business
    zone = display_zone(_param(request, "tz") or booking.client_timezone, business)
    target = (
        Session.objects.select_related("service")
        .filter(business=business, pk=session_id)
        .first()
    )
    if target is None:
        return _missing(request, business, embed, "session")
    page = {
        "booking": booking,
        "business": business,
        "session": target,
        "zone": zone,
        "embed": embed,
    }
    now = timezone.now()
    if submitting:
        return _move_submit(request, page, now)
    try:
        services.booking_move_check(
            booking=booking,
            session=target,
            settings=business.booking_settings,
            now=now,
            by_client=True,
        )
    except BookingError as error:
        return _move_refused(request, page, error)
    return _move_page(request, page, now=now)


def _move_page(request, page, *, now, error="", status=200) -> HttpResponse:
    business = page["business"]
    ctx = {
        **page,
        "token": make_token(
            business_id=business.pk, session_id=page["session"].pk, now=now
        ),
        "needs_approval": services.move_needs_approval(
            booking=page["booking"], settings=business.booking_settings
        ),
        "error": error,
    }
    return render_page(
        request,
        "booking/move_confirm.html",
        ctx,
        zone=page["zone"],
        status=status,
        private=True,
    )


def _move_submit(request: HttpRequest, page: dict, now) -> HttpResponse:
    booking, target = page["booking"], page["session"]
    try:
        form = read_token(
            request.POST.get("token", ""),
            business_id=page["business"].pk,
            session_id=target.pk,
            now=now,
        )
    except FormTokenError as problem:
        return _move_page(request, page, now=now, error=problem.message, status=400)
    try:
        services.booking_reschedule(
            booking_id=booking.pk,
            session_id=target.pk,
            by_client=True,
            idempotency_key=f"move:{booking.pk}:{form.nonce}",
            now=now,
        )
    except BookingError as error:
        return _move_refused(request, page, error)
    name = "booking:embed_manage" if page["embed"] else "booking:manage"
    query = {"moved": "1"}
    if page["zone"].explicit:
        query["tz"] = page["zone"].name
    url = f"{reverse(name, args=[booking.access_token])}?{urlencode(query)}"
    return HttpResponseRedirect(url, status=303)


def _move_refused(request, page: dict, error: BookingError) -> HttpResponse:
    """The time cannot be taken (any more): the refreshed week, with the reason."""
    booking = _booking(page["booking"].access_token)  # as it is now
    zone = page["zone"]
    return render_week(
        request,
        business=booking.session.business,
        service=booking.session.service,
        zone=zone,
        start=page["session"].starts_at.astimezone(zone.zone).date(),
        embed=page["embed"],
        error=error.message,
        moving=booking,
    )
