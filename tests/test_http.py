"""What every response shares: compression for browsers that accept it."""

import gzip

import pytest
from django.urls import reverse

from tests.factories import ServiceFactory


@pytest.mark.django_db
def test_pages_are_compressed_for_browsers_that_accept_it(client, business):
    service = ServiceFactory(business=business)
    url = reverse(
        "booking:week", kwargs={"slug": business.slug, "service_id": service.pk}
    )

    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 3


@pytest.mark.django_db
def test_answers_under_a_kilobyte_are_sent_as_they_are(client, business):
    """A body that fits in one packet gains nothing from compression (and cost a
    tenth of a millisecond): sent as it is, with no Vary on Accept-Encoding."""
    url = f"/api/booking/public/{business.slug}/availability/"
    small = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert small.status_code == 200
    assert len(small.content) < 1024
    assert "Content-Encoding" not in small
    assert "Accept-Encoding" not in small.get("Vary", "")
    assert small.json() == {}  # no sessions: a valid, empty answer


def _caching(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


@pytest.mark.django_db
def test_pages_with_a_form_token_are_never_stored_by_any_cache(client, business, owner):
    login = client.get(reverse("login"))
    reset = client.get(reverse("password_reset"))
    client.force_login(owner)
    home = client.get(reverse("dashboard:home", args=[business.pk]))
    for page in (login, reset, home):
        assert page.status_code == 200
        assert 'name="csrfmiddlewaretoken"' in page.content.decode()
        assert {"no-store", "private"} <= _caching(page)


@pytest.mark.django_db
def test_public_pages_without_a_form_stay_cacheable(client, business):
    start = client.get(reverse("booking:start", args=[business.slug]))
    assert start.status_code == 200
    assert "no-store" not in _caching(start)
