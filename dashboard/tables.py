"""The booking requests table (django-tables2).

django-tables2 orders and pages the table and names its columns; the rows of a page
are rendered here in Python (``BookingRequestTable.html_rows``), each cell once with
``_html`` (``format_html`` for values known not to be lazy): rendering each cell
through django-tables2 and a template took most of a page's time (docs/PERFORMANCE.md,
"The requests table").
"""

import html
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from urllib.parse import quote

import django_tables2 as tables
from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django_tables2 import RequestConfig
from django_tables2.rows import BoundRows

from booking.bounds import page_size
from booking.models import BookingRequest, Business
from dashboard.display import duration_text, local_text, status_badge

PER_PAGE = 25
Status = BookingRequest.Status

# Stands for a row's pk while a row link is reversed, once per table (``_row_url``).
_PK = 2_147_483_647


def _row_url(name: str, business_id: int) -> Callable[[int], str]:
    """``reverse(name)`` for any request of the business, the URLconf asked once: its
    path for ``_PK`` with the row's pk put in its place (the last, as the pk comes
    after the business in every row link)."""
    url = reverse(name, kwargs={"business_id": business_id, "pk": _PK})
    head, _, tail = url.rpartition(str(_PK))
    return lambda pk: f"{head}{pk}{tail}"


def _row_id(record: BookingRequest) -> str:
    """The row's ``id``: HTMX actions swap the row by it."""
    return f"request-{record.pk}"


class RequestsPaginator(Paginator):
    """Pages of the table's queryset, each read keys first: the page's keys in the
    table's order (a narrow sort), then those rows with their session and service
    by primary key alone (``WHERE id IN (SELECT … LIMIT 25)``). The outer query
    repeats no filter: with the filters repeated, a planner without statistics
    (straight after a bulk load) joined every matching row to the 25 keys.

    A page past the middle reads its keys in the reverse order, so no page skips
    more than half the rows (the order ends with the primary key: each row has one
    place, counted from either end).

    ``count``, when the view already knows it, saves a query (the waiting
    requests, counted for the tabs anyway)."""

    related = ("session__service",)

    def __init__(self, *args, count: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # what the cached property would hold

    def page(self, number) -> Page:
        rows = self.object_list  # django-tables2's BoundRows over the queryset
        ordered = getattr(rows.data, "data", None)
        if not isinstance(ordered, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        order = ordered.query.order_by
        total = order and order[-1].lstrip("-") in ("pk", "id")  # one place a row
        if total and bottom > self.count - top:  # nearer the end: count from it
            first = self.count - top  # this page's first row, from the end
            keys = ordered.reverse().values("pk")[first : first + top - bottom]
        else:
            keys = ordered.values("pk")[bottom:top]
        found = (
            ordered.model._default_manager.filter(pk__in=keys)
            .select_related(*self.related)
            .order_by(*order)
        )
        page = BoundRows(data=found, table=rows.table)
        return self._get_page(page, number, self)


def paginate(
    request: HttpRequest, table: tables.Table, *, count: int | None = None
) -> None:
    """Order and paginate ``table`` as the URL asks: ``per_page`` held to 1 … 100
    (a bigger page would read without bound), a page past either end the last.
    ``count``: how many rows the table has, when the caller knows it."""
    RequestConfig(request, paginate=False).configure(table)  # the ordering
    per_page = page_size(request.GET.get(table.prefixed_per_page_field), PER_PAGE)
    try:
        number = int(request.GET.get(table.prefixed_page_field, 1))
    except ValueError:
        number = 1
    try:
        table.paginate(RequestsPaginator, page=number, per_page=per_page, count=count)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)


def _escape(value) -> str:
    """``conditional_escape(value)``: HTML as it is, anything else escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _html(template: str, *args, **kwargs) -> SafeString:
    """``format_html``, less the checks for lazy strings its escaping makes on every
    value (the rows hold none): about a third of a row's time."""
    return SafeString(
        template.format(
            *map(_escape, args), **{key: _escape(v) for key, v in kwargs.items()}
        )
    )


# Each status's badge, made once.
_BADGES = {status: status_badge(status) for status in Status.values}


def _label(name: str) -> dict:
    """Cell attributes: ``data-label`` names the column when rows stack on phones."""
    return {"td": {"data-label": name}}


class BookingRequestTable(tables.Table):
    select = tables.Column(
        empty_values=(),
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
    actions = tables.Column(
        empty_values=(),
        verbose_name="Actions",
        orderable=False,
        attrs={"td": {"class": "cell-actions"}},
    )

    class Meta:
        model = BookingRequest
        fields = ()
        order_by = ("-request",)
        attrs = {"class": "table table-hover align-middle requests-table stack-sm mb-0"}
        row_attrs = {"id": _row_id}
        empty_text = "No booking requests match these filters."

    def __init__(
        self, *args, business: Business, now: datetime, next_url: str, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.business = business
        self.now = now
        self.next_url = next_url

    @cached_property
    def _urls(self) -> dict[str, Callable[[int], str]]:
        names = ("detail", "approve", "reject", "move", "cancel")
        return {
            name: _row_url(f"dashboard:request_{name}", self.business.pk)
            for name in names
        }

    @cached_property
    def _csrf_field(self) -> SafeString:
        """What ``{% csrf_token %}`` writes, for the approve forms."""
        return format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
            get_token(self.request),
        )

    @cached_property
    def _next_quoted(self) -> str:
        return quote(self.next_url)

    def detail_url(self, record: BookingRequest) -> str:
        return self._urls["detail"](record.pk)

    def html_rows(self) -> list[SafeString]:
        """The rows of the page (of every record when not paginated) as HTML: what
        django-tables2 would render, each cell rendered once, in Python."""
        cells = [(column.name, column.attrs["td"].as_html()) for column in self.columns]
        return [
            self._row_html(row.record, "odd" if index % 2 else "even", cells)
            for index, row in enumerate(self.paginated_rows)
        ]

    def _row_html(
        self, record: BookingRequest, parity: str, cells: list[tuple[str, str]]
    ) -> SafeString:
        actions = record.allowed_actions(self.now)  # once for both cells that use it
        rendered = {
            "select": self._select(record, actions),
            "request": self.render_request(record.created_at, record),
            "client": self.render_client(record.client_name, record),
            "session": self.render_session(record.session.starts_at, record),
            "status": self.render_status(record),
            "actions": self._actions(record, actions),
        }
        tds = "".join(f"<td {td}>{rendered[name]}</td>" for name, td in cells)
        return SafeString(f'<tr id="{_row_id(record)}" class="{parity}">{tds}</tr>')

    def render_select(self, record: BookingRequest) -> SafeString:
        return self._select(record, record.allowed_actions(self.now))

    def render_actions(self, record: BookingRequest) -> SafeString:
        return self._actions(record, record.allowed_actions(self.now))

    def _select(self, record: BookingRequest, actions: frozenset[str]) -> SafeString:
        """A checkbox for "Approve selected" on the requests it may approve."""
        if Status.APPROVED not in actions:
            return mark_safe("\n")
        return _html(
            '<input type="checkbox" class="form-check-input" name="ids" value="{}" '
            'form="bulk-form" aria-label="Select {}, {}">\n',
            record.pk,
            record.booking_reference,
            record.client_name,
        )

    def _actions(self, record: BookingRequest, actions: frozenset[str]) -> SafeString:
        """The buttons for what the request allows now: approve (a form), reject and
        cancel (dialogs, or their pages without JavaScript), move (its page)."""
        pk, urls = record.pk, self._urls
        # Each button names its request for screen readers.
        hidden = _html(
            '<span class="visually-hidden"> {}, {}</span>',
            record.booking_reference,
            record.client_name,
        )
        approve = reject = change = ""
        if Status.APPROVED in actions:
            approve = _html(
                '<form method="post" action="{url}" hx-post="{url}" '
                'hx-target="#{row}" hx-swap="outerHTML">{csrf}'
                '<input type="hidden" name="next" value="{next}">'
                '<button type="submit" class="btn btn-sm btn-success">'
                "Approve{hidden}</button></form>",
                url=urls["approve"](pk),
                row=_row_id(record),
                csrf=self._csrf_field,
                next=self.next_url,
                hidden=hidden,
            )
        if Status.REJECTED in actions:
            reject = self._dialog_link(
                "btn-outline-danger", urls["reject"](pk), "Reject", hidden
            )
        if Status.CANCELLED in actions:
            change = _html(
                '<a class="btn btn-sm btn-outline-primary" href="{}">Move{}</a>\n{}',
                urls["move"](pk),
                hidden,
                self._dialog_link(
                    "btn-outline-secondary", urls["cancel"](pk), "Cancel", hidden
                ),
            )
        return _html(
            '<div class="row-actions">{}\n{}\n{}</div>\n', approve, reject, change
        )

    def _dialog_link(
        self, classes: str, url: str, label: str, hidden: SafeString
    ) -> SafeString:
        """A button opening its form in the dialog (HTMX), or as a page without it."""
        href = f"{url}?next={self._next_quoted}"
        return _html(
            '<a class="btn btn-sm {}" href="{}" hx-get="{}" hx-target="#dialog-body" '
            'hx-swap="innerHTML">{}{}</a>',
            classes,
            href,
            href,
            label,
            hidden,
        )

    def render_request(self, value: datetime, record: BookingRequest) -> str:
        return _html(
            '<a href="{}" class="font-monospace text-nowrap">{}</a><br>'
            '<span class="small text-body-secondary text-nowrap">{}</span>',
            self.detail_url(record),
            record.booking_reference,
            local_text(value, self.business.tz, "j M, H:i"),
        )

    def render_client(self, value: str, record: BookingRequest) -> str:
        contact = record.client_email or record.client_phone
        return _html(
            '{}<br><span class="small text-body-secondary">{}</span>', value, contact
        )

    def render_session(self, value: datetime, record: BookingRequest) -> str:
        zone = self.business.tz
        return _html(
            '{}<br><span class="small"><span class="text-nowrap">{}</span> '
            '<span class="text-nowrap">{}</span></span>',
            record.session.service.name,
            local_text(value, zone, "D j M Y"),
            local_text(value, zone, "H:i T"),
        )

    def render_status(self, record: BookingRequest) -> str:
        status = record.effective_status(self.now)
        badge = _BADGES[status]
        if record.has_waiting_move(self.now):
            return _html(
                '{}<br><a href="{}" class="small text-nowrap">Asks to move</a>',
                badge,
                self.detail_url(record),
            )
        if status != BookingRequest.Status.PENDING:
            return badge
        left = record.expires_at - self.now
        urgent = left.total_seconds() < 3 * 3600
        return _html(
            '{}<br><time datetime="{}" class="small text-nowrap {}">{} left</time>',
            badge,
            record.expires_at.isoformat(),
            "text-danger fw-semibold" if urgent else "text-body-secondary",
            duration_text(left),
        )
