"""factory_boy factories for the domain model."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from booking.models import (
    BookingRequest,
    BookingSettings,
    Business,
    Membership,
    Service,
    Session,
)

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    username = factory.SelfAttribute("email")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Business {n}")
    description = "Lessons for all ages"
    address = "1 High Street"
    phone = "+441234567890"
    email = factory.Sequence(lambda n: f"hello{n}@business.example.com")
    timezone = "Europe/London"
    settings = factory.RelatedFactory(
        "tests.factories.BookingSettingsFactory", factory_related_name="business"
    )


class BookingSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BookingSettings
        django_get_or_create = ("business",)

    business = factory.SubFactory(BusinessFactory, settings=None)
    min_advance_booking_hours = 0


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    business = factory.SubFactory(BusinessFactory)
    role = Membership.Role.OWNER


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    business = factory.SubFactory(BusinessFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    description = "A lesson"
    duration_minutes = 60
    capacity = 1
    price = Decimal("50.00")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    service = factory.SubFactory(ServiceFactory)
    business = factory.SelfAttribute("service.business")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    ends_at = factory.LazyAttribute(
        lambda s: s.starts_at + timedelta(minutes=s.service.duration_minutes)
    )
    capacity = factory.SelfAttribute("service.capacity")
    booking_deadline_hours = 0


class BookingRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BookingRequest

    session = factory.SubFactory(SessionFactory)
    client_name = factory.Faker("name")
    client_email = factory.Sequence(lambda n: f"client{n}@example.com")
    client_phone = ""
    status = BookingRequest.Status.APPROVED
    expires_at = factory.LazyAttribute(
        lambda b: (
            timezone.now() + timedelta(hours=24)
            if b.status == BookingRequest.Status.PENDING
            else None
        )
    )
