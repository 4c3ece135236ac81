"""The details step: "email or phone" marked on the pair of fields, said once when
neither is given, and the summary (the chosen time, the spots left) kept after an
error, with and without HTMX."""

import re

import pytest

from booking.models import BookingRequest
from tests.booking.views_helpers import (
    details,
    details_url,
    form_token,
    make_session,
    text,
)
from tests.conftest import HTMX
from tests.factories import BookingRequestFactory

pytestmark = pytest.mark.django_db
MESSAGE = "Please give an email address or a phone number so we can reach you."


@pytest.fixture
def session(business):
    """A group session of 3 with one place taken: "2 spots left"."""
    session = make_session(business, days=3, hour=9, capacity=3)
    BookingRequestFactory(session=session)
    return session


def _input(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)


def test_the_pair_is_marked_email_or_phone_on_the_fields_themselves(
    client, business, session
):
    page = text(client.get(details_url(business, session)))

    assert '<legend>Email or phone <span class="field__req">(at least one)</span>' in (
        page
    )
    assert 'id="contact_hint">Give an email address, a phone number or both' in page
    for name in ("client_email", "client_phone"):
        described = re.search(r'aria-describedby="([^"]+)"', _input(page, name))
        assert "contact_hint" in described.group(1).split()
    assert "aria-invalid" not in _input(page, "client_email")


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["no-js", "htmx"])
def test_no_contact_is_one_error_and_the_summary_stays(
    client, business, session, headers
):
    token = form_token(client, business, session)
    fields = details(client_email="", client_phone="")

    response = client.post(
        details_url(business, session), {"token": token, **fields}, **headers
    )

    page = text(response)
    assert response.status_code == 400
    # Once in the summary at the top (a link to the fields), once on the fieldset.
    assert page.count(MESSAGE) == 2
    assert page.count('class="field__error"') == 1
    assert f'<a href="#id_client_email">Email or phone: {MESSAGE}</a>' in page
    assert (
        f'id="contact_error"><span class="visually-hidden">Error:</span> {MESSAGE}'
        in (page)
    )
    for name in ("client_email", "client_phone"):
        field = _input(page, name)
        assert 'aria-invalid="true"' in field
        described = re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
        assert described[0] == "contact_error" and described[-1] == "contact_hint"
    assert "autofocus" in _input(page, "client_email")
    # The summary is kept: what, when, and the places left.
    assert "2 spots left" in page
    assert 'class="summary__when"' in page and f"{session.service.name}" in page
    assert not BookingRequest.objects.filter(client_name="Ada Lovelace").exists()


def test_a_bad_phone_is_its_own_error_with_no_contact_message(
    client, business, session
):
    token = form_token(client, business, session)

    response = client.post(
        details_url(business, session),
        {"token": token, **details(client_email="", client_phone="call me")},
    )

    page = text(response)
    assert response.status_code == 400
    assert MESSAGE not in page
    assert "Enter a phone number" in page
    assert "2 spots left" in page


def test_an_expired_form_keeps_the_summary_too(client, business, session):
    response = client.post(
        details_url(business, session), {"token": "forged", **details()}
    )

    page = text(response)
    assert response.status_code == 400
    assert "2 spots left" in page


def test_the_json_api_rule_is_unchanged_field_by_field(client, business, session):
    """The shared rule (ClientDetailsForm) still names both fields for the API."""
    from booking.forms import ClientDetailsForm

    form = ClientDetailsForm(details(client_email="", client_phone=""))

    assert not form.is_valid()
    assert form.errors["client_email"] == [MESSAGE]
    assert form.errors["client_phone"] == [MESSAGE]


def test_an_error_on_a_time_that_is_now_full_shows_no_spots(client, business, session):
    token = form_token(client, business, session)
    BookingRequestFactory.create_batch(2, session=session)  # now full

    response = client.post(
        details_url(business, session),
        {"token": token, **details(client_email="", client_phone="")},
    )

    page = text(response)
    assert response.status_code == 400
    assert "spots left" not in page and "spot left" not in page
    assert MESSAGE in page
