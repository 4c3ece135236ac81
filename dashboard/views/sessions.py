"""Sessions: week and list views, one session, a recurring series, edit, cancel."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from booking import scheduling, services
from booking.bounds import clamp_date
from booking.selectors import (
    holding_bookings,
    local_day_start,
    session_for_card,
    sessions_by_day,
    sessions_from,
)
from dashboard.access import DashboardRequest, business_view, get_session_for_member
from dashboard.display import week_grid
from dashboard.forms.catalogue import SeriesForm, SessionForm, local_today
from dashboard.forms.requests import CancelForm
from dashboard.responses import (
    posted,
    redirect_back,
    render_page,
    run_command,
    safe_next,
)

GET_POST = ["GET", "HEAD", "POST"]


def _week_url(request: DashboardRequest, day: date) -> str:
    monday = day - timedelta(days=day.weekday())
    url = reverse("dashboard:sessions", kwargs={"business_id": request.business.pk})
    return f"{url}?week={monday.isoformat()}"


def _parse_day(value: str | None, default: date) -> date:
    """A day from the URL, held to ``booking.bounds``' range; else ``default``."""
    try:
        return clamp_date(date.fromisoformat(value)) if value else default
    except ValueError:
        return default


@business_view()
@require_safe
def sessions_page(request: DashboardRequest):
    business, now = request.business, timezone.now()
    today = local_today(business, now)
    if request.GET.get("view") == "list":
        upcoming = sessions_from(
            business=business, start=local_day_start(today, business.tz), now=now
        )
        page = Paginator(upcoming, 30).get_page(request.GET.get("page"))
        context = {"mode": "list", "page": page, "sessions": page.object_list}
    else:
        day = _parse_day(request.GET.get("week"), today)
        monday = day - timedelta(days=day.weekday())
        days = sessions_by_day(business=business, first_day=monday, days=7, now=now)
        hours, columns = week_grid(days, business.tz)
        context = {
            "mode": "week",
            "monday": monday,
            "sunday": days[-1][0],
            "hours": hours,
            "columns": columns,
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


def _no_services(request: DashboardRequest):
    """A session is a time for a service: with none, owners add one first (and come
    back here); staff are told to ask an owner."""
    if request.business.services.filter(is_active=True).exists():
        return None
    if not request.membership.is_owner:
        return render(request, "dashboard/sessions/no_services.html")
    messages.info(
        request,
        "First add a service: a session is a time clients can book for one of "
        "your services. Once it is saved you come back here.",
    )
    new = reverse("dashboard:service_new", kwargs={"business_id": request.business.pk})
    return redirect(f"{new}?{urlencode({'next': request.get_full_path()})}")


def _chosen_service(request: DashboardRequest) -> dict:
    """The service the URL names (``?service=``, as after adding one), if active."""
    value = request.GET.get("service", "")
    if value.isdigit():
        found = request.business.services.filter(pk=value, is_active=True).first()
        if found:
            return {"service": found}
    return {}


@business_view()
@require_http_methods(GET_POST)
def session_new(request: DashboardRequest):
    if first := _no_services(request):
        return first
    business = request.business
    today = local_today(business, timezone.now())
    initial = {
        "day": _parse_day(request.GET.get("day"), today),
        **_chosen_service(request),
    }
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
        initial={
            "first_date": local_today(business, timezone.now()),
            **_chosen_service(request),
        },
    )


@business_view()
@require_http_methods(GET_POST)
def series_new(request: DashboardRequest):
    if first := _no_services(request):
        return first
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
            f"Created {len(created)} session{pluralize(len(created))} of "
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
        saved = run_command(
            request,
            lambda: scheduling.session_update(
                session_id=session.pk, **form.cleaned_data
            ),
            done=lambda result: f"Session saved. {result[1].explanation}",
            form=form,
        )
        if saved:
            return redirect(_week_url(request, form.cleaned_data["day"]))
    return render(
        request,
        "dashboard/sessions/form.html",
        {"form": form, "session": session, "now": timezone.now()},
    )


@business_view()
@require_http_methods(GET_POST)
def session_cancel(request: DashboardRequest, pk: int):
    session = get_session_for_member(request, pk)
    now = timezone.now()
    day = session.starts_at.astimezone(request.business.tz).date()
    form = CancelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        run_command(
            request,
            lambda: services.session_cancel(
                session_id=session.pk,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                now=now,
            ),
            done=_cancelled_text,
        )
        return redirect(_week_url(request, day))
    bookings = holding_bookings(session=session, now=now)
    return render(
        request,
        "dashboard/sessions/cancel.html",
        {
            "session": session,
            "bookings": bookings,
            "phone_only": [b for b in bookings if not b.client_email],
            "form": form,
        },
    )


def _cancelled_text(cancelled: list) -> str:
    n = len(cancelled)
    if not n:
        return "Session cancelled."
    return (
        f"Session cancelled. {n} booking{pluralize(n, ' was,s were')} cancelled and "
        f"the client{pluralize(n, ' is,s are')} told."
    )


@business_view()
@require_POST
def session_bookable(request: DashboardRequest, pk: int):
    session = get_session_for_member(request, pk)
    bookable = request.POST.get("bookable") == "1"
    run_command(
        request,
        lambda: services.session_set_bookable(session_id=session.pk, bookable=bookable),
        done="Session open for online booking."
        if bookable
        else "Session closed for online booking; its bookings are kept.",
    )
    day = session.starts_at.astimezone(request.business.tz).date()
    if request.htmx:
        # Redrawn as the page that holds it drew it: its clients, its date, its page.
        now = timezone.now()
        card = session_for_card(business=request.business, session_id=pk, now=now)
        return render(
            request,
            "dashboard/sessions/fragment_session.html",
            {
                "session": card,
                "now": now,
                "show_clients": request.POST.get("show_clients") == "1",
                "show_date": request.POST.get("show_date") == "1",
                "next_url": safe_next(request, _week_url(request, day)),
            },
        )
    return redirect_back(request, _week_url(request, day))
