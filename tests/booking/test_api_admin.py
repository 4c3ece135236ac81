"""Admin JSON API: settings, link, approve/reject (booking/api/admin.py)."""

from datetime import time, timedelta

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from booking.models import BookingRequest
from tests.booking.api_helpers import (
    API,
    bearer,
    days_ahead,
    public_url,
    session_at,
    set_settings,
    token_for,
)
from tests.factories import (
    DEFAULT_PASSWORD,
    BookingRequestFactory,
    BusinessFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db
Status = BookingRequest.Status

SETTINGS_KEYS = [
    "business_slug",
    "requires_approval",
    "buffer_time_minutes",
    "booking_expiry_hours",
    "is_active",
    "auto_approve_returning_clients",
    "max_advance_booking_days",
    "min_advance_booking_hours",
    "reminder_hours_before",
    "allow_client_reschedule",
    "reschedule_notice_hours",
    "allowed_embed_origins",
    "updated_at",
]
FULL_SETTINGS = {
    "requires_approval": True,
    "buffer_time_minutes": 30,
    "booking_expiry_hours": 48,
    "is_active": True,
    "auto_approve_returning_clients": True,
    "max_advance_booking_days": 60,
    "min_advance_booking_hours": 4,
    "reminder_hours_before": 12,
    "allow_client_reschedule": False,
    "reschedule_notice_hours": 48,
    "allowed_embed_origins": ["https://www.swimschool.com"],
}


@pytest.fixture
def owner_auth(owner, business):
    return bearer(token_for(owner, business))


@pytest.fixture
def pending(business):
    session = session_at(business, days_ahead(business, 3), time(9))
    return BookingRequestFactory(session=session, status=Status.PENDING)


def send(client, method, path, body=None, **headers):
    return getattr(client, method)(
        f"{API}{path}", body, content_type="application/json", **headers
    )


# --- settings -----------------------------------------------------------------------


def test_owner_reads_the_settings(client, business, owner_auth):
    set_settings(business, allowed_embed_origins="https://a.example\nhttps://b.example")
    response = client.get(f"{API}/settings/", **owner_auth)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == SETTINGS_KEYS
    assert body["business_slug"] == business.slug
    assert body["buffer_time_minutes"] == 15
    assert body["allowed_embed_origins"] == ["https://a.example", "https://b.example"]
    assert body["updated_at"][-6:] in {"+00:00", "+01:00"}


def test_put_replaces_every_setting(client, business, owner_auth):
    response = send(client, "put", "/settings/", FULL_SETTINGS, **owner_auth)
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in FULL_SETTINGS} == FULL_SETTINGS
    business.booking_settings.refresh_from_db()
    assert business.booking_settings.buffer_time_minutes == 30
    assert business.booking_settings.embed_origins == ["https://www.swimschool.com"]


def test_put_needs_every_setting(client, owner_auth):
    partial = {k: v for k, v in FULL_SETTINGS.items() if k != "is_active"}
    response = send(client, "put", "/settings/", partial, **owner_auth)
    assert response.status_code == 400
    assert response.json()["errors"] == {"is_active": ["This field is required."]}


def test_patch_changes_only_what_it_sends(client, business, owner_auth):
    response = send(
        client, "patch", "/settings/", {"buffer_time_minutes": 0}, **owner_auth
    )
    assert response.status_code == 200
    assert response.json()["buffer_time_minutes"] == 0
    business.booking_settings.refresh_from_db()
    assert business.booking_settings.buffer_time_minutes == 0
    assert business.booking_settings.booking_expiry_hours == 24


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        ("buffer_time_minutes", [0, 240], [-1, 241]),
        ("booking_expiry_hours", [1, 168], [0, 169]),
        ("max_advance_booking_days", [1, 365], [0, 366]),
        ("min_advance_booking_hours", [0, 720], [-5, 721]),
        ("reminder_hours_before", [0, 168], [169, 10**30]),
        ("reschedule_notice_hours", [0, 720], [-1, 721]),
    ],
)
def test_settings_limits_match_the_model(client, owner_auth, field, good, bad):
    for value in good:
        response = send(client, "patch", "/settings/", {field: value}, **owner_auth)
        assert (response.status_code, response.json()[field]) == (200, value)
    for value in bad:
        response = send(client, "patch", "/settings/", {field: value}, **owner_auth)
        assert response.status_code == 400, value
        assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"buffer_time_minutes": None}, "buffer_time_minutes"),
        ({"buffer_time_minutes": "ten"}, "buffer_time_minutes"),
        ({"is_active": "perhaps"}, "is_active"),
        (
            {"allowed_embed_origins": ["https://ok.example/path"]},
            "allowed_embed_origins",
        ),
        ({"allowed_embed_origins": ["ftp://files.example"]}, "allowed_embed_origins"),
        ({"allowed_embed_origins": "https://a.example"}, "allowed_embed_origins"),
        ({"buffer_minutes": 5}, "buffer_minutes"),
    ],
)
def test_bad_settings_are_400_naming_the_field(client, owner_auth, body, field):
    response = send(client, "patch", "/settings/", body, **owner_auth)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_patched_settings_take_effect_for_clients(client, business, owner_auth):
    session = session_at(business, days_ahead(business, 3), time(9))
    send(client, "patch", "/settings/", {"is_active": False}, **owner_auth)
    response = client.post(
        public_url(business, "book/"),
        {"session_id": session.pk, "client_name": "A", "client_email": "a@b.co"},
        content_type="application/json",
    )
    assert response.status_code == 403


@pytest.mark.parametrize("method", ["get", "put", "patch"])
def test_staff_get_403_on_settings(client, business, staff, method):
    auth = bearer(token_for(staff, business))
    response = send(client, method, "/settings/", FULL_SETTINGS, **auth)
    assert response.status_code == 403
    assert response.json()["code"] == "owner_only"
    business.booking_settings.refresh_from_db()
    assert business.booking_settings.buffer_time_minutes == 15


# --- link -------------------------------------------------------------------------


def test_link_gives_url_and_embed_snippet(client, business, staff, settings):
    settings.BOOKING_BASE_URL = "https://book.example.com"
    response = client.get(f"{API}/link/", **bearer(token_for(staff, business)))
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["url", "widget_snippet", "embed_snippet"]
    assert body["url"] == f"https://book.example.com/book/{business.slug}/"
    assert body["widget_snippet"] == (
        '<script src="https://book.example.com/static/js/embed.js" '
        f'data-booking-link="{business.slug}" async></script>'
    )
    assert body["embed_snippet"].startswith(
        f'<iframe src="https://book.example.com/embed/{business.slug}/"'
    )


# --- approve and reject -----------------------------------------------------------


def test_approve_a_pending_request(client, pending, owner, owner_auth):
    response = send(client, "post", f"/requests/{pending.pk}/approve/", **owner_auth)
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"]) == (pending.pk, "approved")
    pending.refresh_from_db()
    assert (pending.status, pending.approved_by) == (Status.APPROVED, owner)


def test_staff_may_approve_and_reject(client, business, staff, pending):
    auth = bearer(token_for(staff, business))
    response = send(client, "post", f"/requests/{pending.pk}/approve/", **auth)
    assert response.status_code == 200


def test_reject_with_a_reason(client, pending, owner_auth):
    response = send(
        client,
        "post",
        f"/requests/{pending.pk}/reject/",
        {"reason": "The pool is closed that day."},
        **owner_auth,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["rejection_reason"]) == (
        "rejected",
        "The pool is closed that day.",
    )


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"reason": "   "}, "reason_required", "reason"),
        ({}, "invalid", "reason"),
        (None, "invalid", "reason"),
        ({"reason": "x" * 2001}, "invalid", "reason"),
    ],
)
def test_reject_needs_a_reason(client, pending, owner_auth, body, code, field):
    response = send(
        client, "post", f"/requests/{pending.pk}/reject/", body, **owner_auth
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert list(response.json()["errors"]) == [field]
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


@pytest.mark.parametrize(
    ("status", "action", "code"),
    [
        (Status.APPROVED, "approve", "invalid_transition"),
        (Status.APPROVED, "reject", "invalid_transition"),
        (Status.REJECTED, "approve", "invalid_transition"),
        (Status.CANCELLED, "approve", "invalid_transition"),
        (Status.EXPIRED, "reject", "invalid_transition"),
    ],
)
def test_invalid_transitions_are_409(
    client, business, owner_auth, status, action, code
):
    session = session_at(business, days_ahead(business, 3), time(9))
    booking = BookingRequestFactory(session=session, status=status)
    response = send(
        client,
        "post",
        f"/requests/{booking.pk}/{action}/",
        {"reason": "No."} if action == "reject" else None,
        **owner_auth,
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == code
    assert body["message"]


def test_approving_a_lapsed_request_is_409_expired(client, pending, owner_auth):
    BookingRequest.objects.filter(pk=pending.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = send(client, "post", f"/requests/{pending.pk}/approve/", **owner_auth)
    assert response.status_code == 409
    assert response.json()["code"] == "expired"


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_another_business_request_is_404(client, other_business, owner_auth, action):
    session = session_at(other_business, days_ahead(other_business, 3), time(9))
    foreign = BookingRequestFactory(session=session, status=Status.PENDING)
    response = send(
        client,
        "post",
        f"/requests/{foreign.pk}/{action}/",
        {"reason": "x"},
        **owner_auth,
    )
    assert response.status_code == 404
    assert response.json()["code"] == "request_not_found"
    foreign.refresh_from_db()
    assert foreign.status == Status.PENDING


def test_unknown_request_is_404(client, owner_auth):
    response = send(client, "post", "/requests/987654/approve/", **owner_auth)
    assert response.status_code == 404


# --- session authentication -------------------------------------------------------


@pytest.fixture
def signed_in(owner):
    client = Client(enforce_csrf_checks=True)
    client.login(username=owner.username, password=DEFAULT_PASSWORD)
    return client


def test_a_dashboard_session_works_for_reads(signed_in, business):
    response = signed_in.get(f"{API}/settings/")
    assert response.status_code == 200
    assert response.json()["business_slug"] == business.slug


def test_unsafe_methods_with_a_session_need_the_csrf_token(signed_in, pending):
    path = f"/requests/{pending.pk}/approve/"
    refused = send(signed_in, "post", path)
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    secret = _get_new_csrf_string()
    signed_in.cookies["csrftoken"] = secret
    allowed = send(signed_in, "post", path, HTTP_X_CSRFTOKEN=secret)
    assert allowed.status_code == 200


def test_anonymous_callers_get_401(client, pending):
    for method, path in [
        ("get", "/settings/"),
        ("patch", "/settings/"),
        ("get", "/requests/"),
        ("get", "/link/"),
        ("post", f"/requests/{pending.pk}/approve/"),
    ]:
        response = send(client, method, path, {})
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthorized"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_session_users_pick_their_business(owner, business):
    """Oldest membership by default; ?business= chooses; others' slugs are 404."""
    second = BusinessFactory(name="Second Pool")
    MembershipFactory(user=owner, business=second, role="staff")
    stranger = BusinessFactory(name="Not Mine")
    client = Client()
    client.force_login(owner)
    default = client.get(f"{API}/link/").json()["url"]
    assert default.endswith(f"/book/{business.slug}/")
    chosen = client.get(f"{API}/link/", {"business": second.slug}).json()["url"]
    assert chosen.endswith(f"/book/{second.slug}/")
    assert client.get(f"{API}/settings/", {"business": second.slug}).status_code == 403
    missing = client.get(f"{API}/link/", {"business": stranger.slug})
    assert (missing.status_code, missing.json()["code"]) == (404, "business_not_found")


def test_a_user_without_a_business_gets_403(db):
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory())
    response = client.get(f"{API}/link/")
    assert (response.status_code, response.json()["code"]) == (403, "no_business")


def test_a_token_is_bound_to_its_business(client, owner, business, other_business):
    MembershipFactory(user=owner, business=other_business, role="owner")
    auth = bearer(token_for(owner, business))
    same = client.get(f"{API}/link/", {"business": business.slug}, **auth)
    assert same.status_code == 200
    other = client.get(f"{API}/link/", {"business": other_business.slug}, **auth)
    assert other.status_code == 404


def test_admin_answers_are_not_cached(client, business, owner_auth):
    assert client.get(f"{API}/settings/", **owner_auth)["Cache-Control"] == "no-store"
    refused = client.get(f"{API}/settings/")
    assert (refused.status_code, refused["Cache-Control"]) == (401, "no-store")
    assert "Cache-Control" not in client.get(public_url(business))
