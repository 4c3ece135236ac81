"""Admin endpoints: an owner's or staff member's tools, by API token or session.

Thin: transitions go through ``booking.services``, the request list through
``booking.selectors``, settings through ``booking.businesses.booking_settings_update``.
"""

from functools import wraps
from typing import Annotated

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Path, Query, Router, Status

from booking import services
from booking.api.auth import ADMIN_AUTH, Actor, actor_for, require_owner
from booking.api.docs import ERRORS, responses
from booking.api.errors import ApiError
from booking.api.schemas import (
    ApiDate,
    BookingStatus,
    Id,
    LinkOut,
    RejectIn,
    RequestOut,
    RequestPage,
    RescheduleIn,
    SettingsIn,
    SettingsOut,
    SettingsPatch,
    StaffEntryIn,
    Text,
    request_out,
    settings_out,
)
from booking.bounds import MAX_PAGE_SIZE
from booking.businesses import booking_settings_update
from booking.forms import ClientDetailsForm
from booking.links import booking_link, embed_snippet, widget_snippet
from booking.models import BookingEvent, BookingRequest, BookingSettings
from booking.selectors import RequestFilters, booking_requests_for_business

router = Router(tags=["Admin"], auth=ADMIN_AUTH)


def _no_store(run):
    """Owners' data: no shared cache or browser cache keeps a copy."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs):
        response = run(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


router.add_decorator(_no_store, mode="view")

PAGE_SIZE = 25
IdPath = Annotated[Id, Path(description="The booking request's `id`.")]
BusinessParam = Annotated[
    Text,
    Query(
        None,
        max_length=100,
        description="Slug of the business to act on, for a session user in several "
        "businesses (default: the one they joined first). With an API token: "
        "omit it, or give the token's business.",
    ),
]
NOT_MEMBER = "No business with that `business` slug that you belong to " + (
    "(`business_not_found`)."
)
SETTINGS_ERRORS = {
    400: ERRORS[400],
    401: ERRORS[401],
    403: "Staff members (and their tokens) cannot manage settings (`owner_only`); "
    "no business (`no_business`); session without CSRF token (`csrf_failed`).",
    404: NOT_MEMBER,
}
MEMBER_403 = "Your account belongs to no business (`no_business`)."
CSRF_403 = MEMBER_403 + " Session without CSRF token (`csrf_failed`)."


# --- settings -------------------------------------------------------------------------


@router.get(
    "/settings/",
    summary="Booking settings",
    **responses(200, SettingsOut, "The settings.", errors=SETTINGS_ERRORS),
)
def settings_detail(request: HttpRequest, business: BusinessParam = None):
    """The business's booking settings (owners only)."""
    actor = actor_for(request, business)
    require_owner(actor)
    return settings_out(_settings(actor))


@router.put(
    "/settings/",
    summary="Replace booking settings",
    **responses(200, SettingsOut, "The settings as saved.", errors=SETTINGS_ERRORS),
)
def settings_replace(
    request: HttpRequest, payload: SettingsIn, business: BusinessParam = None
):
    """Set every setting at once; limits as in the schema (400 names each field)."""
    return _update(request, business, payload.model_dump())


@router.patch(
    "/settings/",
    summary="Change some booking settings",
    **responses(200, SettingsOut, "The settings as saved.", errors=SETTINGS_ERRORS),
)
def settings_update(
    request: HttpRequest, payload: SettingsPatch, business: BusinessParam = None
):
    """Change only the settings sent; the others keep their values."""
    return _update(request, business, payload.model_dump(exclude_unset=True))


def _settings(actor: Actor) -> BookingSettings:
    settings, _ = BookingSettings.objects.get_or_create(business=actor.business)
    settings.business = actor.business
    return settings


def _update(request: HttpRequest, business_slug: str | None, values: dict) -> dict:
    actor = actor_for(request, business_slug)
    require_owner(actor)
    if "allowed_embed_origins" in values:
        values["allowed_embed_origins"] = "\n".join(values["allowed_embed_origins"])
    try:
        settings = booking_settings_update(business=actor.business, values=values)
    except ValidationError as exc:
        raise ApiError.invalid(exc.message_dict) from exc
    return settings_out(settings)


# --- booking requests -----------------------------------------------------------------


@router.get(
    "/requests/",
    summary="Booking requests",
    **responses(
        200,
        RequestPage,
        "One page of matching requests.",
        errors={
            400: ERRORS[400],
            401: ERRORS[401],
            403: MEMBER_403,
            404: NOT_MEMBER + " Or a page past the last (`page_not_found`).",
        },
    ),
)
def request_list(
    request: HttpRequest,
    business: BusinessParam = None,
    status: Annotated[
        BookingStatus,
        Query(None, description="As readers see it: lapsed pending is `expired`."),
    ] = None,
    service_id: Annotated[Id, Query(None, description="Only this service's.")] = None,
    date_from: Annotated[
        ApiDate,
        Query(None, description="Sessions on or after this date (business's zone)."),
    ] = None,
    date_to: Annotated[
        ApiDate, Query(None, description="Sessions on or before this date.")
    ] = None,
    q: Annotated[
        Text,
        Query(None, max_length=200, description="Name, email, phone or reference."),
    ] = None,
    page: Annotated[
        int, Query(1, ge=1, le=1_000_000, description="Page number, from 1.")
    ] = 1,
    page_size: Annotated[
        int,
        Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Requests per page."),
    ] = PAGE_SIZE,
):
    """The business's requests matching every filter given, newest first."""
    actor = actor_for(request, business)
    if date_from and date_to and date_to < date_from:
        raise ApiError.invalid({"date_to": ["date_to must not be before date_from."]})
    now = timezone.now()
    filters = RequestFilters(
        status=status or "",
        service_id=service_id,
        date_from=date_from,
        date_to=date_to,
        q=q or "",
    )
    rows = (
        booking_requests_for_business(business=actor.business, filters=filters, now=now)
        .select_related("move_to__service")
        .prefetch_related(_HISTORY)
        .order_by("-created_at", "-id")
    )
    paginator = Paginator(rows, page_size)
    if page > paginator.num_pages:
        raise ApiError.not_found(
            f"There are {paginator.num_pages} pages.", code="page_not_found"
        )
    zone = actor.business.tz
    return {
        "count": paginator.count,
        "page": page,
        "page_size": page_size,
        "num_pages": paginator.num_pages,
        "next": _page_url(request, page + 1) if page < paginator.num_pages else None,
        "previous": _page_url(request, page - 1) if page > 1 else None,
        "results": [
            request_out(booking, zone, now)
            for booking in paginator.page(page).object_list
        ],
    }


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


TRANSITION_ERRORS = {
    400: ERRORS[400],
    401: ERRORS[401],
    403: CSRF_403,
    404: "No such request at this business (`request_not_found`); " + NOT_MEMBER,
    409: "Not possible from the request's status (`invalid_transition`), or it has "
    "lapsed (`expired`).",
}


@router.post(
    "/requests/{id}/approve/",
    summary="Approve a request",
    **responses(200, RequestOut, "The approved request.", errors=TRANSITION_ERRORS),
)
def request_approve(request: HttpRequest, id: IdPath, business: BusinessParam = None):
    """Approve a pending request (its spot is already held, so never overbooks)."""
    actor = _request_actor(request, business, id)
    services.booking_approve(booking_id=id, actor=actor.user)
    return request_out(_fresh(id), actor.business.tz, timezone.now())


@router.post(
    "/requests/{id}/reject/",
    summary="Reject a request",
    **responses(
        200,
        RequestOut,
        "The rejected request.",
        errors={
            **TRANSITION_ERRORS,
            400: ERRORS[400] + " `reason` missing or blank (`reason_required`).",
        },
    ),
)
def request_reject(
    request: HttpRequest,
    id: IdPath,
    payload: RejectIn,
    business: BusinessParam = None,
):
    """Reject a pending request; the reason is sent to the client."""
    actor = _request_actor(request, business, id)
    services.booking_reject(booking_id=id, actor=actor.user, reason=payload.reason)
    return request_out(_fresh(id), actor.business.tz, timezone.now())


_HISTORY = Prefetch("events", queryset=BookingEvent.objects.select_related("actor"))
IdempotencyKey = Annotated[
    str,
    Header(
        None,
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string per attempt. A retry with the same key "
        "answers as the first time instead of acting twice.",
    ),
]
KEY_REUSED = (
    "The Idempotency-Key was already used for a different request "
    "(`idempotency_key_reused`)."
)
MOVE_ERRORS = {
    **TRANSITION_ERRORS,
    404: TRANSITION_ERRORS[404]
    + " No session with that `session_id` at this business (`session_not_found`).",
    409: "A rule refused: the session is full (`full`), too close to another booked "
    "session (`buffer`), has started (`session_past`), is cancelled "
    "(`session_cancelled`) or is the booking's own (`same_session`); the booking no "
    "longer holds a time (`not_movable`). " + KEY_REUSED,
}


def _fresh(booking_id: int) -> BookingRequest:
    """The request as ``request_out`` shows it, read again after a change."""
    return (
        BookingRequest.objects.select_related("session__service", "move_to__service")
        .prefetch_related(_HISTORY)
        .get(pk=booking_id)
    )


@router.post(
    "/requests/",
    summary="Enter a booking (phone, walk-in)",
    **responses(
        201,
        RequestOut,
        "Booked and approved; also the answer to a retry with the same "
        "Idempotency-Key.",
        errors={
            400: ERRORS[400],
            401: ERRORS[401],
            403: CSRF_403,
            404: NOT_MEMBER + " Or no such session (`session_not_found`).",
            409: "A rule refused: the session is full (`full`), too close to another "
            "booked session (`buffer`), over (`session_over`) or cancelled "
            "(`session_cancelled`). " + KEY_REUSED,
        },
    ),
)
def request_create(
    request: HttpRequest,
    payload: StaffEntryIn,
    business: BusinessParam = None,
    idempotency_key: IdempotencyKey = None,
):
    """Book a client who phoned or walked in, approved at once. Staff may book
    outside the booking window and past a session's deadline (until it ends);
    capacity and the buffer always hold. With an email, the client gets the usual
    confirmation and calendar invite. The history records who entered it."""
    actor = actor_for(request, business)
    form = ClientDetailsForm(data=payload.form_data())
    if not form.is_valid():
        raise ApiError.invalid({f: list(m) for f, m in form.errors.items()})
    key = (
        f"api-entry:{actor.business.pk}:{idempotency_key}" if idempotency_key else None
    )
    result = services.booking_enter_by_staff(
        business=actor.business,
        session_id=payload.session_id,
        actor=actor.user,
        channel=payload.channel,
        idempotency_key=key,
        **form.cleaned_data,
    )
    if not result.created:
        asked = {"session_id": payload.session_id, **form.cleaned_data}
        if asked != {name: getattr(result.booking, name) for name in asked}:
            raise _key_reused()
    booking = _fresh(result.booking.pk)
    return Status(201, request_out(booking, actor.business.tz, timezone.now()))


@router.post(
    "/requests/{id}/reschedule/",
    summary="Move a booking to another session",
    **responses(200, RequestOut, "The moved booking.", errors=MOVE_ERRORS),
)
def request_reschedule(
    request: HttpRequest,
    id: IdPath,
    payload: RescheduleIn,
    business: BusinessParam = None,
    idempotency_key: IdempotencyKey = None,
):
    """Move a pending or approved booking to any future session of the business. It
    keeps its reference, private link and calendar event (the client's calendar
    moves it); the client is emailed the old and new times with your message."""
    actor = _request_actor(request, business, id)
    key = f"api-move:{id}:{idempotency_key}" if idempotency_key else None
    result = services.booking_reschedule(
        booking_id=id,
        session_id=payload.session_id,
        actor=actor.user,
        message=payload.message or "",
        idempotency_key=key,
    )
    if result.replayed and result.booking.session_id != payload.session_id:
        raise _key_reused()
    return request_out(_fresh(id), actor.business.tz, timezone.now())


MOVE_ANSWER_ERRORS = {
    **TRANSITION_ERRORS,
    409: "No move of this booking waits for an answer (`no_move_waiting`), or it "
    "has lapsed (`move_expired`).",
}


@router.post(
    "/requests/{id}/move/approve/",
    summary="Approve a client's move",
    **responses(200, RequestOut, "The moved booking.", errors=MOVE_ANSWER_ERRORS),
)
def request_move_approve(
    request: HttpRequest, id: IdPath, business: BusinessParam = None
):
    """Approve the move a client asked for: the booking takes the spot held for it
    (so this never overbooks) and frees its old one."""
    actor = _request_actor(request, business, id)
    services.booking_move_approve(booking_id=id, actor=actor.user)
    return request_out(_fresh(id), actor.business.tz, timezone.now())


@router.post(
    "/requests/{id}/move/reject/",
    summary="Reject a client's move",
    **responses(
        200,
        RequestOut,
        "The booking, at its original time.",
        errors={
            **MOVE_ANSWER_ERRORS,
            400: ERRORS[400] + " `reason` missing or blank (`reason_required`).",
        },
    ),
)
def request_move_reject(
    request: HttpRequest,
    id: IdPath,
    payload: RejectIn,
    business: BusinessParam = None,
):
    """Decline the move a client asked for; the reason is sent to the client and
    the booking keeps its original time."""
    actor = _request_actor(request, business, id)
    services.booking_move_reject(booking_id=id, actor=actor.user, reason=payload.reason)
    return request_out(_fresh(id), actor.business.tz, timezone.now())


def _key_reused() -> ApiError:
    return ApiError(
        409,
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different request; use a new "
        "key for a new one.",
    )


def _request_actor(
    request: HttpRequest, business: str | None, booking_id: int
) -> Actor:
    actor = actor_for(request, business)
    if not BookingRequest.objects.filter(
        pk=booking_id, session__business_id=actor.business.pk
    ).exists():
        raise ApiError.not_found(
            "No booking request with that id at this business.",
            code="request_not_found",
        )
    return actor


# --- booking link ---------------------------------------------------------------------


@router.get(
    "/link/",
    summary="Booking link and widget snippets",
    **responses(
        200,
        LinkOut,
        "The link and snippet.",
        errors={400: ERRORS[400], 401: ERRORS[401], 403: MEMBER_403, 404: NOT_MEMBER},
    ),
)
def link(request: HttpRequest, business: BusinessParam = None):
    """The public booking link to share, and the widget's snippets for a website."""
    actor = actor_for(request, business)
    return {
        "url": booking_link(actor.business),
        "widget_snippet": widget_snippet(actor.business),
        "embed_snippet": embed_snippet(actor.business),
    }
