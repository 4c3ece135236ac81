"""The requests table with 10,000 requests: a constant number of queries per page.

How long a page takes is measured by the benchmark (``make bench``, numbers in
docs/PERFORMANCE.md), not asserted here: timings in tests flake on a loaded machine.
"""

import pytest
from django.test import Client
from django.urls import reverse

from bench.requests_table import seed


@pytest.mark.django_db
def test_a_page_of_10000_requests_costs_the_same_few_queries(
    django_assert_max_num_queries,
):
    business, owner = seed()
    client = Client()
    client.force_login(owner)
    url = reverse("dashboard:requests", kwargs={"business_id": business.pk})
    client.get(url)
    for query, rows in (("", 25), ("?q=smith&status=pending", 25), ("?page=400", 25)):
        with django_assert_max_num_queries(8):
            response = client.get(url + query)
        assert response.status_code == 200
        assert response.content.count(b"<tr id=") == rows
