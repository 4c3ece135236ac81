"""The Content-Security-Policy (django-csp, config/settings.py) on every page.

Scripts, styles, images and fonts from this origin only; no inline script or style
anywhere (the templates hold none, htmx runs without eval); no page may be framed
except the booking widget's, by the sites its business names, in the same header.
The browser side (no violation on the main pages, Swagger UI and the admin working)
is tests/browser/test_csp.py; the deployed side, tests/test_production.py.
"""

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.booking.views_helpers import make_session
from tests.conftest import csp
from tests.factories import BookingRequestFactory

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = [
    path
    for path in (ROOT / "templates").rglob("*.html")
    if "emails" not in path.parts  # email HTML is read in mail clients, not here
]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
STYLE_ATTRIBUTE = re.compile(r"\sstyle=")
STYLE_ELEMENT = re.compile(r"<style\b")
EVAL_NEEDED = re.compile(r"\shx-on|\shx-vars=|['\"]js:|javascript:|\son[a-z]+=")


def assert_strict(response, *, framed_by=("'none'",)) -> None:
    policy = csp(response)  # one header: the policy and any replaced directive
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == list(framed_by)
    for sources in policy.values():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(sources)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_needs_inline_code_or_eval(template):
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text)
    assert not STYLE_ATTRIBUTE.search(text)
    assert not STYLE_ELEMENT.search(text)
    assert not EVAL_NEEDED.search(text)


def test_every_htmx_page_turns_eval_off():
    configs = [path for path in TEMPLATES if 'name="htmx-config"' in path.read_text()]
    assert {p.name for p in configs} == {"base.html", "layout.html"}
    for path in configs:
        for content in re.findall(
            r'name="htmx-config" content=\'([^\']+)\'', path.read_text()
        ):
            config = json.loads(content)
            assert config["allowEval"] is False
            assert config["includeIndicatorStyles"] is False


@pytest.mark.django_db
def test_public_pages_carry_the_policy(client, business):
    session = make_session(business, days=3, hour=9, capacity=2)
    booking = BookingRequestFactory(session=session, client_email="ada@example.com")
    pages = [
        reverse("booking:start", args=[business.slug]),
        reverse("booking:week", args=[business.slug, session.service_id]),
        reverse("booking:details", args=[business.slug, session.pk]),
        reverse("booking:manage", args=[booking.access_token]),
        reverse("booking:cancel", args=[booking.access_token]),
        "/",
        "/no-such-page/",
        "/book/no-such-business/",
        "/api/docs",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code in {200, 404}, path
        assert_strict(response)


@pytest.mark.django_db
def test_account_dashboard_and_admin_pages_carry_the_policy(client, owner, business):
    owner.is_staff = owner.is_superuser = True
    owner.save()
    for path in (reverse("login"), reverse("signup"), "/admin/login/"):
        assert_strict(client.get(path))
    client.force_login(owner)
    for path in (
        reverse("dashboard:home", args=[business.pk]),
        reverse("dashboard:requests", args=[business.pk]),
        reverse("dashboard:settings", args=[business.pk]),
        "/admin/",
        "/admin/booking/business/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(response)


@pytest.mark.django_db
def test_pages_outside_the_widget_refuse_to_be_framed(client, business, owner):
    start = client.get(reverse("booking:start", args=[business.slug]))
    client.force_login(owner)
    home = client.get(reverse("dashboard:home", args=[business.pk]))
    for response in (start, home):
        assert response["X-Frame-Options"] == "DENY"
        assert csp(response)["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_the_widget_is_framed_by_its_business_sites_in_the_same_policy(
    client, business
):
    business.booking_settings.allowed_embed_origins = "https://www.swimschool.com"
    business.booking_settings.save()
    session = make_session(business, days=3, hour=9)
    for path in (
        reverse("booking:embed", args=[business.slug]),
        reverse("booking:embed_details", args=[business.slug, session.pk]),
    ):
        response = client.get(path)
        assert "X-Frame-Options" not in response
        assert_strict(response, framed_by=("'self'", "https://www.swimschool.com"))


@pytest.mark.django_db
def test_the_error_page_carries_the_policy_and_needs_no_inline_style(settings):
    settings.ROOT_URLCONF = "tests.booking.failing_urls"
    response = Client(raise_request_exception=False).post("/broken/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert '<link rel="stylesheet" href="/static/css/app.css">' in (
        response.content.decode()
    )
    assert_strict(response)


@pytest.mark.django_db
def test_each_policy_is_built_once_and_follows_its_page_and_the_settings(
    client, business, settings
):
    """config.middleware.CSPMiddleware remembers each distinct header it built: the
    same header for the same policy, each widget its own sites, and a changed
    setting a new header (never an old one)."""
    from csp.utils import build_policy

    from config import middleware

    start = reverse("booking:start", args=[business.slug])
    first, again = client.get(start), client.get(start)
    assert first["Content-Security-Policy"] == again["Content-Security-Policy"]
    assert first["Content-Security-Policy"] == build_policy()  # django-csp's own
    assert len(middleware._POLICIES) >= 1
    business.booking_settings.allowed_embed_origins = "https://a.example.com"
    business.booking_settings.save()
    widget = client.get(reverse("booking:embed", args=[business.slug]))
    assert csp(widget)["frame-ancestors"] == ["'self'", "https://a.example.com"]
    business.booking_settings.allowed_embed_origins = "https://b.example.com"
    business.booking_settings.save()
    widget = client.get(reverse("booking:embed", args=[business.slug]))
    assert csp(widget)["frame-ancestors"] == ["'self'", "https://b.example.com"]
    assert csp(client.get(start))["frame-ancestors"] == ["'none'"]
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "DIRECTIVES": {
            **settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
            "img-src": ["'self'", "https://img.example.com"],
        },
    }
    assert csp(client.get(start))["img-src"] == ["'self'", "https://img.example.com"]
