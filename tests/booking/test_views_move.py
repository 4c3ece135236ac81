"""The client moves their booking from its private page: week → confirm → moved.

Also in the widget, without JavaScript (plain links and posts) and with HTMX
fragments; refusals answer with the refreshed week; double submits are idempotent.
"""

import threading
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking.models import BookingEvent, BookingRequest
from tests.booking.views_helpers import TOKEN_RE, local_at, text
from tests.conftest import HTMX, requires_postgres
from tests.factories import (
    BookingRequestFactory,
    BusinessFactory,
    ServiceFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db
Status = BookingRequest.Status
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


@pytest.fixture
def lesson(business):
    return ServiceFactory(business=business, name="Private Lesson", capacity=1)


@pytest.fixture
def booking(business, lesson):
    """Ada's lesson at 09:00 London in three days, booked from Tokyo."""
    return BookingRequestFactory(
        session=SessionFactory(service=lesson, starts_at=local_at(business, 3, 9)),
        client_name="Ada Lovelace",
        client_email="ada@example.com",
        client_timezone="Asia/Tokyo",
    )


@pytest.fixture
def later(business, lesson):
    """The same lesson at 11:00 London, the day after."""
    return SessionFactory(service=lesson, starts_at=local_at(business, 4, 11))


def move_url(booking, *, embed=False, **query) -> str:
    name = "booking:embed_move" if embed else "booking:move"
    url = reverse(name, args=[booking.access_token])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def confirm_url(booking, session, *, embed=False) -> str:
    name = "booking:embed_move_confirm" if embed else "booking:move_confirm"
    return reverse(name, args=[booking.access_token, session.pk])


def manage_url(booking, *, embed=False) -> str:
    name = "booking:embed_manage" if embed else "booking:manage"
    return reverse(name, args=[booking.access_token])


def form_token(client, booking, session, *, embed=False) -> str:
    response = client.get(confirm_url(booking, session, embed=embed))
    assert response.status_code == 200, text(response)[:500]
    return TOKEN_RE.search(response.content.decode()).group(1)


def confirm(client, booking, session, *, token=None, embed=False):
    token = (
        form_token(client, booking, session, embed=embed) if token is None else token
    )
    return client.post(confirm_url(booking, session, embed=embed), {"token": token})


def test_the_booking_page_offers_to_change_time(client, booking):
    page = text(client.get(manage_url(booking)))
    assert f'href="{move_url(booking, tz="Asia/Tokyo")}"'.replace(
        "/", "/"
    ) in page.replace("%2F", "/")
    assert ">Change time</a>" in page


def test_the_week_marks_the_current_time_and_links_the_others(
    client, business, booking, later
):
    response = client.get(move_url(booking))

    page = text(response)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "Choose a new time" in page and booking.booking_reference in page
    # Shown in the client's zone (Tokyo), with the business's time too.
    current = booking.session.starts_at.astimezone(TOKYO)
    assert f"{current:%H:%M}</time>–" in page and "Asia/Tokyo (JST)" in page
    assert 'class="slot slot--current" aria-current="true"' in page
    assert "your current time" in page
    assert f'href="{confirm_url(booking, later)}?tz=Asia%2FTokyo"' in page
    assert 'aria-current="step"' not in page  # no booking-steps progress bar


def test_the_own_spot_does_not_hide_a_time_next_to_it(client, business, booking):
    close = SessionFactory(
        service=booking.session.service,
        starts_at=booking.session.ends_at + timedelta(minutes=10),
    )
    week = reverse("booking:week", args=[business.slug, booking.session.service_id])
    start = booking.session.starts_at.astimezone(business.tz).date().isoformat()

    assert f"/time/{close.pk}/" not in text(client.get(f"{week}?start={start}"))
    assert confirm_url(booking, close) in text(client.get(move_url(booking)))


def test_confirm_shows_from_and_to_then_moves(client, business, booking, later):
    page = text(client.get(confirm_url(booking, later)))
    assert "Move your booking?" in page
    assert "From" in page and "To" in page
    assert f"{later.starts_at.astimezone(TOKYO):%H:%M}</time>" in page
    assert "Move to this time" in page

    response = confirm(client, booking, later)

    assert response.status_code == 303
    assert response["Location"] == manage_url(booking) + "?moved=1&tz=Asia%2FTokyo"
    booking.refresh_from_db()
    assert (booking.session, booking.status, booking.sequence) == (
        later,
        Status.APPROVED,
        1,
    )
    page = text(client.get(response["Location"]))
    assert "Your booking has moved" in page
    assert not response.cookies and not client.cookies


def test_a_double_submit_moves_once_and_answers_the_same(client, booking, later):
    token = form_token(client, booking, later)

    first = confirm(client, booking, later, token=token)
    second = confirm(client, booking, later, token=token)

    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert booking.events.filter(action=BookingEvent.Action.MOVED).count() == 1


def test_a_forged_or_foreign_token_is_refused(client, booking, later, lesson):
    other = SessionFactory(
        service=lesson, starts_at=later.starts_at + timedelta(days=1)
    )
    token = form_token(client, booking, other)

    response = confirm(client, booking, later, token=token)

    assert response.status_code == 400
    assert "This form belongs to another time" in text(response)
    assert 'name="token"' in text(response)  # a fresh form to try again
    booking.refresh_from_db()
    assert booking.session != later


def test_a_time_taken_meanwhile_answers_with_the_refreshed_week(
    client, business, booking, later
):
    token = form_token(client, booking, later)
    BookingRequestFactory(session=later)  # someone else took it

    response = confirm(client, booking, later, token=token)

    page = text(response)
    assert response.status_code == 409
    assert "That time was just taken" in page
    assert "Your booking keeps its current time" in page
    assert "Choose a new time" in page
    assert f'class="slot" href="{confirm_url(booking, later)}' not in page
    assert 'class="slot" href="' not in page  # nothing else is open
    booking.refresh_from_db()
    assert booking.session != later


def test_a_client_whose_business_needs_approval_asks_to_move(
    client, business, booking, later
):
    business.booking_settings.requires_approval = True
    business.booking_settings.save()

    page = text(client.get(confirm_url(booking, later)))
    assert "Ask to move your booking?" in page
    assert "keeps its current time" in page

    response = confirm(client, booking, later)

    booking.refresh_from_db()
    assert (booking.move_to, booking.session) == (later, booking.session)
    page = text(client.get(response["Location"]))
    assert "Change of time requested" in page
    assert "You asked to move this booking to" in page
    assert ">Change time</a>" not in page  # one waiting move at a time
    page = text(client.get(move_url(booking)))
    assert "You have already asked to move this booking" in page


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"allow_client_reschedule": False}, "does not take changes of time online"),
        ({"reschedule_notice_hours": 96}, "until 96 hours before the session"),
    ],
)
def test_when_moving_is_not_possible_the_page_says_why(
    client, business, booking, later, values, expected
):
    for name, value in values.items():
        setattr(business.booking_settings, name, value)
    business.booking_settings.save()

    assert ">Change time</a>" not in text(client.get(manage_url(booking)))
    page = text(client.get(move_url(booking)))
    assert expected in page
    assert confirm_url(booking, later) not in page
    response = confirm(client, booking, later, token="whatever")
    assert response.status_code == 400  # the token is checked first
    page = text(client.get(confirm_url(booking, later)))
    assert expected in page


def test_a_cancelled_booking_cannot_move(client, booking, later):
    booking.status = Status.CANCELLED
    booking.save()
    page = text(client.get(move_url(booking)))
    assert "no longer holds a time" in page


def test_unknown_sessions_and_tokens_are_404(client, booking, other_business):
    elsewhere = SessionFactory(service=ServiceFactory(business=other_business))
    assert client.get(confirm_url(booking, elsewhere)).status_code == 404
    assert client.get(reverse("booking:move", args=["nope"])).status_code == 404


def test_htmx_gets_the_step_fragment(client, booking, later):
    response = client.get(confirm_url(booking, later), **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith("<title>")
    assert '<section id="step"' in body and "<html" not in body
    assert response["HX-Push-Url"] == confirm_url(booking, later)


def test_the_widget_moves_inside_the_frame(client, business, booking, later):
    page = text(client.get(move_url(booking, embed=True)))
    assert confirm_url(booking, later, embed=True) in page
    assert 'class="booking is-embed"' in page

    response = confirm(client, booking, later, embed=True)

    assert response["Location"].startswith(manage_url(booking, embed=True) + "?moved=1")
    frame = client.get(confirm_url(booking, later, embed=True))
    assert "frame-ancestors 'self'" in frame["Content-Security-Policy"]


# On a Wednesday (weeks run Wednesday to Tuesday): the days either side of 28 March
# 2027's change fall in one week, whatever day the suite runs.
@time_machine.travel(datetime(2027, 3, 10, 12, tzinfo=UTC), tick=False)
def test_the_move_week_across_a_clock_change_keeps_wall_clock_times(client, business):
    business.booking_settings.max_advance_booking_days = 365
    business.booking_settings.save()
    zone = business.tz
    moment = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(
        days=2
    )
    offset = moment.astimezone(zone).utcoffset()
    while moment.astimezone(zone).utcoffset() == offset:
        moment += timedelta(hours=1)
    day_after = moment.astimezone(zone).date() + timedelta(days=1)
    day_before = day_after - timedelta(days=2)
    lesson = ServiceFactory(business=business, capacity=1)
    before, after = (
        SessionFactory(
            service=lesson,
            starts_at=datetime(d.year, d.month, d.day, 9, tzinfo=zone),
        )
        for d in (day_before, day_after)
    )
    booking = BookingRequestFactory(session=before)

    page = text(client.get(move_url(booking, start=day_before.isoformat())))

    assert {before.starts_at.tzname(), after.starts_at.tzname()} == {"GMT", "BST"}
    for session in (before, after):
        assert f'<time datetime="{session.starts_at.isoformat()}">09:00</time>' in page
    assert f'href="{confirm_url(booking, after)}"' in page


def test_the_week_costs_a_fixed_number_of_queries(
    client, booking, lesson, django_assert_max_num_queries
):
    for day in range(5, 12):
        SessionFactory(
            service=lesson, starts_at=local_at(booking.session.business, day, 9)
        )
    with django_assert_max_num_queries(6):
        client.get(move_url(booking))


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_clients_moving_onto_the_last_spot_over_http_one_wins():
    business = BusinessFactory(timezone="Europe/London")
    lesson = ServiceFactory(business=business, capacity=1)
    last = SessionFactory(service=lesson, starts_at=local_at(business, 3, 9))
    movers = [
        BookingRequestFactory(
            session=SessionFactory(
                service=lesson, starts_at=local_at(business, 4 + i, 9)
            )
        )
        for i in range(2)
    ]
    barrier = threading.Barrier(2)
    answers: dict[int, tuple[int, str]] = {}

    def attempt(index: int) -> None:
        try:
            browser = Client(REMOTE_ADDR=f"10.0.2.{index + 1}")
            booking = movers[index]
            token = form_token(browser, booking, last)
            barrier.wait()
            response = confirm(browser, booking, last, token=token)
            answers[index] = (response.status_code, text(response))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(status for status, _ in answers.values()) == [303, 409]
    (loser_page,) = [page for status, page in answers.values() if status == 409]
    assert "That time was just taken" in loser_page
    assert "Choose a new time" in loser_page
    assert BookingRequest.objects.filter(session=last).count() == 1
