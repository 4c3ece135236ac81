"""Moves and staff entries: pick a new session for a booking, confirm it; answer a
client's waiting move; put a phone or walk-in client into a session.

Thin: every rule is ``booking.services``' (``booking_move_check``,
``booking_reschedule``, ``booking_entry_check`` …); the sessions to choose from come
from ``booking.selectors.staff_choices_by_day``. Each confirm form carries the
booking form's signed token (``booking.formtoken``), whose nonce makes a double
submit find the first move or booking.
"""

from datetime import date, timedelta

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from booking import services
from booking.bounds import clamp_date
from booking.errors import BookingError
from booking.formtoken import FormTokenError, make_token, read_token
from booking.models import BookingRequest, Session
from booking.selectors import staff_choices_by_day
from dashboard.access import (
    DashboardRequest,
    business_view,
    get_request_for_member,
    get_session_for_member,
)
from dashboard.display import local_text
from dashboard.forms.catalogue import local_today
from dashboard.forms.requests import MoveForm, RejectForm, StaffEntryForm
from dashboard.responses import (
    posted,
    redirect_back,
    render_page,
    run_command,
)

GET_POST = ["GET", "HEAD", "POST"]


def _detail_url(request: DashboardRequest, pk: int) -> str:
    return reverse(
        "dashboard:request_detail",
        kwargs={"business_id": request.business.pk, "pk": pk},
    )


def _when(request: DashboardRequest, session: Session) -> str:
    return local_text(session.starts_at, request.business.tz, "D j M, H:i T")


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


# --- an owner moves a booking -------------------------------------------------------


@business_view()
@require_safe
def request_move(request: DashboardRequest, pk: int):
    """A week of the business's sessions to move the booking to, by local day."""
    booking = get_request_for_member(request, pk)
    now = timezone.now()
    this_week = _monday(local_today(request.business, now))
    current = booking.session.starts_at.astimezone(request.business.tz).date()
    try:
        asked = clamp_date(date.fromisoformat(request.GET.get("week", "")))
    except ValueError:
        asked = current
    monday = max(_monday(asked), this_week)
    days = staff_choices_by_day(
        business=request.business,
        first_day=monday,
        days=7,
        now=now,
        moving_id=booking.pk,
    )
    context = {
        "booking": booking,
        "movable": booking.is_active(now),
        "days": days,
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "previous_week": (monday - timedelta(days=7)).isoformat()
        if monday > this_week
        else "",
        "next_week": (monday + timedelta(days=7)).isoformat(),
    }
    return render_page(request, "dashboard/requests/move.html", context, partial="week")


@business_view()
@require_http_methods(GET_POST)
def request_move_confirm(request: DashboardRequest, pk: int, session_id: int):
    """The old and the new time, a message for the client; POST moves the booking."""
    booking = get_request_for_member(request, pk)
    target = get_session_for_member(request, session_id)
    now = timezone.now()
    form = MoveForm(posted(request))
    problem = ""
    if request.method == "POST" and form.is_valid():
        key = _read_key(request, form, session_id=target.pk, now=now)
        if key and run_command(
            request,
            lambda: services.booking_reschedule(
                booking_id=booking.pk,
                session_id=target.pk,
                actor=request.user,
                message=form.cleaned_data["message"],
                idempotency_key=f"move:{booking.pk}:{key}",
                now=now,
            ),
            done=f"Moved {booking.booking_reference} ({booking.client_name}) to "
            f"{_when(request, target)}. "
            + (
                "The client is told by email."
                if booking.client_email
                else "The client left no email: please tell them yourself."
            ),
            form=form,
        ):
            return redirect(_detail_url(request, booking.pk))
    elif request.method != "POST":
        try:
            services.booking_move_check(
                booking=booking,
                session=target,
                settings=request.business.booking_settings,
                now=now,
                by_client=False,
            )
        except BookingError as error:
            problem = error.message
    context = {
        "booking": booking,
        "target": target,
        "form": form,
        "problem": problem,
        "token": make_token(
            business_id=request.business.pk, session_id=target.pk, now=now
        ),
    }
    return render(request, "dashboard/requests/move_confirm.html", context)


def _read_key(request: DashboardRequest, form, *, session_id: int, now) -> str:
    """The form token's nonce (the idempotency key); a bad token is a form error."""
    try:
        token = read_token(
            request.POST.get("token", ""),
            business_id=request.business.pk,
            session_id=session_id,
            now=now,
        )
    except FormTokenError as problem:
        form.add_error(None, problem.message)
        return ""
    return token.nonce


# --- a client's waiting move: approve or reject -------------------------------------


@business_view()
@require_POST
def request_move_approve(request: DashboardRequest, pk: int):
    booking = get_request_for_member(request, pk)
    target = booking.move_to
    run_command(
        request,
        lambda: services.booking_move_approve(
            booking_id=booking.pk, actor=request.user
        ),
        done=f"Moved {booking.booking_reference} ({booking.client_name})"
        + (f" to {_when(request, target)}" if target else "")
        + ". The client is told.",
        refused_prefix=f"{booking.booking_reference}: ",
    )
    return redirect_back(request, _detail_url(request, booking.pk))


@business_view()
@require_http_methods(GET_POST)
def request_move_reject(request: DashboardRequest, pk: int):
    booking = get_request_for_member(request, pk)
    form = RejectForm(posted(request))
    if request.method == "POST" and form.is_valid():
        run_command(
            request,
            lambda: services.booking_move_reject(
                booking_id=booking.pk,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            ),
            done=f"Declined the change of time of {booking.booking_reference} "
            f"({booking.client_name}); the booking keeps its time.",
            refused_prefix=f"{booking.booking_reference}: ",
        )
        return redirect(_detail_url(request, booking.pk))
    return render(
        request,
        "dashboard/requests/move_reject.html",
        {"booking": booking, "form": form},
    )


# --- a client entered by staff ------------------------------------------------------


@business_view()
@require_http_methods(GET_POST)
def session_add_client(request: DashboardRequest, pk: int):
    """ "Add a client": a phone or walk-in client into this session, booked at once."""
    session = get_session_for_member(request, pk)
    now = timezone.now()
    form = StaffEntryForm(posted(request))
    entered: list[BookingRequest] = []

    def enter():
        result = services.booking_enter_by_staff(
            business=request.business,
            session_id=session.pk,
            actor=request.user,
            idempotency_key=f"staff:{key}",
            now=now,
            **form.cleaned_data,
        )
        entered.append(result.booking)
        return result

    if request.method == "POST" and form.is_valid():
        key = _read_key(request, form, session_id=session.pk, now=now)
        if key and run_command(request, enter, done=_entered_text, form=form):
            return redirect(_detail_url(request, entered[0].pk))
    problem = ""
    try:
        spots = services.booking_entry_check(
            session=session, settings=request.business.booking_settings, now=now
        )
    except BookingError as error:
        spots, problem = 0, error.message
    context = {
        "session": session,
        "form": form,
        "spots": spots,
        "problem": problem,
        "token": make_token(
            business_id=request.business.pk, session_id=session.pk, now=now
        ),
    }
    return render(request, "dashboard/sessions/add_client.html", context)


def _entered_text(result) -> str:
    booking = result.booking
    told = (
        f"A confirmation is on its way to {booking.client_email}."
        if booking.client_email
        else f"No email given: tell them their reference, {booking.booking_reference}."
    )
    return f"Booked {booking.client_name} ({booking.booking_reference}). {told}"
