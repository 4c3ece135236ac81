"""Booking requests: the table, one request's page, approve / reject / cancel, CSV."""

import csv
from datetime import datetime
from functools import partial
from itertools import chain

from django.contrib import messages
from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.http import reswap, retarget, trigger_client_event
from django_tables2 import RequestConfig

from booking import services
from booking.errors import BookingError
from booking.models import BookingRequest
from booking.selectors import (
    RequestFilters,
    booking_requests_for_business,
    pending_count,
)
from dashboard.access import DashboardRequest, business_view, get_request_for_member
from dashboard.context_processors import business_urls
from dashboard.display import STATUS_LABELS, duration_text, local_text
from dashboard.forms.requests import CancelForm, RejectForm, RequestFilterForm
from dashboard.responses import (
    csrf_token,
    posted,
    redirect_back,
    render_page,
    run_command,
    safe_next,
)
from dashboard.tables import BookingRequestTable, paginate

LIST = "dashboard/requests/list.html"


def _list_url(request: DashboardRequest) -> str:
    return business_urls(request.business.pk)["requests"]


def _detail_url(request: DashboardRequest, pk: int) -> str:
    return reverse(
        "dashboard:request_detail",
        kwargs={"business_id": request.business.pk, "pk": pk},
    )


WAITING = BookingRequest.Status.PENDING


def _filtered(request: DashboardRequest, now: datetime, *, waiting: int = 0):
    """The filter form and the requests it finds. A plain visit (no filter, sort or
    page asked for) opens on those waiting for an answer when there are any."""
    data = request.GET
    if waiting and not data:
        data = QueryDict(mutable=True)
        data["status"] = WAITING
    form = RequestFilterForm(data, business=request.business)
    form.is_valid()
    found = booking_requests_for_business(
        business=request.business, filters=form.filters(), now=now
    )
    return form, found


def _table_page(request: DashboardRequest):
    now = timezone.now()
    # After a write (the bulk approval's table) the business's version read before
    # it is old: a count kept at that version is not used.
    written = request.method not in ("GET", "HEAD")
    waiting = pending_count(business=request.business, now=now, reuse=not written)
    form, found = _filtered(request, now, waiting=waiting)
    showing_waiting = form.filters().status == WAITING
    query = request.GET.urlencode()
    table = BookingRequestTable(
        found,
        business=request.business,
        now=now,
        next_url=_list_url(request) + (f"?{query}" if query else ""),
        # Waiting: the one to expire first on top; the rest: the newest first.
        order_by=("status",) if showing_waiting else None,
    )
    if showing_waiting:
        table.empty_text = "Nothing is waiting for your answer."
    # The waiting tab unfiltered shows exactly the requests counted for the tabs.
    only_waiting = form.filters() == RequestFilters(status=WAITING)
    paginate(request, table, count=waiting if only_waiting else None)
    context = {
        "form": form,
        "table": table,
        "query": query,
        "waiting": waiting,
        "showing_waiting": showing_waiting,
        "showing_all": not form.has_filters,
        "csrf_token": csrf_token(request),  # the same as the rows' approve forms
    }
    return render_page(request, LIST, context, partial="table")


@business_view()
@require_safe
def requests_list(request: DashboardRequest):
    return _table_page(request)


def _row(request: DashboardRequest, pk: int):
    """One refreshed table row, for HTMX actions."""
    booking = get_request_for_member(request, pk)
    table = BookingRequestTable(
        [booking],
        business=request.business,
        now=timezone.now(),
        next_url=safe_next(request, _list_url(request)),
    )
    RequestConfig(request, paginate=False).configure(table)
    return render(request, f"{LIST}#row", {"row": table.html_rows()[0]})


def _done(request: DashboardRequest, booking: BookingRequest, verb: str, call):
    run_command(
        request,
        call,
        done=f"{verb} {booking.booking_reference} ({booking.client_name}).",
        refused_prefix=f"{booking.booking_reference}: ",
    )
    if request.htmx:
        response = _row(request, booking.pk)
        return trigger_client_event(response, "dashboard:close-dialog")
    return redirect_back(request, _detail_url(request, booking.pk))


@business_view()
@require_POST
def request_approve(request: DashboardRequest, pk: int):
    booking = get_request_for_member(request, pk)
    return _done(
        request,
        booking,
        "Approved",
        lambda: services.booking_approve(booking_id=booking.pk, actor=request.user),
    )


# kind -> (form, name of the booking.services command, past tense for the message)
DECISIONS = {
    "reject": (RejectForm, "booking_reject", "Rejected"),
    "cancel": (CancelForm, "booking_cancel", "Cancelled"),
}


def _decide(request: DashboardRequest, pk: int, kind: str):
    """Reject (reason required) or cancel (message optional): a form, then the call."""
    booking = get_request_for_member(request, pk)
    form_class, command, verb = DECISIONS[kind]
    form = form_class(posted(request), booking=booking)
    if request.method == "POST" and form.is_valid():
        call = partial(
            getattr(services, command),
            booking_id=booking.pk,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        return _done(request, booking, verb, call)
    context = {
        "booking": booking,
        "form": form,
        "kind": kind,
        "in_dialog": bool(request.htmx),
        "next": safe_next(request, _detail_url(request, booking.pk)),
    }
    response = render_page(
        request, "dashboard/requests/decide.html", context, partial="form"
    )
    if request.htmx and request.method == "POST":
        return reswap(retarget(response, "#dialog-body"), "innerHTML")
    return response


@business_view()
@require_http_methods(["GET", "HEAD", "POST"])
def request_reject(request: DashboardRequest, pk: int):
    return _decide(request, pk, "reject")


@business_view()
@require_http_methods(["GET", "HEAD", "POST"])
def request_cancel(request: DashboardRequest, pk: int):
    return _decide(request, pk, "cancel")


@business_view()
@require_POST
def requests_bulk_approve(request: DashboardRequest):
    ids = {int(v) for v in request.POST.getlist("ids") if v.isdigit()}
    chosen = BookingRequest.objects.filter(
        pk__in=ids, business=request.business
    ).order_by("pk")
    approved, refused = 0, []
    for booking in chosen.only("pk", "booking_reference"):
        try:
            services.booking_approve(booking_id=booking.pk, actor=request.user)
        except BookingError as exc:
            refused.append(f"{booking.booking_reference}: {exc.message}")
        else:
            approved += 1
    if not ids:
        messages.warning(request, "Select at least one pending request to approve.")
    if approved:
        messages.success(request, f"Approved {approved} request{pluralize(approved)}.")
    if refused:
        messages.error(request, "Not approved — " + " ".join(refused))
    if request.htmx:
        return _table_page(request)
    query = request.GET.urlencode()
    return redirect(_list_url(request) + (f"?{query}" if query else ""))


@business_view()
@require_safe
def request_detail(request: DashboardRequest, pk: int):
    booking = get_request_for_member(request, pk)
    now = timezone.now()
    status = booking.effective_status(now)
    return render(
        request,
        "dashboard/requests/detail.html",
        {
            "booking": booking,
            "status": status,
            # What a member may do now; expiring a lapsed request is the system's.
            "actions": booking.allowed_actions(now) - {BookingRequest.Status.EXPIRED},
            "time_left": duration_text(booking.expires_at - now)
            if status == BookingRequest.Status.PENDING
            else "",
            "events": booking.events.select_related(
                "actor", "from_session", "to_session"
            ),
            "move_waiting": booking.has_waiting_move(now),
            "reject_form": RejectForm(auto_id="reject_%s", booking=booking),
            "move_reject_form": RejectForm(auto_id="move_reject_%s"),
            "cancel_form": CancelForm(auto_id="cancel_%s", booking=booking),
            "back": safe_next(request, _list_url(request)),
        },
    )


CSV_HEADER = [
    "Reference",
    "Status",
    "Client name",
    "Email",
    "Phone",
    "Service",
    "Session starts",
    "Received",
    "Expires",
    "Notes",
    "Rejection reason",
    "Cancellation reason",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: str) -> str:
    """Stop spreadsheets from running a cell as a formula (CSV injection)."""
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def _csv_row(booking: BookingRequest, zone, now: datetime) -> list[str]:
    status = booking.effective_status(now)
    fmt = "Y-m-d H:i T"
    return [
        _cell(value)
        for value in (
            booking.booking_reference,
            STATUS_LABELS[status],
            booking.client_name,
            booking.client_email,
            booking.client_phone,
            booking.session.service.name,
            local_text(booking.session.starts_at, zone, fmt),
            local_text(booking.created_at, zone, fmt),
            local_text(booking.expires_at, zone, fmt) if booking.expires_at else "",
            booking.notes,
            booking.rejection_reason,
            booking.cancellation_reason,
        )
    ]


@business_view()
@require_safe
def requests_export(request: DashboardRequest):
    now = timezone.now()
    _, found = _filtered(request, now)
    zone = request.business.tz
    rows = (
        _csv_row(b, zone, now)
        for b in found.order_by("session__starts_at", "pk").iterator(chunk_size=1000)
    )
    writer = csv.writer(_Echo())
    lines = (writer.writerow(row) for row in chain([CSV_HEADER], rows))
    response = StreamingHttpResponse(
        chain(["\ufeff"], lines), content_type="text/csv; charset=utf-8"
    )
    name = f"booking-requests-{request.business.slug}-{now.astimezone(zone):%Y-%m-%d}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
