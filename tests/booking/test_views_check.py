"""On-blur validation of one details field (HTMX), which writes nothing."""

import pytest
from django.urls import reverse

from booking.models import BookingRequest
from tests.booking.views_helpers import make_session, text
from tests.conftest import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def check_url(business):
    session = make_session(business, days=3)
    return reverse("booking:check_field", args=[business.slug, session.pk])


def check(client, url, field, **data):
    return client.post(url, {"field": field, **data}, **HTMX)


def test_a_bad_email_is_flagged_on_its_own(client, check_url):
    response = check(client, check_url, "client_email", client_email="nope")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div class="field field--error"')
    assert "Enter an email address like name@example.com." in page
    assert 'aria-invalid="true"' in page
    assert (
        'aria-describedby="id_client_email_error id_client_email_hint contact_hint"'
        in page
    )
    assert "autofocus" not in page  # the client has moved on; focus stays there
    assert f'hx-post="{check_url}"' in page
    assert not BookingRequest.objects.exists()


def test_a_good_value_clears_the_error(client, check_url):
    response = check(client, check_url, "client_phone", client_phone="+44 7700 900123")
    page = text(response)
    assert '<div class="field"' in page
    assert "aria-invalid" not in page
    assert 'value="+44 7700 900123"' in page


def test_email_or_phone_waits_for_the_submit(client, check_url):
    response = check(client, check_url, "client_email", client_email="")
    assert "Please give an email address or a phone number" not in text(response)


def test_a_long_name_is_flagged(client, check_url):
    response = check(client, check_url, "client_name", client_name="x" * 256)
    assert "at most 255 characters" in text(response)


def test_an_unknown_field_is_refused(client, check_url):
    response = check(client, check_url, "is_staff")
    assert response.status_code == 400


def test_the_embed_checks_in_the_embed(client, business):
    session = make_session(business, days=3)
    url = reverse("booking:embed_check_field", args=[business.slug, session.pk])
    response = check(client, url, "client_email", client_email="nope")
    assert f'hx-post="{url}"' in response.content.decode()
    assert "X-Frame-Options" not in response
