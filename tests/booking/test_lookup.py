"""booking/lookup.py: a business by its slug, with its settings, in one query."""

import pytest

from booking.lookup import active_service, active_services, business_by_slug
from booking.models import BookingSettings, BusinessSlugRedirect
from tests.factories import BusinessFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def test_the_business_and_its_settings_in_one_query(django_assert_num_queries):
    business = BusinessFactory(name="Swim School", timezone="Asia/Tokyo")
    business.booking_settings.buffer_time_minutes = 25
    business.booking_settings.save()
    BusinessFactory(name="Another")
    version = BookingSettings.objects.get(business=business).availability_version
    with django_assert_num_queries(1):
        found = business_by_slug(business.slug)
        assert (found.pk, found.name, found.timezone) == (
            business.pk,
            "Swim School",
            "Asia/Tokyo",
        )
        assert found.booking_settings.buffer_time_minutes == 25
        assert found.booking_settings.business is found
        assert found.booking_settings.availability_version == version


def test_an_unknown_slug_is_none():
    BusinessFactory(slug="swim")
    assert business_by_slug("swim-school") is None


def test_a_business_without_settings_reads_as_with_select_related(
    django_assert_num_queries,
):
    business = BusinessFactory()
    BookingSettings.objects.filter(business=business).delete()
    with django_assert_num_queries(1):
        found = business_by_slug(business.slug)
        with pytest.raises(BookingSettings.DoesNotExist):
            found.booking_settings  # noqa: B018
        assert getattr(found, "booking_settings", None) is None


def test_whether_it_offers_a_service():
    business = BusinessFactory()
    active = ServiceFactory(business=business)
    inactive = ServiceFactory(business=business, is_active=False)
    elsewhere = ServiceFactory()
    offers = {
        service.pk: business_by_slug(
            business.slug, service_id=service.pk
        ).offers_service
        for service in (active, inactive, elsewhere)
    }
    assert offers == {active.pk: True, inactive.pk: False, elsewhere.pk: False}
    assert not hasattr(business_by_slug(business.slug), "offers_service")


def test_a_business_read_this_way_saves_like_any_other():
    business = BusinessFactory(slug="old-name")
    found = business_by_slug("old-name")
    found.slug = "new-name"
    found.save()
    assert business_by_slug("new-name").pk == business.pk
    assert BusinessSlugRedirect.objects.get(old_slug="old-name").business_id == (
        business.pk
    )


def test_active_services_by_name_in_one_query(django_assert_num_queries):
    business = BusinessFactory()
    made = [
        ServiceFactory(business=business, name=name, is_active=active)
        for name, active in (("Yoga", True), ("Aqua", True), ("Old", False))
    ]
    twin = ServiceFactory(business=business, name="Aqua", duration_minutes=90)
    ServiceFactory(business=BusinessFactory(), name="Elsewhere")
    with django_assert_num_queries(1):
        found = active_services(business)
        assert [(s.pk, s.name, s.duration_minutes) for s in found] == [
            (made[1].pk, "Aqua", made[1].duration_minutes),
            (twin.pk, "Aqua", 90),
            (made[0].pk, "Yoga", made[0].duration_minutes),
        ]


def test_one_active_service_of_the_business_in_one_query(django_assert_num_queries):
    business = BusinessFactory()
    offered = ServiceFactory(business=business, name="Lengths")
    retired = ServiceFactory(business=business, is_active=False)
    elsewhere = ServiceFactory(business=BusinessFactory())
    with django_assert_num_queries(1):
        found = active_service(business, offered.pk)
        assert (found.pk, found.name) == (offered.pk, "Lengths")
    assert active_service(business, retired.pk) is None
    assert active_service(business, elsewhere.pk) is None
    with django_assert_num_queries(0):  # no id PostgreSQL would take
        assert active_service(business, 2**63) is None
