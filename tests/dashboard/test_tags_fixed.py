"""``{% fixed_static %}`` and ``{% fixed_url %}`` (dashboard_tags)."""

import pytest
from django.template import Context, Template
from django.templatetags.static import static
from django.test import override_settings
from django.urls import reverse, set_script_prefix

from dashboard.templatetags.dashboard_tags import fixed_static, fixed_url


@pytest.fixture
def prefix():
    yield
    set_script_prefix("/")


def test_fixed_static_is_the_static_url_and_follows_the_settings():
    path = "css/dashboard.css"
    assert fixed_static(path) == static(path)
    with override_settings(STATIC_URL="/elsewhere/"):
        assert fixed_static(path) == static(path)
        assert "/elsewhere/" in fixed_static(path)
    assert fixed_static(path) == static(path)
    assert "/elsewhere/" not in fixed_static(path)


@pytest.mark.parametrize("name", ["login", "logout", "password_change", "landing"])
def test_fixed_url_is_the_url_reversed_and_follows_the_script_prefix(name, prefix):
    plain = fixed_url(name)
    assert plain == reverse(name)
    set_script_prefix("/booking/")
    assert fixed_url(name) == reverse(name) == "/booking" + plain


def test_the_tags_write_what_url_and_static_write():
    fixed = "{% load dashboard_tags %}{% fixed_url 'logout' %} {% fixed_static 'a&b' %}"
    plain = "{% load static %}{% url 'logout' %} {% static 'a&b' %}"
    assert Template(fixed).render(Context()) == Template(plain).render(Context())
