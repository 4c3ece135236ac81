"""The waiting count, kept by each process until a write or a lapse changes it.

Every write here commits (``transaction=True``), as in production: the business's
availability version is raised on commit (migration 0010's triggers).
"""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from booking import selectors, services
from booking.models import BookingRequest, Business
from booking.selectors import pending_count
from tests.conftest import requires_postgres
from tests.factories import (
    BookingRequestFactory,
    MembershipFactory,
    ServiceFactory,
    SessionFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]
Status = BookingRequest.Status


@pytest.fixture(autouse=True)
def _nothing_kept():
    selectors._WAITING.clear()
    yield
    selectors._WAITING.clear()


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def lesson(now):
    return SessionFactory(
        service=ServiceFactory(capacity=10), starts_at=now + timedelta(days=3)
    )


def waiting(session, expires_at):
    return BookingRequestFactory(
        session=session, status=Status.PENDING, expires_at=expires_at
    )


def as_read(business: Business) -> Business:
    """The business as a dashboard page reads it: with its settings (the version)."""
    return Business.objects.select_related("booking_settings").get(pk=business.pk)


def test_the_count_is_kept_until_a_write_or_a_lapse(
    lesson, now, django_assert_num_queries
):
    first = waiting(lesson, now + timedelta(hours=1))
    waiting(lesson, now + timedelta(hours=5))
    business = as_read(lesson.business)

    with django_assert_num_queries(1):
        assert pending_count(business=business, now=now) == 2
    with django_assert_num_queries(0):
        assert pending_count(business=business, now=now + timedelta(minutes=59)) == 2
    with django_assert_num_queries(1):  # an earlier instant is counted again
        assert pending_count(business=business, now=now - timedelta(minutes=1)) == 2

    lapsed = first.expires_at
    with django_assert_num_queries(1):
        assert pending_count(business=business, now=lapsed) == 1
    with django_assert_num_queries(0):
        assert pending_count(business=business, now=lapsed) == 1

    services.booking_reject(booking_id=first.pk, actor=None, reason="Full", now=now)
    waiting(lesson, now + timedelta(hours=2))  # a write: a new version
    with django_assert_num_queries(0):  # the version this page read
        assert pending_count(business=business, now=lapsed) == 1
    business = as_read(business)
    with django_assert_num_queries(1):
        assert pending_count(business=business, now=lapsed) == 2


def test_none_waiting_is_kept_too(lesson, now, django_assert_num_queries):
    business = as_read(lesson.business)
    assert pending_count(business=business, now=now) == 0
    with django_assert_num_queries(0):
        assert pending_count(business=business, now=now + timedelta(days=999)) == 0


def test_not_kept_without_the_version_or_inside_a_transaction(
    lesson, now, django_assert_num_queries
):
    waiting(lesson, now + timedelta(hours=1))
    plain = Business.objects.get(pk=lesson.business_id)  # settings not read
    business = as_read(lesson.business)
    for _ in range(2):
        with django_assert_num_queries(1):
            assert pending_count(business=plain, now=now) == 1
    with transaction.atomic():
        for _ in range(2):
            with django_assert_num_queries(1):
                assert pending_count(business=business, now=now) == 1
    assert not selectors._WAITING


def test_the_requests_page_counts_again_after_a_booking(lesson, now, client):
    owner = MembershipFactory(business=lesson.business).user
    client.force_login(owner)
    url = reverse("dashboard:requests", kwargs={"business_id": lesson.business_id})
    waiting(lesson, now + timedelta(hours=1))

    def shown() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        return page.split("data-waiting>", 1)[1].split("<", 1)[0], len(queries)

    assert shown()[0] == "1"  # the first visit also writes the session
    counted, queries = shown()
    assert counted == "1"
    waiting(lesson, now + timedelta(hours=1))
    assert shown() == ("2", queries + 1)  # counted again
    assert shown() == ("2", queries)  # kept: one query fewer
    waiting(SessionFactory(), now + timedelta(hours=1))  # another business's
    assert shown() == ("2", queries)  # its version did not change: still kept


def test_the_table_after_a_bulk_approval_counts_again(lesson, now, client):
    """The bulk approval answers HTMX with the table, in the request that wrote:
    the version read before the write must not bring back the count kept at it."""
    owner = MembershipFactory(business=lesson.business).user
    client.force_login(owner)
    ids = [waiting(lesson, now + timedelta(hours=h)).pk for h in (1, 2)]
    kwargs = {"business_id": lesson.business_id}
    page = client.get(reverse("dashboard:requests", kwargs=kwargs))
    assert b"data-waiting>2<" in page.content

    table = client.post(
        reverse("dashboard:requests_bulk_approve", kwargs=kwargs),
        {"ids": ids[:1]},
        headers={"HX-Request": "true"},
    )
    assert b"data-waiting>1<" in table.content


def test_a_process_keeps_a_bounded_number_of_counts(lesson, now):
    selectors._WAITING.update(
        {-n: (0, now, now, 0) for n in range(1, selectors._WAITING_KEPT + 1)}
    )
    assert pending_count(business=as_read(lesson.business), now=now) == 0
    assert list(selectors._WAITING) == [lesson.business_id]


def test_a_business_without_settings_is_counted_each_time(
    lesson, now, django_assert_num_queries
):
    lesson.business.booking_settings.delete()
    business = as_read(lesson.business)  # its settings read: none
    for _ in range(2):
        with django_assert_num_queries(1):
            assert pending_count(business=business, now=now) == 0
