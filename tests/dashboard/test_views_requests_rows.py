"""The rows of the requests table: exactly the HTML the owner (and her screen reader)
depends on, and the one way each row is rendered (``BookingRequestTable.html_rows``).
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Value
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tables2 import RequestConfig
from django_tables2.utils import AttributeDict

from booking.models import BookingRequest, Business, Service, Session
from dashboard.display import local_text
from dashboard.tables import (
    _PK,
    BookingRequestTable,
    RequestsPaginator,
    _attrs_html,
    _row_url,
    paginate,
)
from tests.conftest import HTMX
from tests.dashboard.conftest import url
from tests.factories import BookingRequestFactory, ServiceFactory, SessionFactory

Status = BookingRequest.Status
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def row_of(html: str, booking: BookingRequest) -> str:
    start = html.index(f'<tr id="request-{booking.pk}"')
    return html[start : html.index("</tr>", start) + len("</tr>")]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def rows(frozen, business):
    """One request of each kind the table words differently, names to escape."""
    service = ServiceFactory(business=business, name='Dive & "splash"', capacity=8)
    session = SessionFactory(service=service, starts_at=NOW + timedelta(days=2))
    later = SessionFactory(service=service, starts_at=NOW + timedelta(days=3))

    def make(ref: str, **fields) -> BookingRequest:
        return BookingRequestFactory(session=session, booking_reference=ref, **fields)

    return {
        "pending": make(
            "BK-PEND",
            client_name='O\'Brien & "Quotes"',
            client_email="",
            client_phone="+447700900101",
            status=Status.PENDING,
            expires_at=NOW + timedelta(minutes=50),
        ),
        "moving": make(
            "BK-MOVE",
            client_name="Mo <b>Mover</b>",
            client_email="mo@example.com",
            move_to=later,
            move_expires_at=NOW + timedelta(hours=2),
        ),
        "lapsed": make(
            "BK-LAPS",
            client_name="Larry Lapsed",
            client_email="larry@example.com",
            status=Status.PENDING,
            expires_at=NOW - timedelta(minutes=5),
        ),
    }


@pytest.mark.django_db
def test_each_kind_of_row_renders_exactly_as_the_owner_knows_it(
    owner_client, business, rows
):
    """The HTML of the per-cell templates this replaced, byte for byte."""
    pending, moving, lapsed = rows["pending"], rows["moving"], rows["lapsed"]
    html = owner_client.get(url("requests", business), {"status": ""}).content.decode()
    base = f"/dashboard/{business.pk}/requests/"
    back = f"{base}%3Fstatus%3D"
    session = (
        '<td data-label="Session">Dive &amp; &quot;splash&quot;<br><span class="small">'
        '<span class="text-nowrap">Tue 8 Dec 2026</span> '
        '<span class="text-nowrap">12:00 GMT</span></span></td>'
    )
    o_brien = "BK-PEND, O&#x27;Brien &amp; &quot;Quotes&quot;"
    p = pending.pk
    assert TOKEN.sub('name="csrfmiddlewaretoken" value="T"', row_of(html, pending)) == (
        f'<tr id="request-{p}" class="even"><td class="cell-select">'
        f'<input type="checkbox" class="form-check-input" name="ids" value="{p}" '
        f'form="bulk-form" aria-label="Select {o_brien}">\n</td>'
        f'<td data-label="Request"><a href="{base}{p}/" class="font-monospace '
        'text-nowrap">BK-PEND</a><br><span class="small text-body-secondary '
        'text-nowrap">6 Dec, 12:00</span></td>'
        '<td data-label="Client">O&#x27;Brien &amp; &quot;Quotes&quot;<br>'
        '<span class="small text-body-secondary">+447700900101</span></td>'
        f"{session}"
        '<td data-label="Status"><span class="badge text-bg-warning" '
        'data-status="pending">Pending</span><br><time datetime="2026-12-06T12:50:00'
        '+00:00" class="small text-nowrap text-danger fw-semibold">50 min left</time>'
        '</td><td class="cell-actions"><div class="row-actions">'
        f'<form method="post" action="{base}{p}/approve/" hx-post="{base}{p}/approve/" '
        f'hx-target="#request-{p}" hx-swap="outerHTML"><input type="hidden" '
        'name="csrfmiddlewaretoken" value="T"><input type="hidden" name="next" '
        f'value="{base}?status="><button type="submit" class="btn btn-sm btn-success">'
        f'Approve<span class="visually-hidden"> {o_brien}</span></button></form>\n'
        '<a class="btn btn-sm btn-outline-danger" '
        f'href="{base}{p}/reject/?next={back}" '
        f'hx-get="{base}{p}/reject/?next={back}" hx-target="#dialog-body" '
        'hx-swap="innerHTML">Reject<span class="visually-hidden"> '
        f"{o_brien}</span></a>\n"
        f'<a class="btn btn-sm btn-outline-primary" href="{base}{p}/move/">Move'
        f'<span class="visually-hidden"> {o_brien}</span></a>\n'
        '<a class="btn btn-sm btn-outline-secondary" '
        f'href="{base}{p}/cancel/?next={back}" hx-get="{base}{p}/cancel/?next={back}" '
        'hx-target="#dialog-body" hx-swap="innerHTML">Cancel<span '
        f'class="visually-hidden"> {o_brien}</span></a></div>\n</td></tr>'
    )
    m, mover = moving.pk, "BK-MOVE, Mo &lt;b&gt;Mover&lt;/b&gt;"
    assert row_of(html, moving) == (
        f'<tr id="request-{m}" class="odd"><td class="cell-select">\n</td>'
        f'<td data-label="Request"><a href="{base}{m}/" class="font-monospace '
        'text-nowrap">BK-MOVE</a><br><span class="small text-body-secondary '
        'text-nowrap">6 Dec, 12:00</span></td>'
        '<td data-label="Client">Mo &lt;b&gt;Mover&lt;/b&gt;<br>'
        '<span class="small text-body-secondary">mo@example.com</span></td>'
        f"{session}"
        '<td data-label="Status"><span class="badge text-bg-success" '
        'data-status="approved">Approved</span><br>'
        f'<a href="{base}{m}/" class="small text-nowrap">Asks to move</a></td>'
        '<td class="cell-actions"><div class="row-actions">\n\n'
        f'<a class="btn btn-sm btn-outline-primary" href="{base}{m}/move/">Move'
        f'<span class="visually-hidden"> {mover}</span></a>\n'
        '<a class="btn btn-sm btn-outline-secondary" '
        f'href="{base}{m}/cancel/?next={back}" hx-get="{base}{m}/cancel/?next={back}" '
        'hx-target="#dialog-body" hx-swap="innerHTML">Cancel<span '
        f'class="visually-hidden"> {mover}</span></a></div>\n</td></tr>'
    )
    assert row_of(html, lapsed).endswith(
        '<td data-label="Status"><span class="badge text-bg-secondary" '
        'data-status="expired">Expired</span></td><td class="cell-actions">'
        '<div class="row-actions">\n\n</div>\n</td></tr>'
    )
    assert 'class="cell-select">\n</td>' in row_of(html, lapsed)


@pytest.mark.django_db
def test_the_row_answering_an_htmx_action_is_the_row_of_the_table(
    owner_client, business, rows
):
    lapsed = rows["lapsed"]
    listed = owner_client.get(url("requests", business), {"status": ""})
    back = url("requests", business) + "?status="
    answer = owner_client.post(
        url("request_approve", business, pk=lapsed.pk), {"next": back}, **HTMX
    )  # refused: it lapsed; the row comes back as it stands
    assert answer.status_code == 200
    row = row_of(answer.content.decode(), lapsed)
    assert answer.content.decode().startswith(row)
    assert row == row_of(listed.content.decode(), lapsed)


@pytest.mark.django_db
def test_the_approve_form_of_a_row_carries_a_working_csrf_token(
    owner, business, pending
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    html = client.get(url("requests", business)).content.decode()
    form = row_of(html, pending)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    action = url("request_approve", business, pk=pending.pk)
    refused = client.post(action, {"next": url("requests", business)})
    assert refused.status_code == 403
    response = client.post(
        action, {"csrfmiddlewaretoken": token, "next": url("requests", business)}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Status.APPROVED


@pytest.mark.django_db
def test_the_rows_are_what_django_tables2_renders_with_the_same_columns(
    owner, business, rows
):
    """``html_rows`` skips django-tables2's per-cell machinery, not its output."""
    request = RequestFactory().get("/")
    request.user = owner

    def table(page: int) -> BookingRequestTable:
        made = BookingRequestTable(
            BookingRequest.objects.filter(session__business=business),
            business=business,
            now=NOW,
            next_url="/back?to=a&b",
        )
        RequestConfig(request, paginate={"per_page": 2, "page": page}).configure(made)
        return made

    fast, slow = [], []
    for page in (1, 2):
        fast += table(page).html_rows()
        slow += [
            f"<tr {row.attrs.as_html()}>"
            + "".join(
                f"<td {column.attrs['td'].as_html()}>{cell}</td>"
                for column, cell in row.items()
            )
            + "</tr>"
            for row in table(page).paginated_rows
        ]
    assert len(fast) == 3
    assert [TOKEN.sub("", row) for row in fast] == [TOKEN.sub("", r) for r in slow]
    assert all(TOKEN.search(row) for row in (fast[2], slow[2]))  # the pending one
    assert "?next=/back%3Fto%3Da%26b" in fast[2]
    assert 'name="next" value="/back?to=a&amp;b"' in fast[2]


@pytest.mark.parametrize("business_id", [1, 7, 2147, _PK, 10**15])
@pytest.mark.parametrize("pk", [1, 7, 21, 2147, _PK - 1, _PK, 10**12])
@pytest.mark.parametrize("name", ["detail", "approve", "reject", "move", "cancel"])
def test_a_row_link_is_the_url_the_urlconf_reverses(name, business_id, pk):
    view = f"dashboard:request_{name}"
    expected = reverse(view, kwargs={"business_id": business_id, "pk": pk})
    assert _row_url(view, business_id)(pk) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sort",
    [
        "",
        "request",
        "-request",
        "client",
        "-client",
        "session",
        "-session",
        "status",
        "-status",
    ],
)
def test_pages_read_keys_first_hold_every_request_once_in_order(
    owner_client, business, sort
):
    """Page by page (keys first, then their rows), the table lists what one sorted
    read lists: ties (same name, same session) broken the same way on every page,
    the pages past the middle (keys read from the other end) too, and requests
    without an expiry (sorted by status) where they would be."""
    service = ServiceFactory(business=business)
    sessions = [
        SessionFactory(service=service, starts_at=NOW + timedelta(days=n % 3 + 1))
        for n in range(4)
    ]
    for n in range(11):
        BookingRequestFactory(
            session=sessions[n % 4],
            client_name=["Ann", "Bob", "Ann Z"][n % 3],
            status=[Status.APPROVED, Status.PENDING, Status.REJECTED][n % 3],
        )
    listed = []
    for page in (1, 2, 3, 4):
        with CaptureQueriesContext(connection) as queries:
            html = owner_client.get(
                url("requests", business),
                {"status": "", "sort": sort, "per_page": 3, "page": page},
            ).content.decode()
        listed += [int(pk) for pk in re.findall(r'<tr id="request-(\d+)"', html)]
        read = [
            q["sql"] for q in queries if 'FROM "booking_bookingrequest"' in q["sql"]
        ]
        page_query = [sql for sql in read if not sql.startswith("SELECT COUNT")]
        assert len(page_query) == 1
        # The rows by their keys alone: no filter repeated around the keys.
        assert re.search(
            r'WHERE "booking_bookingrequest"."id" IN \(SELECT .* LIMIT \d+'
            r"( OFFSET \d+)?\) ORDER BY",
            page_query[0],
        )
    one_read = BookingRequestTable(
        BookingRequest.objects.filter(session__business=business),
        business=business,
        now=NOW,
        next_url="/",
        order_by=sort or None,
    )
    assert listed == [row.record.pk for row in one_read.rows]
    assert sorted(listed) == sorted(
        BookingRequest.objects.filter(session__business=business).values_list(
            "pk", flat=True
        )
    )


@pytest.mark.django_db
def test_a_table_of_a_list_pages_as_django_does(owner, business, rows):
    """Keys first is for a queryset; rows given as a list are sliced as they are."""
    request = RequestFactory().get("/", {"per_page": 2, "page": 2})
    request.user = owner
    records = list(rows.values())
    table = BookingRequestTable(records, business=business, now=NOW, next_url="/")
    paginate(request, table)  # the newest first: all made at NOW, so the last made
    assert [row.record for row in table.paginated_rows] == [rows["pending"]]
    assert table.paginator.count == 3


@pytest.mark.parametrize("zone", ["Europe/London", "America/St_Johns", "Asia/Kolkata"])
@pytest.mark.parametrize(
    "when",
    [
        datetime(2026, 1, 5, 0, 7, tzinfo=UTC),
        datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # London's clocks go forward
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # and back
        datetime(2026, 12, 31, 23, 45, tzinfo=UTC),  # the next year somewhere
    ],
)
def test_a_row_writes_its_times_as_local_text_does(zone, when):
    """The rows write the request's and the session's times themselves (no
    ``local_text`` call per cell); in the business's zone, as ``local_text`` would."""
    business = Business(pk=1, name="Pool", timezone=zone)
    service = Service(pk=1, business=business, name="Swim")
    session = Session(pk=1, business=business, service=service, starts_at=when)
    record = BookingRequest(
        pk=5,
        session=session,
        booking_reference="BK-TIME",
        client_name="Tim",
        status=Status.REJECTED,
        created_at=when - timedelta(days=40, minutes=13),
    )
    table = BookingRequestTable([], business=business, now=NOW, next_url="/")
    cells = table._cells(record)
    tz = business.tz
    created = local_text(record.created_at, tz, "j M, H:i")
    assert f'text-nowrap">{created}</span>' in cells["request"]
    day, hour = local_text(when, tz, "D j M Y"), local_text(when, tz, "H:i T")
    assert (
        f'"text-nowrap">{day}</span> <span class="text-nowrap">{hour}</span>'
        in (cells["session"])
    )


# The header and the pagination as the template wrote them before the table wrote
# them itself (``html_head``, ``html_pages``): the reference they are held to.
TEMPLATE_HEAD = """{% for column in table.columns %}
<th {{ column.attrs.th.as_html }} scope="col"{% if column.is_ordered %} aria-sort="{% if column.order_by_alias.is_descending %}descending{% else %}ascending{% endif %}"{% endif %}>
{% if column.name == "select" %}<input type="checkbox" class="form-check-input" data-select-all aria-label="Select all pending requests on this page">
{% elif column.orderable %}{% querystring sort=column.order_by_alias.next page=None as link %}<a href="{{ link }}" hx-get="{{ link }}" hx-target="#requests-table" hx-swap="outerHTML" hx-push-url="true">{{ column.header }}</a>
{% else %}{{ column.header }}{% endif %}
</th>
{% endfor %}"""  # noqa: E501
TEMPLATE_PAGES = """{% load django_tables2 %}
{% if table.page.has_previous %}{% querystring page=table.page.previous_page_number as link %}<li class="page-item"><a class="page-link" href="{{ link }}" hx-get="{{ link }}" hx-target="#requests-table" hx-swap="outerHTML" hx-push-url="true">Previous</a></li>{% endif %}
{% for p in table.page|table_page_range:table.paginator %}
  {% if p == "..." %}<li class="page-item disabled"><span class="page-link">…</span></li>
  {% elif p == table.page.number %}<li class="page-item active" aria-current="page"><span class="page-link">{{ p }}</span></li>
  {% else %}{% querystring page=p as link %}<li class="page-item"><a class="page-link" href="{{ link }}" hx-get="{{ link }}" hx-target="#requests-table" hx-swap="outerHTML" hx-push-url="true"><span class="visually-hidden">Page </span>{{ p }}</a></li>{% endif %}
{% endfor %}
{% if table.page.has_next %}{% querystring page=table.page.next_page_number as link %}<li class="page-item"><a class="page-link" href="{{ link }}" hx-get="{{ link }}" hx-target="#requests-table" hx-swap="outerHTML" hx-push-url="true">Next</a></li>{% endif %}"""  # noqa: E501


def _squeezed(html: str) -> str:
    """HTML with whitespace between tags and around text dropped."""
    return re.sub(r"\s*(<|>)\s*", r"\1", html.strip())


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=2",
        "page=7&status=",
        "status=approved&q=a%26b+%3Cc%3E&page=12",
        "sort=-client&page=3&page=4",
        "sort=session&q=O%27Brien",
        "page=1000&per_page=5",
        "per_page=100",
        "sort=status&status=pending&date_from=2026-12-01",
    ],
)
def test_the_header_and_the_pages_are_what_the_template_wrote(owner, query):
    """Sorting links (the page dropped, every other parameter kept in its place,
    escaped), ``aria-sort``, and the page links with their gaps."""
    business = Business(pk=3, name="Pool", timezone="Europe/London")
    session = Session(pk=1, business=business, starts_at=NOW)
    records = [
        BookingRequest(
            pk=n,
            session=session,
            client_name=f"Client {n % 17}",
            status=Status.APPROVED,
            created_at=NOW - timedelta(minutes=n),
        )
        for n in range(1, 301)
    ]
    request = RequestFactory().get(f"/?{query}")
    request.user = owner
    table = BookingRequestTable(records, business=business, now=NOW, next_url="/")
    paginate(request, table)
    context = RequestContext(request, {"table": table})
    head = Template(TEMPLATE_HEAD).render(context)
    pages = Template(TEMPLATE_PAGES).render(context)
    assert _squeezed(table.html_head()) == _squeezed(head)
    assert _squeezed(table.html_pages()) == _squeezed(pages)
    assert table.html_head().count("<th ") == 6
    assert "page-link" in table.html_pages()


@pytest.mark.django_db
def test_the_page_masks_its_csrf_token_once(owner, business, rows):
    """The layout, the bulk form and every row's approve form carry one token,
    masked once for the response (masking costs more than a row)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    for headers in ({}, HTMX):
        html = client.get(url("requests", business), **headers).content.decode()
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        tokens += re.findall(r'"X-CSRFToken": "([^"]+)"', html)
        assert len(tokens) == (2 if headers else 4)  # bulk, a row (layout, logout)
        assert len(set(tokens)) == 1


def test_each_table_has_its_own_columns():
    """Copied shallowly (``Column.__deepcopy__``), but copied: a table's columns are
    not its class's, nor another table's."""
    business = Business(pk=3, name="Pool", timezone="Europe/London")
    one, two = (
        BookingRequestTable([], business=business, now=NOW, next_url="/")
        for _ in range(2)
    )
    for name, column in BookingRequestTable.base_columns.items():
        assert one.columns[name].column is not column
        assert one.columns[name].column is not two.columns[name].column
        assert one.columns[name].column.verbose_name == column.verbose_name


@pytest.mark.parametrize(
    "attrs",
    [
        {},
        {"class": "orderable"},
        {"class": "asc orderable", "data-label": 'A "b" & <c>'},
        {"class": None, "id": "x", "th": {"class": "y"}, "_ordering": {"a": "b"}},
    ],
)
def test_attributes_are_written_as_django_tables2_writes_them(attrs):
    assert _attrs_html(attrs) == AttributeDict(attrs).as_html()


@pytest.mark.django_db
def test_a_page_of_rows_is_written_as_each_row_alone(
    owner, business, rows, django_assert_num_queries
):
    """A page reads the session's start and the service's name onto each request
    (``RequestsPaginator.joined``, no Session or Service made); one row (an HTMX
    action's answer) reads them through its session: the same HTML."""
    request = RequestFactory().get("/", {"status": ""})
    request.user = owner
    found = BookingRequest.objects.filter(session__business=business)
    table = BookingRequestTable(found, business=business, now=NOW, next_url="/")
    paginate(request, table)
    with django_assert_num_queries(1):  # the page (counted already): nothing a row
        page = table.html_rows()
    alone = []
    for record in found.select_related("session__service"):
        one = BookingRequestTable([record], business=business, now=NOW, next_url="/")
        RequestConfig(request, paginate=False).configure(one)
        alone += one.html_rows()

    def plain(html: str) -> str:  # no token, no parity: a row as it is wherever
        return re.sub(r' class="(even|odd)"', "", TOKEN.sub("", html))

    assert len(page) == 3
    assert sorted(map(plain, page)) == sorted(map(plain, alone))
    assert "Dive &amp; &quot;splash&quot;" in page[0]


def test_a_page_query_of_another_shape_is_refused():
    """The rows' SQL is built once per order with a stand-in key where the keys'
    query goes: any other parameter in it would be run with the wrong values."""

    class Odd(RequestsPaginator):
        joined = {**RequestsPaginator.joined, "odd": Value(7)}

    with pytest.raises(ValueError, match="unexpected page query"):
        Odd._rows_sql(BookingRequest, ("-created_at", "pk"))
    head, tail = RequestsPaginator._rows_sql(BookingRequest, ("-created_at", "pk"))
    assert head.endswith('"booking_bookingrequest"."id" IN ')
    assert tail.startswith(" ORDER BY")
