"""Sessions are found by business or service *and* time: one index each, leading with
the owner and then ``starts_at``, and no index on the owner alone, which PostgreSQL
preferred (filtering the times out of all the business's sessions) whenever its
statistics overestimated a range. The new index first, then the single ones go.

The single indexes are dropped by name rather than by altering the fields: SQLite
alters a field by rebuilding its table, and rebuilding ``booking_session`` fails
there on the trigger of booking requests that reads it (migration 0014)."""

import django.db.models.deletion
from django.db import migrations, models

# Django's names for the foreign keys' own indexes (the same on every database).
SINGLE = {
    "business": "booking_session_business_id_df58abf8",
    "service": "booking_session_service_id_92df9e54",
}


def _drop(column: str) -> migrations.RunSQL:
    name = SINGLE[column]
    return migrations.RunSQL(
        f"DROP INDEX IF EXISTS {name}",
        reverse_sql=(
            f"CREATE INDEX IF NOT EXISTS {name} ON booking_session ({column}_id)"
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0014_booking_request_business"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                fields=["service", "starts_at"], name="session_service_start_idx"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="session",
                    name="business",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sessions",
                        to="booking.business",
                    ),
                ),
                migrations.AlterField(
                    model_name="session",
                    name="service",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sessions",
                        to="booking.service",
                    ),
                ),
            ],
            database_operations=[_drop("business"), _drop("service")],
        ),
    ]
