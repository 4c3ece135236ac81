"""Request and response shapes of the JSON API, and the converters that fill them.

Field names follow the product spec. Instants are ISO 8601 with the offset of the zone
they are shown in (``Z`` for UTC), to the second.
"""

from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from django.core.validators import MaxValueValidator, MinValueValidator
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from booking.bounds import DATE_RANGE_MESSAGE, date_in_range
from booking.forms import ClientDetailsForm
from booking.links import manage_url
from booking.models import BookingEvent, BookingRequest, BookingSettings, Session

MAX_ID = 2**63 - 1
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL characters
# What booking.forms accepts: empty or 6 to 20 digits in its alphabet; some text.
PHONE_PATTERN = r"^(?:\+?[ ()./-]*(?:[0-9][ ()./-]*){6,20})?$"
SOME_TEXT = r"^[^\x00]*\S[^\x00]*$"
BookingStatus = Literal["pending", "approved", "rejected", "expired", "cancelled"]
EventAction = Literal[tuple(BookingEvent.Action.values)]
Channel = Literal[tuple(BookingEvent.Channel.values)]


def _date_in_range(value: date) -> date:
    if not date_in_range(value):
        raise PydanticCustomError("date_range", DATE_RANGE_MESSAGE)
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Instant = Annotated[
    str,
    Field(
        json_schema_extra={"format": "date-time"},
        examples=["2026-03-29T09:00:00+01:00"],
    ),
]
ApiDate = Annotated[date, AfterValidator(_date_in_range)]
Text = Annotated[str, Field(pattern=NO_NUL)]


class Strict(Schema):
    """Request bodies: unknown fields are refused, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")


def _form_field(name: str, pattern: str = NO_NUL) -> dict:
    """What ``ClientDetailsForm`` accepts for ``name``, for the schema (the form,
    not pydantic, checks it: its messages are the ones clients see)."""
    return {
        "maxLength": ClientDetailsForm.base_fields[name].max_length,
        "pattern": pattern,
    }


# --- public ---------------------------------------------------------------------------


class BusinessInfo(Schema):
    name: str
    description: str
    address: str
    phone: str
    email: str
    timezone: str = Field(description="IANA time zone name, e.g. Europe/London.")


class PublicSettings(Schema):
    requires_approval: bool = Field(
        description="New bookings wait for the business to approve them."
    )
    buffer_time_minutes: int
    is_active: bool = Field(description="The booking link takes bookings.")


class BusinessOut(Schema):
    business: BusinessInfo
    settings: PublicSettings


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    duration_minutes: int
    capacity: int
    price: str = Field(
        pattern=r"^\d+\.\d{2}$",
        description="Decimal string with two places, in ``currency``.",
        examples=["50.00"],
    )
    currency: str = Field(
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code of the business's currency.",
        examples=["GBP"],
    )


class SlotOut(Schema):
    start_time: str = Field(pattern=r"^\d{2}:\d{2}$", examples=["09:00"])
    end_time: str = Field(pattern=r"^\d{2}:\d{2}$", examples=["10:00"])
    available_spots: int = Field(ge=1)
    session_id: int


DateKey = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
AvailabilityOut = dict[DateKey, list[SlotOut]]


class BookIn(Strict):
    session_id: Id = Field(description="A `session_id` from the availability answer.")
    client_name: str = Field(json_schema_extra=_form_field("client_name", SOME_TEXT))
    client_email: str | None = Field(
        None,
        description="Email or phone (or both) is required.",
        json_schema_extra={"format": "email", **_form_field("client_email")},
    )
    client_phone: str | None = Field(
        None,
        description="Digits, spaces, ()./- and an optional leading +; stored "
        "normalised (e.g. +442079460000).",
        json_schema_extra=_form_field("client_phone", PHONE_PATTERN),
    )
    notes: str | None = Field(None, json_schema_extra=_form_field("notes"))
    client_timezone: Text | None = Field(
        None,
        max_length=64,
        description="Optional IANA zone of the client: the answer's times use it "
        "and emails show times in it. Default: the business's zone.",
    )

    def form_data(self) -> dict[str, str]:
        return {
            "client_name": self.client_name,
            "client_email": self.client_email or "",
            "client_phone": self.client_phone or "",
            "notes": self.notes or "",
        }


class SessionOut(Schema):
    id: int
    service_id: int
    service_name: str
    starts_at: Instant
    ends_at: Instant
    timezone: str = Field(description="The zone `starts_at` and `ends_at` are in.")


class BookingOut(Schema):
    booking_reference: str = Field(examples=["BK-7KQ2M9XA"])
    status: BookingStatus = Field(
        description="`approved` (booked) or `pending` (waiting for the business); a "
        "replayed request shows the booking's current status."
    )
    expires_at: Instant | None = Field(
        description="When a pending request lapses unless approved; null otherwise."
    )
    session: SessionOut
    manage_url: str = Field(
        description="The client's private page: details, calendar file, cancel."
    )


# --- admin ----------------------------------------------------------------------------


def _bounds(name: str) -> dict:
    """The model's validators for ``name``, as JSON-schema minimum/maximum."""
    field = BookingSettings._meta.get_field(name)
    lows = [v.limit_value for v in field.validators if type(v) is MinValueValidator]
    highs = [v.limit_value for v in field.validators if type(v) is MaxValueValidator]
    return {"minimum": max(lows, default=0), "maximum": min(highs)}


# Checked, with every other setting, by booking.businesses.booking_settings_update.
Origin = Annotated[str, Field(max_length=255)]
SETTINGS_NUMBERS = (
    "buffer_time_minutes",
    "booking_expiry_hours",
    "max_advance_booking_days",
    "min_advance_booking_hours",
    "reminder_hours_before",
    "reschedule_notice_hours",
)
SETTINGS_FLAGS = (
    "requires_approval",
    "is_active",
    "auto_approve_returning_clients",
    "allow_client_reschedule",
)
_HELP = {
    "requires_approval": "New bookings wait for approval (pending) instead of "
    "being approved at once.",
    "buffer_time_minutes": "Minutes kept free between a booked session and another.",
    "booking_expiry_hours": "Hours a pending request holds its spot.",
    "is_active": "The booking link takes bookings.",
    "auto_approve_returning_clients": "With approval on, approve clients who had "
    "an approved booking before (same email or phone).",
    "max_advance_booking_days": "How far ahead clients may book.",
    "min_advance_booking_hours": "How soon before a session clients may still book.",
    "reminder_hours_before": "Hours before a session to email a reminder (0: never).",
    "allow_client_reschedule": "Clients may move their booking to another time from "
    "their private link (with approval on, the move waits for your answer).",
    "reschedule_notice_hours": "Clients may move a booking online until this many "
    "hours before it starts (0: until it starts).",
    "allowed_embed_origins": "Sites allowed to show the booking widget in an iframe.",
}


def _settings_fields(required: bool) -> dict:
    """SettingsIn's fields (all required) or SettingsPatch's (any subset; the
    defaults are never used, ``exclude_unset`` drops them, and null is refused)."""
    annotations: dict = {}
    values: dict = {}
    for name in SETTINGS_FLAGS:
        annotations[name] = bool
        values[name] = Field(... if required else None, description=_HELP[name])
    for name in SETTINGS_NUMBERS:
        annotations[name] = int
        values[name] = Field(
            ... if required else None,
            description=_HELP[name],
            json_schema_extra=_bounds(name),
        )
    annotations["allowed_embed_origins"] = list[Origin]
    values["allowed_embed_origins"] = Field(
        ... if required else None,
        max_length=50,
        description=_HELP["allowed_embed_origins"],
    )
    return {"__annotations__": annotations, **values}


SettingsIn = type(
    "SettingsIn",
    (Strict,),
    {"__doc__": "Every setting (PUT replaces them all).", **_settings_fields(True)},
)
SettingsPatch = type(
    "SettingsPatch",
    (Strict,),
    {"__doc__": "Any subset of the settings (PATCH).", **_settings_fields(False)},
)


class SettingsOut(Schema):
    business_slug: str
    requires_approval: bool
    buffer_time_minutes: int
    booking_expiry_hours: int
    is_active: bool
    auto_approve_returning_clients: bool
    max_advance_booking_days: int
    min_advance_booking_hours: int
    reminder_hours_before: int
    allow_client_reschedule: bool
    reschedule_notice_hours: int
    allowed_embed_origins: list[str]
    updated_at: Instant


class PendingMoveOut(Schema):
    session: SessionOut = Field(description="The session the client asks for.")
    expires_at: Instant = Field(
        description="Unless approved by then, the move lapses and the booking keeps "
        "its time. Both spots are held until then."
    )


class EventOut(Schema):
    action: EventAction = Field(
        description="`created`, `auto_approved`, `approved`, `rejected`, `cancelled`, "
        "`expired`; moves: `moved`, `move_requested`, `move_approved`, "
        "`move_rejected`, `move_expired`; `entered` (by staff)."
    )
    actor: str = Field(
        description="Who: a member's name, or `client` or `system`.",
        examples=["Sam Staff"],
    )
    from_status: str
    to_status: str
    note: str = Field(description="A reason or a message to the client.")
    channel: Channel | None = Field(
        description="How a booking entered by staff reached them; null otherwise."
    )
    from_session_id: int | None = Field(description="A move's old session.")
    to_session_id: int | None = Field(
        description="A move's new (or asked-for) session."
    )
    created_at: Instant


class RequestOut(Schema):
    id: int
    booking_reference: str
    status: BookingStatus = Field(
        description="As a reader should see it: a pending request past "
        "`expires_at` is `expired`."
    )
    client_name: str
    client_email: str
    client_phone: str
    client_timezone: str
    notes: str
    rejection_reason: str
    cancellation_reason: str
    created_at: Instant
    expires_at: Instant | None
    approved_at: Instant | None
    decided_at: Instant | None
    session: SessionOut
    pending_move: PendingMoveOut | None = Field(
        description="A client's move waiting for the business to approve or reject "
        "it; null when none waits."
    )
    history: list[EventOut] = Field(description="Every change, oldest first.")


class RequestPage(Schema):
    count: int = Field(description="Requests matching the filters, on all pages.")
    page: int
    page_size: int
    num_pages: int
    next: str | None = Field(description="URL of the next page, or null.")
    previous: str | None = Field(description="URL of the previous page, or null.")
    results: list[RequestOut]


class RejectIn(Strict):
    reason: Text = Field(
        max_length=2000,
        description="Required; the client reads it in the email.",
        json_schema_extra={"pattern": SOME_TEXT},
    )


class RescheduleIn(Strict):
    session_id: Id = Field(
        description="Any session of the business that has not started, of any "
        "service. Capacity and the buffer still apply; the booking window does not."
    )
    message: Text | None = Field(
        None,
        max_length=2000,
        description="Optional; sent to the client with the new time.",
    )


class StaffEntryIn(BookIn):
    """A client who phoned or walked in, booked by staff (``BookIn``'s fields)."""

    channel: Channel = Field(
        "phone", description="How the client reached you: kept in the history."
    )


class LinkOut(Schema):
    url: str = Field(description="The public booking link.")
    widget_snippet: str = Field(
        description="The one line to paste into a website: the booking widget."
    )
    embed_snippet: str = Field(
        description="A plain iframe to paste into a website (works without script)."
    )


# --- converters -----------------------------------------------------------------------


def instant(value: datetime | None, zone: ZoneInfo) -> str | None:
    """ISO 8601 in ``zone``, to the second, always with a numeric offset."""
    if value is None:
        return None
    return value.astimezone(zone).replace(microsecond=0).isoformat()


def session_out(session: Session, zone: ZoneInfo) -> dict:
    return {
        "id": session.pk,
        "service_id": session.service_id,
        "service_name": session.service.name,
        "starts_at": instant(session.starts_at, zone),
        "ends_at": instant(session.ends_at, zone),
        "timezone": zone.key,
    }


def booking_out(booking: BookingRequest, zone: ZoneInfo, now: datetime) -> dict:
    return {
        "booking_reference": booking.booking_reference,
        "status": booking.effective_status(now),
        "expires_at": instant(booking.expires_at, zone),
        "session": session_out(booking.session, zone),
        "manage_url": manage_url(booking),
    }


def event_out(event: BookingEvent, zone: ZoneInfo) -> dict:
    return {
        "action": event.action,
        "actor": event.actor_display,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "note": event.note,
        "channel": event.channel or None,
        "from_session_id": event.from_session_id,
        "to_session_id": event.to_session_id,
        "created_at": instant(event.created_at, zone),
    }


def request_out(booking: BookingRequest, zone: ZoneInfo, now: datetime) -> dict:
    """One request for owners; its ``events`` (with actors) should be prefetched."""
    pending_move = None
    if booking.has_waiting_move(now):
        pending_move = {
            "session": session_out(booking.move_to, zone),
            "expires_at": instant(booking.move_expires_at, zone),
        }
    return {
        "id": booking.pk,
        "booking_reference": booking.booking_reference,
        "status": booking.effective_status(now),
        "client_name": booking.client_name,
        "client_email": booking.client_email,
        "client_phone": booking.client_phone,
        "client_timezone": booking.client_timezone,
        "notes": booking.notes,
        "rejection_reason": booking.rejection_reason,
        "cancellation_reason": booking.cancellation_reason,
        "created_at": instant(booking.created_at, zone),
        "expires_at": instant(booking.expires_at, zone),
        "approved_at": instant(booking.approved_at, zone),
        "decided_at": instant(booking.decided_at, zone),
        "session": session_out(booking.session, zone),
        "pending_move": pending_move,
        "history": [event_out(event, zone) for event in booking.events.all()],
    }


def settings_out(settings: BookingSettings) -> dict:
    return {
        "business_slug": settings.business.slug,
        **{
            name: getattr(settings, name)
            for name in (*SETTINGS_FLAGS, *SETTINGS_NUMBERS)
        },
        "allowed_embed_origins": settings.embed_origins,
        "updated_at": instant(settings.updated_at, settings.business.tz),
    }
