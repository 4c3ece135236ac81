"""Booking through the details form: outcomes, double submits, every bad input."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking.formtoken import make_token
from booking.models import BookingEvent, BookingRequest
from tests.booking.views_helpers import (
    TOKEN_RE,
    details_url,
    form_token,
    make_session,
    submit,
    text,
    week_url,
)
from tests.conftest import HTMX
from tests.factories import BookingRequestFactory, BusinessFactory

pytestmark = pytest.mark.django_db


def nothing_written():
    return not BookingRequest.objects.exists() and not BookingEvent.objects.exists()


@pytest.fixture
def session(business):
    return make_session(business, days=3, hour=9, capacity=2)


# --- the good path --------------------------------------------------------------------


def test_booking_redirects_to_the_confirmation(client, business, session):
    response = submit(
        client,
        business,
        session,
        url=details_url(business, session, tz="Asia/Tokyo"),
        client_name="  Ada Lovelace  ",
        client_phone=" +44 (0)20 7946-0000 ",
        notes=" Left-handed ",
    )

    booking = BookingRequest.objects.get()
    assert response.status_code == 303
    assert response["Location"] == (
        reverse("booking:manage", args=[booking.access_token]) + "?new=1"
    )
    assert booking.session == session
    assert booking.status == BookingRequest.Status.APPROVED
    assert booking.client_name == "Ada Lovelace"
    assert booking.client_phone == "+442079460000"
    assert booking.notes == "Left-handed"
    assert booking.client_timezone == "Asia/Tokyo"
    assert booking.idempotency_key.startswith("form:")


def test_a_booking_sets_no_cookies_at_any_step(business, session):
    client = Client(enforce_csrf_checks=True)  # as a browser would: no CSRF cookie
    responses = [
        client.get(reverse("booking:start", args=[business.slug])),
        client.get(week_url(business, session.service)),
        client.get(details_url(business, session)),
    ]
    responses.append(submit(client, business, session))
    responses.append(client.get(responses[-1]["Location"]))
    assert responses[-2].status_code == 303
    for response in responses:
        assert not response.cookies, response.cookies
        assert "Set-Cookie" not in response.headers
    assert not client.cookies


def test_the_same_form_submitted_twice_makes_one_booking(client, business, session):
    token = form_token(client, business, session)
    first = submit(client, business, session, token=token)
    again = submit(client, business, session, token=token)
    assert first.status_code == again.status_code == 303
    assert first["Location"] == again["Location"]
    assert BookingRequest.objects.count() == 1
    assert BookingRequest.objects.get().client_name == "Ada Lovelace"


def test_a_form_sent_again_with_other_details_never_shows_the_first_booking(
    client, business, session
):
    # Two clients given the same form (one copy from a shared cache): one token.
    token = form_token(client, business, session)
    first = submit(client, business, session, token=token)
    ada = BookingRequest.objects.get()
    other = submit(
        client,
        business,
        session,
        token=token,
        client_name="Bob Other",
        client_email="bob@example.net",
    )
    page = other.content.decode()
    assert other.status_code == 409
    assert ada.access_token not in page and ada.booking_reference not in page
    assert "Ada" not in page
    assert "This form was already used for a booking with other details" in text(other)
    assert 'value="Bob Other"' in page  # the details are kept
    fresh = TOKEN_RE.search(page).group(1)
    assert fresh != token
    assert BookingRequest.objects.count() == 1
    assert first["Location"].startswith(f"/bookings/{ada.access_token}/")
    # Sending it again with the fresh token books Bob.
    booked = submit(
        client,
        business,
        session,
        token=fresh,
        client_name="Bob Other",
        client_email="bob@example.net",
    )
    assert booked.status_code == 303
    assert BookingRequest.objects.filter(client_name="Bob Other").count() == 1


def test_pages_carrying_a_form_token_are_never_stored(client, business, session):
    page = client.get(details_url(business, session))
    fragment = client.get(details_url(business, session), **HTMX)
    refused = submit(client, business, session, client_name="")
    for response in (page, fragment, refused):
        assert 'name="token"' in response.content.decode()
        caching = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= caching


def test_a_request_awaiting_approval_shows_when_it_lapses(client, business, session):
    business.booking_settings.requires_approval = True
    business.booking_settings.booking_expiry_hours = 24
    business.booking_settings.save()
    page = text(client.get(details_url(business, session)))
    assert "Send booking request" in page

    response = submit(client, business, session)
    booking = BookingRequest.objects.get()
    assert booking.status == BookingRequest.Status.PENDING

    page = text(client.get(response["Location"]))
    expires = booking.expires_at.astimezone(business.tz)
    assert "Request sent" in page
    assert "waiting for Swim School Pro to confirm" in page
    assert f"{expires:%H:%M}</time> Europe/London" in page


def test_an_htmx_submit_follows_the_same_redirect(client, business, session):
    token = form_token(client, business, session)
    response = client.post(
        details_url(business, session),
        {"token": token, "client_name": "Ada", "client_email": "ada@example.com"},
        **HTMX,
    )
    assert response.status_code == 303
    page = client.get(response["Location"], **HTMX)
    assert page.content.decode().lstrip().startswith("<title>Booking BK-")
    assert "<html" not in page.content.decode()
    assert ">Booked</h2>" in page.content.decode()


# --- bad input: a clear message, nothing written --------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"client_name": "   "}, "client_name", "Please enter your name."),
        ({"client_email": "not-an-email"}, "client_email", "Enter an email address"),
        ({"client_name": "x" * 256}, "client_name", "at most 255 characters"),
        (
            {"client_email": "a" * 250 + "@example.com"},
            "client_email",
            "at most 255 characters",
        ),
        (
            {"client_email": "", "client_phone": "+1 234 567 890 123 456 789 01"},
            "client_phone",
            "at most 20 characters",
        ),
        ({"client_phone": "call me maybe"}, "client_phone", "Enter a phone number"),
        ({"notes": "n" * 2001}, "notes", "at most 2000 characters"),
    ],
    ids=[
        "missing name",
        "bad email",
        "long name",
        "long email",
        "long phone",
        "bad phone",
        "long notes",
    ],
)
def test_bad_details_are_shown_inline_and_nothing_is_written(
    client, business, session, fields, field, message
):
    response = submit(client, business, session, **fields)

    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert f'aria-describedby="id_{field}_error' in page
    assert 'aria-invalid="true"' in page
    assert f'id="id_{field}_error"' in page
    assert 'name="token"' in page  # the client can correct and resubmit
    assert nothing_written()


def test_the_first_field_in_error_gets_the_focus(client, business, session):
    response = submit(client, business, session, client_name="", client_email="x")
    page = response.content.decode()
    name_input = page[page.index('name="client_name"') :].split(">")[0]
    email_input = page[page.index('name="client_email"') :].split(">")[0]
    assert "autofocus" in name_input
    assert "autofocus" not in email_input


def test_what_was_typed_is_kept_after_an_error(client, business, session):
    response = submit(
        client, business, session, client_email="bad", notes="Bring goggles"
    )
    page = response.content.decode()
    assert 'value="Ada Lovelace"' in page
    assert 'value="bad"' in page
    assert "Bring goggles</textarea>" in page


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "This form could not be checked"),
        ("eyJiIjoxfQ:forged:signature", "This form could not be checked"),
    ],
    ids=["missing", "forged"],
)
def test_a_bad_form_token_is_refused(client, business, session, token, message):
    response = submit(client, business, session, token=token)
    assert response.status_code == 400
    assert message in text(response)
    assert 'name="token" value="ey' in response.content.decode()  # a fresh one
    assert 'value="Ada Lovelace"' in response.content.decode()
    assert nothing_written()


def test_a_tampered_form_token_is_refused(client, business, session):
    token = form_token(client, business, session)
    body, _, signature = token.rpartition(":")
    tampered = f"{body}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    response = submit(client, business, session, token=tampered)
    assert response.status_code == 400
    assert "This form could not be checked" in text(response)
    assert nothing_written()


def test_an_expired_form_token_is_refused(client, business, session):
    old = make_token(
        business_id=business.pk,
        session_id=session.pk,
        now=timezone.now() - timedelta(hours=3),
    )
    response = submit(client, business, session, token=old)
    assert response.status_code == 400
    assert "has expired" in text(response)
    assert nothing_written()


def test_a_token_for_another_time_is_refused(client, business, session):
    other = make_session(business, days=4, hour=9, service=session.service)
    token = form_token(client, business, other)
    response = submit(client, business, session, token=token)
    assert response.status_code == 400
    assert "belongs to another time" in text(response)
    assert nothing_written()


def test_a_filled_honeypot_is_refused(client, business, session):
    token = form_token(client, business, session)
    response = client.post(
        details_url(business, session),
        {
            "token": token,
            "client_name": "Bot",
            "client_email": "bot@example.com",
            "website": "http://spam.example.com",
        },
    )
    assert response.status_code == 400
    assert "We could not accept this form" in text(response)
    assert nothing_written()


def test_a_session_of_another_business_is_not_found(client, business):
    other_business = BusinessFactory()
    other = make_session(other_business, days=3)
    token = make_token(business_id=business.pk, session_id=other.pk, now=timezone.now())
    response = submit(client, business, other, token=token)
    assert response.status_code == 404
    assert "We could not find that time" in text(response)
    assert nothing_written()


def test_a_full_session_says_just_taken_and_keeps_the_details(
    client, business, session
):
    token = form_token(client, business, session)
    BookingRequestFactory.create_batch(2, session=session)
    before = BookingRequest.objects.count()

    response = submit(
        client,
        business,
        session,
        token=token,
        client_name="Grace Hopper",
        client_email="grace@example.com",
        notes="Any time after 9",
    )

    page = response.content.decode()
    assert response.status_code == 409
    assert "That time was just taken" in page
    assert "Your details are kept: pick another time below." in page
    assert "Choose a time" in page
    assert '<input type="hidden" name="client_name" value="Grace Hopper">' in page
    assert '<input type="hidden" name="notes" value="Any time after 9">' in page
    assert BookingRequest.objects.count() == before


def test_picking_another_time_after_just_taken_keeps_the_details(
    client, business, session
):
    other = make_session(business, days=3, hour=14, service=session.service)
    response = client.post(
        details_url(business, other),
        {"carry": "1", "client_name": "Grace Hopper", "client_email": "g@example.com"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Grace Hopper"' in page
    assert 'value="g@example.com"' in page
    assert 'name="token"' in page
    assert "aria-invalid" not in page  # carried, not yet submitted
    assert nothing_written()


def test_paging_weeks_after_just_taken_keeps_the_details(client, business, session):
    response = client.post(
        week_url(business, session.service),
        {"carry": "1", "client_name": "Grace Hopper", "client_phone": "+447700900123"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<input type="hidden" name="client_phone" value="+447700900123">' in page
    assert f'formaction="{details_url(business, session)}"' in page
    assert nothing_written()


def test_a_time_outside_the_window_is_refused(client, business):
    business.booking_settings.min_advance_booking_hours = 48
    business.booking_settings.save()
    soon = make_session(business, days=1, hour=23)
    token = make_token(business_id=business.pk, session_id=soon.pk, now=timezone.now())
    response = submit(client, business, soon, token=token)
    assert response.status_code == 409
    assert "too close to book online" in text(response)
    assert nothing_written()


def test_a_booking_on_an_inactive_link_is_refused(client, business, session):
    token = form_token(client, business, session)
    business.booking_settings.is_active = False
    business.booking_settings.save()
    response = submit(client, business, session, token=token)
    assert response.status_code == 403
    assert "is not taking online bookings right now" in text(response)
    assert nothing_written()


def test_a_booking_on_an_unknown_slug_is_refused(client, session):
    response = client.post(
        f"/book/nobody-here/time/{session.pk}/",
        {"client_name": "Ada", "client_email": "ada@example.com"},
    )
    assert response.status_code == 404
    assert "We could not find this booking page" in text(response)
    assert nothing_written()


# --- rate limits ----------------------------------------------------------------------


def test_booking_attempts_are_limited_per_ip(client, business, session, time_machine):
    # The clock stands still: a rate window that ends mid-test would reset the count.
    time_machine.move_to(timezone.now(), tick=False)
    token = form_token(client, business, session)
    for _ in range(10):
        response = submit(client, business, session, token=token, client_name="")
        assert response.status_code == 400
    response = submit(client, business, session, token=token)
    assert response.status_code == 429
    assert "Too many requests" in text(response)
    assert "Nothing was booked" in text(response)
    assert int(response["Retry-After"]) == 3600
    assert nothing_written()
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert submit(other, business, session, token=token).status_code == 303


def test_availability_reads_are_limited_per_ip(
    client, business, session, settings, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)  # one rate window throughout
    settings.BOOKING_RATE_BROWSE = "3/m"
    url = week_url(business, session.service)
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(url)
    assert response.status_code == 429
    assert "please wait a moment" in text(response)
    assert response["Retry-After"] == "60"


def test_limits_can_be_switched_off(client, business, session, settings):
    settings.RATELIMIT_ENABLE = False
    settings.BOOKING_RATE_BROWSE = "1/m"
    url = week_url(business, session.service)
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]


def test_a_service_taken_off_line_meanwhile_is_refused(client, business, session):
    token = form_token(client, business, session)
    session.service.is_active = False
    session.service.save()
    response = submit(client, business, session, token=token)
    assert response.status_code == 404
    assert "This service is not offered online" in text(response)
    assert nothing_written()
