"""booking/compiled.py: ORM queries compiled once, run with each call's values."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from booking.compiled import CompiledInsert, CompiledQuery
from booking.models import BookingRequest, BookingSettings, Business, Session
from booking.notifications import _members
from booking.services import lock_business, session_of
from tests.conftest import requires_postgres
from tests.factories import (
    BusinessFactory,
    MembershipFactory,
    ServiceFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)


def _sessions(*, business_id: int, start: datetime, service_id: int | None):
    found = Session.objects.filter(business_id=business_id, starts_at__gte=start)
    if service_id is not None:
        found = found.filter(service_id=service_id)
    return found.order_by("starts_at").values_list("id", "starts_at")


@pytest.fixture
def two_businesses():
    made = {}
    for name in ("a", "b"):
        service = ServiceFactory()
        other = ServiceFactory(business=service.business)
        made[name] = [
            SessionFactory(service=s, starts_at=T0 + timedelta(hours=h))
            for h, s in ((0, service), (1, other), (2, service))
        ]
    return made


def test_each_call_runs_the_query_with_its_own_values(
    two_businesses, django_assert_num_queries
):
    query = CompiledQuery(_sessions)
    for sessions in two_businesses.values():
        first = sessions[0]
        for start in (T0, T0 + timedelta(minutes=30)):
            for service_id in (None, first.service_id):
                expected = list(
                    _sessions(
                        business_id=first.business_id,
                        start=start,
                        service_id=service_id,
                    )
                )
                with django_assert_num_queries(1):
                    rows = query.rows(
                        business_id=first.business_id,
                        start=start,
                        service_id=service_id,
                    )
                assert rows == expected
                assert rows  # the data makes each question answer something
    a, b = two_businesses["a"], two_businesses["b"]
    assert query.rows(business_id=b[0].business_id, start=T0, service_id=None) == [
        (s.pk, s.starts_at) for s in b
    ]
    assert query.rows(
        business_id=a[0].business_id, start=T0, service_id=a[0].service_id
    ) == [(a[0].pk, a[0].starts_at), (a[2].pk, a[2].starts_at)]


@requires_postgres  # elsewhere the queryset is simply evaluated
def test_flags_change_the_shape():
    def build(*, newest_first: bool, business_id: int):
        order = "-starts_at" if newest_first else "starts_at"
        return (
            Session.objects.filter(business_id=business_id)
            .order_by(order)
            .values_list("id", flat=True)
        )

    sessions = [SessionFactory(starts_at=T0 + timedelta(hours=h)) for h in range(2)]
    service = sessions[0].service
    later = SessionFactory(service=service, starts_at=T0 + timedelta(hours=5))
    query = CompiledQuery(build)
    business_id = service.business_id
    oldest = query.rows({"newest_first": False}, business_id=business_id)
    newest = query.rows({"newest_first": True}, business_id=business_id)
    assert [row[0] for row in oldest] == [sessions[0].pk, later.pk]
    assert [row[0] for row in newest] == [later.pk, sessions[0].pk]


@requires_postgres  # elsewhere the queryset is simply evaluated
def test_an_argument_the_query_does_not_use_is_refused():
    def build(*, business_id: int, start: datetime):
        return Session.objects.filter(business_id=business_id).values_list("id")

    with pytest.raises(ValueError, match="start"):
        CompiledQuery(build).rows(business_id=1, start=T0)


@requires_postgres  # elsewhere the queryset is simply evaluated
def test_arguments_of_other_types_are_refused():
    def build(*, day):
        return Session.objects.filter(starts_at__date=day).values_list("id")

    with pytest.raises(TypeError, match="day"):
        CompiledQuery(build).rows(day=date(2026, 3, 28))


@requires_postgres  # elsewhere the queryset is simply evaluated
def test_a_compiled_query_is_planned_once_per_connection():
    session = SessionFactory(starts_at=T0)
    query = CompiledQuery(_sessions)
    for start in (T0, T0 - timedelta(days=1), T0 + timedelta(days=1)):
        query.rows(business_id=session.business_id, start=start, service_id=None)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ["%booking_session%starts_at%"],
        )
        assert cursor.fetchall() == [(3,)]  # one statement, run three times


def test_the_query_log_shows_each_run_with_its_values():
    session = SessionFactory(starts_at=T0)
    query = CompiledQuery(_sessions)
    with CaptureQueriesContext(connection) as captured:
        query.rows(business_id=session.business_id, start=T0, service_id=None)
    (logged,) = captured.captured_queries
    assert f'"business_id" = {session.business_id}' in logged["sql"]
    assert "2026-03-28" in logged["sql"]


def test_loaded_instances_are_those_select_related_gives(
    two_businesses, django_assert_num_queries
):
    """``Loaded``: the lock of a business, the session booked and the members told
    come back as the ORM's own ``select_related`` would give them, in one query
    each, the relations already there."""
    session = two_businesses["a"][1]
    business = session.business
    owner = MembershipFactory(business=business, user=UserFactory(first_name="Ada"))
    MembershipFactory(business=business, user=UserFactory(is_active=False))
    with transaction.atomic(), django_assert_num_queries(3):
        locked = lock_business(business.pk)
        found = session_of(business.pk, session.pk)
        members = _members(business.pk)
        assert locked.booking_settings.business is locked
        assert (locked.name, locked.booking_settings.pk) == (
            business.name,
            business.booking_settings.pk,
        )
        assert (found, found.service, found.starts_at) == (
            session,
            session.service,
            session.starts_at,
        )
        assert members == [owner] and members[0].user.first_name == "Ada"
    assert session_of(two_businesses["b"][0].business_id, session.pk) is None


def test_a_lock_loads_missing_settings_as_select_related_does():
    business = BusinessFactory()
    BookingSettings.objects.filter(business=business).delete()
    with transaction.atomic():
        locked = lock_business(business.pk)
        with pytest.raises(BookingSettings.DoesNotExist):
            locked.booking_settings  # noqa: B018
        with pytest.raises(Business.DoesNotExist):
            lock_business(-1)


# --- CompiledInsert ---------------------------------------------------------------

HELD = {"status": "approved", "approved_at": T0}


@requires_postgres
def test_a_compiled_insert_writes_what_create_writes_and_tells_the_signals():
    saved = []

    def seen(sender, instance, created, **kwargs):
        saved.append((instance.pk, created))

    session = SessionFactory(starts_at=T0)
    insert = CompiledInsert(BookingRequest)
    post_save.connect(seen, sender=BookingRequest)
    try:
        made = insert.create(
            session=session, client_name="Ada", client_email="a@b.co", **HELD
        )
        twice = insert.create(
            session=session, client_name="Bo", client_phone="+1", **HELD
        )
    finally:
        post_save.disconnect(seen, sender=BookingRequest)
    assert saved == [(made.pk, True), (twice.pk, True)]
    assert not made._state.adding
    stored = BookingRequest.objects.get(pk=made.pk)
    assert (stored.client_name, stored.status, stored.sequence) == (
        "Ada",
        "approved",
        0,
    )
    assert stored.booking_reference == made.booking_reference
    assert stored.created_at == made.created_at and stored.created_at is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ['INSERT INTO "booking_bookingrequest"%'],
        )
        assert cursor.fetchall() == [(2,)]  # prepared once, run twice


@requires_postgres
def test_a_compiled_insert_breaking_a_constraint_raises_integrity_error():
    session = SessionFactory(starts_at=T0)
    insert = CompiledInsert(BookingRequest)
    insert.create(
        session=session,
        client_name="Ada",
        idempotency_key="k",
        client_phone="1",
        **HELD,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        insert.create(
            session=session,
            client_name="Bo",
            idempotency_key="k",
            client_phone="2",
            **HELD,
        )


@requires_postgres
def test_a_compiled_bulk_insert_gives_each_row_its_key_in_order():
    insert = CompiledInsert(Business)
    assert insert.bulk_create([]) == []
    made = insert.bulk_create(
        [Business(name=name, slug=name, timezone="UTC") for name in ("b1", "b2", "b3")]
    )
    assert [b.pk for b in made] == sorted(b.pk for b in made)
    assert {
        b.pk: b.name for b in Business.objects.filter(slug__in=["b1", "b2", "b3"])
    } == {b.pk: b.name for b in made}
    assert not any(b._state.adding for b in made)
