"""Trigram indexes for the requests table's search (docs/PERFORMANCE.md, "The
requests table").

The search (``booking.selectors.search_q``) is ``icontains`` over the client's name,
email and phone and the booking reference, which PostgreSQL runs as
``UPPER(column::text) LIKE UPPER('%…%')``: without an index it reads every request.
A ``pg_trgm`` GIN index of that very expression answers it, one per column (the
search ORs them: a bitmap of each). Under SQLite (development) the migration does
nothing, and the search means the same.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

COLUMNS = ("client_name", "client_email", "client_phone", "booking_reference")


class TrigramExtensionOnPostgres(TrigramExtension):
    """Django's ``CreateExtension`` skips other databases going forwards but not
    backwards (it asks ``pg_extension``): migrating back past this under SQLite
    (the data-migration tests, ``make test`` without ``DATABASE_URL``) failed."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def _index(column: str) -> str:
    return f"booking_request_{column}_trgm"


def create_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_index(column)} ON booking_bookingrequest "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_index(column)}")


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0011_session_length_index"),
    ]

    operations = [
        TrigramExtensionOnPostgres(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
