"""One error type for every refused booking action, with its words in one place."""

# code -> (HTTP status for the JSON API, message a client or owner reads)
ERRORS: dict[str, tuple[int, str]] = {
    "link_inactive": (
        403,
        "This business is not taking online bookings at the moment.",
    ),
    "session_not_found": (404, "We could not find that time. Please pick another one."),
    "service_inactive": (409, "This service is no longer offered online."),
    "not_bookable": (409, "This time is not open for online booking."),
    "too_soon": (
        409,
        "This time is too close to book online. Please pick a later time.",
    ),
    "too_far": (
        409,
        "This time is too far ahead to book yet. Please pick an earlier time.",
    ),
    "full": (409, "That time was just taken. Please pick another time."),
    "buffer": (409, "That time was just taken. Please pick another time."),
    "invalid_transition": (409, "This booking cannot be changed that way any more."),
    "expired": (409, "This request has expired: its hold on the time has lapsed."),
    "already_started": (
        409,
        "This session has already started, so it can no longer be cancelled online. "
        "Please contact the business.",
    ),
    "idempotency_key_reused": (
        409,
        "This Idempotency-Key was already used for a different booking; use a new "
        "key for a new booking.",
    ),
    "reason_required": (400, "Please give a reason; the client will read it."),
    "email_not_failed": (409, "Only an email that failed can be sent again."),
    # Refusals of the dashboard's commands (sessions, services, members).
    "session_cancelled": (409, "This session is cancelled; it cannot be changed."),
    "session_has_bookings": (
        409,
        "This session has bookings, so its time cannot change. Cancel it (its "
        "clients are told) and create a new one instead.",
    ),
    "capacity_below_bookings": (
        409,
        "The capacity cannot be lower than the bookings the session already holds.",
    ),
    "service_has_bookings": (
        409,
        "This service has bookings, so it cannot be deleted. Deactivate it instead: "
        "it leaves your booking link and its history stays.",
    ),
    "business_limit": (
        409,
        "You already own the most businesses one account may have.",
    ),
    "last_owner": (
        409,
        "A business needs at least one owner. Make someone else an owner first.",
    ),
}


class BookingError(Exception):
    """A booking rule said no: ``code`` is stable (API, tests), ``message`` human."""

    def __init__(self, code: str, message: str | None = None) -> None:
        status, default = ERRORS[code]
        self.code = code
        self.status = status
        self.message = message or default
        super().__init__(self.message)

    @property
    def is_taken(self) -> bool:
        """The slot went to someone else (full or blocked by the buffer) meanwhile."""
        return self.code in {"full", "buffer"}
