"""The notification centre: bell, list, marking read, email preferences."""

import pytest
from django.utils import timezone

from booking.models import BookingNotification, Membership
from tests.conftest import HTMX
from tests.dashboard.conftest import notify, url
from tests.factories import BookingRequestFactory, MembershipFactory


@pytest.mark.django_db
def test_the_bell_counts_my_unread_notifications_of_this_business(
    owner_client, owner, staff, business, pending, approved
):
    notify(owner, pending)
    notify(owner, approved)
    notify(owner, approved, read_at=timezone.now())
    notify(staff, pending)
    notify(owner, BookingRequestFactory())  # another business
    response = owner_client.get(url("notifications_bell", business), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<a id="bell"')
    assert 'aria-label="Notifications, 2 unread"' in html
    assert 'hx-trigger="every 30s"' in html
    page = owner_client.get(url("home", business)).content.decode()
    assert 'aria-label="Notifications, 2 unread"' in page


@pytest.mark.django_db
def test_the_bell_poll_interval_is_a_setting(owner_client, business, settings):
    settings.DASHBOARD_BELL_POLL_SECONDS = 5
    html = owner_client.get(url("notifications_bell", business)).content.decode()
    assert 'hx-trigger="every 5s"' in html


@pytest.mark.django_db
def test_the_switcher_shows_unread_in_other_businesses(owner_client, owner, business):
    other = MembershipFactory(user=owner, role="staff").business
    elsewhere = BookingRequestFactory(session__service__business=other)
    notify(owner, elsewhere)
    html = owner_client.get(url("home", business)).content.decode()
    assert 'title="Unread notifications in your other businesses">1<' in html


@pytest.mark.django_db
def test_list_and_mark_one_read(owner_client, owner, business, pending):
    note = notify(owner, pending, title="New request from Penny")
    html = owner_client.get(url("notifications", business)).content.decode()
    assert "New request from Penny" in html and "Mark all as read (1)" in html
    assert f'href="{url("request_detail", business, pk=pending.pk)}"' in html
    response = owner_client.post(
        url("notification_read", business, pk=note.pk),
        {"next": url("notifications", business)},
    )
    assert response["Location"] == url("notifications", business)
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.django_db
def test_open_marks_read_and_goes_to_the_request(
    owner_client, owner, business, pending
):
    note = notify(owner, pending)
    response = owner_client.post(
        url("notification_read", business, pk=note.pk), {"open": "1"}
    )
    assert response["Location"] == url("request_detail", business, pk=pending.pk)
    first_read = BookingNotification.objects.get(pk=note.pk).read_at
    owner_client.post(url("notification_read", business, pk=note.pk), {"open": "1"})
    assert BookingNotification.objects.get(pk=note.pk).read_at == first_read


@pytest.mark.django_db
def test_someone_elses_notification_is_404(owner_client, staff, business, pending):
    theirs = notify(staff, pending)
    response = owner_client.post(url("notification_read", business, pk=theirs.pk))
    assert response.status_code == 404


@pytest.mark.django_db
def test_mark_all_read(owner_client, owner, staff, business, pending):
    mine = [notify(owner, pending) for _ in range(3)]
    theirs = notify(staff, pending)
    response = owner_client.post(url("notifications_read_all", business), follow=True)
    assert "Marked 3 notifications as read." in response.content.decode()
    assert all(BookingNotification.objects.get(pk=n.pk).read_at for n in mine)
    assert BookingNotification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.django_db
def test_empty_list(owner_client, business):
    assert (
        b"No notifications yet."
        in owner_client.get(url("notifications", business)).content
    )


@pytest.mark.django_db
def test_pages_of_notifications(owner_client, owner, business, pending):
    for n in range(25):
        notify(owner, pending, title=f"Note {n}")
    page2 = owner_client.get(url("notifications", business), {"page": 2}).content
    assert page2.count(b'class="card mb-2 notification') == 5


@pytest.mark.django_db
def test_preferences_saved_in_place(staff_client, staff, business):
    response = staff_client.post(
        url("notification_preferences", business),
        {"email_on_new_request": "on"},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="preferences-card"')
    assert "Email preferences saved." in html
    membership = Membership.objects.get(user=staff, business=business)
    assert membership.email_on_new_request is True
    assert membership.email_on_instant_booking is False
    assert membership.email_on_cancellation is False


@pytest.mark.django_db
def test_preferences_without_javascript(owner_client, owner, business):
    response = owner_client.post(
        url("notification_preferences", business), {}, follow=True
    )
    assert "Email preferences saved." in response.content.decode()
    membership = Membership.objects.get(user=owner, business=business)
    assert not membership.email_on_new_request
