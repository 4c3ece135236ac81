"""The emails and notices of moves and staff entries, through the real sendgrid client.

Ada (in Tokyo) moves her lesson of Sunday 29 March 2026, 09:00 London (BST, 17:00 JST)
to Saturday 28 March, 09:00 London (GMT, 18:00 JST): across the clock change, each
email names both times in her zone; the team reads them in London's. The calendar
update keeps the event's UID with a higher SEQUENCE, so calendars move the event.
"""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from booking import emails, services
from booking.calendar import booking_ics, event_uid
from booking.models import BookingEvent, BookingNotification, OutboundEmail
from tests.booking.emailing import (
    NOW,
    book,
    move_asked,
    move_declined,
    moved,
    set_settings,
    the_day_before,
    the_email,
)

pytestmark = pytest.mark.django_db
CLIENT, OWNER, STAFF = (
    "ada@example.com",
    "olivia.owner@example.com",
    "sam.staff@example.com",
)
OLD_TOKYO = "Sunday 29 March 2026, 17:00–18:00 Asia/Tokyo (JST)"
NEW_TOKYO = "Saturday 28 March 2026, 18:00–19:00 Asia/Tokyo (JST)"
OLD_LONDON = "Sunday 29 March 2026, 09:00–10:00 Europe/London (BST)"
NEW_LONDON = "Saturday 28 March 2026, 09:00–10:00 Europe/London (GMT)"


def mail_of(fake, kind: str, to: str):
    row = the_email(kind=kind, to_email=to)
    (mail,) = [m for m in fake.received if m.subject == row.subject and to in m.to]
    return mail


def words(text: str) -> str:
    return " ".join(text.split())


def move_the_day_before(booking, lesson, **kwargs):
    kwargs.setdefault("by_client", True)
    return services.booking_reschedule(
        booking_id=booking.pk,
        session_id=the_day_before(lesson).pk,
        now=NOW,
        **kwargs,
    ).booking


def calendar_of(mail):
    (attachment,) = mail.attachments
    calendar = Calendar.from_ical(base64.b64decode(attachment["content"]))
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_a_client_move_emails_both_times_and_moves_the_calendar_event(
    team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(lesson)
    confirmation = mail_of(fake_sendgrid, emails.BOOKING_CONFIRMED, CLIENT)
    _, first_event = calendar_of(confirmation)

    with django_capture_on_commit_callbacks(execute=True):
        booking = move_the_day_before(booking, lesson)

    mail = mail_of(fake_sendgrid, emails.BOOKING_MOVED, CLIENT)
    assert mail.subject == "Booking moved: Private Lesson, now Sat 28 Mar at 18:00 JST"
    text = words(mail.text)
    assert f"has moved to {NEW_TOKYO}" in text
    assert f"When: {NEW_TOKYO.removesuffix(' Asia/Tokyo (JST)')}" in text
    assert f"Previously: {OLD_TOKYO}" in text
    assert "The attached calendar update" in text
    calendar, event = calendar_of(mail)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == str(first_event["UID"]) == event_uid(booking)
    assert int(event["SEQUENCE"]) > int(first_event["SEQUENCE"])
    assert event.decoded("DTSTART") == datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 3, 28, 10, 0, tzinfo=UTC)
    assert str(event["STATUS"]) == "CONFIRMED"


def test_the_downloaded_ics_of_a_moved_booking_keeps_its_uid(team, lesson):
    booking = book(lesson)
    before = Calendar.from_ical(booking_ics(booking)).walk("VEVENT")[0]

    booking = move_the_day_before(booking, lesson)

    after = Calendar.from_ical(booking_ics(booking)).walk("VEVENT")[0]
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART") == datetime(2026, 3, 28, 9, 0, tzinfo=UTC)


def test_the_team_hears_of_a_client_move_in_the_business_zone(
    team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        moved(team, lesson)

    mail = mail_of(fake_sendgrid, emails.TEAM_CLIENT_MOVED, OWNER)
    assert mail.subject == (
        "Moved by client: Ada Lovelace, Private Lesson now on Sat 28 Mar"
    )
    assert f"from {OLD_LONDON} to {NEW_LONDON}" in words(mail.text)
    assert mail.attachments == []
    notice = BookingNotification.objects.get(user__email=STAFF, type="client_moved")
    assert notice.title == "Ada Lovelace moved their booking"
    assert f"from {OLD_LONDON} to {NEW_LONDON}" in notice.message


def test_an_owner_preferring_no_move_emails_gets_the_notice_only(
    team, lesson, owner, fake_sendgrid, django_capture_on_commit_callbacks
):
    owner.memberships.update(email_on_client_move=False)
    with django_capture_on_commit_callbacks(execute=True):
        moved(team, lesson)
    assert not OutboundEmail.objects.filter(
        kind=emails.TEAM_CLIENT_MOVED, to_email=OWNER
    ).exists()
    assert BookingNotification.objects.filter(user=owner, type="client_moved").exists()


def test_asking_to_move_tells_the_client_the_original_stands(
    team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = move_asked(team, lesson)

    mail = mail_of(fake_sendgrid, emails.MOVE_REQUESTED, CLIENT)
    assert mail.subject == "Change of time requested: Private Lesson, Sat 28 Mar"
    text = words(mail.text)
    assert f"your request to move your booking to {NEW_TOKYO}" in text
    assert f"stays at its current time, {OLD_TOKYO}" in text
    # Held 24 hours: until Saturday 21 March, 18:00 JST.
    assert "held for you until Saturday 21 March 2026 at 18:00 Asia/Tokyo (JST)" in text
    assert f"Asked to move to: {NEW_TOKYO}" in text
    assert mail.attachments == []

    team_mail = mail_of(fake_sendgrid, emails.TEAM_MOVE_REQUEST, OWNER)
    assert team_mail.subject == (
        "Change of time requested: Ada Lovelace, Private Lesson to Sat 28 Mar"
    )
    url = (
        f"http://127.0.0.1:8000/dashboard/{booking.session.business_id}"
        f"/requests/{booking.pk}/"
    )
    assert f"Approve or reject it: {url}" in team_mail.text
    assert f"from {OLD_LONDON} to {NEW_LONDON}" in words(team_mail.text)
    notice = BookingNotification.objects.get(user__email=OWNER, type="move_request")
    assert "Both spots are held until you answer" in notice.message


def test_an_approved_move_sends_the_calendar_update(
    team, lesson, owner, fake_sendgrid, django_capture_on_commit_callbacks
):
    booking = move_asked(team, lesson)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_move_approve(booking_id=booking.pk, actor=owner, now=NOW)

    mail = mail_of(fake_sendgrid, emails.BOOKING_MOVED, CLIENT)
    assert "has approved your change of time" in words(mail.text)
    calendar, event = calendar_of(mail)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == event_uid(booking)
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == datetime(2026, 3, 28, 9, 0, tzinfo=UTC)


def test_a_declined_move_keeps_the_original_time(
    team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        move_declined(team, lesson)

    mail = mail_of(fake_sendgrid, emails.MOVE_DECLINED, CLIENT)
    assert mail.subject == (
        "Your change of time was declined: Private Lesson stays on Sun 29 Mar"
    )
    text = words(mail.text)
    assert f"cannot move your booking to {NEW_TOKYO}" in text
    assert f"keeps its original time: {OLD_TOKYO}" in text
    assert '"That morning is fully booked."' in text
    assert mail.attachments == []


def test_an_expired_move_tells_client_and_team(
    team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    booking = move_asked(team, lesson)
    with django_capture_on_commit_callbacks(execute=True):
        services.moves_expire(now=booking.move_expires_at)

    mail = mail_of(fake_sendgrid, emails.MOVE_DECLINED, CLIENT)
    assert mail.subject.startswith("Your change of time has expired")
    assert f"keeps its original time: {OLD_TOKYO}" in words(mail.text)
    notice = BookingNotification.objects.get(user__email=OWNER, type="move_expired")
    assert "expired without an answer" in notice.message


def test_an_owner_move_carries_their_message_and_no_team_notice(
    team, lesson, owner, fake_sendgrid, django_capture_on_commit_callbacks
):
    booking = book(lesson)
    with django_capture_on_commit_callbacks(execute=True):
        move_the_day_before(
            booking,
            lesson,
            by_client=False,
            actor=owner,
            message="The pool is closed on Sunday.",
        )

    mail = mail_of(fake_sendgrid, emails.BOOKING_MOVED, CLIENT)
    text = words(mail.text)
    assert f"Swim School Pro has moved your booking to {NEW_TOKYO}" in text
    assert '"The pool is closed on Sunday."' in text
    assert (
        not OutboundEmail.objects.filter(to_email=OWNER)
        .exclude(kind=emails.TEAM_NEW_BOOKING)
        .exists()
    )
    assert not BookingNotification.objects.filter(type="client_moved").exists()


def test_a_moved_pending_request_gets_no_invite(
    team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    set_settings(team, requires_approval=True)
    booking = book(lesson)
    with django_capture_on_commit_callbacks(execute=True):
        move_the_day_before(booking, lesson)

    mail = mail_of(fake_sendgrid, emails.BOOKING_MOVED, CLIENT)
    assert mail.subject.startswith("Booking request moved")
    assert "still needs to confirm the request" in words(mail.text)
    assert mail.attachments == []


@pytest.mark.parametrize(
    ("email", "channel", "phrase"),
    [("bo@example.com", "walk_in", "walk-in"), ("", "phone", "by phone")],
)
def test_a_staff_entry_confirms_by_email_when_there_is_one(
    team,
    lesson,
    staff,
    fake_sendgrid,
    django_capture_on_commit_callbacks,
    email,
    channel,
    phrase,
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_enter_by_staff(
            business=team,
            session_id=lesson.pk,
            actor=staff,
            client_name="Bo Diddley",
            client_email=email,
            client_phone="+447700900123",
            channel=channel,
            now=NOW,
        ).booking

    event = booking.events.get()
    assert (event.action, event.actor, event.get_channel_display()) == (
        BookingEvent.Action.ENTERED,
        staff,
        phrase,
    )
    if not email:
        assert fake_sendgrid.received == []
        return
    (mail,) = fake_sendgrid.received
    assert mail.to == [email]
    assert mail.subject == "Booked: Private Lesson, Sun 29 Mar at 09:00 BST"
    assert f"When: {OLD_LONDON.removesuffix(' Europe/London (BST)')}" in mail.text
    calendar, event = calendar_of(mail)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTART") == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    # Staff entered it: no "new booking" email to the team about their own work.
    assert not BookingNotification.objects.exists()


def test_the_move_emails_name_the_hold_in_the_clients_zone_on_dst_day(team, lesson):
    """A move asked 12 hours before the change of the clocks: the hold ends after it."""
    booking = book(lesson)
    set_settings(team, requires_approval=True, booking_expiry_hours=24)
    asked_at = datetime(2026, 3, 28, 13, 0, tzinfo=UTC)  # 13:00 GMT, 22:00 JST
    later = the_day_before(lesson)
    later.starts_at = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # Mon 09:00 BST
    later.ends_at = later.starts_at + timedelta(hours=1)
    later.save()

    services.booking_reschedule(
        booking_id=booking.pk, session_id=later.pk, by_client=True, now=asked_at
    )

    booking.refresh_from_db()
    assert booking.move_expires_at == lesson.starts_at  # 29 March, 08:00 UTC
    row = the_email(kind=emails.MOVE_REQUESTED)
    assert "until Sunday 29 March 2026 at 17:00 Asia/Tokyo (JST)" in words(
        row.body_text
    )
