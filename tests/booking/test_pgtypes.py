"""Timestamps from PostgreSQL load through psycopg's C loader (booking/pgtypes.py),
as the same aware UTC datetimes Django's own loader gives."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from booking.models import Session
from booking.pgtypes import UTCTimestamptzLoader
from tests.conftest import requires_postgres
from tests.factories import SessionFactory

pytestmark = [pytest.mark.django_db, requires_postgres]


def test_connections_load_timestamps_with_the_c_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, 0)  # timestamptz, text
    assert loader is UTCTimestamptzLoader


def test_instants_come_back_aware_in_utc_whatever_the_offset_written():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT '2027-03-28 01:30:00+01'::timestamptz, "
            "'2027-03-28 02:30:00+02'::timestamptz, NULL::timestamptz"
        )
        first, second, nothing = cursor.fetchone()
    assert first == second == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    assert first.tzinfo is UTC
    assert nothing is None


def test_model_fields_round_trip(business):
    starts = datetime(2027, 10, 31, 1, 15, 30, 123456, tzinfo=UTC)
    session = SessionFactory(service__business=business, starts_at=starts)
    assert Session.objects.get(pk=session.pk).starts_at == starts
