"""What owners meet on home, sessions and the session forms (issue 15): when booking
closes, who is booked, sessions still to come today, one action per card, "Get
started" to the end, and no dead end for a business without services.

The clock is frozen (time_machine) on a June day in London (BST, UTC+1).
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import time_machine

from booking.models import Business, Service
from tests.conftest import HTMX
from tests.dashboard.conftest import url
from tests.factories import BookingRequestFactory, ServiceFactory, SessionFactory

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # Wednesday 13:00 in London


def local(hour: int, minute: int = 0, days: int = 0) -> datetime:
    """An instant at a London wall-clock time, ``days`` after NOW's date (BST)."""
    day = NOW.date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour - 1, minute, tzinfo=UTC)


@pytest.fixture
def frozen():
    """The clock at NOW; first in a test's arguments, so the owner signs in at NOW
    (a login made at another instant could look expired or not yet made)."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lesson(business):
    business.booking_settings.min_advance_booking_hours = 2
    business.booking_settings.save()
    return ServiceFactory(business=business, name="Private Lesson", capacity=3)


def card(html: str, session) -> str:
    start = html.index(f'id="session-{session.pk}"')
    return html[start : html.index("</article>", start)]


@pytest.mark.django_db
def test_home_counts_the_sessions_still_to_come_today(
    frozen, owner_client, business, lesson
):
    SessionFactory(service=lesson, starts_at=local(9))  # over
    SessionFactory(service=lesson, starts_at=local(16))
    SessionFactory(service=lesson, starts_at=local(18))
    SessionFactory(service=lesson, starts_at=local(20), cancelled_at=NOW)
    html = owner_client.get(url("home", business)).content.decode()
    assert '<p class="display-6 mb-1" data-to-come>2</p>' in html
    assert "Of 4 today." in html


@pytest.mark.django_db
def test_each_session_says_when_booking_closes(frozen, owner_client, business, lesson):
    soon = SessionFactory(service=lesson, starts_at=local(16), booking_deadline_hours=0)
    closed = SessionFactory(
        service=lesson, starts_at=local(14, 30), booking_deadline_hours=0
    )
    own = SessionFactory(
        service=lesson, starts_at=local(19, days=1), booking_deadline_hours=24
    )
    far = SessionFactory(service=lesson, starts_at=local(9, days=40))
    home = owner_client.get(url("home", business)).content.decode()
    # 16:00 with 2 h notice closes at 14:00: in 1 h.
    assert 'data-window="open"' in card(home, soon)
    assert "Booking closes in 1 h</time>" in card(home, soon)
    assert "Booking closed</time>" in card(home, closed)
    # Its own deadline (24 h) is longer than the notice: tomorrow 19:00 closes today
    # 19:00, in 6 h.
    assert "Booking closes in 6 h</time>" in card(home, own)
    week = owner_client.get(url("sessions", business), {"view": "list"})
    listed = week.content.decode()
    assert "Booking opens Sat 20 Jun</time>" in card(listed, far)
    assert "Booking closes in 1 h</time>" in card(listed, soon)


@pytest.mark.django_db
def test_a_session_card_has_one_action_and_a_menu(
    frozen, owner_client, business, lesson
):
    session = SessionFactory(service=lesson, starts_at=local(18))
    html = card(owner_client.get(url("home", business)).content.decode(), session)
    primary, menu = html.split('<details class="action-menu" data-menu>')
    assert primary.count('class="btn') == 1 and ">Add a client<" in primary
    assert "<summary" in menu and "More<" in menu
    for action in ("Edit session", "Close online booking", "Cancel session"):
        assert action in menu
    assert f'data-refocus="#session-{session.pk} summary"' in menu


@pytest.mark.django_db
def test_the_sessions_show_who_is_booked(frozen, owner_client, business, lesson):
    session = SessionFactory(service=lesson, starts_at=local(18, days=1))
    empty = SessionFactory(service=lesson, starts_at=local(9, days=2))
    BookingRequestFactory(session=session, client_name="Ada Lovelace")
    BookingRequestFactory(session=session, client_name="Bo Pending", status="pending")
    for params in ({}, {"view": "list"}):
        html = owner_client.get(url("sessions", business), params).content.decode()
        assert "Ada Lovelace" in card(html, session)
        assert "Bo Pending" in card(html, session)
        assert "Nobody booked yet." in card(html, empty)


@pytest.mark.django_db
def test_the_week_is_laid_out_as_a_calendar_grid(
    frozen, owner_client, business, lesson
):
    morning = SessionFactory(service=lesson, starts_at=local(9, days=1))
    evening = SessionFactory(service=lesson, starts_at=local(18, days=1))
    late = SessionFactory(service=lesson, starts_at=local(18, 30, days=2))
    html = owner_client.get(url("sessions", business)).content.decode()
    # Two rows: the hours any session starts in (09, 18), shared by every day.
    assert '<div class="week week--rows-2">' in html
    assert '<span class="week-hour week-row-1">09:00</span>' in html
    assert '<span class="week-hour week-row-2">18:00</span>' in html

    def row_of(session) -> str:
        start = html.rindex(
            '<div class="week-cell', 0, html.index(f'id="session-{session.pk}"')
        )
        return html[start : start + 40]

    assert "week-row-1" in row_of(morning)
    assert "week-row-2" in row_of(evening) and "week-row-2" in row_of(late)


@pytest.mark.django_db
def test_the_session_form_starts_at_the_minimum_notice_and_explains_it(
    frozen, owner_client, business, lesson
):
    html = owner_client.get(url("session_new", business)).content.decode()
    assert 'name="booking_deadline_hours" value="2"' in html
    assert "or earlier if your minimum notice (2 h, in Settings) is longer" in html
    series = owner_client.get(url("series_new", business)).content.decode()
    assert 'name="booking_deadline_hours" value="2"' in series
    session = SessionFactory(
        service=lesson, starts_at=local(18, days=1), booking_deadline_hours=24
    )
    edit = owner_client.get(url("session_edit", business, pk=session.pk))
    assert "Booking closes in 5 h" in edit.content.decode()


# --- no dead end: a session needs a service -----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["session_new", "series_new"])
def test_without_services_adding_a_session_sends_to_add_one(
    owner_client, business, name
):
    response = owner_client.get(url(name, business), {"day": "2030-01-02"})
    back = f"{url(name, business)}?day=2030-01-02"
    assert (
        response["Location"]
        == f"{url('service_new', business)}?next={quote(back, safe='')}"
    )
    form = owner_client.get(response["Location"]).content.decode()
    assert "First add a service" in form
    assert f'name="next" value="{back}"' in form.replace("&amp;", "&")


@pytest.mark.django_db
def test_after_saving_the_service_the_owner_is_back_with_it_chosen(
    owner_client, business
):
    back = url("session_new", business) + "?day=2030-01-02"
    response = owner_client.post(
        url("service_new", business),
        {
            "name": "Yoga",
            "duration_minutes": "60",
            "capacity": "8",
            "price": "12",
            "is_active": "on",
            "next": back,
        },
    )
    service = Service.objects.get(business=business)
    assert response["Location"] == f"{back}&service={service.pk}"
    html = owner_client.get(response["Location"]).content.decode()
    assert f'<option value="{service.pk}" selected>Yoga</option>' in html
    assert 'value="2030-01-02"' in html


@pytest.mark.django_db
def test_an_offsite_next_is_ignored(owner_client, business):
    response = owner_client.post(
        url("service_new", business),
        {
            "name": "Yoga",
            "duration_minutes": "60",
            "capacity": "8",
            "price": "12",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == url("home", business) + "#get-started"


@pytest.mark.django_db
def test_staff_are_told_to_ask_an_owner(staff_client, business):
    response = staff_client.get(url("session_new", business))
    assert response.status_code == 200
    assert "Ask an owner of Swim School Pro to add a service first" in (
        response.content.decode()
    )


# --- Get started --------------------------------------------------------------------


@pytest.mark.django_db
def test_get_started_ticks_each_step_and_ends_with_the_link_shared(
    owner_client, business, lesson
):
    html = owner_client.get(url("home", business)).content.decode()
    assert (
        'class="done"><span class="visually-hidden">Done: </span>Services are ready.'
        in html
    )
    assert url("series_new", business) in html  # sessions: not yet
    assert "I have shared my link" in html
    SessionFactory(service=lesson)
    response = owner_client.post(url("link_shared", business), follow=True)
    page = response.content.decode()
    assert "you are all set, clients can book now" in page
    assert 'id="get-started"' not in page  # done: the list steps aside
    assert Business.objects.get(pk=business.pk).link_shared_at is not None


@pytest.mark.django_db
def test_copying_the_link_ticks_the_last_step_in_place(owner_client, business, lesson):
    home = owner_client.get(url("home", business)).content.decode()
    button = home[
        home.index('data-copy="#booking-link"') - 80 : home.index(">Copy link<")
    ]
    assert f'hx-post="{url("link_shared", business)}" hx-trigger="copied"' in button
    assert 'hx-target="#get-started"' in button
    response = owner_client.post(url("link_shared", business), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="get-started"')
    assert "Your booking link was shared on" in html
    assert "you are all set" in html
    link_page = owner_client.get(url("link", business)).content.decode()
    assert 'hx-trigger="copied" hx-swap="none"' in link_page


@pytest.mark.django_db
def test_a_new_service_returns_to_get_started(owner_client, business):
    response = owner_client.post(
        url("service_new", business),
        {"name": "Yoga", "duration_minutes": "60", "capacity": "8", "price": "12"},
    )
    assert response["Location"] == url("home", business) + "#get-started"
