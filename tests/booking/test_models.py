"""Models: slugs, defaults, database constraints, the slug data migration, the admin."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from booking.models import (
    BookingRequest,
    BookingSettings,
    Business,
    BusinessSlugRedirect,
    Service,
    Session,
)
from booking.slugs import validate_business_slug
from tests.factories import (
    BookingRequestFactory,
    BusinessFactory,
    ServiceFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


# --- booking state: one definition, asked of one object or of the database ---------

Status = BookingRequest.Status
NOW = timezone.now().replace(microsecond=0)
STATES = {
    # name: (status, expires_at relative to NOW)
    "approved": (Status.APPROVED, None),
    "pending": (Status.PENDING, timedelta(minutes=1)),
    "lapsed": (Status.PENDING, timedelta(0)),  # expires_at == now: lapsed
    "long_lapsed": (Status.PENDING, -timedelta(days=1)),
    "expired": (Status.EXPIRED, None),
    "rejected": (Status.REJECTED, None),
    "cancelled": (Status.CANCELLED, None),
}


@pytest.fixture
def requests_in_every_state():
    session = SessionFactory(starts_at=NOW + timedelta(days=2))
    return {
        name: BookingRequestFactory(
            session=session,
            status=status,
            expires_at=NOW + delta if delta is not None else None,
        )
        for name, (status, delta) in STATES.items()
    }


@pytest.mark.parametrize(
    ("name", "actions", "effective", "holds", "client_cancels"),
    [
        ("approved", {"cancelled"}, "approved", True, True),
        ("pending", {"approved", "rejected", "cancelled"}, "pending", True, True),
        ("lapsed", {"expired"}, "expired", False, False),
        ("long_lapsed", {"expired"}, "expired", False, False),
        ("expired", set(), "expired", False, False),
        ("rejected", set(), "rejected", False, False),
        ("cancelled", set(), "cancelled", False, False),
    ],
)
def test_what_a_request_allows_follows_transitions_and_the_clock(
    requests_in_every_state, name, actions, effective, holds, client_cancels
):
    booking = requests_in_every_state[name]
    assert booking.allowed_actions(NOW) == actions
    assert booking.effective_status(NOW) == effective
    assert booking.is_active(NOW) is holds
    assert booking.client_can_cancel(NOW) is client_cancels
    # Once the session has started, the client's link may no longer cancel.
    assert not booking.client_can_cancel(booking.session.starts_at)


def test_the_querysets_agree_with_the_model_methods(requests_in_every_state):
    by_pk = {b.pk: name for name, b in requests_in_every_state.items()}
    requests = BookingRequest.objects.all()

    def names(queryset) -> set[str]:
        return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}

    assert names(requests.holding_spot(NOW)) == {"approved", "pending"}
    assert names(requests.lapsed(NOW)) == {"lapsed", "long_lapsed"}
    for status in Status.values:
        expected = {
            name
            for name, b in requests_in_every_state.items()
            if b.effective_status(NOW) == status
        }
        assert names(requests.with_effective_status(status, NOW)) == expected
    session = requests_in_every_state["pending"].session
    assert names(session.booking_requests.holding_spot(NOW)) == {
        "approved",
        "pending",
    }


# --- slugs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Swim School Pro", "swim-school-pro"),
        ("Café Über Düsseldorf", "cafe-uber-dusseldorf"),
        ("  Tutor & Sons!!  ", "tutor-sons"),
        ("Москва Плавание", "moskva-plavanie"),
        ("東京スイム", "dong-jing-suimu"),
        ("!!!", "business"),
        ("Admin", "admin-business"),
    ],
)
def test_slug_is_generated_from_the_name(name, slug):
    assert Business.objects.create(name=name).slug == slug


def test_slugs_are_collision_safe():
    slugs = [Business.objects.create(name="Swim School Pro").slug for _ in range(3)]
    assert slugs == ["swim-school-pro", "swim-school-pro-2", "swim-school-pro-3"]


def test_long_names_make_slugs_that_fit():
    business = Business.objects.create(name="Very " * 45 + "Long Swim School")
    assert len(business.slug) <= 100
    validate_business_slug(business.slug)


@pytest.mark.parametrize(
    "slug", ["api", "admin", "dashboard", "static", "book", "embed"]
)
def test_reserved_slugs_are_refused(slug):
    with pytest.raises(ValidationError) as error:
        validate_business_slug(slug)
    assert error.value.code == "reserved"


@pytest.mark.parametrize(
    "slug", ["Upper", "with space", "trailing-", "-lead", "a--b", "ü"]
)
def test_malformed_slugs_are_refused(slug):
    with pytest.raises(ValidationError) as error:
        validate_business_slug(slug)
    assert error.value.code == "invalid"


def test_changing_the_slug_keeps_the_old_one_redirecting():
    business = Business.objects.create(name="Swim School Pro")
    business.slug = "swim-pro"
    business.save()
    assert (
        BusinessSlugRedirect.objects.get(old_slug="swim-school-pro").business
        == business
    )
    # An old slug is not handed to a new business, so old links never change owner.
    assert Business.objects.create(name="Swim School Pro").slug == "swim-school-pro-2"
    # Taking the old slug back stops it redirecting.
    business.slug = "swim-school-pro"
    business.save()
    assert not BusinessSlugRedirect.objects.filter(old_slug="swim-school-pro").exists()
    assert BusinessSlugRedirect.objects.get(old_slug="swim-pro").business == business


def test_slug_is_unique_in_the_database():
    Business.objects.create(name="A", slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        Business.objects.create(name="B", slug="same")


@pytest.mark.django_db(transaction=True)
def test_data_migration_gives_every_business_without_a_slug_one():
    executor = MigrationExecutor(connection)
    executor.migrate([("booking", "0001_initial")])
    old_apps = executor.loader.project_state([("booking", "0001_initial")]).apps
    OldBusiness = old_apps.get_model("booking", "Business")
    OldBusiness.objects.create(name="Swim School Pro", slug="swim-school-pro")
    OldBusiness.objects.create(name="Swim School Pro", slug=None)
    OldBusiness.objects.create(name="Café Bleu", slug="")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert sorted(Business.objects.values_list("slug", flat=True)) == [
        "cafe-bleu",
        "swim-school-pro",
        "swim-school-pro-2",
    ]


@pytest.mark.django_db(transaction=True)
def test_data_migration_stores_embed_origins_normalised():
    executor = MigrationExecutor(connection)
    (mine,) = [
        key
        for key in executor.loader.disk_migrations
        if key[0] == "booking" and key[1].endswith("_embed_origins_normalised")
    ]
    (before,) = executor.loader.graph.node_map[mine].parents
    executor.migrate([before.key])
    old_apps = executor.loader.project_state([before.key]).apps
    business = old_apps.get_model("booking", "Business").objects.create(
        name="Swim School Pro", slug="swim-school-pro"
    )
    old_apps.get_model("booking", "BookingSettings").objects.create(
        business=business,
        allowed_embed_origins="HTTPS://B\u00fccher.Example:443/\nnot an origin",
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert BookingSettings.objects.get().allowed_embed_origins == (
        "https://xn--bcher-kva.example\nnot an origin"
    )


# --- defaults and constraints ---------------------------------------------------------


def test_booking_settings_defaults_follow_the_spec():
    settings = BookingSettings.objects.create(
        business=Business.objects.create(name="X")
    )
    assert (
        settings.requires_approval,
        settings.buffer_time_minutes,
        settings.booking_expiry_hours,
        settings.is_active,
        settings.auto_approve_returning_clients,
        settings.max_advance_booking_days,
        settings.min_advance_booking_hours,
    ) == (False, 15, 24, True, False, 30, 2)


def test_session_defaults_follow_the_spec():
    session = SessionFactory.build(service=ServiceFactory())
    assert Session._meta.get_field("is_bookable").default is True
    assert Session._meta.get_field("booking_deadline_hours").default == 24
    assert session.capacity == 1


def _violates(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_email_or_phone_is_required_by_the_database():
    session = SessionFactory()
    _violates(
        lambda: BookingRequest.objects.create(
            session=session, client_name="X", status="approved"
        )
    )
    BookingRequest.objects.create(
        session=session, client_name="X", client_phone="+4412345678", status="approved"
    )


def test_pending_needs_an_expiry_and_status_must_be_known():
    session = SessionFactory()
    _violates(
        lambda: BookingRequest.objects.create(
            session=session,
            client_name="X",
            client_email="x@example.com",
            status="pending",
        )
    )
    _violates(
        lambda: BookingRequest.objects.create(
            session=session,
            client_name="X",
            client_email="x@example.com",
            status="lost",
        )
    )


def test_session_must_end_after_it_starts_and_hold_someone():
    service = ServiceFactory()
    start = timezone.now()
    _violates(
        lambda: Session.objects.create(
            business=service.business,
            service=service,
            starts_at=start,
            ends_at=start,
            capacity=1,
        )
    )
    _violates(
        lambda: Session.objects.create(
            business=service.business,
            service=service,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=0,
        )
    )


def test_service_capacity_at_least_one():
    business = BusinessFactory()
    _violates(
        lambda: Service.objects.create(
            business=business, name="X", duration_minutes=30, capacity=0
        )
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite accepts negatives in unsigned columns",
)
def test_buffer_and_windows_cannot_be_negative():
    business = BusinessFactory()
    for field in (
        "buffer_time_minutes",
        "max_advance_booking_days",
        "min_advance_booking_hours",
    ):
        _violates(
            lambda f=field: BookingSettings.objects.filter(business=business).update(
                **{f: -1}
            )
        )


def test_check_constraints_reject_negative_settings_on_any_database():
    business = BusinessFactory()
    settings = business.booking_settings
    for field in (
        "buffer_time_minutes",
        "max_advance_booking_days",
        "min_advance_booking_hours",
    ):
        setattr(settings, field, -1)
        with pytest.raises(ValidationError) as error:
            settings.full_clean()
        assert field in error.value.message_dict
        setattr(settings, field, 0 if field != "max_advance_booking_days" else 1)


def test_session_clean_refuses_another_business_service():
    session = SessionFactory.build(
        service=ServiceFactory(), business=BusinessFactory(), capacity=1
    )
    with pytest.raises(ValidationError) as error:
        session.clean()
    assert "service" in error.value.message_dict


def test_unknown_time_zone_is_refused():
    business = Business(name="X", slug="x", timezone="Mars/Base")
    with pytest.raises(ValidationError) as error:
        business.full_clean()
    assert "timezone" in error.value.message_dict


def test_booking_reference_and_token_are_unique_and_unguessable():
    session = SessionFactory()
    refs = {
        BookingRequest.objects.create(
            session=session,
            client_name="X",
            client_email="x@example.com",
            status="approved",
        )
        for _ in range(20)
    }
    assert len({b.booking_reference for b in refs}) == 20
    assert len({b.access_token for b in refs}) == 20
    assert all(len(b.access_token) >= 32 for b in refs)


def test_every_model_is_registered_in_the_admin():
    for app in ("booking", "dashboard"):
        for model in apps.get_app_config(app).get_models():
            assert admin.site.is_registered(model), model.__name__


def test_every_admin_list_and_add_page_opens(client, owner):
    owner.is_staff = owner.is_superuser = True
    owner.save()
    client.force_login(owner)
    BookingRequestFactory(session=SessionFactory(service=ServiceFactory()))
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label not in {"booking", "dashboard"}:
            continue
        for page in ("changelist", "add"):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}")
            assert client.get(url).status_code == 200, url
