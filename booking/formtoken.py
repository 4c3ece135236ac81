"""The booking form's token: signed, time-limited, bound to one session of one business.

Public pages set no cookies, so Django's cookie-based CSRF protection is off for the
booking form. Instead the form carries this token. It proves the form came from our own
page for this very session (not a hand-made POST for another one), it lapses after
``MAX_AGE``, and its random nonce is the booking's idempotency key: submitting the
same form twice (double click, reload, back + resubmit) finds the first booking, and
only with the same details (``booking.services``). A page carrying a token is never
stored by a cache (``Cache-Control: no-store, private``), so no two clients get one.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing

SALT = "booking.formtoken"
MAX_AGE = timedelta(hours=2)
CLOCK_SKEW = timedelta(minutes=5)

MESSAGES = {
    "invalid": "This form could not be checked. Please submit it again.",
    "expired": "This form was open too long and has expired. "
    "Please check your details and submit again.",
    "mismatch": "This form belongs to another time. Please submit it again.",
    # The token was used for a booking with other details (a second client given
    # the same page, or a resubmit after a change): nothing is booked or shown.
    "reused": "This form was already used for a booking with other details, so "
    "nothing was booked this time. If you booked a moment ago, your confirmation "
    "is on its way; to make another booking, check your details and send them again.",
}


class FormTokenError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(MESSAGES[code])
        self.code = code
        self.message = MESSAGES[code]


@dataclass(frozen=True)
class FormToken:
    business_id: int
    session_id: int
    nonce: str
    issued_at: datetime

    @property
    def idempotency_key(self) -> str:
        return f"form:{self.nonce}"


def make_token(*, business_id: int, session_id: int, now: datetime) -> str:
    payload = {
        "b": business_id,
        "s": session_id,
        "n": secrets.token_urlsafe(18),
        "t": int(now.timestamp()),
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def read_token(
    token: str, *, business_id: int, session_id: int, now: datetime
) -> FormToken:
    """The token's contents; ``FormTokenError`` if forged, lapsed or mismatched."""
    try:
        payload = signing.loads(token or "", salt=SALT)
        issued = datetime.fromtimestamp(int(payload["t"]), tz=UTC)
        parsed = FormToken(
            business_id=int(payload["b"]),
            session_id=int(payload["s"]),
            nonce=str(payload["n"]),
            issued_at=issued,
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise FormTokenError("invalid") from exc
    if not (now - MAX_AGE <= parsed.issued_at <= now + CLOCK_SKEW):
        raise FormTokenError("expired")
    if (parsed.business_id, parsed.session_id) != (business_id, session_id):
        raise FormTokenError("mismatch")
    return parsed
