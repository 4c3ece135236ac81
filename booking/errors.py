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
    # Moves (reschedules) and bookings entered by staff.
    "not_movable": (
        409,
        "This booking no longer holds a time, so it cannot be moved.",
    ),
    "reschedule_off": (
        409,
        "This business does not take changes of time online. Please contact them "
        "to change your booking.",
    ),
    "move_started": (
        409,
        "This session has already started, so its time can no longer be changed "
        "online. Please contact the business.",
    ),
    "move_too_late": (
        409,
        "It is too close to the session to change its time online. Please contact "
        "the business.",
    ),
    "move_waiting": (
        409,
        "You have already asked to move this booking. Please wait for the "
        "business's answer.",
    ),
    "same_session": (409, "The booking is already at this time. Pick another one."),
    "other_service": (409, "Please pick a time of the same service."),
    "session_past": (
        409,
        "That session has already started. Pick a session that has not started yet.",
    ),
    "session_over": (409, "That session is over; it takes no more bookings."),
    "no_move_waiting": (
        409,
        "This booking has no change of time waiting for an answer.",
    ),
    "move_expired": (
        409,
        "This change of time has expired: the booking keeps its original time.",
    ),
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


# What staff read instead when a session they chose cannot take the booking: the
# client's "just taken" would puzzle someone who picked it from a full timetable.
STAFF_MESSAGES: dict[str, str] = {
    "full": "That session is full: every spot is taken.",
    "buffer": "That session is too close to another booked session (your buffer "
    "between sessions keeps that time free).",
    "session_cancelled": "That session is cancelled; it takes no bookings.",
}


class BookingError(Exception):
    """A booking rule said no: ``code`` is stable (API, tests), ``message`` human."""

    def __init__(self, code: str, message: str | None = None) -> None:
        status, default = ERRORS[code]
        self.code = code
        self.status = status
        self.message = message or default
        super().__init__(self.message)

    def for_staff(self) -> "BookingError":
        """The same refusal in the words staff read (``STAFF_MESSAGES``)."""
        if self.code in STAFF_MESSAGES:
            return BookingError(self.code, STAFF_MESSAGES[self.code])
        return self

    @property
    def is_taken(self) -> bool:
        """The slot went to someone else (full or blocked by the buffer) meanwhile."""
        return self.code in {"full", "buffer"}
