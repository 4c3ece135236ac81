"""Faster timestamps from PostgreSQL.

Django (5.2) loads every ``timestamptz`` through a subclass of psycopg's pure-Python
loader, about 8 µs a value: an uncached availability answer over a busy month reads
thousands and spent most of its time there (docs/PERFORMANCE.md). With psycopg's C
extension installed (``psycopg[binary]``) and connections in UTC (``USE_TZ``, as
here), its C loader gives the same aware UTC datetimes, several times faster; this
registers it on each new connection. Anything else keeps Django's loader.
"""

from datetime import UTC

from django.db.backends.signals import connection_created
from psycopg._cmodule import _psycopg
from psycopg.adapt import Loader


class UTCTimestamptzLoader(Loader):
    """psycopg's C ``timestamptz`` loader (a final type: wrapped, not subclassed)."""

    # Django's create_cursor() compares this with the connection's zone.
    timezone = UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._load = _psycopg.TimestamptzLoader(oid, context).load

    def load(self, data):
        return self._load(data)


def use_c_timestamps(sender, connection, **kwargs) -> None:
    if (
        connection.vendor == "postgresql"
        and connection.timezone_name == "UTC"
        and _psycopg is not None
    ):
        connection.connection.adapters.register_loader(
            "timestamptz", UTCTimestamptzLoader
        )


def install() -> None:
    connection_created.connect(use_c_timestamps, dispatch_uid="booking.pgtypes")
