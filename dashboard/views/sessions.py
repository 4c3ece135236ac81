"""Sessions: week and list views, one session, a recurring series, edit, cancel."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from booking import scheduling, services
from booking.errors import BookingError
from booking.selectors import (
    holding_bookings,
    local_day_start,
    sessions_between,
    sessions_with_counts,
)
from dashboard.access import (
    DashboardRequest,
    business_view,
    get_session_for_member,
    posted,
    render_page,
    safe_next,
)
from dashboard.forms.catalogue import SeriesForm, SessionForm, local_today
from dashboard.forms.requests import CancelForm

GET_POST = ["GET", "HEAD", "POST"]


def _week_url(request: DashboardRequest, day: date) -> str:
    monday = day - timedelta(days=day.weekday())
    url = reverse("dashboard:sessions", kwargs={"business_id": request.business.pk})
    return f"{url}?week={monday.isoformat()}"


def _parse_day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@business_view()
@require_safe
def sessions_page(request: DashboardRequest):
    business, now = request.business, timezone.now()
    today = local_today(business, now)
    if request.GET.get("view") == "list":
        upcoming = sessions_with_counts(business=business, now=now).filter(
            starts_at__gte=local_day_start(today, business.tz)
        )
        page = Paginator(upcoming, 30).get_page(request.GET.get("page"))
        context = {"mode": "list", "page": page, "sessions": page.object_list}
    else:
        day = _parse_day(request.GET.get("week"), today)
        monday = day - timedelta(days=day.weekday())
        found = sessions_between(
            business=business,
            start=local_day_start(monday, business.tz),
            end=local_day_start(monday + timedelta(days=7), business.tz),
            now=now,
        )
        days = [monday + timedelta(days=n) for n in range(7)]
        by_day = {d: [] for d in days}
        for session in found:
            by_day[session.starts_at.astimezone(business.tz).date()].append(session)
        context = {
            "mode": "week",
            "monday": monday,
            "sunday": days[-1],
            "days": list(by_day.items()),
            "previous_week": (monday - timedelta(days=7)).isoformat(),
            "next_week": (monday + timedelta(days=7)).isoformat(),
        }
    context.update(
        today=today,
        now=now,
        this_week=(today - timedelta(days=today.weekday())).isoformat(),
    )
    return render_page(
        request, "dashboard/sessions/list.html", context, partial="calendar"
    )


@business_view()
@require_http_methods(GET_POST)
def session_new(request: DashboardRequest):
    business = request.business
    today = local_today(business, timezone.now())
    initial = {"day": _parse_day(request.GET.get("day"), today)}
    form = SessionForm(posted(request), business=business, today=today, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session, start = scheduling.session_create(
            business=business,
            service=data["service"],
            day=data["day"],
            start_time=data["start_time"],
            capacity=data["capacity"],
            booking_deadline_hours=data["booking_deadline_hours"],
            is_bookable=data["is_bookable"],
        )
        messages.success(
            request, f"Session added: {session.service.name}. {start.explanation}"
        )
        return redirect(_week_url(request, data["day"]))
    return render(request, "dashboard/sessions/form.html", {"form": form})


def _series_form(request: DashboardRequest, data) -> SeriesForm:
    business = request.business
    return SeriesForm(
        data,
        business=business,
        today=local_today(business, timezone.now()),
        initial={"first_date": local_today(business, timezone.now())},
    )


@business_view()
@require_http_methods(GET_POST)
def series_new(request: DashboardRequest):
    form = _series_form(request, posted(request))
    if request.method == "POST" and form.is_valid() and "preview" not in request.POST:
        data = form.cleaned_data
        created = scheduling.series_create(
            business=request.business,
            service=data["service"],
            weekdays=set(data["weekdays"]),
            start_time=data["start_time"],
            first_date=data["first_date"],
            last_date=data["last_date"],
            capacity=data["capacity"],
            booking_deadline_hours=data["booking_deadline_hours"],
            is_bookable=data["is_bookable"],
        )
        messages.success(
            request,
            f"Created {len(created)} session{'s' if len(created) != 1 else ''} of "
            f"{data['service'].name}.",
        )
        return redirect(_week_url(request, data["first_date"]))
    return render(request, "dashboard/sessions/series.html", {"form": form})


@business_view()
@require_safe
def series_preview(request: DashboardRequest):
    form = _series_form(request, request.GET)
    form.is_valid()
    return render(request, "dashboard/sessions/series.html#preview", {"form": form})


@business_view()
@require_http_methods(GET_POST)
def session_edit(request: DashboardRequest, pk: int):
    session = get_session_for_member(request, pk)
    local = session.starts_at.astimezone(request.business.tz)
    form = SessionForm(
        posted(request),
        business=request.business,
        today=min(local.date(), local_today(request.business, timezone.now())),
        editing=True,
        initial={
            "day": local.date(),
            "start_time": local.time(),
            "capacity": session.capacity,
            "booking_deadline_hours": session.booking_deadline_hours,
            "is_bookable": session.is_bookable,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            _, start = scheduling.session_update(
                session_id=session.pk, **form.cleaned_data
            )
        except BookingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Session saved. {start.explanation}")
            return redirect(_week_url(request, form.cleaned_data["day"]))
    return render(
        request, "dashboard/sessions/form.html", {"form": form, "session": session}
    )


@business_view()
@require_http_methods(GET_POST)
def session_cancel(request: DashboardRequest, pk: int):
    session = get_session_for_member(request, pk)
    now = timezone.now()
    day = session.starts_at.astimezone(request.business.tz).date()
    form = CancelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = services.session_cancel(
                session_id=session.pk,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                now=now,
            )
        except BookingError as exc:
            messages.error(request, exc.message)
        else:
            n = len(cancelled)
            messages.success(
                request,
                "Session cancelled."
                + (
                    f" {n} booking{'s were' if n != 1 else ' was'} cancelled and "
                    "the client" + ("s are" if n != 1 else " is") + " told."
                    if n
                    else ""
                ),
            )
        return redirect(_week_url(request, day))
    bookings = holding_bookings(session=session, now=now)
    return render(
        request,
        "dashboard/sessions/cancel.html",
        {"session": session, "bookings": bookings, "form": form},
    )


@business_view()
@require_POST
def session_bookable(request: DashboardRequest, pk: int):
    session = get_session_for_member(request, pk)
    bookable = request.POST.get("bookable") == "1"
    try:
        services.session_set_bookable(session_id=session.pk, bookable=bookable)
    except BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "Session open for online booking."
            if bookable
            else "Session closed for online booking; its bookings are kept.",
        )
    if request.htmx:
        fresh = sessions_with_counts(business=request.business, now=timezone.now())
        return render(
            request,
            "dashboard/sessions/fragment_session.html",
            {"session": fresh.get(pk=session.pk), "now": timezone.now()},
        )
    day = session.starts_at.astimezone(request.business.tz).date()
    return redirect(safe_next(request, _week_url(request, day)))
