"""The dashboard's chrome: dashboard/context_processors.py."""

import pytest
from django.urls import reverse, set_script_prefix

from dashboard.context_processors import _BUSINESS_PAGES, SwitcherEntry, business_urls
from dashboard.tables import _row_url


@pytest.fixture
def prefix():
    """Restores the script prefix a test changes."""
    yield
    set_script_prefix("/")


@pytest.mark.parametrize("business_id", [1, 42, 2_147_483_647])
def test_business_urls_are_what_the_urlconf_reverses(business_id):
    urls = business_urls(business_id)
    assert set(urls) == set(_BUSINESS_PAGES)
    for name in _BUSINESS_PAGES:
        assert urls[name] == reverse(f"dashboard:{name}", args=[business_id])
    with pytest.raises(TypeError):
        urls["home"] = "/elsewhere/"  # one mapping shared by every request: read-only


def test_cached_urls_follow_the_script_prefix(prefix):
    """Reversed once per process, but per script prefix (an app mounted under a
    path): the prefix is part of the cache's key."""
    plain = business_urls(7)["home"]
    row = _row_url("dashboard:request_detail", 7)(5)
    set_script_prefix("/booking/")
    assert business_urls(7)["home"] == "/booking" + plain
    assert business_urls(7)["home"] == reverse("dashboard:home", args=[7])
    assert _row_url("dashboard:request_detail", 7)(5) == "/booking" + row


def test_the_switcher_links_each_business_home():
    entry = SwitcherEntry(business_id=9, business_name="Pool", role="owner", unread=0)
    assert entry.home_url == reverse("dashboard:home", args=[9])
