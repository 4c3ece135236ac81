"""The booking requests table (django-tables2).

django-tables2 orders and pages the table and names its columns; the rows of a page
are rendered here in Python (``BookingRequestTable.html_rows``), each row at once
with f-strings and ``html.escape`` (the values are plain strings, never lazy): rendering
each cell through django-tables2 and a template took most of a page's time
(docs/PERFORMANCE.md, "The requests table").
"""

import copy
from collections.abc import Callable
from datetime import datetime
from functools import cached_property, lru_cache
from html import escape
from urllib.parse import quote, urlencode

import django_tables2 as tables
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import DEFAULT_DB_ALIAS
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django_tables2 import RequestConfig
from django_tables2.columns import BoundColumn
from django_tables2.rows import BoundRows
from django_tables2.templatetags.django_tables2 import table_page_range
from django_tables2.utils import AttributeDict

from booking.bounds import page_size
from booking.models import BookingRequest, Business
from booking.timefmt import day_and_month_names
from dashboard.display import duration_text, status_badge
from dashboard.responses import csrf_token

PER_PAGE = 25
Status = BookingRequest.Status

# Stands for a row's pk while a row link is reversed, once per table (``_row_url``).
_PK = 2_147_483_647


def _row_url(name: str, business_id: int) -> Callable[[int], str]:
    """``reverse(name)`` for any request of the business, the URLconf asked once a
    process: its path for ``_PK`` with the row's pk put in its place (the last, as
    the pk comes after the business in every row link)."""
    head, tail = _row_url_parts(name, business_id, get_script_prefix(), get_urlconf())
    return lambda pk: f"{head}{pk}{tail}"


@lru_cache(maxsize=4096)
def _row_url_parts(name: str, business_id: int, prefix: str, urlconf) -> tuple:
    """``prefix`` and ``urlconf``: what ``reverse`` reads besides its arguments,
    part of the cache's key."""
    url = reverse(name, kwargs={"business_id": business_id, "pk": _PK})
    head, _, tail = url.rpartition(str(_PK))
    return head, tail


def _row_id(record: BookingRequest) -> str:
    """The row's ``id``: HTMX actions swap the row by it."""
    return f"request-{record.pk}"


class RequestsPaginator(Paginator):
    """Pages of the table's queryset, each read keys first: the page's keys in the
    table's order (a narrow sort), then those rows by primary key alone (``WHERE id
    IN (SELECT … LIMIT 25)``), with their session's start and service's name
    (``joined``). The outer query repeats no filter: with the filters repeated, a
    planner without statistics (straight after a bulk load) joined every matching
    row to the 25 keys.

    A page past the middle reads its keys in the reverse order, so no page skips
    more than half the rows (the order ends with the primary key: each row has one
    place, counted from either end).

    ``count``, when the view already knows it, saves a query (the waiting
    requests, counted for the tabs anyway)."""

    # The columns a row is written from (``BookingRequestTable._cells`` and the
    # model's status rules it calls): a page read every column of three tables.
    fields = (
        "booking_reference",
        "client_name",
        "client_email",
        "client_phone",
        "status",
        "created_at",
        "expires_at",
        "move_to_id",
        "move_expires_at",
    )
    # The session's and the service's one each, on the request itself: no Session
    # and Service made for each row as ``select_related`` would (some 1,300
    # function calls a page).
    joined = {
        "session_starts_at": F("session__starts_at"),
        "service_name": F("session__service__name"),
    }

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
        head, tail = self._rows_sql(ordered.model, tuple(order))
        try:
            keys_sql, keys_params = keys.query.get_compiler(using=keys.db).as_sql()
        except EmptyResultSet:  # no keys (an empty page): no query, as the ORM does
            found = []
        else:
            found = ordered.model._default_manager.db_manager(keys.db).raw(
                f"{head}({keys_sql}){tail}", keys_params
            )
        page = BoundRows(data=found, table=rows.table)
        return self._get_page(page, number, self)

    @classmethod
    @lru_cache(maxsize=64)
    def _rows_sql(cls, model, order: tuple) -> tuple[str, str]:
        """The SQL of a page's rows in ``order``, split where their keys' query goes:
        ``SELECT <fields, joined> … WHERE id IN`` and ``ORDER BY …``. Built by the
        ORM once per process and order (with a stand-in key in place of the keys'
        query), not for every page: compiling it cost some 1,500 function calls."""
        stand_in = -1_987_654_321
        query = (
            model._default_manager.filter(pk__in=[stand_in])
            .only(*cls.fields)
            .annotate(**cls.joined)
            .order_by(*order)
            .query
        )
        sql, params = query.get_compiler(using=DEFAULT_DB_ALIAS).as_sql()
        marker = " IN (%s)"
        if tuple(params) != (stand_in,) or sql.count(marker) != 1:
            raise ValueError(f"unexpected page query: {sql} {params}")
        head, tail = sql.split(marker)
        return f"{head} IN ", tail


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


def _attrs_html(attrs: dict) -> str:
    """``AttributeDict.as_html()`` for attributes of plain values: ``name="value"``
    for each not None, escaped, without its ``format_html`` per attribute (80
    function calls an element)."""
    return " ".join(
        f'{conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not None and name not in AttributeDict.blacklist
    )


# Each status's badge, made once.
_BADGES = {status: status_badge(status) for status in Status.values}


def _label(name: str) -> dict:
    """Cell attributes: ``data-label`` names the column when rows stack on phones."""
    return {"td": {"data-label": name}}


class Column(tables.Column):
    """A column copied shallowly for each table: django-tables2 deep-copies every
    column of a table when it makes one (some 330 function calls for this table), so
    that a table may change its own; the tables here change none."""

    def __deepcopy__(self, memo) -> "Column":
        return copy.copy(self)


class BookingRequestTable(tables.Table):
    select = Column(
        empty_values=(),
        verbose_name="Select",
        orderable=False,
        attrs={"td": {"class": "cell-select"}, "th": {"class": "cell-select"}},
    )
    request = Column(
        accessor="created_at",
        verbose_name="Request",
        order_by=("created_at", "pk"),
        attrs=_label("Request"),
    )
    client = Column(
        accessor="client_name",
        verbose_name="Client",
        order_by=("client_name", "pk"),
        attrs=_label("Client"),
    )
    session = Column(
        accessor="session__starts_at",
        verbose_name="Session",
        order_by=("session__starts_at", "pk"),
        attrs=_label("Session"),
    )
    status = Column(
        verbose_name="Status",
        order_by=("status", "expires_at", "pk"),
        attrs=_label("Status"),
    )
    actions = Column(
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
            csrf_token(self.request),
        )

    @cached_property
    def _next_quoted(self) -> str:
        return quote(self.next_url)

    @cached_property
    def _next_html(self) -> str:
        return escape(self.next_url)

    def html_rows(self) -> list[SafeString]:
        """The rows of the page (of every record when not paginated) as HTML: what
        django-tables2 would render, each row written at once (``_cells``)."""
        cells = [(column.name, td) for column, _, td in self._columns]
        rows = []
        for index, row in enumerate(self.paginated_rows):
            record = row.record
            rendered = self._cells(record)
            tds = "".join([f"<td {td}>{rendered[name]}</td>" for name, td in cells])
            parity = "odd" if index % 2 else "even"
            rows.append(
                SafeString(f'<tr id="request-{record.pk}" class="{parity}">{tds}</tr>')
            )
        return rows

    @cached_property
    def html_body(self) -> SafeString:
        """The page's rows, one a line: a template's loop over them cost some 20
        function calls a row."""
        return SafeString("\n".join(self.html_rows()))

    @cached_property
    def _columns(self) -> list[tuple[BoundColumn, str, str]]:
        """Each column with its header's and its cells' attributes as HTML, worked out
        once a table (django-tables2 works them out again on every ``attrs``)."""
        found = []
        for column in self.columns:
            attrs = column.attrs
            found.append((column, _attrs_html(attrs["th"]), _attrs_html(attrs["td"])))
        return found

    @cached_property
    def _query_parts(self) -> dict[str, str]:
        """The URL's query, each parameter encoded once, in its order."""
        return {
            key: urlencode([(key, value) for value in values])
            for key, values in self.request.GET.lists()
        }

    def _link(self, text: str, classes: str = "", **updates) -> str:
        """A link to this table with the URL's query changed by ``updates`` (None
        drops a parameter), as ``{% querystring %}`` writes it, swapped in by HTMX and
        pushed to the history."""
        parts = dict(self._query_parts)
        for key, value in updates.items():
            if value is None:
                parts.pop(key, None)
            else:
                parts[key] = urlencode([(key, value)])
        link = escape("?" + "&".join(parts.values()))
        return (
            f'<a{classes} href="{link}" hx-get="{link}" hx-target="#requests-table" '
            f'hx-swap="outerHTML" hx-push-url="true">{text}</a>'
        )

    def html_head(self) -> SafeString:
        """The header row's cells: the select-all box, a sorting link on each
        orderable column, ``aria-sort`` on the one the table is sorted by. Written
        here, not by a template loop over django-tables2's columns: a tenth of a
        page's function calls went to that loop."""
        cells = []
        for column, th, _ in self._columns:
            sort = ""
            if column.is_ordered:
                descending = column.order_by_alias.is_descending
                sort = f' aria-sort="{"descending" if descending else "ascending"}"'
            header = conditional_escape(column.header)
            if column.name == "select":
                header = (
                    '<input type="checkbox" class="form-check-input" data-select-all '
                    'aria-label="Select all pending requests on this page">'
                )
            elif column.orderable:
                header = self._link(header, sort=column.order_by_alias.next, page=None)
            cells.append(f'<th {th} scope="col"{sort}>{header}</th>')
        return SafeString("\n".join(cells))

    def html_pages(self) -> SafeString:
        """The items of the pagination: previous, up to ten page numbers (the first,
        the last, this one, "…" for the rest), next."""
        page = self.page
        link = ' class="page-link"'
        items = []
        if page.has_previous():
            previous = self._link("Previous", link, page=page.previous_page_number())
            items.append(f'<li class="page-item">{previous}</li>')
        for number in table_page_range(page, self.paginator):
            if number == "...":
                gap = f"<span{link}>…</span>"
                items.append(f'<li class="page-item disabled">{gap}</li>')
            elif number == page.number:
                items.append(
                    '<li class="page-item active" aria-current="page">'
                    f'<span class="page-link">{number}</span></li>'
                )
            else:
                text = f'<span class="visually-hidden">Page </span>{number}'
                items.append(
                    f'<li class="page-item">{self._link(text, link, page=number)}</li>'
                )
        if page.has_next():
            following = self._link("Next", link, page=page.next_page_number())
            items.append(f'<li class="page-item">{following}</li>')
        return SafeString("\n".join(items))

    @cached_property
    def _names(self) -> tuple[dict[int, str], dict[int, str]]:
        """The short day and month names (``local_text``'s), escaped, once a table."""
        days, months = day_and_month_names()
        return (
            {n: escape(d) for n, d in days.items()},
            {n: escape(m) for n, m in months.items()},
        )

    def _cells(self, record: BookingRequest) -> dict[str, str]:
        """Every cell of the record's row as HTML, by column name: what the
        ``render_*`` methods give django-tables2, written in one go with each value
        escaped once (a page took ~480 function calls a row cell by cell, ~60 so).
        Times are written as ``local_text`` writes its formats ("j M, H:i",
        "D j M Y", "H:i T"; tests/dashboard/test_views_requests_rows.py holds them
        to it). Numbers, paths, ISO times and durations need no escaping."""
        now, pk, urls = self.now, record.pk, self._urls
        zone = self.business.tz
        days, months = self._names
        actions = record.allowed_actions(now)
        reference, name = escape(record.booking_reference), escape(record.client_name)
        label = f"{reference}, {name}"
        detail = urls["detail"](pk)
        created = record.created_at.astimezone(zone)
        starts = getattr(record, "session_starts_at", None)  # a page (``joined``)
        if starts is None:  # one row, or a page not of ``RequestsPaginator``
            starts, service = record.session.starts_at, record.session.service.name
        else:
            service = record.service_name
        starts = starts.astimezone(zone)
        status = record.effective_status(now)
        badge = _BADGES[status]
        if record.has_waiting_move(now):
            badge = (
                f'{badge}<br><a href="{detail}" class="small text-nowrap">'
                "Asks to move</a>"
            )
        elif status == Status.PENDING:
            left = record.expires_at - now
            urgent = left.total_seconds() < 3 * 3600
            badge = (
                f'{badge}<br><time datetime="{record.expires_at.isoformat()}" '
                'class="small text-nowrap '
                f'{"text-danger fw-semibold" if urgent else "text-body-secondary"}">'
                f"{duration_text(left)} left</time>"
            )
        select = "\n"
        approve = reject = change = ""
        hidden = f'<span class="visually-hidden"> {label}</span>'
        if Status.APPROVED in actions:
            select = (
                '<input type="checkbox" class="form-check-input" name="ids" '
                f'value="{pk}" form="bulk-form" aria-label="Select {label}">\n'
            )
            url = urls["approve"](pk)
            approve = (
                f'<form method="post" action="{url}" hx-post="{url}" '
                f'hx-target="#request-{pk}" hx-swap="outerHTML">{self._csrf_field}'
                f'<input type="hidden" name="next" value="{self._next_html}">'
                '<button type="submit" class="btn btn-sm btn-success">'
                f"Approve{hidden}</button></form>"
            )
        if Status.REJECTED in actions:
            reject = self._dialog_link(
                "btn-outline-danger", urls["reject"](pk), "Reject", hidden
            )
        if Status.CANCELLED in actions:
            cancel = self._dialog_link(
                "btn-outline-secondary", urls["cancel"](pk), "Cancel", hidden
            )
            change = (
                f'<a class="btn btn-sm btn-outline-primary" href="{urls["move"](pk)}">'
                f"Move{hidden}</a>\n{cancel}"
            )
        contact = escape(record.client_email or record.client_phone)
        return {
            "select": select,
            "request": (
                f'<a href="{detail}" class="font-monospace text-nowrap">'
                f"{reference}</a><br>"
                '<span class="small text-body-secondary text-nowrap">'
                f"{created.day} {months[created.month]}, "
                f"{created.hour:02d}:{created.minute:02d}</span>"
            ),
            "client": (
                f'{name}<br><span class="small text-body-secondary">{contact}</span>'
            ),
            "session": (
                f"{escape(service)}<br>"
                '<span class="small"><span class="text-nowrap">'
                f"{days[starts.weekday()]} {starts.day} {months[starts.month]} "
                f'{starts.year:04d}</span> <span class="text-nowrap">'
                f"{starts.hour:02d}:{starts.minute:02d} {escape(starts.tzname())}"
                "</span></span>"
            ),
            "status": badge,
            "actions": (
                f'<div class="row-actions">{approve}\n{reject}\n{change}</div>\n'
            ),
        }

    # django-tables2's way to each cell (tests compare it with ``html_rows``).
    def render_select(self, record: BookingRequest) -> SafeString:
        return SafeString(self._cells(record)["select"])

    def render_request(self, record: BookingRequest) -> SafeString:
        return SafeString(self._cells(record)["request"])

    def render_client(self, record: BookingRequest) -> SafeString:
        return SafeString(self._cells(record)["client"])

    def render_session(self, record: BookingRequest) -> SafeString:
        return SafeString(self._cells(record)["session"])

    def render_status(self, record: BookingRequest) -> SafeString:
        return SafeString(self._cells(record)["status"])

    def render_actions(self, record: BookingRequest) -> SafeString:
        return SafeString(self._cells(record)["actions"])

    def _dialog_link(self, classes: str, url: str, label: str, hidden: str) -> str:
        """A button opening its form in the dialog (HTMX), or as a page without it."""
        href = f"{url}?next={self._next_quoted}"  # quote() leaves nothing to escape
        return (
            f'<a class="btn btn-sm {classes}" href="{href}" hx-get="{href}" '
            f'hx-target="#dialog-body" hx-swap="innerHTML">{label}{hidden}</a>'
        )
