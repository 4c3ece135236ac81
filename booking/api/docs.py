"""What the OpenAPI schema says beyond the types: the API's description, and each
endpoint's documented answers (status, body, headers) built by ``responses``."""

from typing import Any

from booking.api.errors import ErrorOut

DESCRIPTION = """
The Booking Links JSON API: the public booking flow (business, services, availability,
book) and the owner's tools (settings, booking requests, moving a booking, answering a
client's move, entering a booking taken by phone or at the desk, the booking link). It
runs the same rules as the booking pages and the dashboard.

**Authentication.** Public endpoints need none and set no cookies. Admin endpoints
take a personal API token, `Authorization: Bearer blk_…` (one user, one business; made
on the dashboard's "API tokens" page or with `python manage.py api_token_create`), or
the dashboard's login session (then unsafe methods need Django's CSRF token in an
`X-CSRFToken` header). A session user in several businesses picks one with
`?business=<slug>`; without it, the business they joined first. With a token,
`business` may be omitted or must be the token's business.

**Errors.** Every 4xx answer has one shape,
`{"code": "...", "message": "...", "errors": {"field": ["..."]}}`. Codes:
`invalid` (400, see `errors`), `reason_required` (400), `unauthorized` and
`invalid_token` (401), `link_inactive`, `owner_only`, `no_business`, `csrf_failed`
(403), `not_found`, `business_not_found`, `session_not_found`, `request_not_found`,
`page_not_found` (404), `full`, `buffer`, `too_soon`, `too_far`, `not_bookable`,
`service_inactive`, `invalid_transition`, `expired`, `idempotency_key_reused`, and for
moves and staff entries `not_movable`, `same_session`, `session_past`, `session_over`,
`session_cancelled`, `no_move_waiting`, `move_expired` (409), `rate_limited` (429).

**Moves and staff entries.** `POST /api/booking/requests/{id}/reschedule/` moves a
booking to any future session of the business (capacity and the buffer hold; the
booking window does not); it keeps its reference, private link and calendar event.
Clients move their own from their private page; where bookings need approval, their
move waits (`pending_move` in a request, holding both spots) until you approve or
reject it (`…/move/approve/`, `…/move/reject/`) or it lapses. `POST
/api/booking/requests/` enters a booking taken by phone or at the desk, approved at
once. Each request's `history` lists every change, moves and entries included.

**Times.** Availability dates and `HH:MM` times are wall-clock times in the zone you
ask for (`tz`, default the business's). Instants (`starts_at`, `expires_at`,
`created_at`, …) are ISO 8601 to the second with the numeric offset of the zone they
are shown in (e.g. `2026-03-29T09:00:00+01:00`): the client's `client_timezone` (else
the business's) in a booking answer, the business's zone in admin answers.

**Rate limits.** Per client IP: 120 reads a minute over the public GET endpoints,
10 bookings an hour. Over the limit: 429 with `Retry-After` (seconds).

**Pagination.** `GET /api/booking/requests/` answers pages of 25 (`page_size` up to
100), newest first: `{"count", "page", "page_size", "num_pages", "next", "previous",
"results"}`.
"""

ERRORS = {
    400: "Invalid input; `errors` names each field or parameter at fault.",
    401: "No valid API token or login session (`unauthorized`, `invalid_token`).",
    429: "Too many requests from this IP (`rate_limited`); retry after "
    "`Retry-After` seconds.",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until the limit resets.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}
REDIRECT = {
    "description": "The business changed its slug: repeat the request at `Location`.",
    "headers": {
        "Location": {
            "description": "The same path at the business's current slug.",
            "schema": {"type": "string"},
        }
    },
}


def responses(
    status: int,
    schema: Any,
    description: str,
    *,
    errors: dict[int, str],
    redirect: bool = False,
    headers: dict[int, dict] | None = None,
) -> dict[str, Any]:
    """``response=`` and ``openapi_extra=`` for one endpoint's documented answers:
    its success, ``errors`` (status → description, all with the error body), and a
    308 redirect (a business's old slug) when ``redirect``."""
    response: dict[int, Any] = {status: schema}
    docs: dict[int, dict] = {status: {"description": description}}
    if redirect:
        response[308] = None
        docs[308] = REDIRECT
    for code, text in errors.items():
        response[code] = ErrorOut
        docs[code] = {"description": text}
    if 429 in errors:
        docs[429]["headers"] = RETRY_AFTER
    for code, extra in (headers or {}).items():
        docs[code]["headers"] = extra
    return {"response": response, "openapi_extra": {"responses": docs}}
