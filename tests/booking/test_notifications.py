"""Who hears about each transition: in-app notices and outbox rows, one transaction."""

from datetime import timedelta

import pytest
from django.db import transaction

from booking import emails, notifications, services
from booking.models import BookingNotification, Membership, OutboundEmail
from tests.booking.emailing import NOW, book, emails_to, set_settings
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
OWNER, STAFF, CLIENT = (
    "olivia.owner@example.com",
    "sam.staff@example.com",
    "ada@example.com",
)


def notices(kind=None):
    rows = BookingNotification.objects.order_by("user__email")
    return list(rows.filter(type=kind) if kind else rows)


def kinds_to(address):
    return [email.kind for email in emails_to(address)]


def test_a_request_awaiting_approval_tells_everyone(team, lesson, owner, staff):
    set_settings(team, requires_approval=True)
    booking = book(lesson)

    owner_notice, staff_notice = notices()
    assert {owner_notice.user, staff_notice.user} == {owner, staff}
    assert owner_notice.type == notifications.NEW_REQUEST
    assert owner_notice.title == "New booking request from Ada Lovelace"
    # Times for the team are in the business's zone, named.
    assert "Sunday 29 March 2026, 09:00–10:00 Europe/London (BST)" in (
        owner_notice.message
    )
    assert "Saturday 21 March 2026 at 09:00 Europe/London (GMT)" in (
        owner_notice.message
    )
    assert owner_notice.data == {
        "booking_id": booking.pk,
        "reference": booking.booking_reference,
        "status": "pending",
        "session_starts_at": "2026-03-29T08:00:00+00:00",
        "url": f"http://127.0.0.1:8000/dashboard/{booking.session.business_id}/requests/{booking.pk}/",
    }
    assert owner_notice.read_at is None
    assert kinds_to(CLIENT) == [emails.REQUEST_RECEIVED]
    assert kinds_to(OWNER) == kinds_to(STAFF) == [emails.TEAM_NEW_REQUEST]


def test_an_instant_booking_tells_everyone(team, lesson):
    book(lesson)
    assert {n.type for n in notices()} == {notifications.NEW_BOOKING}
    assert len(notices()) == 2
    assert notices()[0].title == "New booking: Ada Lovelace"
    assert kinds_to(CLIENT) == [emails.BOOKING_CONFIRMED]
    assert kinds_to(OWNER) == kinds_to(STAFF) == [emails.TEAM_NEW_BOOKING]


def test_a_returning_client_auto_approved_counts_as_an_instant_booking(team, lesson):
    set_settings(team, requires_approval=True, auto_approve_returning_clients=True)
    first = book(lesson)
    services.booking_approve(booking_id=first.pk, actor=None, now=NOW)
    book(lesson, client_name="Ada L.")
    assert [e.kind for e in emails_to(CLIENT)] == [
        emails.REQUEST_RECEIVED,
        emails.BOOKING_APPROVED,
        emails.BOOKING_CONFIRMED,
    ]
    assert notices(notifications.NEW_BOOKING)


@pytest.mark.parametrize(
    ("flag", "setup", "kind"),
    [
        ("email_on_new_request", {"requires_approval": True}, "team_new_request"),
        ("email_on_instant_booking", {}, "team_new_booking"),
    ],
)
def test_members_who_opted_out_get_the_notice_but_no_email(
    team, lesson, staff, flag, setup, kind
):
    set_settings(team, **setup)
    Membership.objects.filter(user=staff).update(**{flag: False})
    book(lesson)
    assert kinds_to(OWNER) == [kind]
    assert kinds_to(STAFF) == []
    assert {n.user for n in notices()} >= {staff}


def test_members_without_an_email_or_inactive_are_not_emailed(team, lesson):
    silent = UserFactory(email="", username="silent")
    gone = UserFactory(email="gone@example.com", is_active=False)
    MembershipFactory(user=silent, business=team, role="staff")
    MembershipFactory(user=gone, business=team, role="staff")
    book(lesson)
    assert {n.user.username for n in notices()} == {OWNER, STAFF, "silent"}
    assert emails_to("gone@example.com") == []
    assert OutboundEmail.objects.filter(kind=emails.TEAM_NEW_BOOKING).count() == 2


def test_other_businesses_hear_nothing(team, lesson, other_owner):
    book(lesson)
    assert not BookingNotification.objects.filter(user=other_owner).exists()
    assert emails_to(other_owner.email) == []


def test_approval_emails_the_client_only(team, lesson, owner):
    set_settings(team, requires_approval=True)
    booking = book(lesson)
    before = len(notices())
    services.booking_approve(booking_id=booking.pk, actor=owner, now=NOW)
    assert kinds_to(CLIENT) == [emails.REQUEST_RECEIVED, emails.BOOKING_APPROVED]
    assert len(notices()) == before
    assert kinds_to(OWNER) == [emails.TEAM_NEW_REQUEST]


def test_rejection_emails_the_client_with_the_reason(team, lesson, owner):
    set_settings(team, requires_approval=True)
    booking = book(lesson)
    services.booking_reject(
        booking_id=booking.pk, actor=owner, reason="The pool is closed", now=NOW
    )
    (rejected,) = emails_to(CLIENT, emails.BOOKING_REJECTED)
    assert "The pool is closed" in rejected.body_text
    assert "The pool is closed" in rejected.body_html


def test_expiry_emails_the_client_and_tells_the_team_in_app(team, lesson):
    set_settings(team, requires_approval=True)
    booking = book(lesson)
    services.bookings_expire(now=booking.expires_at)
    assert kinds_to(CLIENT) == [emails.REQUEST_RECEIVED, emails.REQUEST_EXPIRED]
    expired = notices(notifications.REQUEST_EXPIRED)
    assert len(expired) == 2
    assert "expired without a decision" in expired[0].message
    assert kinds_to(OWNER) == [emails.TEAM_NEW_REQUEST]  # no email for expiry


def test_a_client_cancellation_tells_everyone(team, lesson):
    booking = book(lesson)
    services.booking_cancel(
        booking_id=booking.pk, by_client=True, reason="I am ill", now=NOW
    )
    cancelled = notices(notifications.CLIENT_CANCELLED)
    assert len(cancelled) == 2
    assert cancelled[0].title == "Ada Lovelace cancelled"
    assert "Reason given: I am ill" in cancelled[0].message
    (client_email,) = emails_to(CLIENT, emails.BOOKING_CANCELLED)
    assert "As you asked" in client_email.body_text
    assert [a["filename"] for a in client_email.attachments] == [
        f"{booking.booking_reference}.ics"
    ]
    assert kinds_to(OWNER)[-1] == emails.TEAM_CLIENT_CANCELLED


def test_cancellation_emails_respect_the_preference(team, lesson, staff):
    Membership.objects.filter(user=staff).update(email_on_cancellation=False)
    booking = book(lesson)
    services.booking_cancel(booking_id=booking.pk, by_client=True, now=NOW)
    assert emails.TEAM_CLIENT_CANCELLED not in kinds_to(STAFF)
    assert kinds_to(OWNER)[-1] == emails.TEAM_CLIENT_CANCELLED


def test_a_business_cancellation_tells_the_client_who_cancelled(team, lesson, owner):
    booking = book(lesson)
    count = len(notices())
    services.booking_cancel(
        booking_id=booking.pk, actor=owner, reason="Instructor is ill", now=NOW
    )
    (email,) = emails_to(CLIENT, emails.BOOKING_CANCELLED)
    assert "Swim School Pro has cancelled your booking" in email.body_text
    assert "Instructor is ill" in email.body_text
    assert "cancelled (by Swim School Pro)" in email.body_text
    assert len(notices()) == count
    assert emails.TEAM_CLIENT_CANCELLED not in kinds_to(OWNER)


def test_cancelling_a_pending_request_sends_no_calendar_file(team, lesson):
    set_settings(team, requires_approval=True)
    booking = book(lesson)
    services.booking_cancel(booking_id=booking.pk, by_client=True, now=NOW)
    (email,) = emails_to(CLIENT, emails.BOOKING_CANCELLED)
    assert email.attachments == []
    assert email.subject.startswith("Booking request cancelled")


def test_a_client_with_only_a_phone_gets_no_email(team, lesson):
    book(lesson, client_email="", client_phone="+447700900123")
    assert OutboundEmail.objects.exclude(kind__startswith="team_").count() == 0
    assert len(notices()) == 2


def test_a_refused_transition_notifies_nobody(team, lesson):
    booking = book(lesson)
    count = (len(notices()), OutboundEmail.objects.count())
    with pytest.raises(services.BookingError):
        services.booking_approve(booking_id=booking.pk, actor=None, now=NOW)
    assert (len(notices()), OutboundEmail.objects.count()) == count


def test_a_rolled_back_change_leaves_no_trace(
    team, lesson, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        book(lesson)
        assert OutboundEmail.objects.count() == 3
        raise RuntimeError("the view failed after booking")
    assert callbacks == []
    assert OutboundEmail.objects.count() == 0
    assert BookingNotification.objects.count() == 0


def test_an_idempotent_repeat_does_not_notify_twice(team, lesson):
    book(lesson, idempotency_key="form:1")
    book(lesson, idempotency_key="form:1")
    assert len(notices()) == 2
    assert kinds_to(CLIENT) == [emails.BOOKING_CONFIRMED]


def test_notes_and_contacts_reach_the_team(team, lesson):
    book(lesson, client_phone="+447700900123", notes="First time swimmer")
    (email,) = emails_to(OWNER)
    assert "Notes: First time swimmer" in email.body_text
    assert "Phone: +447700900123" in email.body_text
    assert email.reply_to == CLIENT
    assert email.from_email == ""  # the platform's own sender


def test_the_plan_covers_every_action():
    assert (
        notifications.plan_for(notifications.BookingEvent(action="note"))
        == notifications.Plan()
    )


def test_notice_deadline_is_the_expiry(team, lesson):
    set_settings(team, requires_approval=True, booking_expiry_hours=2)
    booking = book(lesson)
    assert booking.expires_at == NOW + timedelta(hours=2)
    assert "Friday 20 March 2026 at 11:00 Europe/London (GMT)" in (notices()[0].message)


@pytest.mark.django_db
def test_a_reminder_is_not_sent_for_a_booking_cancelled_meanwhile(team, lesson):
    booking = book(lesson)
    services.booking_cancel(booking_id=booking.pk, by_client=True, now=NOW)
    assert notifications._remind(booking.pk, NOW) is False
    booking.refresh_from_db()
    assert booking.reminder_sent_at is None
