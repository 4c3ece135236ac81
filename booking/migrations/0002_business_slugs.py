"""Give every business that has no slug one, generated from its name."""

from django.db import migrations

from booking.slugs import base_slug, pick_free_slug


def fill_slugs(apps, schema_editor):
    Business = apps.get_model("booking", "Business")
    BusinessSlugRedirect = apps.get_model("booking", "BusinessSlugRedirect")
    taken = set(Business.objects.exclude(slug=None).exclude(slug="").values_list("slug", flat=True))
    taken |= set(BusinessSlugRedirect.objects.values_list("old_slug", flat=True))
    for business in Business.objects.filter(slug=None) | Business.objects.filter(slug=""):
        slug = pick_free_slug(base_slug(business.name), taken)
        taken.add(slug)
        Business.objects.filter(pk=business.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]

    operations = [migrations.RunPython(fill_slugs, migrations.RunPython.noop)]
