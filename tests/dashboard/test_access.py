"""Every dashboard URL goes through dashboard/access.py: login required, another
business's member gets 404, staff get 403 on owner-only pages, state changes are
POST with CSRF.
"""

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from booking.models import Membership, OutboundEmail
from booking.tokens import api_token_create
from dashboard import urls as dashboard_urls
from dashboard.models import Invitation
from tests.dashboard.conftest import notify


@dataclass(frozen=True)
class Url:
    name: str
    method: str = "get"
    owner_only: bool = False
    obj: str | None = None  # the object whose pk the URL takes
    extra: dict = field(default_factory=dict)
    objs: dict = field(default_factory=dict)  # more URL arguments: name -> object


URLS = [
    Url("home"),
    Url("link_shared", "post"),
    Url("settings", owner_only=True),
    Url("settings_profile", "post", owner_only=True),
    Url("settings_booking", "post", owner_only=True),
    Url("settings_feed_regenerate", owner_only=True),
    Url("health", owner_only=True),
    Url("health_email_retry", "post", owner_only=True, obj="email"),
    Url("members", owner_only=True),
    Url("member_invite", "post", owner_only=True),
    Url("invitation_revoke", "post", owner_only=True, obj="invitation"),
    Url("member_role", "post", owner_only=True, obj="membership"),
    Url("member_remove", "post", owner_only=True, obj="membership"),
    Url("services", owner_only=True),
    Url("service_new", owner_only=True),
    Url("service_edit", owner_only=True, obj="service"),
    Url("service_active", "post", owner_only=True, obj="service"),
    Url("service_delete", "post", owner_only=True, obj="service"),
    Url("sessions"),
    Url("session_new"),
    Url("series_new"),
    Url("series_preview"),
    Url("session_edit", obj="session"),
    Url("session_cancel", obj="session"),
    Url("session_bookable", "post", obj="session"),
    Url("session_add_client", obj="session"),
    Url("requests"),
    Url("requests_export"),
    Url("requests_bulk_approve", "post"),
    Url("request_detail", obj="booking"),
    Url("request_approve", "post", obj="booking"),
    Url("request_reject", obj="booking"),
    Url("request_cancel", obj="booking"),
    Url("request_move", obj="booking"),
    Url("request_move_confirm", obj="booking", objs={"session_id": "session"}),
    Url("request_move_approve", "post", obj="booking"),
    Url("request_move_reject", obj="booking"),
    Url("api_tokens"),
    Url("api_token_revoke", "post", obj="api_token"),
    Url("link"),
    Url("link_origins", "post", owner_only=True),
    Url("link_qr", extra={"fmt": "png"}),
    Url("notifications"),
    Url("notifications_bell"),
    Url("notifications_read_all", "post"),
    Url("notification_read", "post", obj="notification"),
    Url("notification_preferences"),
]
IDS = [u.name for u in URLS]


def _names(patterns) -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            names.add(pattern.name)
    return names


def test_the_table_covers_every_dashboard_url():
    business_scoped = _names(dashboard_urls.business_patterns)
    assert business_scoped == {u.name for u in URLS}
    assert _names(dashboard_urls.urlpatterns) - business_scoped == {
        "index",
        "business_new",
    }


@pytest.fixture
def objects(business, owner, staff, pending):
    """One object of each kind in ``business``, for URLs that take a pk."""
    _raw, token_hash = Invitation.new_token()
    return {
        "booking": pending,
        "session": pending.session,
        "service": pending.session.service,
        "membership": Membership.objects.get(user=staff, business=business),
        "invitation": Invitation.objects.create(
            business=business,
            email="new@example.com",
            token_hash=token_hash,
            expires_at=pending.expires_at,
        ),
        "notification": notify(owner, pending),
        "email": OutboundEmail.objects.create(
            business=business,
            kind="booking_confirmed",
            to_email="penny@example.com",
            subject="Booking confirmed",
            body_text="See you.",
            status=OutboundEmail.Status.FAILED,
        ),
        "api_token": api_token_create(user=owner, business=business, name="Zapier")[0],
    }


def url_for(spec: Url, business_id: int, objects: dict) -> str:
    kwargs = {"business_id": business_id, **spec.extra}
    if spec.obj:
        kwargs["pk"] = objects[spec.obj].pk
    kwargs.update({name: objects[obj].pk for name, obj in spec.objs.items()})
    return reverse(f"dashboard:{spec.name}", kwargs=kwargs)


def call(client: Client, spec: Url, url: str):
    return getattr(client, spec.method)(url)


@pytest.mark.django_db
@pytest.mark.parametrize("spec", URLS, ids=IDS)
def test_anonymous_visitors_are_sent_to_log_in(client, spec, business, objects):
    url = url_for(spec, business.pk, objects)
    response = call(client, spec, url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["index", "business_new"])
def test_anonymous_visitors_cannot_open_the_account_level_pages(client, name):
    response = client.get(reverse(f"dashboard:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("spec", URLS, ids=IDS)
def test_a_member_of_another_business_gets_404(other_client, spec, business, objects):
    response = call(other_client, spec, url_for(spec, business.pk, objects))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("spec", [u for u in URLS if u.obj], ids=lambda u: u.name)
def test_another_business_objects_are_404_under_your_own_business(
    other_client, spec, other_business, objects
):
    response = call(other_client, spec, url_for(spec, other_business.pk, objects))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("spec", URLS, ids=IDS)
def test_staff_get_403_exactly_on_owner_only_pages(
    staff_client, staff, spec, business, objects
):
    if spec.obj == "notification":
        objects["notification"] = notify(staff, objects["booking"])
    if spec.obj == "api_token":  # staff have tokens of their own
        objects["api_token"], _ = api_token_create(
            user=staff, business=business, name="Staff script"
        )
    response = call(staff_client, spec, url_for(spec, business.pk, objects))
    if spec.owner_only:
        assert response.status_code == 403
        assert b"You cannot open this page" in response.content
    else:
        assert response.status_code in {200, 302}


@pytest.mark.django_db
@pytest.mark.parametrize("spec", URLS, ids=IDS)
def test_owners_can_open_every_page(owner_client, spec, business, objects):
    response = call(owner_client, spec, url_for(spec, business.pk, objects))
    assert response.status_code in ({200} if spec.method == "get" else {200, 302})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spec", [u for u in URLS if u.method == "post"], ids=lambda u: u.name
)
def test_state_changes_refuse_get(owner_client, spec, business, objects):
    response = owner_client.get(url_for(spec, business.pk, objects))
    assert response.status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spec",
    [u for u in URLS if u.method == "post"]
    + [
        Url("request_reject", "post", obj="booking"),
        Url("request_move_reject", "post", obj="booking"),
        Url(
            "request_move_confirm",
            "post",
            obj="booking",
            objs={"session_id": "session"},
        ),
        Url("session_add_client", "post", obj="session"),
        Url("series_new", "post"),
        Url("settings_feed_regenerate", "post"),
        Url("api_tokens", "post"),
    ],
    ids=lambda u: u.name,
)
def test_state_changes_need_the_csrf_token(owner, spec, business, objects):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(url_for(spec, business.pk, objects), {"reason": "x"})
    assert response.status_code == 403


def test_the_membership_read_is_what_the_orm_reads(
    owner, staff, business, other_business
):
    """``membership_of`` (compiled once) answers as the ORM query it replaced, with
    the business and its settings loaded: reading them runs no query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from booking.lookup import membership_of

    for user in (owner, staff):
        expected = (
            Membership.objects.select_related("business__booking_settings")
            .filter(user=user, business_id=business.pk)
            .first()
        )
        with CaptureQueriesContext(connection) as queries:
            found = membership_of(user_id=user.pk, business_id=business.pk)
            fields = Membership._meta.concrete_fields
            assert [f.value_from_object(found) for f in fields] == [
                f.value_from_object(expected) for f in fields
            ]
            assert found.business.name == business.name
            assert found.business.tz == business.tz
            settings = found.business.booking_settings
            assert settings.pk == expected.business.booking_settings.pk
            assert settings.business is found.business
        assert len(queries) == 1
    assert membership_of(user_id=owner.pk, business_id=other_business.pk) is None
    assert membership_of(user_id=owner.pk, business_id=10**30) is None


def test_a_business_id_beyond_any_id_is_not_found(owner):
    client = Client()
    client.force_login(owner)
    response = client.get(f"/dashboard/{10**30}/requests/")
    assert response.status_code == 404
