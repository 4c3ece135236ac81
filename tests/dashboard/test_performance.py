"""The requests table stays fast with 10,000 requests (see bench/ for the numbers)."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from bench.requests_table import seed


@pytest.mark.django_db
def test_a_page_of_10000_requests_renders_well_under_a_second(
    django_assert_max_num_queries,
):
    business, owner = seed()
    client = Client()
    client.force_login(owner)
    url = reverse("dashboard:requests", kwargs={"business_id": business.pk})
    client.get(url)
    for query, rows in (("", 25), ("?q=smith&status=pending", 25), ("?page=400", 25)):
        with django_assert_max_num_queries(7):
            started = time.perf_counter()
            response = client.get(url + query)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200
        assert response.content.count(b"<tr id=") == rows
        assert elapsed < 1.0, f"{query or 'page 1'} took {elapsed:.2f} s"
