"""The dashboard's chrome: dashboard/context_processors.py."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from dashboard.context_processors import (
    _BUSINESS_PAGES,
    SwitcherEntry,
    business_urls,
    nav_html,
)
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


# The nav as the layout's template wrote it before ``nav_html``: its reference.
TEMPLATE_NAV = """{% with biz=business_id %}
<li><a href="{% url 'dashboard:home' biz %}"{% if name == "home" %} aria-current="page"{% endif %}>Home</a></li>
<li><a href="{% url 'dashboard:requests' biz %}"{% if name|slice:":7" == "request" %} aria-current="page"{% endif %}>Booking requests</a></li>
<li><a href="{% url 'dashboard:sessions' biz %}"{% if name == "sessions" or name|slice:":7" == "session" or name|slice:":6" == "series" %} aria-current="page"{% endif %}>Sessions</a></li>
<li><a href="{% url 'dashboard:link' biz %}"{% if name == "link" %} aria-current="page"{% endif %}>Booking link</a></li>
<li><a href="{% url 'dashboard:notifications' biz %}"{% if name|slice:":12" == "notification" %} aria-current="page"{% endif %}>Notifications</a></li>
{% if owner %}
<li><a href="{% url 'dashboard:services' biz %}"{% if name|slice:":7" == "service" %} aria-current="page"{% endif %}>Services</a></li>
<li><a href="{% url 'dashboard:settings' biz %}"{% if name|slice:":8" == "settings" or name|slice:":6" == "health" or name|slice:":9" == "api_token" %} aria-current="page"{% endif %}>Settings</a></li>
<li><a href="{% url 'dashboard:members' biz %}"{% if name|slice:":6" == "member" or name == "invitation_revoke" %} aria-current="page"{% endif %}>Team</a></li>
{% endif %}
{% endwith %}"""  # noqa: E501


def _dashboard_url_names() -> list[str | None]:
    from dashboard.urls import urlpatterns

    names = []
    for pattern in urlpatterns:
        names += [p.name for p in getattr(pattern, "url_patterns", [pattern])]
    return [*sorted({n for n in names if n}), None]


@pytest.mark.parametrize("owner", [True, False])
def test_the_nav_marks_the_page_it_is_on_as_the_template_did(owner):
    names = _dashboard_url_names()
    assert {"home", "request_detail", "series_new", "health"} <= set(names)
    for name in names:
        context = Context({"business_id": 4, "name": name, "owner": owner})
        expected = re.sub(r"\s*\n\s*", "", Template(TEMPLATE_NAV).render(context))
        assert nav_html(4, name, owner).replace("\n", "") == expected, name
    assert nav_html(4, "request_detail", owner).count('aria-current="page"') == 1
