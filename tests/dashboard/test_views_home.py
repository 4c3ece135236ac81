"""Home (dashboard/views/home.py): sessions, pending requests, the booking link."""

from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import BookingRequest
from tests.dashboard.conftest import url
from tests.factories import BookingRequestFactory, SessionFactory


@pytest.mark.django_db
def test_home_shows_sessions_pending_and_the_link(owner_client, business, service):
    business.link_shared_at = timezone.now()  # "Get started" is done
    business.save()
    now = timezone.now()
    today = SessionFactory(service=service, starts_at=now + timedelta(minutes=30))
    if (
        today.starts_at.astimezone(business.tz).date()
        != now.astimezone(business.tz).date()
    ):
        today.starts_at = now  # late in the evening: keep it today
        today.ends_at = now + timedelta(hours=1)
        today.save()
    later = SessionFactory(service=service, starts_at=now + timedelta(days=3))
    BookingRequestFactory(session=later, client_name="Wanda Week")
    BookingRequestFactory(
        session=later,
        client_name="Pat Pending",
        status=BookingRequest.Status.PENDING,
        expires_at=now + timedelta(hours=2, minutes=10),
    )
    html = owner_client.get(url("home", business)).content.decode()
    today_part = html[html.index('id="today-title"') : html.index('id="week-title"')]
    assert f'id="session-{today.pk}"' in today_part
    week_part = html[html.index('id="week-title"') :]
    assert f'id="session-{later.pk}"' in week_part
    assert "Wanda Week" in week_part and "Pat Pending" in week_part
    assert '<p class="display-6 mb-1" data-pending-count>1</p>' in html
    assert "Soonest to expire: Pat Pending, in 2 h" in html
    assert 'id="booking-link"' in html
    assert "Get started" not in html


@pytest.mark.django_db
def test_home_for_a_new_business_shows_how_to_start(owner_client, business):
    html = owner_client.get(url("home", business)).content.decode()
    assert "Get started" in html and url("service_new", business) in html
    assert "No pending requests." in html


@pytest.mark.django_db
def test_home_warns_when_the_link_is_off(owner_client, business):
    business.booking_settings.is_active = False
    business.booking_settings.save()
    assert (
        b"Your booking link is switched off"
        in owner_client.get(url("home", business)).content
    )


@pytest.mark.django_db
def test_staff_home_has_no_owner_links(staff_client, business):
    html = staff_client.get(url("home", business)).content.decode()
    assert url("settings", business) not in html
    assert url("service_new", business) not in html
