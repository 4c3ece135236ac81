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
