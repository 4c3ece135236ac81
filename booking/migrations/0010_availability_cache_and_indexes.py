"""The availability cache's version (raised by triggers) and the index of the
requests that hold a spot (docs/PERFORMANCE.md, "Availability cache")."""

from django.db import migrations, models

# Every write that can change what a client sees bumps the business's
# ``availability_version`` when its transaction commits, whichever code path made it
# (services, the admin, bulk updates, tasks, psql). Deferred triggers run at commit,
# so the settings row is locked for an instant, after the transaction's own work,
# and once per business per transaction (the flag set with ``set_config``).
TRIGGERS_SQL = """
CREATE SEQUENCE IF NOT EXISTS booking_availability_version_seq;

CREATE OR REPLACE FUNCTION booking_bump_availability(bid bigint) RETURNS void AS $$
DECLARE
    flag text := 'booking.availability_bumped_' || bid;
BEGIN
    IF bid IS NULL OR current_setting(flag, true) = 'yes' THEN
        RETURN;
    END IF;
    UPDATE booking_bookingsettings
       SET availability_version = nextval('booking_availability_version_seq')
     WHERE business_id = bid;
    PERFORM set_config(flag, 'yes', true);
END;
$$ LANGUAGE plpgsql;

-- Sessions and services carry their business.
CREATE OR REPLACE FUNCTION booking_availability_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM booking_bump_availability(OLD.business_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM booking_bump_availability(NEW.business_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Booking requests reach theirs through their session (and a waiting move's).
CREATE OR REPLACE FUNCTION booking_request_changed() RETURNS trigger AS $$
DECLARE
    bid bigint;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        SELECT business_id INTO bid FROM booking_session WHERE id = OLD.session_id;
        PERFORM booking_bump_availability(bid);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        SELECT business_id INTO bid FROM booking_session WHERE id = NEW.session_id;
        PERFORM booking_bump_availability(bid);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Any change to the settings (a form's save included) is a new version.
CREATE OR REPLACE FUNCTION booking_settings_changed() RETURNS trigger AS $$
BEGIN
    NEW.availability_version := nextval('booking_availability_version_seq');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER booking_session_availability
    AFTER INSERT OR UPDATE OR DELETE ON booking_session
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION booking_availability_changed();
CREATE CONSTRAINT TRIGGER booking_service_availability
    AFTER INSERT OR UPDATE OR DELETE ON booking_service
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION booking_availability_changed();
CREATE CONSTRAINT TRIGGER booking_request_availability
    AFTER INSERT OR UPDATE OR DELETE ON booking_bookingrequest
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION booking_request_changed();
CREATE TRIGGER booking_settings_availability
    BEFORE INSERT OR UPDATE ON booking_bookingsettings
    FOR EACH ROW EXECUTE FUNCTION booking_settings_changed();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS booking_session_availability ON booking_session;
DROP TRIGGER IF EXISTS booking_service_availability ON booking_service;
DROP TRIGGER IF EXISTS booking_request_availability ON booking_bookingrequest;
DROP TRIGGER IF EXISTS booking_settings_availability ON booking_bookingsettings;
DROP FUNCTION IF EXISTS booking_settings_changed();
DROP FUNCTION IF EXISTS booking_request_changed();
DROP FUNCTION IF EXISTS booking_availability_changed();
DROP FUNCTION IF EXISTS booking_bump_availability(bigint);
DROP SEQUENCE IF EXISTS booking_availability_version_seq;
"""


def on_postgresql(sql):
    """Run ``sql`` on PostgreSQL only: under SQLite (one process, development) the
    availability cache is off (booking.availability_cache.enabled)."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0009_business_currency_and_link_shared"),
    ]

    operations = [
        # "status = approved" matches most rows: AND-ed into plans made without
        # statistics (right after a bulk load) it made each session's check read
        # the whole index. The two partial indexes below answer those questions.
        migrations.RemoveIndex(
            model_name="bookingrequest",
            name="booking_status_idx",
        ),
        migrations.AddField(
            model_name="bookingsettings",
            name="availability_version",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="bookingrequest",
            index=models.Index(
                condition=models.Q(("status__in", ["approved", "pending"])),
                fields=["session", "expires_at"],
                name="booking_holding_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="bookingrequest",
            index=models.Index(
                condition=models.Q(("move_to__isnull", False), ("status", "approved")),
                fields=["move_to", "move_expires_at"],
                name="booking_move_waiting_idx",
            ),
        ),
        migrations.RunPython(on_postgresql(TRIGGERS_SQL), on_postgresql(DROP_SQL)),
    ]
