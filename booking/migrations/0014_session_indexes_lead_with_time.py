"""Sessions are found by business or service *and* time: one index each, leading with
the owner and then ``starts_at``, and no index on the owner alone, which PostgreSQL
preferred (filtering the times out of all the business's sessions) whenever its
statistics overestimated a range. The new index first, then the single ones go."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0013_outbox_bodies_inserted_as_values"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                fields=["service", "starts_at"], name="session_service_start_idx"
            ),
        ),
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
    ]
