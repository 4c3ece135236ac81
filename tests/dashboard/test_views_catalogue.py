"""Services (dashboard/views/catalogue.py): list, create, edit, deactivate, delete
only when never booked."""

from decimal import Decimal

import pytest

from booking.models import BookingRequest, Service
from tests.dashboard.conftest import url
from tests.factories import BookingRequestFactory, ServiceFactory, SessionFactory

GOOD = {
    "name": "Private Lesson",
    "description": "One to one",
    "duration_minutes": "45",
    "capacity": "1",
    "price": "35.50",
    "is_active": "on",
}


@pytest.mark.django_db
def test_list_shows_services_with_upcoming_sessions(owner_client, business, session):
    html = owner_client.get(url("services", business)).content.decode()
    assert "Private Lesson" in html and "Active" in html
    assert '<td data-label="Upcoming">1</td>' in html  # one upcoming session


@pytest.mark.django_db
def test_empty_list_invites_to_add_one(owner_client, business):
    assert (
        b"Add your first service" in owner_client.get(url("services", business)).content
    )


@pytest.mark.django_db
def test_create_a_service(owner_client, business):
    response = owner_client.post(url("service_new", business), GOOD, follow=True)
    assert "Service “Private Lesson” saved." in response.content.decode()
    service = Service.objects.get(business=business)
    assert (service.duration_minutes, service.price) == (45, Decimal("35.50"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Give the service a name."),
        ("name", "private lesson", "You already have a service with this name."),
        ("duration_minutes", "4", "from 5 to 1440"),
        ("duration_minutes", "1441", "from 5 to 1440"),
        ("capacity", "0", "from 1 to 1000"),
        ("capacity", "1001", "from 1 to 1000"),
        ("price", "-1", "The price cannot be negative."),
        ("price", "12.345", "Use at most two decimal places."),
        ("price", "abc", "Enter a price like 25 or 25.50."),
        ("price", "", "Enter a price (0 for free)."),
    ],
)
def test_service_bad_input(owner_client, business, field, value, message):
    ServiceFactory(business=business, name="Private Lesson")
    response = owner_client.post(url("service_new", business), {**GOOD, field: value})
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'id="id_{field}_error"' in html and 'aria-invalid="true"' in html
    assert Service.objects.filter(business=business).count() == 1


@pytest.mark.django_db
def test_edit_a_service_keeping_its_name(owner_client, business, service):
    response = owner_client.post(
        url("service_edit", business, pk=service.pk),
        {**GOOD, "name": service.name, "capacity": "8"},
    )
    assert response["Location"] == url("services", business)
    service.refresh_from_db()
    assert service.capacity == 8


@pytest.mark.django_db
def test_deactivate_and_reactivate(owner_client, business, service):
    response = owner_client.post(
        url("service_active", business, pk=service.pk), {"active": "0"}, follow=True
    )
    assert "clients can no longer book it" in response.content.decode()
    service.refresh_from_db()
    assert not service.is_active
    owner_client.post(url("service_active", business, pk=service.pk), {"active": "1"})
    service.refresh_from_db()
    assert service.is_active


@pytest.mark.django_db
def test_delete_a_service_never_booked(owner_client, business, service):
    SessionFactory(service=service)
    response = owner_client.post(
        url("service_delete", business, pk=service.pk), follow=True
    )
    assert f"“{service.name}” deleted." in response.content.decode()
    assert not Service.objects.filter(pk=service.pk).exists()


@pytest.mark.django_db
def test_a_booked_service_is_never_deleted(owner_client, business, session):
    BookingRequestFactory(session=session, status=BookingRequest.Status.CANCELLED)
    html = owner_client.get(url("services", business)).content.decode()
    assert "Delete" not in html  # only offered for services never booked
    response = owner_client.post(
        url("service_delete", business, pk=session.service.pk), follow=True
    )
    assert "Deactivate it instead" in response.content.decode()
    assert Service.objects.filter(pk=session.service.pk).exists()
