"""The dashboard's moves and staff entries: move a booking from its page or its row,
answer a client's waiting move, add a phone or walk-in client to a session."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import BookingEvent, BookingRequest, OutboundEmail
from tests.conftest import HTMX
from tests.dashboard.conftest import url
from tests.factories import BookingRequestFactory, ServiceFactory, SessionFactory

pytestmark = pytest.mark.django_db
Status = BookingRequest.Status
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')


def page(response) -> str:
    return " ".join(response.content.decode().split())


def token_of(response) -> str:
    return TOKEN_RE.search(response.content.decode()).group(1)


@pytest.fixture
def later(service):
    """Another session of the same service, four days ahead."""
    return SessionFactory(service=service, starts_at=timezone.now() + timedelta(days=4))


# --- moving a booking -----------------------------------------------------------------


def test_the_detail_page_and_the_row_offer_to_move(owner_client, business, approved):
    move = url("request_move", business, pk=approved.pk)
    assert f'href="{move}"' in page(
        owner_client.get(url("request_detail", business, pk=approved.pk))
    )
    assert f'href="{move}"' in page(owner_client.get(url("requests", business)))


def test_the_move_page_lists_the_week_with_what_each_session_can_take(
    owner_client, business, approved, later
):
    full = SessionFactory(
        service=ServiceFactory(business=business, name="Group", capacity=1),
        starts_at=later.starts_at + timedelta(hours=3),
    )
    BookingRequestFactory(session=full)
    week = approved.session.starts_at.astimezone(business.tz).date()

    html = page(
        owner_client.get(
            url("request_move", business, pk=approved.pk) + f"?week={week}"
        )
    )

    confirm = url("request_move_confirm", business, pk=approved.pk, session_id=later.pk)
    assert f'href="{confirm}"' in html
    assert "2 spots left" in html
    assert "the booking's time now" in html
    assert "Group · full" in html
    assert (
        url("request_move_confirm", business, pk=approved.pk, session_id=full.pk)
        not in html
    )


@pytest.mark.parametrize("sessions", [1, 12])
def test_the_move_page_costs_a_fixed_number_of_queries(
    owner_client, business, approved, service, sessions, django_assert_num_queries
):
    for n in range(sessions):
        SessionFactory(
            service=service, starts_at=timezone.now() + timedelta(hours=9 * n + 1)
        )
    move = url("request_move", business, pk=approved.pk)
    owner_client.get(move)  # the login session is warm
    # login session, user, membership, the booking, two for the week (sessions with
    # their counts, booked neighbours for the buffer), the bell's memberships
    with django_assert_num_queries(7):
        owner_client.get(move)


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "2026-02-30", "soon"])
def test_any_week_in_the_url_is_an_answer_not_an_error(
    owner_client, business, approved, week
):
    response = owner_client.get(
        url("request_move", business, pk=approved.pk) + f"?week={week}"
    )
    assert response.status_code == 200


def test_the_weeks_swap_in_place_with_htmx(owner_client, business, approved):
    next_week = (timezone.now() + timedelta(days=10)).date().isoformat()
    response = owner_client.get(
        url("request_move", business, pk=approved.pk) + f"?week={next_week}", **HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="move-week"')
    assert "data-swap-focus" in html
    assert "<html" not in html


def test_an_owner_moves_a_booking_with_a_message(
    owner_client, owner, business, approved, later, django_capture_on_commit_callbacks
):
    confirm = url("request_move_confirm", business, pk=approved.pk, session_id=later.pk)
    form = owner_client.get(confirm)
    assert "Move the booking of Andy Approved?" in page(form)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            confirm, {"token": token_of(form), "message": "The pool is closed."}
        )

    assert response.status_code == 302
    assert response["Location"] == url("request_detail", business, pk=approved.pk)
    approved.refresh_from_db()
    assert approved.session == later
    event = approved.events.get()
    assert (event.action, event.actor, event.note) == (
        BookingEvent.Action.MOVED,
        owner,
        "The pool is closed.",
    )
    moved = OutboundEmail.objects.get(kind="booking_moved", to_email="andy@example.com")
    assert "The pool is closed." in moved.body_text
    detail = page(owner_client.get(response["Location"]))
    assert "Moved AA" not in detail  # the flash names the reference
    assert f"Moved {approved.booking_reference} (Andy Approved)" in detail
    assert "Moved</strong> by Olivia" in detail


def test_a_double_submit_moves_once(owner_client, business, approved, later):
    confirm = url("request_move_confirm", business, pk=approved.pk, session_id=later.pk)
    token = token_of(owner_client.get(confirm))

    first = owner_client.post(confirm, {"token": token})
    second = owner_client.post(confirm, {"token": token})

    assert first.status_code == second.status_code == 302
    assert approved.events.count() == 1


def test_a_full_session_is_refused_with_the_reason(
    owner_client, business, approved, later
):
    confirm = url("request_move_confirm", business, pk=approved.pk, session_id=later.pk)
    token = token_of(owner_client.get(confirm))
    BookingRequestFactory.create_batch(2, session=later)

    response = owner_client.post(confirm, {"token": token})

    assert response.status_code == 200
    assert "That session is full: every spot is taken." in page(response)
    approved.refresh_from_db()
    assert approved.session != later
    assert "That session is full" in page(owner_client.get(confirm))


def test_a_bad_token_is_a_form_error(owner_client, business, approved, later):
    confirm = url("request_move_confirm", business, pk=approved.pk, session_id=later.pk)
    response = owner_client.post(confirm, {"token": "forged"})
    assert "This form could not be checked" in page(response)
    approved.refresh_from_db()
    assert approved.session != later


# --- a client's waiting move --------------------------------------------------------


@pytest.fixture
def waiting(business, approved, later):
    business.booking_settings.requires_approval = True
    business.booking_settings.save()
    approved.move_to = later
    approved.move_expires_at = timezone.now() + timedelta(hours=20)
    approved.save()
    return approved


def test_the_detail_page_shows_a_waiting_move_to_answer(
    owner_client, business, waiting
):
    html = page(owner_client.get(url("request_detail", business, pk=waiting.pk)))
    assert "Change of time requested" in html
    assert "Approve the move" in html and "Decline the move" in html
    assert "Asks to move to" in html
    table = page(owner_client.get(url("requests", business)))
    assert "Asks to move" in table


def test_approving_a_waiting_move(owner_client, business, waiting, later):
    response = owner_client.post(url("request_move_approve", business, pk=waiting.pk))

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.session, waiting.move_to) == (later, None)
    html = page(owner_client.get(url("request_detail", business, pk=waiting.pk)))
    assert "Move approved</strong> by Olivia" in html
    # Twice: refused, with the reason.
    owner_client.post(url("request_move_approve", business, pk=waiting.pk))
    html = page(owner_client.get(url("request_detail", business, pk=waiting.pk)))
    assert "no change of time waiting" in html


def test_declining_a_waiting_move_needs_a_reason(owner_client, business, waiting):
    reject = url("request_move_reject", business, pk=waiting.pk)
    response = owner_client.post(reject, {"reason": ""})
    assert "Please give a reason" in page(response)

    response = owner_client.post(reject, {"reason": "That day is full."})

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.move_to is None
    assert waiting.events.get().note == "That day is full."


def test_the_home_page_lists_a_client_asking_to_move_in(
    owner_client, business, waiting, later
):
    html = page(owner_client.get(url("home", business)))
    card = html[html.index(f'id="session-{later.pk}"') :]
    assert "1 / 2 booked" in card[:600]
    assert (
        'Andy Approved</a> <span class="badge text-bg-warning">asks to move here'
        in card
    )


# --- staff enter a client -------------------------------------------------------------


def test_the_session_card_offers_to_add_a_client(owner_client, business, session):
    week = session.starts_at.astimezone(business.tz).date().isoformat()
    html = page(owner_client.get(url("sessions", business) + f"?week={week}"))
    assert url("session_add_client", business, pk=session.pk) in html


def test_staff_add_a_phone_client_with_the_history_saying_who(
    staff_client, staff, business, session
):
    add = url("session_add_client", business, pk=session.pk)
    form = staff_client.get(add)
    assert "2 spots left" in page(form)

    response = staff_client.post(
        add,
        {
            "token": token_of(form),
            "client_name": "Bo Diddley",
            "client_phone": "07700 900123",
            "channel": "phone",
            "notes": "Called at 9",
        },
    )

    booking = BookingRequest.objects.get(client_name="Bo Diddley")
    assert response.status_code == 302
    assert response["Location"] == url("request_detail", business, pk=booking.pk)
    assert (booking.status, booking.client_phone, booking.session) == (
        Status.APPROVED,
        "07700900123",
        session,
    )
    html = page(staff_client.get(response["Location"]))
    assert re.search(r"Entered</strong> by Sam \w+, by phone", html)
    assert "No email given: tell them their reference" in html
    assert not OutboundEmail.objects.exists()


def test_a_walk_in_with_an_email_gets_the_confirmation(
    owner_client, business, session, django_capture_on_commit_callbacks
):
    add = url("session_add_client", business, pk=session.pk)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            add,
            {
                "token": token_of(owner_client.get(add)),
                "client_name": "Bo Diddley",
                "client_email": "bo@example.com",
                "channel": "walk_in",
            },
        )
    (email,) = OutboundEmail.objects.filter(to_email="bo@example.com")
    assert email.kind == "booking_confirmed"


def test_bad_details_are_shown_inline(owner_client, business, session):
    add = url("session_add_client", business, pk=session.pk)
    response = owner_client.post(
        add, {"token": token_of(owner_client.get(add)), "channel": "phone"}
    )
    html = page(response)
    assert "Enter the client&#x27;s name." in html
    assert "Please give an email address or a phone number" in html
    assert not BookingRequest.objects.exists()


def test_a_double_submit_books_once(owner_client, business, session):
    add = url("session_add_client", business, pk=session.pk)
    fields = {
        "token": token_of(owner_client.get(add)),
        "client_name": "Bo",
        "client_phone": "+447700900123",
        "channel": "phone",
    }
    first = owner_client.post(add, fields)
    second = owner_client.post(add, fields)
    assert first["Location"] == second["Location"]
    assert BookingRequest.objects.count() == 1


def test_a_full_session_says_so_instead_of_a_form(owner_client, business, service):
    full = SessionFactory(service=service, starts_at=timezone.now() + timedelta(days=2))
    BookingRequestFactory.create_batch(2, session=full)
    html = page(owner_client.get(url("session_add_client", business, pk=full.pk)))
    assert "That session is full" in html
    assert 'name="client_name"' not in html
