"""A booking request's ``business`` is always its session's, whatever writes it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from booking import services
from booking.models import BookingRequest, Session
from tests.factories import (
    BookingRequestFactory,
    BusinessFactory,
    ServiceFactory,
    SessionFactory,
    UserFactory,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def biz():
    return BusinessFactory()


@pytest.fixture
def lesson(biz):
    return SessionFactory(
        service=ServiceFactory(business=biz, capacity=5),
        starts_at=NOW + timedelta(days=3),
    )


@pytest.fixture
def elsewhere():
    """A session of another business."""
    return SessionFactory(starts_at=NOW + timedelta(days=3))


def stored_business(booking: BookingRequest) -> int:
    return BookingRequest.objects.values_list("business_id", flat=True).get(
        pk=booking.pk
    )


def test_a_booking_made_online_belongs_to_its_sessions_business(biz, lesson):
    booking = services.booking_create(
        business=biz,
        session_id=lesson.pk,
        client_name="Ada Lovelace",
        client_email="ada@example.com",
        now=NOW,
    ).booking

    assert booking.business_id == stored_business(booking) == biz.pk


def test_a_booking_entered_by_staff_belongs_to_its_sessions_business(biz, lesson):
    booking = services.booking_enter_by_staff(
        business=biz,
        session_id=lesson.pk,
        actor=UserFactory(),
        client_name="Bo Diddley",
        client_phone="+447700900123",
        now=NOW,
    ).booking

    assert booking.business_id == stored_business(booking) == biz.pk


def test_created_with_only_the_sessions_id_it_reads_the_business(biz, lesson):
    booking = BookingRequest.objects.create(
        session_id=lesson.pk,
        client_name="Cy",
        client_email="cy@example.com",
        status="approved",
    )

    assert booking.business_id == stored_business(booking) == biz.pk


def test_bulk_created_requests_belong_to_their_sessions_businesses(
    biz, lesson, elsewhere
):
    made = BookingRequest.objects.bulk_create(
        [
            BookingRequest(
                session=lesson,
                client_name="A",
                client_email="a@x.test",
                status="approved",
            ),
            BookingRequest(
                session_id=elsewhere.pk,
                client_name="B",
                client_email="b@x.test",
                status="approved",
            ),
            BookingRequest(
                session_id=lesson.pk,
                client_name="C",
                client_email="c@x.test",
                status="approved",
            ),
        ]
    )

    expected = [biz.pk, elsewhere.business_id, biz.pk]
    assert [booking.business_id for booking in made] == expected
    assert [stored_business(booking) for booking in made] == expected


def test_moving_a_booking_keeps_it_with_the_business(biz, lesson):
    booking = BookingRequestFactory(session=lesson)
    later = SessionFactory(service=lesson.service, starts_at=NOW + timedelta(days=4))

    moved = services.booking_reschedule(
        booking_id=booking.pk, session_id=later.pk, actor=UserFactory(), now=NOW
    )

    assert moved.booking.session_id == later.pk
    assert stored_business(moved.booking) == biz.pk


def test_the_database_keeps_the_business_the_sessions(biz, lesson, elsewhere):
    """Whatever is written: PostgreSQL's trigger sets the session's business, and
    SQLite's refuses another."""
    booking = BookingRequestFactory(session=lesson)
    wrong = BookingRequest(
        session_id=lesson.pk,
        business_id=elsewhere.business_id,  # not read from the session: kept
        client_name="B",
        client_email="b@x.test",
        status="approved",
    )
    writes = [
        lambda: BookingRequest.objects.bulk_create([wrong]),
        lambda: BookingRequest.objects.filter(pk=booking.pk).update(
            business_id=elsewhere.business_id
        ),
    ]
    if connection.vendor == "postgresql":
        for write in writes:
            write()
        assert stored_business(booking) == stored_business(wrong) == biz.pk
        BookingRequest.objects.filter(pk=booking.pk).update(session_id=elsewhere.pk)
        assert stored_business(booking) == elsewhere.business_id
    else:
        writes.append(
            lambda: BookingRequest.objects.filter(pk=booking.pk).update(
                session_id=elsewhere.pk
            )
        )
        for write in writes:
            with pytest.raises(IntegrityError), transaction.atomic():
                write()
        assert stored_business(booking) == biz.pk
        assert not BookingRequest.objects.filter(client_name="B").exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_in_every_existing_requests_business():
    executor = MigrationExecutor(connection)
    before = ("booking", "0013_outbox_bodies_inserted_as_values")
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    made = {}
    for name in ("Swim", "Tennis"):
        business = old.get_model("booking", "Business").objects.create(
            name=name, slug=name.lower()
        )
        service = old.get_model("booking", "Service").objects.create(
            business=business, name="Lesson", duration_minutes=60, capacity=4
        )
        session = old.get_model("booking", "Session").objects.create(
            business=business,
            service=service,
            starts_at=NOW,
            ends_at=NOW + timedelta(hours=1),
            capacity=4,
        )
        booking = old.get_model("booking", "BookingRequest").objects.create(
            session=session,
            client_name="Ada",
            client_email="ada@example.com",
            booking_reference=f"REF-{name}",
            access_token=f"token-{name}",
            status="approved",
        )
        made[booking.pk] = business.pk

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert dict(BookingRequest.objects.values_list("pk", "business_id")) == made
    assert set(made.values()) == set(Session.objects.values_list("business", flat=True))
