"""The booking requests table (django-tables2)."""

from datetime import datetime

import django_tables2 as tables
from django.core.paginator import EmptyPage
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django_tables2 import RequestConfig

from booking.bounds import page_size
from booking.models import BookingRequest, Business
from dashboard.display import duration_text, local_text, status_badge

PER_PAGE = 25


def paginate(request: HttpRequest, table: tables.Table) -> None:
    """Order and paginate ``table`` as the URL asks: ``per_page`` held to 1 … 100
    (a bigger page would read without bound), a page past either end the last."""
    RequestConfig(request, paginate=False).configure(table)  # the ordering
    per_page = page_size(request.GET.get(table.prefixed_per_page_field), PER_PAGE)
    try:
        number = int(request.GET.get(table.prefixed_page_field, 1))
    except ValueError:
        number = 1
    try:
        table.paginate(page=number, per_page=per_page)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)


class RowTemplateColumn(tables.TemplateColumn):
    """A cell template that also gets the row's ``actions`` (the statuses it may move
    to now), ``biz`` and ``next_url`` (where its forms come back to).
    """

    def get_context_data(self, *, record, table, **kwargs) -> dict:
        context = super().get_context_data(record=record, table=table, **kwargs)
        return {
            **context,
            "actions": record.allowed_actions(table.now),
            "biz": table.business.pk,
            "next_url": table.next_url,
        }


def _label(name: str) -> dict:
    """Cell attributes: ``data-label`` names the column when rows stack on phones."""
    return {"td": {"data-label": name}}


class BookingRequestTable(tables.Table):
    select = RowTemplateColumn(
        template_name="dashboard/requests/cell_select.html",
        verbose_name="Select",
        orderable=False,
        attrs={"td": {"class": "cell-select"}, "th": {"class": "cell-select"}},
    )
    request = tables.Column(
        accessor="created_at",
        verbose_name="Request",
        order_by=("created_at", "pk"),
        attrs=_label("Request"),
    )
    client = tables.Column(
        accessor="client_name",
        verbose_name="Client",
        order_by=("client_name", "pk"),
        attrs=_label("Client"),
    )
    session = tables.Column(
        accessor="session__starts_at",
        verbose_name="Session",
        order_by=("session__starts_at", "pk"),
        attrs=_label("Session"),
    )
    status = tables.Column(
        verbose_name="Status",
        order_by=("status", "expires_at", "pk"),
        attrs=_label("Status"),
    )
    actions = RowTemplateColumn(
        template_name="dashboard/requests/cell_actions.html",
        verbose_name="Actions",
        orderable=False,
        attrs={"td": {"class": "cell-actions"}},
    )

    class Meta:
        model = BookingRequest
        fields = ()
        order_by = ("-request",)
        attrs = {"class": "table table-hover align-middle requests-table stack-sm mb-0"}
        row_attrs = {"id": lambda record: f"request-{record.pk}"}
        empty_text = "No booking requests match these filters."

    def __init__(
        self, *args, business: Business, now: datetime, next_url: str, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.business = business
        self.now = now
        self.next_url = next_url

    def detail_url(self, record: BookingRequest) -> str:
        return reverse(
            "dashboard:request_detail",
            kwargs={"business_id": self.business.pk, "pk": record.pk},
        )

    def render_request(self, value: datetime, record: BookingRequest) -> str:
        return format_html(
            '<a href="{}" class="font-monospace text-nowrap">{}</a><br>'
            '<span class="small text-body-secondary text-nowrap">{}</span>',
            self.detail_url(record),
            record.booking_reference,
            local_text(value, self.business.tz, "j M, H:i"),
        )

    def render_client(self, value: str, record: BookingRequest) -> str:
        contact = record.client_email or record.client_phone
        return format_html(
            '{}<br><span class="small text-body-secondary">{}</span>', value, contact
        )

    def render_session(self, value: datetime, record: BookingRequest) -> str:
        zone = self.business.tz
        return format_html(
            '{}<br><span class="small"><span class="text-nowrap">{}</span> '
            '<span class="text-nowrap">{}</span></span>',
            record.session.service.name,
            local_text(value, zone, "D j M Y"),
            local_text(value, zone, "H:i T"),
        )

    def render_status(self, record: BookingRequest) -> str:
        status = record.effective_status(self.now)
        badge = status_badge(status)
        if record.has_waiting_move(self.now):
            return format_html(
                '{}<br><a href="{}" class="small text-nowrap">Asks to move</a>',
                badge,
                self.detail_url(record),
            )
        if status != BookingRequest.Status.PENDING:
            return badge
        left = record.expires_at - self.now
        urgent = left.total_seconds() < 3 * 3600
        return format_html(
            '{}<br><time datetime="{}" class="small text-nowrap {}">{} left</time>',
            badge,
            record.expires_at.isoformat(),
            "text-danger fw-semibold" if urgent else "text-body-secondary",
            duration_text(left),
        )
