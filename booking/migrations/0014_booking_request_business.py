"""Booking requests carry their session's business (``BookingRequest.business``).

Added nullable, filled from each request's session, then made required. The
database keeps it the session's whatever writes the row: on PostgreSQL a trigger
sets it on every insert and on every change of the session; on SQLite (which cannot
change the row in a trigger) one refuses any other value, and the model sets it
(``save``, ``bulk_create``).

SQLite rebuilds a table to alter it, which drops its triggers: a later migration
altering booking requests must create SQLite's again (``add_triggers``);
tests/booking/test_models_business.py fails if they are gone.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

POSTGRES_TRIGGER = """
CREATE FUNCTION booking_request_business() RETURNS trigger AS $$
BEGIN
    NEW.business_id := (
        SELECT business_id FROM booking_session WHERE id = NEW.session_id
    );
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER booking_request_business
    BEFORE INSERT OR UPDATE OF session_id, business_id ON booking_bookingrequest
    FOR EACH ROW EXECUTE FUNCTION booking_request_business();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS booking_request_business ON booking_bookingrequest;
DROP FUNCTION IF EXISTS booking_request_business();
"""
SQLITE_CHECK = """
CREATE TRIGGER booking_request_business_{when}
    BEFORE {event} ON booking_bookingrequest
    WHEN NEW.business_id IS NOT (
        SELECT business_id FROM booking_session WHERE id = NEW.session_id
    )
    BEGIN
        SELECT RAISE(ABORT, 'booking request business must be its session''s');
    END
"""
SQLITE_EVENTS = {"insert": "INSERT", "update": "UPDATE OF session_id, business_id"}


def fill(apps, schema_editor):
    BookingRequest = apps.get_model("booking", "BookingRequest")
    Session = apps.get_model("booking", "Session")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:  # checked now: PostgreSQL alters no table with checks pending
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    BookingRequest.objects.filter(business__isnull=True).update(
        business=Subquery(
            Session.objects.filter(pk=OuterRef("session_id")).values("business_id")
        )
    )
    if postgres:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_TRIGGER)
    elif vendor == "sqlite":
        for when, event in SQLITE_EVENTS.items():
            schema_editor.execute(SQLITE_CHECK.format(when=when, event=event))


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        for when in SQLITE_EVENTS:
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS booking_request_business_{when}"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0013_outbox_bodies_inserted_as_values"),
    ]

    operations = [
        migrations.AddField(
            model_name="bookingrequest",
            name="business",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="booking.business",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="bookingrequest",
            name="business",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="booking.business",
            ),
        ),
        migrations.AddIndex(
            model_name="bookingrequest",
            index=models.Index(
                fields=["business", "status", "expires_at", "id"],
                name="booking_business_status_idx",
            ),
        ),
        migrations.RunPython(add_triggers, drop_triggers, elidable=False),
    ]
