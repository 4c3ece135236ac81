import booking.slugs
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("booking", "0002_business_slugs")]

    operations = [
        migrations.AlterField(
            model_name="business",
            name="slug",
            field=models.SlugField(
                help_text="Your booking link is /book/<slug>/.",
                max_length=100,
                unique=True,
                validators=[booking.slugs.validate_business_slug],
            ),
        ),
    ]
