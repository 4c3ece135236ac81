"""Public endpoints: no authentication, no cookies, rate-limited per IP.

Thin: availability comes from ``booking.availability``, bookings from
``booking.services``, client details are checked by ``booking.forms``.
"""

import json
import re
from datetime import timedelta
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Path, Query, Router, Status

from booking import services
from booking.api.docs import ERRORS, responses
from booking.api.errors import ApiError, ApiRedirect
from booking.api.http import rate_limit, with_cors
from booking.api.schemas import (
    ApiDate,
    AvailabilityOut,
    BookIn,
    BookingOut,
    BusinessOut,
    Id,
    ServiceOut,
    Text,
    booking_out,
)
from booking.availability import (
    Availability,
    AvailabilityError,
    rendered_availability,
    resolve_timezone,
)
from booking.forms import ClientDetailsForm
from booking.lookup import active_services, business_by_slug
from booking.models import (
    BookingSettings,
    Business,
    BusinessSlugRedirect,
)

router = Router(tags=["Public booking"])
router.add_decorator(with_cors, mode="view")

DEFAULT_DAYS = 7  # availability without dates: today and the next six days
SLUG_RE = re.compile(r"[-a-zA-Z0-9_]{1,100}")
BusinessSlug = Annotated[
    str,
    Path(
        description="The business's slug, as in its booking link /book/<slug>/.",
        example="swim-school-pro",
    ),
]
NO_BUSINESS = "No business has this slug (`business_not_found`)."
READ_ERRORS = {404: NO_BUSINESS, 429: ERRORS[429]}
BOOK_ERRORS = {
    400: ERRORS[400],
    403: "The business's booking link is inactive (`link_inactive`).",
    404: NO_BUSINESS + " Or no such session at it (`session_not_found`).",
    409: "A booking rule refused: the session is full (`full`), blocked by the "
    "buffer (`buffer`), too soon or too far ahead (`too_soon`, `too_far`), not open "
    "for booking (`not_bookable`, `service_inactive`); or the Idempotency-Key was "
    "used for another booking (`idempotency_key_reused`).",
    429: ERRORS[429],
}
IdempotencyKey = Annotated[
    str,
    Header(
        None,
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (e.g. a UUID) per booking attempt. A retry "
        "with the same key returns the booking made the first time (same 201 "
        "answer, with `Idempotent-Replayed: true`) instead of booking twice. An "
        "attempt that did not book (4xx) is not remembered: retrying it tries again. "
        "Every retry counts against the booking rate limit.",
    ),
]


def public_business(
    request: HttpRequest, slug: str, *, service_id: int | None = None
) -> Business:
    """The business at ``slug``; an old slug redirects (308), unknown ones 404.

    With ``service_id``, in the same query: ``offers_service``, whether that is one
    of its active services.
    """
    if SLUG_RE.fullmatch(slug):
        business = business_by_slug(slug, service_id=service_id)
        if business is not None:
            _ensure_settings(business)
            return business
        moved = (
            BusinessSlugRedirect.objects.select_related("business")
            .filter(old_slug=slug)
            .first()
        )
        if moved is not None:
            head, _, tail = request.get_full_path().partition(f"/public/{slug}/")
            raise ApiRedirect(f"{head}/public/{moved.business.slug}/{tail}")
    raise ApiError.not_found(
        "No business has that booking link.", code="business_not_found"
    )


def _ensure_settings(business: Business) -> None:
    # A business made outside the sign-up flow (e.g. the admin) may lack settings;
    # the defaults apply until the owner saves some.
    try:
        business.booking_settings  # noqa: B018
    except BookingSettings.DoesNotExist:
        business.booking_settings = BookingSettings.objects.get_or_create(
            business=business
        )[0]


@router.get(
    "/public/{business_slug}/",
    summary="Business and booking settings",
    **responses(
        200,
        BusinessOut,
        "The business and its public settings.",
        redirect=True,
        errors=READ_ERRORS,
    ),
)
def business_detail(request: HttpRequest, business_slug: BusinessSlug):
    """The business's public profile and the settings a client needs to know."""
    rate_limit(request, "read")
    business = public_business(request, business_slug)
    settings = business.booking_settings
    return {
        "business": {
            name: getattr(business, name)
            for name in ("name", "description", "address", "phone", "email", "timezone")
        },
        "settings": {
            "requires_approval": settings.requires_approval,
            "buffer_time_minutes": settings.buffer_time_minutes,
            "is_active": settings.is_active,
        },
    }


@router.get(
    "/public/{business_slug}/services/",
    summary="Active services",
    **responses(
        200,
        list[ServiceOut],
        "Active services, by name.",
        redirect=True,
        errors=READ_ERRORS,
    ),
)
def service_list(request: HttpRequest, business_slug: BusinessSlug):
    """The services clients can book, by name."""
    rate_limit(request, "read")
    business = public_business(request, business_slug)
    return [
        {
            "id": service.pk,
            "name": service.name,
            "description": service.description,
            "duration_minutes": service.duration_minutes,
            "capacity": service.capacity,
            "price": f"{service.price:.2f}",
            "currency": business.currency,
        }
        for service in active_services(business)
    ]


@router.get(
    "/public/{business_slug}/availability/",
    summary="Bookable times, by date",
    **responses(
        200,
        AvailabilityOut,
        "Slots by date, in order; only dates with slots.",
        redirect=True,
        errors={400: ERRORS[400] + " E.g. over 62 days, unknown zone.", **READ_ERRORS},
    ),
)
def availability(
    request: HttpRequest,
    business_slug: BusinessSlug,
    service_id: Annotated[
        Id, Query(None, description="Only this service's sessions.")
    ] = None,
    start_date: Annotated[
        ApiDate,
        Query(None, description="First date (YYYY-MM-DD), inclusive. Default: today."),
    ] = None,
    end_date: Annotated[
        ApiDate,
        Query(
            None,
            description="Last date, inclusive; at most 62 days after start_date. "
            "Default: start_date + 6 days.",
        ),
    ] = None,
    tz: Annotated[
        Text,
        Query(
            None,
            max_length=64,
            description="IANA zone for the dates and times, e.g. Asia/Tokyo. "
            "Default: the business's.",
        ),
    ] = None,
):
    """Open sessions grouped by their start date in ``tz``; only dates with slots.

    A slot is offered when the link and service are active, the session is bookable
    and inside the booking window, has a spot left and is not blocked by the buffer.
    """
    rate_limit(request, "read")
    business = public_business(request, business_slug, service_id=service_id)
    zone = resolve_timezone(tz, business.timezone)
    now = timezone.now()
    if start_date is None:
        start_date = now.astimezone(zone).date()
    if end_date is None:
        end_date = start_date + timedelta(days=DEFAULT_DAYS - 1)
    if service_id is not None and not business.offers_service:
        raise AvailabilityError("service_id", "This business offers no such service.")
    body = rendered_availability(
        availability_json,
        business=business,
        start_date=start_date,
        end_date=end_date,
        now=now,
        service_id=service_id,
        tz=zone,
    )
    # The body as ninja would render ``AvailabilityOut`` (the schema documents it):
    # built once per answer and kept by the availability cache.
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def availability_json(result: Availability) -> bytes:
    """The availability answer's JSON body: slots by local date, in order."""
    return json.dumps(
        {
            day.isoformat(): [
                {
                    "start_time": f"{slot.starts_at:%H:%M}",
                    "end_time": f"{slot.ends_at:%H:%M}",
                    "available_spots": slot.spots_left,
                    "session_id": slot.session_id,
                }
                for slot in slots
            ]
            for day, slots in result.days.items()
        }
    ).encode()


@router.post(
    "/public/{business_slug}/book/",
    summary="Book a session",
    **responses(
        201,
        BookingOut,
        "Booked (`approved`) or waiting for approval (`pending`); also the answer "
        "to a retry with the same Idempotency-Key.",
        redirect=True,
        errors=BOOK_ERRORS,
        headers={
            201: {
                "Idempotent-Replayed": {
                    "description": "`true` when an Idempotency-Key found an earlier "
                    "booking and this is its answer.",
                    "schema": {"type": "string", "enum": ["true"]},
                }
            }
        },
    ),
)
def book(
    request: HttpRequest,
    response: HttpResponse,
    business_slug: BusinessSlug,
    payload: BookIn,
    idempotency_key: IdempotencyKey = None,
):
    """Book ``session_id`` for the client; every rule is checked again at once.

    201 with `status` `approved` (booked) or `pending` (the business approves it
    before `expires_at`). Email or phone is required.
    """
    business = public_business(request, business_slug)
    rate_limit(request, "book")  # every attempt counts, replays too
    key = f"api:{business.pk}:{idempotency_key}" if idempotency_key else None
    form = ClientDetailsForm(data=payload.form_data())
    if not form.is_valid():
        raise ApiError.invalid({f: list(m) for f, m in form.errors.items()})
    try:
        zone = resolve_timezone(payload.client_timezone, business.timezone)
    except AvailabilityError as exc:
        raise ApiError.invalid({"client_timezone": [exc.message]}) from exc
    now = timezone.now()
    result = services.booking_create(
        business=business,
        session_id=payload.session_id,
        client_timezone=payload.client_timezone or "",
        idempotency_key=key,
        now=now,
        **form.cleaned_data,
    )
    booking = result.booking
    if not result.created:
        response["Idempotent-Replayed"] = "true"
    return Status(201, booking_out(booking, zone, now))


def _preflight(request: HttpRequest, business_slug: BusinessSlug) -> HttpResponse:
    """A browser's CORS preflight; ``with_cors`` adds the headers."""
    return HttpResponse(status=204)


for _path in (
    "/public/{business_slug}/",
    "/public/{business_slug}/services/",
    "/public/{business_slug}/availability/",
    "/public/{business_slug}/book/",
):
    router.add_api_operation(
        _path, ["OPTIONS"], _preflight, response={204: None}, include_in_schema=False
    )
