"""Emails: each kind is three templates, rendered by one helper.

``templates/emails/<kind>-subject.txt``, ``-body.txt`` and ``-body.html``. Nothing is
written or sent from here: ``booking.outbox.queue_email`` writes an ``OutboundEmail``
row inside the caller's transaction and has Huey send it once that transaction
commits. A booking email's row keeps its subject and a ``snapshot`` of its context
(plain JSON: what the templates read, times already written out in the reader's
zone); the worker renders its bodies with ``render_email`` just before sending, so the
request that booked renders no body. Account emails (password reset, invitations) are
rare and rendered when written.
"""

import base64
import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string

from booking.calendar import event_facts, google_url_from, ics_from, outlook_url_from
from booking.links import (
    booking_link,
    cancel_url,
    dashboard_request_url,
    manage_url,
)
from booking.models import BookingEvent, BookingRequest, Business
from booking.timefmt import (
    client_zone,
    format_date,
    format_moment,
    format_span,
    format_time,
    zone,
    zone_label,
)

# To the client.
REQUEST_RECEIVED = "request_received"
BOOKING_CONFIRMED = "booking_confirmed"
BOOKING_APPROVED = "booking_approved"
BOOKING_REJECTED = "booking_rejected"
REQUEST_EXPIRED = "request_expired"
BOOKING_CANCELLED = "booking_cancelled"
BOOKING_REMINDER = "booking_reminder"
BOOKING_MOVED = "booking_moved"
MOVE_REQUESTED = "move_requested"
MOVE_DECLINED = "move_declined"
CLIENT_KINDS = (
    REQUEST_RECEIVED,
    BOOKING_CONFIRMED,
    BOOKING_APPROVED,
    BOOKING_REJECTED,
    REQUEST_EXPIRED,
    BOOKING_CANCELLED,
    BOOKING_REMINDER,
    BOOKING_MOVED,
    MOVE_REQUESTED,
    MOVE_DECLINED,
)
# To owners and staff who opted in.
TEAM_NEW_REQUEST = "team_new_request"
TEAM_NEW_BOOKING = "team_new_booking"
TEAM_CLIENT_CANCELLED = "team_client_cancelled"
TEAM_CLIENT_MOVED = "team_client_moved"
TEAM_MOVE_REQUEST = "team_move_request"
TEAM_KINDS = (
    TEAM_NEW_REQUEST,
    TEAM_NEW_BOOKING,
    TEAM_CLIENT_CANCELLED,
    TEAM_CLIENT_MOVED,
    TEAM_MOVE_REQUEST,
)
BOOKING_KINDS = CLIENT_KINDS + TEAM_KINDS
# Account emails from the platform (the dashboard queues them). Each holds a one-time
# secret link, so the outbox keeps its body only until it is sent (booking/outbox.py).
PASSWORD_RESET = "password_reset"
INVITATION = "invitation"
EMAIL_CONFIRMATION = "email_confirmation"
ACCOUNT_KINDS = (PASSWORD_RESET, INVITATION, EMAIL_CONFIRMATION)
SECRET_LINK_KINDS = frozenset(ACCOUNT_KINDS)
KINDS = BOOKING_KINDS + ACCOUNT_KINDS
# What the templates read of each object in a context (``snapshot``); the rest of a
# booking email's context is text, numbers and flags already.
TEMPLATE_FIELDS = {
    "business": ("name", "phone", "email"),
    "booking": ("client_name", "status", "booking_reference"),
    "service": ("name",),
}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(kind: str, context: dict) -> RenderedEmail:
    """The subject, plain text and HTML of one email of ``kind``: ``context`` holds
    objects or is a ``snapshot`` of them."""
    subject = render_subject(kind, context)
    context = _with_calendar_links(context)
    text = _render_plain(f"emails/{kind}-body.txt", context)
    text = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", text)).strip() + "\n"
    html = render_to_string(f"emails/{kind}-body.html", {"kind": kind, **context})
    return RenderedEmail(subject=subject, text=text, html=html)


def render_subject(kind: str, context: dict) -> str:
    """The subject line alone (an outbox row has it from the start)."""
    if kind not in KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    return " ".join(_render_plain(f"emails/{kind}-subject.txt", context).split())


def snapshot(context: dict) -> dict:
    """``context`` as plain JSON: each object reduced to what the templates read of
    it (``TEMPLATE_FIELDS``). Rendered later, it still says what was true when it
    was taken."""
    plain = dict(context)
    for name, fields in TEMPLATE_FIELDS.items():
        if name in plain:
            thing = plain[name]
            plain[name] = {field: getattr(thing, field) for field in fields}
    return plain


def _with_calendar_links(context: dict) -> dict:
    """The "add to calendar" links of a context that has the event's ``calendar``
    facts (built here, where the email is rendered, not where it is written)."""
    facts = context.get("calendar")
    if facts is None:
        return context
    return {
        **context,
        "google_url": google_url_from(facts),
        "outlook_url": outlook_url_from(facts),
    }


def _render_plain(name: str, context: dict) -> str:
    # Plain text is not HTML: no escaping of "&" or quotes in names.
    return get_template(name).template.render(Context(context, autoescape=False))


def ics_attachment(
    booking: BookingRequest, *, method: str, facts: dict | None = None
) -> dict:
    """The booking's calendar file (METHOD REQUEST/CANCEL) as an outbox attachment,
    described by its ``event_facts`` (taken now unless given): ``attachment_file``
    writes the file when the email is rendered."""
    return {
        "filename": f"{booking.booking_reference}.ics",
        "mimetype": "text/calendar",
        "ics": {"method": method, **(facts or event_facts(booking))},
    }


def attachment_file(attachment: dict) -> dict:
    """An outbox attachment with its ``content`` (base64), written from its
    description (``ics_attachment``)."""
    facts = dict(attachment["ics"])
    data = ics_from(facts, method=facts.pop("method"))
    return {
        "filename": attachment["filename"],
        "content": base64.b64encode(data).decode(),
        "mimetype": attachment.get("mimetype") or "text/calendar",
    }


def business_sender(business: Business) -> str:
    """``Swim School Pro <bookings@…>``: the platform's address, the business's name."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return formataddr((business.name, address))


# --- what the templates get -----------------------------------------------------------


def _detail_rows(booking: BookingRequest, when: str, zone_text: str) -> list:
    session = booking.session
    rows = [
        ("Service", session.service.name),
        ("When", when),
        ("Time zone", zone_text),
    ]
    if session.business.address:
        rows.append(("Where", session.business.address))
    rows.append(("Reference", booking.booking_reference))
    return rows


def client_context(booking: BookingRequest, *, now: datetime, **extra) -> dict:
    """Everything a client email shows at ``now``, every time in the client's zone."""
    session = booking.session
    business = session.business
    tz = client_zone(booking)
    when = format_span(session.starts_at, session.ends_at, tz)
    zone_text = zone_label(tz, session.starts_at)
    context = {
        "business": business,
        "booking": booking,
        "service": session.service,
        "greeting_name": (booking.client_name.split() or ["there"])[0],
        "when": when,
        "zone": zone_text,
        "short_date": format_date(session.starts_at, tz),
        "start_time": format_time(session.starts_at, tz),
        "details": _detail_rows(booking, when, zone_text),
        "manage_url": manage_url(booking),
        "cancel_url": cancel_url(booking),
        "can_cancel": booking.client_can_cancel(now),
        "booking_link": booking_link(business),
    }
    home = business.tz
    if home.key != tz.key:
        # Booked from abroad: also say what the time is where the business is.
        context["details"].insert(
            3,
            (
                f"Local time at {business.name}",
                f"{format_span(session.starts_at, session.ends_at, home)} "
                f"{zone_label(home, session.starts_at)}",
            ),
        )
    if booking.expires_at:
        context["expires"] = (
            f"{format_moment(booking.expires_at, tz)} "
            f"{zone_label(tz, booking.expires_at)}"
        )
    if booking.move_expires_at:
        context["move_expires"] = (
            f"{format_moment(booking.move_expires_at, tz)} "
            f"{zone_label(tz, booking.move_expires_at)}"
        )
    if booking.status == BookingRequest.Status.APPROVED:
        # The "add to calendar" links are built from these when rendered.
        context["calendar"] = event_facts(booking)
    context.update(extra)
    _add_move_row(context)
    return context


def _add_move_row(context: dict) -> None:
    """A move's other time, right after "When": the one left, or the one asked for."""
    if "old_when" not in context:
        return
    row = (
        ("Previously", context["old_when"])
        if context["move_done"]
        else ("Asked to move to", context["new_when"])
    )
    when = next(i for i, (label, _) in enumerate(context["details"]) if label == "When")
    context["details"].insert(when + 1, row)


def team_context(booking: BookingRequest, **extra) -> dict:
    """A notice for owners/staff: times in the business's zone, the client's details."""
    session = booking.session
    business = session.business
    tz = zone(business.timezone)
    when = format_span(session.starts_at, session.ends_at, tz)
    zone_text = zone_label(tz, session.starts_at)
    details = _detail_rows(booking, when, zone_text)
    details[0:0] = [("Client", booking.client_name)]
    if booking.client_email:
        details.insert(1, ("Email", booking.client_email))
    if booking.client_phone:
        details.insert(
            2 if booking.client_email else 1, ("Phone", booking.client_phone)
        )
    if booking.notes:
        details.append(("Notes", booking.notes))
    context = {
        "business": business,
        "booking": booking,
        "service": session.service,
        "when": when,
        "zone": zone_text,
        "short_date": format_date(session.starts_at, tz),
        "details": details,
        "dashboard_url": dashboard_request_url(booking),
    }
    if booking.expires_at:
        context["expires"] = (
            f"{format_moment(booking.expires_at, tz)} "
            f"{zone_label(tz, booking.expires_at)}"
        )
    if booking.move_expires_at:
        context["move_expires"] = (
            f"{format_moment(booking.move_expires_at, tz)} "
            f"{zone_label(tz, booking.move_expires_at)}"
        )
    context.update(extra)
    _add_move_row(context)
    return context


def move_context(event: BookingEvent, tz) -> dict:
    """A move's two times for an email, in ``tz``: ``old_when`` (the time left, or
    kept) and ``new_when`` (the time taken, or asked for), each with its zone named;
    the action in words (``moved_by_client``, ``move_approved``, ``move_expired``).
    Empty for events that are not moves."""
    if event.from_session is None or event.to_session is None:
        return {}

    def when(session) -> str:
        span = format_span(session.starts_at, session.ends_at, tz)
        return f"{span} {zone_label(tz, session.starts_at)}"

    action = event.action
    return {
        "move_done": action
        in {BookingEvent.Action.MOVED, BookingEvent.Action.MOVE_APPROVED},
        "old_when": when(event.from_session),
        "new_when": when(event.to_session),
        "new_short_date": format_date(event.to_session.starts_at, tz),
        "move_message": event.note,
        "moved_by_client": event.actor_id is None and event.actor_label == "client",
        "move_approved": action == BookingEvent.Action.MOVE_APPROVED,
        "move_expired": action == BookingEvent.Action.MOVE_EXPIRED,
    }
