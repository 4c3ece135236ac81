"""Store every business's embed origins in their normalised ASCII form.

Values saved before origins were normalised (international host names, upper case,
default ports) are rewritten as the settings form now stores them. A line that is
not an origin is kept as it was: the header leaves it out, and the owner sees it
named the next time they save their settings.
"""

from django.db import migrations

from booking.origins import tidy_origins


def normalise(apps, schema_editor):
    BookingSettings = apps.get_model("booking", "BookingSettings")
    for settings in BookingSettings.objects.exclude(allowed_embed_origins=""):
        tidy = tidy_origins(settings.allowed_embed_origins)
        if tidy != settings.allowed_embed_origins:
            settings.allowed_embed_origins = tidy
            settings.save(update_fields=["allowed_embed_origins"])


class Migration(migrations.Migration):
    dependencies = [("booking", "0005_settings_embed_origins_validator")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
