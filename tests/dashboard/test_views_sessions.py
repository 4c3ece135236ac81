"""Sessions: week and list views, one session, series, edit, cancel, toggle."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from booking.models import BookingEvent, BookingRequest, Session
from booking.scheduling import resolve_local_start
from tests.conftest import HTMX
from tests.dashboard.conftest import url
from tests.factories import ServiceFactory, SessionFactory

Status = BookingRequest.Status


def next_weekday(weekday: int, after: date) -> date:
    return after + timedelta(days=(weekday - after.weekday()) % 7 or 7)


def local_today(business):
    return timezone.now().astimezone(business.tz).date()


# --- week and list --------------------------------------------------------------------


@pytest.mark.django_db
def test_week_view_groups_sessions_by_local_day(owner_client, service):
    business = service.business
    business.timezone = "Asia/Tokyo"
    business.save()
    # 23:30 UTC on Sunday 29 March 2026 is Monday 30 March, 08:30 in Tokyo.
    SessionFactory(service=service, starts_at=datetime(2026, 3, 29, 23, 30, tzinfo=UTC))
    html = owner_client.get(url("sessions", business), {"week": "2026-03-31"}).content
    html = html.decode()
    monday = html[html.index('aria-label="Monday 30 March"') :]
    monday = monday[: monday.index("</section>")]
    assert "08:30–09:30" in monday and "JST" in monday
    assert "30 Mar – 5 Apr 2026" in html
    assert "?week=2026-03-23" in html and "?week=2026-04-06" in html


@pytest.mark.django_db
def test_week_view_across_the_clock_change_keeps_local_times(owner_client, service):
    business = service.business  # Europe/London
    for day in (date(2026, 3, 27), date(2026, 3, 30)):
        start = resolve_local_start(day, time(18), business.tz).starts_at
        SessionFactory(service=service, starts_at=start)
    for week, zone in (("2026-03-27", "GMT"), ("2026-03-30", "BST")):
        html = owner_client.get(url("sessions", business), {"week": week}).content
        assert re.search(rf"18:00–19:00</strong>\s*<span[^>]*>{zone}<", html.decode())


@pytest.mark.django_db
def test_week_navigation_with_htmx_returns_the_calendar(owner_client, business):
    response = owner_client.get(url("sessions", business), {"week": "junk"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="calendar"')
    assert "<html" not in html


@pytest.mark.django_db
def test_list_view_shows_upcoming_sessions(owner_client, business, session):
    SessionFactory(
        service=session.service, starts_at=timezone.now() - timedelta(days=2)
    )
    html = owner_client.get(
        url("sessions", business), {"view": "list"}
    ).content.decode()
    assert html.count('class="card session-card') == 1


# --- one session ----------------------------------------------------------------------


@pytest.mark.django_db
def test_create_one_session_in_the_business_zone(owner_client, business, service):
    day = local_today(business) + timedelta(days=5)
    response = owner_client.post(
        url("session_new", business),
        {
            "service": service.pk,
            "day": day.isoformat(),
            "start_time": "09:15",
            "capacity": "",
            "booking_deadline_hours": "12",
            "is_bookable": "on",
        },
        follow=True,
    )
    assert "Session added: Private Lesson." in response.content.decode()
    session = Session.objects.get()
    local = session.starts_at.astimezone(business.tz)
    assert (local.date(), local.time()) == (day, time(9, 15))
    assert session.capacity == service.capacity
    assert session.booking_deadline_hours == 12


@pytest.mark.django_db
def test_the_add_form_starts_on_the_day_clicked(owner_client, business, service):
    html = owner_client.get(url("session_new", business), {"day": "2030-01-02"}).content
    assert b'value="2030-01-02"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"service": ""}, "service", "Choose a service."),
        ({"service": "999999"}, "service", "Choose one of your active services."),
        ({"day": "2020-01-01"}, "day", "Pick today or a later date."),
        ({"day": "someday"}, "day", "Enter a date like"),
        ({"start_time": "25:00"}, "start_time", "Enter a time like 18:00."),
        ({"start_time": ""}, "start_time", "Pick a start time."),
        ({"capacity": "0"}, "capacity", "from 1 to 1000"),
        ({"booking_deadline_hours": "721"}, "booking_deadline_hours", "from 0 to 720"),
    ],
)
def test_session_bad_input(owner_client, business, service, changes, field, message):
    data = {
        "service": service.pk,
        "day": (local_today(business) + timedelta(days=1)).isoformat(),
        "start_time": "10:00",
        "booking_deadline_hours": "24",
        **changes,
    }
    response = owner_client.post(url("session_new", business), data)
    html = response.content.decode()
    assert message in html and f'id="id_{field}_error"' in html
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_another_business_service_cannot_be_used(
    owner_client, business, service, other_business
):
    foreign = ServiceFactory(business=other_business)
    response = owner_client.post(
        url("session_new", business),
        {
            "service": foreign.pk,
            "day": (local_today(business) + timedelta(days=1)).isoformat(),
            "start_time": "10:00",
            "booking_deadline_hours": "24",
        },
    )
    assert "Choose one of your active services." in response.content.decode()


@pytest.mark.django_db
def test_edit_a_session(owner_client, business, session):
    local = session.starts_at.astimezone(business.tz)
    response = owner_client.post(
        url("session_edit", business, pk=session.pk),
        {
            "day": local.date().isoformat(),
            "start_time": "07:45",
            "capacity": "3",
            "booking_deadline_hours": "4",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at.astimezone(business.tz).time() == time(7, 45)
    assert (session.capacity, session.is_bookable) == (3, False)


@pytest.mark.django_db
def test_moving_a_booked_session_is_refused_with_the_reason(
    owner_client, business, session, approved
):
    local = session.starts_at.astimezone(business.tz) + timedelta(hours=1)
    response = owner_client.post(
        url("session_edit", business, pk=session.pk),
        {
            "day": local.date().isoformat(),
            "start_time": local.strftime("%H:%M"),
            "capacity": "2",
            "booking_deadline_hours": "0",
            "is_bookable": "on",
        },
    )
    assert "its time cannot change" in response.content.decode()


# --- cancel and toggle ----------------------------------------------------------------


@pytest.mark.django_db
def test_cancel_asks_first_and_lists_the_clients(
    owner_client, business, session, approved
):
    html = owner_client.get(url("session_cancel", business, pk=session.pk)).content
    assert (
        b"Andy Approved" in html and b"Yes, cancel the session and its bookings" in html
    )
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED


@pytest.mark.django_db
def test_cancel_a_session_cancels_its_bookings(
    owner_client, owner, business, session, approved, pending
):
    response = owner_client.post(
        url("session_cancel", business, pk=session.pk),
        {"reason": "The pool is closed."},
        follow=True,
    )
    assert (
        "2 bookings were cancelled and the clients are told."
        in response.content.decode()
    )
    session.refresh_from_db()
    assert session.cancelled_at and not session.is_bookable
    for booking in (approved, pending):
        booking.refresh_from_db()
        assert booking.status == Status.CANCELLED
        assert booking.events.get(action=BookingEvent.Action.CANCELLED).actor == owner
    again = owner_client.post(
        url("session_cancel", business, pk=session.pk), follow=True
    )
    assert "This session is cancelled" in again.content.decode()
    assert (
        b"was cancelled on"
        in owner_client.get(url("session_cancel", business, pk=session.pk)).content
    )


@pytest.mark.django_db
def test_cancel_an_empty_session(owner_client, business, session):
    response = owner_client.post(
        url("session_cancel", business, pk=session.pk), follow=True
    )
    assert "Session cancelled." in response.content.decode()


@pytest.mark.django_db
def test_toggle_bookable_with_htmx_returns_the_card(owner_client, business, session):
    response = owner_client.post(
        url("session_bookable", business, pk=session.pk), {"bookable": "0"}, **HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article id="session-{session.pk}"')
    assert "Closed online" in html and "Open online booking" in html
    assert "Session closed for online booking" in html  # the message, out of band
    session.refresh_from_db()
    assert not session.is_bookable


@pytest.mark.django_db
def test_the_redrawn_card_keeps_its_callers_options(
    owner_client, business, session, pending, approved
):
    """The home page shows clients, the list view dates: a toggle keeps them."""
    back = url("sessions", business) + "?view=list"
    plain = owner_client.post(
        url("session_bookable", business, pk=session.pk),
        {"bookable": "0", "next": back},
        **HTMX,
    ).content.decode()
    assert "Penny Pending" not in plain and " · " not in plain
    assert f'name="next" value="{back}"' in plain
    html = owner_client.post(
        url("session_bookable", business, pk=session.pk),
        {"bookable": "1", "next": back, "show_clients": "1", "show_date": "1"},
        **HTMX,
    ).content.decode()
    day = session.starts_at.astimezone(business.tz).strftime("%a %-d %b")
    assert f" · {day}" in html
    assert html.index("Andy Approved") < html.index("Penny Pending")
    assert 'data-status="pending">Pending</span>' in html
    assert 'name="show_clients" value="1"' in html
    assert 'name="show_date" value="1"' in html
    assert f'name="next" value="{back}"' in html


@pytest.mark.django_db
def test_toggle_bookable_without_javascript(owner_client, business, session):
    back = url("sessions", business) + "?week=2030-01-07"
    response = owner_client.post(
        url("session_bookable", business, pk=session.pk),
        {"bookable": "0", "next": back},
    )
    assert response["Location"] == back


@pytest.mark.django_db
def test_a_cancelled_session_cannot_be_reopened(owner_client, business, session):
    Session.objects.filter(pk=session.pk).update(cancelled_at=timezone.now())
    response = owner_client.post(
        url("session_bookable", business, pk=session.pk), {"bookable": "1"}, follow=True
    )
    assert "This session is cancelled" in response.content.decode()


# --- recurring series -----------------------------------------------------------------


def series_data(business, svc, **changes):
    first = next_weekday(0, local_today(business))
    return {
        "service": svc.pk,
        "weekdays": ["0", "2"],
        "start_time": "18:00",
        "first_date": first.isoformat(),
        "last_date": (first + timedelta(days=13)).isoformat(),
        "booking_deadline_hours": "24",
        "is_bookable": "on",
        **changes,
    }


@pytest.mark.django_db
def test_series_preview_with_htmx(owner_client, business, service):
    response = owner_client.get(
        url("series_preview", business), series_data(business, service), **HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="series-preview"')
    assert "<strong>4</strong> sessions will be created." in html
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_series_preview_lists_problems(owner_client, business, service):
    response = owner_client.get(
        url("series_preview", business),
        series_data(business, service, weekdays=[]),
        **HTMX,
    )
    assert "Pick at least one day of the week." in response.content.decode()


@pytest.mark.django_db
def test_series_preview_without_javascript(owner_client, business, service):
    response = owner_client.post(
        url("series_new", business), {**series_data(business, service), "preview": "1"}
    )
    assert "<strong>4</strong> sessions will be created." in response.content.decode()
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_create_a_series(owner_client, business, service):
    data = series_data(business, service, capacity="5")
    response = owner_client.post(url("series_new", business), data, follow=True)
    assert "Created 4 sessions of Private Lesson." in response.content.decode()
    sessions = list(Session.objects.order_by("starts_at"))
    assert [s.starts_at.astimezone(business.tz).weekday() for s in sessions] == [
        0,
        2,
        0,
        2,
    ]
    assert {s.starts_at.astimezone(business.tz).time() for s in sessions} == {time(18)}
    assert {s.capacity for s in sessions} == {5}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weekdays": []}, "Pick at least one day of the week."),
        ({"weekdays": ["9"]}, "Pick days from Monday to Sunday."),
        ({"first_date": "2020-01-06"}, "Start today or later."),
        ({"last_date": "2020-01-01"}, "The last date must not be before the first."),
        ({"start_time": "6pm"}, "Enter a time like 18:00."),
        ({"service": ""}, "Choose a service."),
    ],
)
def test_series_bad_input(owner_client, business, service, changes, message):
    response = owner_client.post(
        url("series_new", business), series_data(business, service, **changes)
    )
    assert message in response.content.decode()
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_series_longer_than_a_year_is_refused(owner_client, business, service):
    data = series_data(business, service)
    first = date.fromisoformat(data["first_date"])
    data["last_date"] = (first + timedelta(days=400)).isoformat()
    response = owner_client.post(url("series_new", business), data)
    assert "A series can span at most 366 days" in response.content.decode()


@pytest.mark.django_db
def test_series_that_creates_nothing_says_why(owner_client, business, service):
    data = series_data(business, service)
    owner_client.post(url("series_new", business), data)
    response = owner_client.post(url("series_new", business), data)
    assert "This series would create no new sessions" in response.content.decode()
    assert Session.objects.count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"capacity": ""}, "capacity", "from 1 to 1000"),
        ({"day": ""}, "day", "Pick a date."),
        ({"booking_deadline_hours": "-1"}, "booking_deadline_hours", "from 0 to 720"),
    ],
)
def test_edit_session_bad_input(
    owner_client, business, session, changes, field, message
):
    local = session.starts_at.astimezone(business.tz)
    data = {
        "day": local.date().isoformat(),
        "start_time": local.strftime("%H:%M"),
        "capacity": "2",
        "booking_deadline_hours": "0",
        **changes,
    }
    response = owner_client.post(url("session_edit", business, pk=session.pk), data)
    html = response.content.decode()
    assert message in html and f'id="id_{field}_error"' in html
    session.refresh_from_db()
    assert session.capacity == 2 and session.is_bookable


@pytest.mark.django_db
def test_cancel_session_message_has_a_limit(owner_client, business, session, approved):
    response = owner_client.post(
        url("session_cancel", business, pk=session.pk), {"reason": "x" * 2001}
    )
    assert "Keep the message under 2,000 characters." in response.content.decode()
    session.refresh_from_db()
    assert session.cancelled_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("week", "monday"),
    [("0001-01-01", "1900-01-01"), ("9999-12-31", "9998-12-28")],
)
def test_a_week_out_of_range_is_brought_back_inside(
    owner_client, business, week, monday
):
    response = owner_client.get(url("sessions", business), {"week": week})
    assert response.status_code == 200
    assert response.context["monday"].isoformat() == monday


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_day_out_of_range_is_refused_with_a_message(
    owner_client, business, service, day
):
    business.timezone = "America/Los_Angeles"
    business.save()
    data = {
        "service": service.pk,
        "day": day,
        "start_time": "23:30",
        "booking_deadline_hours": "24",
    }
    created = owner_client.post(url("session_new", business), data)
    series = owner_client.post(
        url("series_new", business),
        series_data(business, service, first_date=day, last_date=day),
    )
    for response in (created, series):
        assert response.status_code == 200
        assert "Enter a date between 1900-01-01 and 9998-12-31." in (
            response.content.decode()
        )
    assert not Session.objects.exists()
    new = owner_client.get(url("session_new", business), {"day": day})
    assert new.status_code == 200
