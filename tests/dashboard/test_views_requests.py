"""The booking requests table, its actions, the detail page and the CSV export."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from booking.links import dashboard_request_url
from booking.models import BookingEvent, BookingRequest
from tests.conftest import HTMX
from tests.dashboard.conftest import url
from tests.factories import BookingRequestFactory, ServiceFactory, SessionFactory

Status = BookingRequest.Status


@pytest.fixture
def lapsed(session):
    return BookingRequestFactory(
        session=session,
        client_name="Larry Lapsed",
        status=Status.PENDING,
        expires_at=timezone.now() - timedelta(minutes=5),
    )


# --- the list -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_table_lists_the_business_requests(
    owner_client, business, pending, approved
):
    foreign = BookingRequestFactory(client_name="Somebody Else")
    response = owner_client.get(url("requests", business), {"status": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Penny Pending" in html and "Andy Approved" in html
    assert foreign.client_name not in html
    assert f'id="request-{pending.pk}"' in html
    assert "2 requests" in html
    assert response["Vary"].count("HX-Request") == 1


@pytest.mark.django_db
def test_a_lapsed_pending_request_shows_as_expired(owner_client, business, lapsed):
    html = owner_client.get(url("requests", business)).content.decode()
    row = html[html.index(f'id="request-{lapsed.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Expired" in row
    assert "Approve" not in row
    assert 'name="ids"' not in row


@pytest.mark.django_db
def test_pending_rows_show_the_time_left(owner_client, business, session):
    BookingRequestFactory(
        session=session,
        status=Status.PENDING,
        expires_at=timezone.now() + timedelta(hours=5, minutes=30, seconds=30),
    )
    html = owner_client.get(url("requests", business)).content.decode()
    assert "5 h 30 min left" in html


@pytest.mark.django_db
def test_htmx_gets_only_the_table(owner_client, business, pending):
    response = owner_client.get(url("requests", business), {"q": "penny"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="requests-table"')
    assert "<html" not in html
    assert "Penny Pending" in html


@pytest.mark.django_db
def test_a_history_restore_gets_the_whole_page(owner_client, business, pending):
    response = owner_client.get(
        url("requests", business), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
    )
    assert "<html" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"status": "pending"}, ["Penny"], ["Andy", "Larry"]),
        ({"status": "expired"}, ["Larry"], ["Penny", "Andy"]),
        ({"status": "approved"}, ["Andy"], ["Penny", "Larry"]),
        ({"q": "andy@"}, ["Andy"], ["Penny", "Larry"]),
        ({"sort": "client"}, ["Andy", "Larry", "Penny"], []),
    ],
)
def test_filters(
    owner_client, business, pending, approved, lapsed, params, shown, hidden
):
    html = owner_client.get(url("requests", business), params).content.decode()
    tbody = html[html.index("<tbody") :]
    for name in shown:
        assert name in tbody
    for name in hidden:
        assert name not in tbody
    positions = [tbody.index(name) for name in shown]
    if params.get("sort"):
        assert positions == sorted(positions)


@pytest.mark.django_db
def test_filter_by_service_and_session_dates(owner_client, business, pending):
    other_service = ServiceFactory(business=business, name="Group")
    later = SessionFactory(
        service=other_service, starts_at=timezone.now() + timedelta(days=10)
    )
    group = BookingRequestFactory(session=later, client_name="Gina Group")
    html = owner_client.get(
        url("requests", business), {"service": other_service.pk}
    ).content.decode()
    assert "Gina Group" in html and "Penny Pending" not in html
    day = later.starts_at.astimezone(business.tz).date().isoformat()
    html = owner_client.get(
        url("requests", business), {"date_from": day, "date_to": day}
    ).content.decode()
    assert group.client_name in html and "Penny Pending" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"status": "bogus"}, "status", "Pick a status from the list."),
        ({"service": "99999"}, "service", "Pick a service from the list."),
        ({"service": "abc"}, "service", "Pick a service from the list."),
        ({"date_from": "31/02/2026"}, "date_from", "Enter a date like 2026-03-30."),
        (
            # Long past: the start date that stays keeps every request, whatever
            # the day the test runs.
            {"date_from": "2000-06-10", "date_to": "2000-06-01"},
            "date_to",
            "The end date must not be before the start.",
        ),
    ],
)
def test_bad_filters_say_so_and_are_ignored(
    owner_client, business, pending, params, field, message
):
    response = owner_client.get(url("requests", business), params)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    assert "Penny Pending" in html  # the bad filter is left out


@pytest.mark.django_db
def test_bad_page_and_sort_values_do_not_break_the_table(
    owner_client, business, pending
):
    for params in ({"page": "abc"}, {"page": "999"}, {"sort": "password"}):
        response = owner_client.get(url("requests", business), params)
        assert response.status_code == 200
        assert "Penny Pending" in response.content.decode()


@pytest.mark.django_db
def test_pagination_keeps_the_filters(owner_client, business, session):
    BookingRequestFactory.create_batch(
        30, session=session, status=Status.APPROVED, client_name="Zed"
    )
    html = owner_client.get(
        url("requests", business), {"status": "approved"}
    ).content.decode()
    assert html.count('name="ids"') == 0
    assert html.count("<tr id=") == 25
    assert "?status=approved&amp;page=2" in html
    page2 = owner_client.get(
        url("requests", business), {"status": "approved", "page": 2}
    )
    assert page2.content.decode().count("<tr id=") == 5


def _seed(session, n):
    services = [ServiceFactory(business=session.business) for _ in range(3)]
    for i in range(n):
        sess = SessionFactory(
            service=services[i % 3],
            starts_at=timezone.now() + timedelta(days=1 + i % 5, hours=i),
        )
        BookingRequestFactory(
            session=sess,
            status=Status.PENDING if i % 2 else Status.APPROVED,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 25])
def test_the_table_query_count_does_not_grow_with_rows(
    owner_client, business, session, rows, django_assert_num_queries
):
    _seed(session, rows)
    everything = {"status": ""}
    owner_client.get(url("requests", business), everything)  # warm the session
    # session, user, membership+business+settings, switcher, waiting (the tabs),
    # services (filter form), count, page of rows
    with django_assert_num_queries(8):
        response = owner_client.get(url("requests", business), everything)
    assert response.content.decode().count("<tr id=") == min(rows, 25)


@pytest.mark.django_db
def test_the_htmx_table_query_count_is_constant(
    owner_client, business, session, django_assert_max_num_queries
):
    _seed(session, 40)
    owner_client.get(url("requests", business), **HTMX)
    # session, user, membership, waiting (the tabs), page of rows; not the services
    # (the filter form is not sent again), nor the count (the waiting one is it)
    with django_assert_max_num_queries(5):
        owner_client.get(url("requests", business), {"status": "pending"}, **HTMX)


def _services_read(captured) -> int:
    return sum('FROM "booking_service"' in q["sql"] for q in captured.captured_queries)


@pytest.mark.django_db
def test_the_filter_form_reads_the_services_only_when_it_needs_them(
    owner_client, business, session, django_assert_num_queries
):
    """Shown (the whole page) or asked to filter by one: the services are read once;
    an HTMX page of the table unfiltered by service does not read them."""
    service = session.service
    BookingRequestFactory(session=session, status=Status.APPROVED)
    owner_client.get(url("requests", business), **HTMX)  # warm the session
    everything = {"status": ""}
    with django_assert_num_queries(6) as captured:
        owner_client.get(url("requests", business), everything, **HTMX)
    assert not _services_read(captured)
    # the whole page: and the switcher
    for asked, headers, queries in (
        (str(service.pk), {}, 8),
        (str(service.pk), HTMX, 7),
        ("", {}, 8),
    ):
        with django_assert_num_queries(queries) as captured:
            response = owner_client.get(
                url("requests", business), {**everything, "service": asked}, **headers
            )
        assert _services_read(captured) == 1
        assert response.status_code == 200
    bad = owner_client.get(url("requests", business), {"service": "999999"})
    assert "Pick a service from the list." in bad.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "counted", "total", "rows"),
    [
        ({}, 1, 3, 3),  # opens on the waiting tab: the tabs' count is the table's
        ({"status": "pending"}, 1, 3, 3),
        ({"status": "pending", "per_page": 2, "page": 2}, 1, 3, 1),
        ({"status": "pending", "q": "Sam"}, 2, 2, 2),  # filtered: counted again
        ({"status": "approved"}, 2, 1, 1),
    ],
)
def test_the_waiting_tab_counts_its_requests_once(
    owner_client,
    business,
    session,
    query,
    counted,
    total,
    rows,
    django_assert_num_queries,
):
    now = timezone.now()
    for name in ("Sam One", "Sam Two", "Kim Three"):
        BookingRequestFactory(
            session=session,
            client_name=name,
            status=Status.PENDING,
            expires_at=now + timedelta(hours=5),
        )
    BookingRequestFactory(  # lapsed: no longer waiting
        session=session, status=Status.PENDING, expires_at=now - timedelta(hours=1)
    )
    BookingRequestFactory(session=session, client_name="Al Approved")
    owner_client.get(url("requests", business))  # warm the session
    # session, user, membership+business+settings, switcher, services (filter
    # form), the page of rows; the waiting count, and the table's count unless
    # they are the same question
    with django_assert_num_queries(6 + counted):
        response = owner_client.get(url("requests", business), query)
    html = response.content.decode()
    plural = "s" if total > 1 else ""
    assert f"data-total>{total} request{plural}</p>" in html
    assert "data-waiting>3</span>" in html
    assert html.count("<tr id=") == rows


# --- approve --------------------------------------------------------------------------


@pytest.mark.django_db
def test_approve_with_htmx_returns_the_updated_row(
    owner_client, owner, business, pending
):
    response = owner_client.post(
        url("request_approve", business, pk=pending.pk),
        {"next": url("requests", business) + "?status=pending"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<tr id="request-{pending.pk}"')
    assert "Approved" in html
    assert (
        'hx-swap-oob="innerHTML"' in html
        and f"Approved {pending.booking_reference}" in html
    )
    assert "%3Fstatus%3Dpending" in html  # the row's links come back to the same list
    pending.refresh_from_db()
    assert pending.status == Status.APPROVED
    assert pending.approved_by == owner
    assert pending.events.get(action="approved").actor == owner


@pytest.mark.django_db
def test_approve_without_javascript_redirects_back(owner_client, business, pending):
    back = url("requests", business) + "?q=penny"
    response = owner_client.post(
        url("request_approve", business, pk=pending.pk), {"next": back}, follow=True
    )
    assert response.redirect_chain == [(back, 302)]
    assert f"Approved {pending.booking_reference}" in response.content.decode()


@pytest.mark.django_db
def test_approve_ignores_an_offsite_next(owner_client, business, pending):
    response = owner_client.post(
        url("request_approve", business, pk=pending.pk), {"next": "https://evil.test/"}
    )
    assert response["Location"] == url("request_detail", business, pk=pending.pk)


@pytest.mark.django_db
def test_approving_a_lapsed_request_is_refused_with_the_rule_message(
    owner_client, business, lapsed
):
    response = owner_client.post(
        url("request_approve", business, pk=lapsed.pk), follow=True
    )
    assert "its hold on the time has lapsed" in response.content.decode()
    lapsed.refresh_from_db()
    assert lapsed.status == Status.PENDING


@pytest.mark.django_db
def test_approving_twice_shows_the_refusal_in_the_row(owner_client, business, approved):
    response = owner_client.post(
        url("request_approve", business, pk=approved.pk), **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "it cannot be approved" in html
    assert 'role="alert"' in html


# --- reject and cancel ----------------------------------------------------------------


@pytest.mark.django_db
def test_reject_form_in_the_dialog(owner_client, business, pending):
    response = owner_client.get(url("request_reject", business, pk=pending.pk), **HTMX)
    html = response.content.decode()
    assert '<h1 id="dialog-title"' in html
    assert f'hx-target="#request-{pending.pk}"' in html
    assert "<html" not in html


@pytest.mark.django_db
def test_reject_page_without_javascript(owner_client, business, pending):
    html = owner_client.get(url("request_reject", business, pk=pending.pk)).content
    assert b"<html" in html and b"hx-post" not in html
    assert b"Reason for the client" in html


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_reject_needs_a_reason(owner_client, business, pending, reason):
    response = owner_client.post(
        url("request_reject", business, pk=pending.pk), {"reason": reason}, **HTMX
    )
    html = response.content.decode()
    assert response["HX-Retarget"] == "#dialog-body"
    assert response["HX-Reswap"] == "innerHTML"
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_reason_helptext id_reason_error"' in html
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


@pytest.mark.django_db
def test_reject_without_a_reason_and_without_javascript(
    owner_client, business, pending
):
    response = owner_client.post(
        url("request_reject", business, pk=pending.pk), {"reason": ""}
    )
    assert response.status_code == 200
    assert "Please give a reason; the client will read it." in response.content.decode()


@pytest.mark.django_db
def test_reject_with_a_reason(owner_client, owner, business, pending):
    response = owner_client.post(
        url("request_reject", business, pk=pending.pk),
        {"reason": "  The pool is closed that day.  "},
        **HTMX,
    )
    assert json.loads(response["HX-Trigger"]) == {"dashboard:close-dialog": {}}
    assert "Rejected" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.REJECTED
    assert pending.rejection_reason == "The pool is closed that day."
    event = pending.events.get(action=BookingEvent.Action.REJECTED)
    assert (event.actor, event.note) == (owner, "The pool is closed that day.")


@pytest.mark.django_db
def test_cancel_an_approved_booking_with_an_optional_message(
    owner_client, business, approved
):
    response = owner_client.post(
        url("request_cancel", business, pk=approved.pk), {"reason": ""}, follow=True
    )
    assert f"Cancelled {approved.booking_reference}" in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == Status.CANCELLED


@pytest.mark.django_db
def test_cancel_message_has_a_limit(owner_client, business, approved):
    response = owner_client.post(
        url("request_cancel", business, pk=approved.pk), {"reason": "x" * 2001}
    )
    assert "Keep the message under 2,000 characters." in response.content.decode()


# --- bulk approve ---------------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_approve(owner_client, business, session, pending, approved, lapsed):
    foreign = BookingRequestFactory(status=Status.PENDING)
    second = BookingRequestFactory(session=session, status=Status.PENDING)
    response = owner_client.post(
        url("requests_bulk_approve", business) + "?status=pending",
        {"ids": [pending.pk, second.pk, lapsed.pk, foreign.pk, "junk"]},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="requests-table"')
    assert "Approved 2 requests." in html
    assert f"{lapsed.booking_reference}: This request has expired" in html
    for booking, status in [
        (pending, Status.APPROVED),
        (second, Status.APPROVED),
        (lapsed, Status.PENDING),
        (foreign, Status.PENDING),
    ]:
        booking.refresh_from_db()
        assert booking.status == status


@pytest.mark.django_db
def test_bulk_approve_without_javascript_and_nothing_selected(owner_client, business):
    response = owner_client.post(url("requests_bulk_approve", business) + "?q=x")
    assert response["Location"] == url("requests", business) + "?q=x"
    page = owner_client.get(response["Location"]).content.decode()
    assert "Select at least one pending request to approve." in page


# --- detail and export ----------------------------------------------------------------


@pytest.mark.django_db
def test_detail_page_shows_the_history(owner_client, owner, business, pending):
    from booking import services

    services.booking_reject(booking_id=pending.pk, actor=owner, reason="Full that day")
    BookingEvent.objects.create(
        booking=pending,
        action="created",
        to_status="pending",
        actor_label="client",
        created_at=pending.created_at,
    )
    html = owner_client.get(url("request_detail", business, pk=pending.pk)).content
    html = html.decode()
    assert "Rejected" in html and "by Olivia" in html
    assert "Requested</strong> by client" in html
    assert "“Full that day”" in html
    assert html.index("Requested</strong>") < html.index("Rejected</strong> by")
    assert "Your answer" not in html  # nothing left to decide


@pytest.mark.django_db
def test_detail_page_offers_the_answers_for_a_pending_request(
    owner_client, business, pending
):
    html = owner_client.get(url("request_detail", business, pk=pending.pk)).content
    assert b"Your answer" in html and b"left)" in html
    assert html.count(b'id="reject_reason"') == 1
    assert html.count(b'id="cancel_reason"') == 1


@pytest.mark.django_db
def test_csv_export_of_the_filtered_list(owner_client, business, pending, approved):
    BookingRequestFactory(
        session=pending.session,
        client_name="=HYPERLINK(1)",
        client_phone="+447700900123",
        client_email="",
        status=Status.APPROVED,
    )
    response = owner_client.get(
        url("requests_export", business), {"status": "approved"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Reference", "Status", "Client name"]
    names = sorted(row[2] for row in rows[1:])
    assert names == ["'=HYPERLINK(1)", "Andy Approved"]
    phone = next(row[4] for row in rows[1:] if row[2].startswith("'="))
    assert phone == "'+447700900123"
    zone = business.tz
    start = pending.session.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    assert all(row[6].startswith(start) for row in rows[1:])


def test_the_link_in_emails_and_notices_opens_the_request(owner_client, business):
    booking = BookingRequestFactory(
        session=SessionFactory(service=ServiceFactory(business=business))
    )
    response = owner_client.get(dashboard_request_url(booking))
    assert response.status_code == 200
    assert booking.booking_reference in response.content.decode()


# --- sizes and dates from the URL are bounded -----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "per_page"),
    [("per_page=1000000", 100), ("per_page=-1", 1), ("per_page=0", 1), ("", 25)],
)
def test_the_page_size_is_held_to_its_bounds(
    owner_client, business, pending, query, per_page
):
    response = owner_client.get(url("requests", business) + "?" + query)
    assert response.status_code == 200
    assert response.context["table"].paginator.per_page == per_page
    assert "Penny Pending" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "date_to=9999-12-31",
        "date_from=0001-01-01",
        "date_from=0001-01-01&date_to=9999-12-31",
    ],
)
@pytest.mark.parametrize("view", ["requests", "requests_export"])
def test_dates_out_of_range_are_refused_with_a_message(
    owner_client, business, pending, query, view
):
    response = owner_client.get(url(view, business) + "?" + query)
    assert response.status_code == 200
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    if view == "requests":
        assert "Enter a date between 1900-01-01 and 9998-12-31." in body.decode()
    assert "Penny Pending" in body.decode()  # the bad filter is left out


# --- waiting for an answer first ------------------------------------------------------


@pytest.mark.django_db
def test_the_page_opens_on_the_requests_waiting_for_an_answer(
    owner_client, business, session, approved
):
    now = timezone.now()
    later = BookingRequestFactory(
        session=session,
        client_name="Lou Later",
        status=Status.PENDING,
        expires_at=now + timedelta(hours=20),
    )
    sooner = BookingRequestFactory(
        session=session,
        client_name="Sue Sooner",
        status=Status.PENDING,
        expires_at=now + timedelta(hours=2),
    )
    html = owner_client.get(url("requests", business)).content.decode()
    tabs = html[
        html.index('id="request-tabs"') : html.index(
            "</nav>", html.index('id="request-tabs"')
        )
    ]
    assert 'aria-current="page">Waiting for your answer' in tabs
    assert "data-waiting>2</span>" in tabs
    table = html[html.index('id="requests-table"') :]
    assert "Andy Approved" not in table
    # The one to expire first on top.
    assert table.index(f'id="request-{sooner.pk}"') < table.index(
        f'id="request-{later.pk}"'
    )
    everything = owner_client.get(url("requests", business), {"status": ""})
    html = everything.content.decode()
    assert "Andy Approved" in html and "Sue Sooner" in html
    assert 'aria-current="page">All requests' in html


@pytest.mark.django_db
def test_with_nothing_waiting_the_page_shows_every_request(
    owner_client, business, approved
):
    html = owner_client.get(url("requests", business)).content.decode()
    assert "Andy Approved" in html
    assert "data-waiting>0</span>" in html
    assert 'aria-current="page">All requests' in html
    waiting = owner_client.get(url("requests", business), {"status": "pending"})
    assert "Nothing is waiting for your answer." in waiting.content.decode()


@pytest.mark.django_db
def test_filtering_with_htmx_updates_the_tabs(
    owner_client, business, pending, approved
):
    response = owner_client.get(
        url("requests", business), {"status": "approved"}, **HTMX
    )
    html = response.content.decode()
    assert 'aria-label="Which requests" hx-swap-oob="true">' in html
    assert 'aria-current="page"' not in html[: html.index("</nav>")]
