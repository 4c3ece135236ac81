"""Cancelling a session from the dashboard cancels its bookings and tells each client,
once, that the business cancelled: through the outbox and the real ``sendgrid``
client to the local fake SendGrid. The team gets no "client cancelled" notice for it.
"""

import base64
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from booking import notifications, services
from booking.calendar import event_uid
from booking.models import BookingNotification, BookingRequest, Business
from tests.factories import ServiceFactory, SessionFactory

pytestmark = pytest.mark.django_db
Status = BookingRequest.Status
AMY, PAT, LEO = "amy@example.com", "pat@example.com", "leo@example.com"


@pytest.fixture
def lesson(business):
    business.email = "info@swimschool.example.com"
    business.save()
    service = ServiceFactory(business=business, name="Private Lesson", capacity=3)
    return SessionFactory(service=service, starts_at=timezone.now() + timedelta(days=5))


def book(session, name: str, email: str, *, approval: bool, now=None):
    business = Business.objects.select_related("booking_settings").get(
        pk=session.business_id
    )
    business.booking_settings.requires_approval = approval
    business.booking_settings.save()
    return services.booking_create(
        business=business,
        session_id=session.pk,
        client_name=name,
        client_email=email,
        client_timezone="Asia/Tokyo",
        now=now,
    ).booking


@pytest.fixture
def booked(lesson, owner, staff, fake_sendgrid, django_capture_on_commit_callbacks):
    """Amy is confirmed, Pat waits for approval, Leo's request lapsed: all by the
    real booking service (so each got their own first email, forgotten here)."""
    with django_capture_on_commit_callbacks(execute=True):
        amy = book(lesson, "Amy Approved", AMY, approval=False)
        pat = book(lesson, "Pat Pending", PAT, approval=True)
        leo = book(
            lesson,
            "Leo Lapsed",
            LEO,
            approval=True,
            now=timezone.now() - timedelta(days=2),
        )
    fake_sendgrid.reset()
    BookingNotification.objects.all().delete()
    return amy, pat, leo


def cancel_session(owner_client, session, capture, reason: str):
    with capture(execute=True):
        return owner_client.post(
            reverse(
                "dashboard:session_cancel",
                kwargs={"business_id": session.business_id, "pk": session.pk},
            ),
            {"reason": reason},
            follow=True,
        )


def test_cancelling_a_session_emails_each_client_once(
    owner_client,
    lesson,
    booked,
    fake_sendgrid,
    django_capture_on_commit_callbacks,
):
    amy, pat, leo = booked
    response = cancel_session(
        owner_client,
        lesson,
        django_capture_on_commit_callbacks,
        "The pool is closed for repairs that day.",
    )
    assert "2 bookings were cancelled and the clients are told." in (
        response.content.decode()
    )

    # One email each to the two clients who held a spot; nothing to anybody else.
    assert sorted(mail.to[0] for mail in fake_sendgrid.received) == [AMY, PAT]
    mails = {mail.to[0]: mail for mail in fake_sendgrid.received}
    amy.refresh_from_db()
    pat.refresh_from_db()
    leo.refresh_from_db()
    assert (amy.status, pat.status, leo.status) == (
        Status.CANCELLED,
        Status.CANCELLED,
        Status.PENDING,  # lapsed: it held no spot, so there is nothing to cancel
    )

    confirmed, pending = mails[AMY], mails[PAT]
    assert confirmed.subject.startswith("Booking cancelled: Private Lesson, ")
    assert pending.subject.startswith("Booking request cancelled: Private Lesson, ")
    for mail, what in ((confirmed, "booking"), (pending, "booking request")):
        for body in (mail.text, mail.html):
            assert "Swim School Pro has cancelled the Private Lesson session on" in body
            assert f"so your {what} is cancelled" in body
            assert "Asia/Tokyo (JST)" in body  # the client's zone, named
            assert "The pool is closed for repairs that day." in body
            assert "As you asked" not in body
        assert "Status: cancelled (by Swim School Pro)" in mail.text
        assert "Their message to you" in mail.text

    # The confirmed booking's calendar event is removed: METHOD:CANCEL, same UID.
    (attachment,) = confirmed.attachments
    assert attachment["type"] == "text/calendar"
    calendar = Calendar.from_ical(base64.b64decode(attachment["content"]))
    assert str(calendar["METHOD"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == event_uid(amy)
    assert int(event["SEQUENCE"]) == amy.sequence
    assert str(event["STATUS"]) == "CANCELLED"
    assert pending.attachments == []  # it was never in the client's calendar

    # The team did it: no "client cancelled" notice, in the app or by email.
    assert not BookingNotification.objects.exists()


def test_without_a_message_the_email_invents_none(
    owner_client,
    lesson,
    booked,
    fake_sendgrid,
    django_capture_on_commit_callbacks,
):
    cancel_session(owner_client, lesson, django_capture_on_commit_callbacks, "")
    assert len(fake_sendgrid.received) == 2
    for mail in fake_sendgrid.received:
        assert "Swim School Pro has cancelled the Private Lesson session" in mail.text
        assert "Their message to you" not in mail.text + mail.html


def test_a_client_cancelling_still_tells_the_team(
    lesson, booked, owner, staff, fake_sendgrid, django_capture_on_commit_callbacks
):
    # The contrast: only a client's own cancellation is news for the team.
    amy, _, _ = booked
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking_id=amy.pk, by_client=True)
    assert sorted(mail.to[0] for mail in fake_sendgrid.received) == sorted(
        [AMY, owner.email, staff.email]
    )
    assert (
        BookingNotification.objects.filter(type=notifications.CLIENT_CANCELLED).count()
        == 2
    )
    (to_amy,) = [mail for mail in fake_sendgrid.received if mail.to == [AMY]]
    assert "As you asked" in to_amy.text and "session" not in to_amy.subject
