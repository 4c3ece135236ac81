"""Who hears about a booking change, and how.

``on_event`` is the one entry point: ``booking.services`` calls it with the history
line it has just written, inside the same transaction, so the in-app notices and the
outbox rows commit (or roll back) with the change itself.

- requested (pending): client "request received" (with its expiry); every member
  an in-app "new request"; members who opted in an email with a link to approve it.
- booked instantly: client "booking confirmed" with an .ics invite; every member
  "new booking"; opted-in members an email.
- approved / rejected (with the reason): the client, with an .ics when approved.
- expired: the client; every member an in-app "request expired".
- cancelled: the client (with METHOD:CANCEL if it had been confirmed, so calendars
  drop it; saying so when the business cancelled the whole session); when the client
  cancelled, every member in-app and opted-in ones by email.
- moved (by the client, by the business, or a waiting move approved): the client
  "booking moved" with the old and new times and, for a confirmed booking, the
  updated .ics (same UID, higher SEQUENCE, METHOD:REQUEST) so calendars move the
  event; when the client moved it, every member in-app and opted-in ones by email.
- move asked for (approval businesses): the client "move requested" (the original
  time stands until the business answers); every member in-app, opted-in ones an
  email with a link to answer it.
- move declined or expired: the client, their original time standing; an expired
  one also every member in-app.
- entered by staff: the client "booking confirmed" with its .ics.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from booking import emails, outbox
from booking.compiled import CompiledInsert, CompiledQuery, Loaded
from booking.links import dashboard_request_url
from booking.models import (
    BookingEvent,
    BookingNotification,
    BookingRequest,
    Membership,
    OutboundEmail,
)
from booking.timefmt import client_zone, format_moment, format_span, zone, zone_label

Action = BookingEvent.Action
Status = BookingRequest.Status

# BookingNotification.type values.
NEW_REQUEST = "new_request"
NEW_BOOKING = "new_booking"
CLIENT_CANCELLED = "client_cancelled"
REQUEST_EXPIRED = "request_expired"
CLIENT_MOVED = "client_moved"
MOVE_REQUEST = "move_request"
MOVE_EXPIRED = "move_expired"


@dataclass(frozen=True)
class Plan:
    client_kind: str | None = None
    ics_method: str | None = None
    notice: str | None = None  # in-app notice type for every member
    team_kind: str | None = None  # email to members with ``team_flag`` on
    team_flag: str = ""


def plan_for(event: BookingEvent) -> Plan:
    """What to send for one history line (the table in this module's docstring)."""
    if event.action == Action.CREATED:
        return Plan(
            emails.REQUEST_RECEIVED,
            notice=NEW_REQUEST,
            team_kind=emails.TEAM_NEW_REQUEST,
            team_flag="email_on_new_request",
        )
    if event.action == Action.AUTO_APPROVED:
        return Plan(
            emails.BOOKING_CONFIRMED,
            ics_method="REQUEST",
            notice=NEW_BOOKING,
            team_kind=emails.TEAM_NEW_BOOKING,
            team_flag="email_on_instant_booking",
        )
    if event.action == Action.APPROVED:
        return Plan(emails.BOOKING_APPROVED, ics_method="REQUEST")
    if event.action == Action.REJECTED:
        return Plan(emails.BOOKING_REJECTED)
    if event.action == Action.EXPIRED:
        return Plan(emails.REQUEST_EXPIRED, notice=REQUEST_EXPIRED)
    if event.action == Action.CANCELLED:
        # A confirmed booking may be in the client's calendar: remove it there too.
        method = "CANCEL" if event.from_status == Status.APPROVED else None
        if by_client(event):
            return Plan(
                emails.BOOKING_CANCELLED,
                ics_method=method,
                notice=CLIENT_CANCELLED,
                team_kind=emails.TEAM_CLIENT_CANCELLED,
                team_flag="email_on_cancellation",
            )
        return Plan(emails.BOOKING_CANCELLED, ics_method=method)
    if event.action in {Action.MOVED, Action.MOVE_APPROVED}:
        # Only a confirmed booking was sent an invite to update.
        method = "REQUEST" if event.to_status == Status.APPROVED else None
        if by_client(event):
            return Plan(
                emails.BOOKING_MOVED,
                ics_method=method,
                notice=CLIENT_MOVED,
                team_kind=emails.TEAM_CLIENT_MOVED,
                team_flag="email_on_client_move",
            )
        return Plan(emails.BOOKING_MOVED, ics_method=method)
    if event.action == Action.MOVE_REQUESTED:
        return Plan(
            emails.MOVE_REQUESTED,
            notice=MOVE_REQUEST,
            team_kind=emails.TEAM_MOVE_REQUEST,
            team_flag="email_on_client_move",
        )
    if event.action == Action.MOVE_REJECTED:
        return Plan(emails.MOVE_DECLINED)
    if event.action == Action.MOVE_EXPIRED:
        return Plan(emails.MOVE_DECLINED, notice=MOVE_EXPIRED)
    if event.action == Action.ENTERED:
        return Plan(emails.BOOKING_CONFIRMED, ics_method="REQUEST")
    return Plan()


def by_client(event: BookingEvent) -> bool:
    return event.actor_id is None and event.actor_label == "client"


def on_event(event: BookingEvent, *, now: datetime) -> None:
    """Create the notices and outbox rows for ``event`` (inside its transaction)."""
    plan = plan_for(event)
    booking = event.booking
    drafts = []  # every email of the change, written in one INSERT
    if plan.client_kind and booking.client_email:
        drafts.append(_email_client(booking, plan, event, now=now))
    if plan.notice or plan.team_kind:
        drafts += _tell_team(booking, plan, event, now=now)
    outbox.queue_emails(drafts)


def _email_client(
    booking: BookingRequest, plan: Plan, event: BookingEvent, *, now: datetime
) -> OutboundEmail:
    context = emails.client_context(
        booking,
        now=now,
        reason=event.note,
        cancelled_by_client=by_client(event),
        # The business called the whole session off (booking.services.session_cancel).
        session_cancelled=booking.session.cancelled_at is not None,
        was_confirmed=event.from_status == Status.APPROVED,
        has_invite=plan.ics_method == "REQUEST",
        **emails.move_context(event, client_zone(booking)),
    )
    return outbox.draft_email(
        kind=plan.client_kind,
        to_email=booking.client_email,
        context=context,
        business=booking.session.business,
        booking=booking,
        from_email=emails.business_sender(booking.session.business),
        reply_to=booking.session.business.email,
        attachments=(
            [
                emails.ics_attachment(
                    booking, method=plan.ics_method, facts=context.get("calendar")
                )
            ]
            if plan.ics_method
            else []
        ),
    )


def _members(business_id: int) -> list[Membership]:
    """The business's active members, each with its user (compiled once per
    process: every booking asks)."""
    return [_MEMBER.load(row) for row in _MEMBERS.rows(business_id=business_id)]


_MEMBER = Loaded(Membership, "user")
_NEW_NOTICES = CompiledInsert(BookingNotification)
_MEMBERS = CompiledQuery(
    lambda *, business_id: (
        Membership.objects.filter(business_id=business_id, user__is_active=True)
        .order_by("pk")
        .values_list(*_MEMBER.names)
    )
)


def _tell_team(
    booking: BookingRequest, plan: Plan, event: BookingEvent, *, now: datetime
) -> list[OutboundEmail]:
    """The in-app notices (written here) and the members' emails (drafted)."""
    business = booking.session.business
    members = _members(business.pk)
    if plan.notice:
        title, message = notice_text(plan.notice, booking, event=event)
        data = {
            "booking_id": booking.pk,
            "reference": booking.booking_reference,
            "status": booking.status,
            "session_starts_at": booking.session.starts_at.isoformat(),
            "url": dashboard_request_url(booking),
        }
        _NEW_NOTICES.bulk_create(
            [
                BookingNotification(
                    booking_request=booking,
                    user=member.user,
                    type=plan.notice,
                    title=title,
                    message=message,
                    data=data,
                )
                for member in members
            ]
        )
    if not plan.team_kind:
        return []
    # The same email to each of them: one snapshot (and subject) serves every row.
    context = emails.snapshot(
        emails.team_context(
            booking,
            reason=event.note,
            was_confirmed=event.from_status == Status.APPROVED,
            **emails.move_context(event, business.tz),
        )
    )
    return [
        outbox.draft_email(
            kind=plan.team_kind,
            to_email=member.user.email,
            context=context,
            business=business,
            booking=booking,
            reply_to=booking.client_email,
        )
        for member in members
        if getattr(member, plan.team_flag) and member.user.email
    ]


def notice_text(
    kind: str, booking: BookingRequest, *, event: BookingEvent | None = None
) -> tuple:
    """The title and message of an in-app notice, times in the business's zone."""
    session = booking.session
    tz = zone(session.business.timezone)
    when = _when(session, tz)
    client, service = booking.client_name, session.service.name
    reason = event.note if event else ""
    if kind == NEW_REQUEST:
        deadline = (
            f"{format_moment(booking.expires_at, tz)} "
            f"{zone_label(tz, booking.expires_at)}"
        )
        return (
            f"New booking request from {client}",
            f"{client} asked to book {service} on {when}. Approve or reject it by "
            f"{deadline}; after that the request expires and the spot is released.",
        )
    if kind == NEW_BOOKING:
        return (
            f"New booking: {client}",
            f"{client} booked {service} on {when}.",
        )
    if kind == CLIENT_CANCELLED:
        because = f" Reason given: {reason}" if reason else ""
        return (
            f"{client} cancelled",
            f"{client} cancelled {service} on {when}. The spot is free again.{because}",
        )
    if kind in {CLIENT_MOVED, MOVE_REQUEST, MOVE_EXPIRED}:
        old = _when(event.from_session, tz) if event.from_session else "?"
        new = _when(event.to_session, tz) if event.to_session else "?"
        if kind == CLIENT_MOVED:
            return (
                f"{client} moved their booking",
                f"{client} moved {service} from {old} to {new}. The old spot is "
                "free again.",
            )
        if kind == MOVE_REQUEST:
            deadline = (
                f"{format_moment(booking.move_expires_at, tz)} "
                f"{zone_label(tz, booking.move_expires_at)}"
            )
            return (
                f"{client} asks to move their booking",
                f"{client} asks to move {service} from {old} to {new}. Both spots "
                f"are held until you answer, by {deadline}; after that the booking "
                "keeps its original time.",
            )
        return (
            f"Move request expired: {client}",
            f"{client}'s request to move {service} from {old} to {new} expired "
            "without an answer. The booking keeps its original time and the client "
            "has been told.",
        )
    return (
        f"Request expired: {client}",
        f"The request from {client} for {service} on {when} expired without a "
        "decision. The spot is free again and the client has been told.",
    )


def _when(session, tz) -> str:
    return (
        f"{format_span(session.starts_at, session.ends_at, tz)} "
        f"{zone_label(tz, session.starts_at)}"
    )


# --- reminders ------------------------------------------------------------------------

MAX_REMINDER_HOURS = 168


def reminder_due(booking: BookingRequest, now: datetime) -> bool:
    """Due once the session is ``reminder_hours_before`` away (0 turns it off).

    A booking confirmed inside that window is not reminded: its confirmation is
    fresh enough, and a second email minutes later would be noise.
    """
    hours = booking.session.business.booking_settings.reminder_hours_before
    if not hours:
        return False
    remind_at = booking.session.starts_at - timedelta(hours=hours)
    confirmed_at = booking.approved_at or booking.created_at
    return remind_at <= now < booking.session.starts_at and confirmed_at < remind_at


def bookings_remind(*, now: datetime | None = None) -> list[int]:
    """Queue the reminder of every booking that is due one; each is sent once."""
    now = now or timezone.now()
    candidates = (
        BookingRequest.objects.filter(
            status=Status.APPROVED,
            reminder_sent_at__isnull=True,
            session__starts_at__gt=now,
            session__starts_at__lte=now + timedelta(hours=MAX_REMINDER_HOURS),
            session__cancelled_at__isnull=True,
        )
        .exclude(client_email="")
        .select_related("session__business__booking_settings")
    )
    reminded = []
    for candidate in candidates:
        if reminder_due(candidate, now) and _remind(candidate.pk, now):
            reminded.append(candidate.pk)
    return reminded


def _remind(booking_id: int, now: datetime) -> bool:
    with transaction.atomic():
        booking = (
            BookingRequest.objects.select_for_update(of=("self",))
            .select_related("session__service", "session__business")
            .get(pk=booking_id)
        )
        if booking.status != Status.APPROVED or booking.reminder_sent_at:
            return False  # cancelled, or reminded by another worker meanwhile
        booking.reminder_sent_at = now
        booking.save(update_fields=["reminder_sent_at", "updated_at"])
        outbox.queue_email(
            kind=emails.BOOKING_REMINDER,
            to_email=booking.client_email,
            context=emails.client_context(booking, now=now),
            business=booking.session.business,
            booking=booking,
            from_email=emails.business_sender(booking.session.business),
            reply_to=booking.session.business.email,
        )
        return True
