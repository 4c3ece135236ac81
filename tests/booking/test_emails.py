"""Every email kind, sent by the real ``sendgrid`` client to the local fake SendGrid.

Ada books from Tokyo a lesson on the morning London's clocks go forward: every time in
her emails is Tokyo time, named; calendar files and links carry the right UTC instant.
"""

import base64
import html
import re
from datetime import UTC, datetime
from email.utils import parseaddr
from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar

from booking import emails, outbox, services
from booking.calendar import event_uid
from booking.links import manage_url
from booking.models import OutboundEmail
from tests.booking.emailing import (
    NOW,
    SCENARIOS,
    approved,
    book,
    pending,
    rendered,
    the_email,
)

pytestmark = pytest.mark.django_db
CLIENT, OWNER = "ada@example.com", "olivia.owner@example.com"
WHEN_TOKYO = "Sunday 29 March 2026, 17:00–18:00"
ZONE_TOKYO = "Asia/Tokyo (JST)"
WHEN_LONDON = "Sunday 29 March 2026, 09:00–10:00 Europe/London (BST)"
# The team reads times in the business's zone.
TEAM_TIME = ["Sunday 29 March 2026, 09:00–10:00", "Europe/London (BST)"]


# kind -> (recipient, subject, phrases in the text and HTML, .ics METHOD)
KINDS = {
    emails.REQUEST_RECEIVED: (
        CLIENT,
        "Request sent: Private Lesson, Sun 29 Mar",
        [
            "Your time is held for you until Saturday 21 March 2026 at 18:00 "
            + ZONE_TOKYO,
            "Request sent",
        ],
        None,
    ),
    emails.BOOKING_CONFIRMED: (
        CLIENT,
        "Booked: Private Lesson, Sun 29 Mar at 17:00 JST",
        [
            "booked with Swim School Pro",
            "Booked",
            "Add to Google Calendar",
            "Add to Outlook.com",
        ],
        "REQUEST",
    ),
    emails.BOOKING_APPROVED: (
        CLIENT,
        "Booked: Private Lesson, Sun 29 Mar at 17:00 JST",
        ["has approved your booking request", "Booked", "Add to Google Calendar"],
        "REQUEST",
    ),
    emails.BOOKING_REJECTED: (
        CLIENT,
        "Your booking request was declined: Private Lesson, Sun 29 Mar",
        ["cannot accept your booking request", "The pool is closed that day."],
        None,
    ),
    emails.REQUEST_EXPIRED: (
        CLIENT,
        "Your booking request has expired: Private Lesson, Sun 29 Mar",
        ["has expired", "You have not been booked."],
        None,
    ),
    emails.BOOKING_CANCELLED: (
        CLIENT,
        "Booking cancelled: Private Lesson, Sun 29 Mar",
        ["As you asked", "Sorry, I am ill."],
        "CANCEL",
    ),
    emails.BOOKING_REMINDER: (
        CLIENT,
        "Reminder: Private Lesson, Sun 29 Mar at 17:00 JST",
        ["friendly reminder", "Add to Google Calendar"],
        None,
    ),
    emails.TEAM_NEW_REQUEST: (
        OWNER,
        "New booking request: Ada Lovelace, Private Lesson on Sun 29 Mar",
        [*TEAM_TIME, "approve or reject the request by Saturday 21 March 2026"],
        None,
    ),
    emails.TEAM_NEW_BOOKING: (
        OWNER,
        "New booking: Ada Lovelace, Private Lesson on Sun 29 Mar",
        [*TEAM_TIME, "nothing you need to do"],
        None,
    ),
    emails.TEAM_CLIENT_CANCELLED: (
        OWNER,
        "Cancelled by client: Ada Lovelace, Private Lesson on Sun 29 Mar",
        [*TEAM_TIME, "Sorry, I am ill.", "The time is free again."],
        None,
    ),
}


def run(scenario, team, lesson, capture):
    with capture(execute=True):
        return scenario(team, lesson)


def visible(markup: str) -> str:
    """The words a reader sees in an HTML email."""
    body = re.search(r"<body[^>]*>(.*)</body>", markup, re.S).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def calendar_of(attachment: dict):
    calendar = Calendar.from_ical(base64.b64decode(attachment["content"]))
    (event,) = calendar.walk("VEVENT")
    return calendar, event


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_arrives_once_as_written(
    kind, team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    to, subject, phrases, method = KINDS[kind]
    booking = run(SCENARIOS[kind], team, lesson, django_capture_on_commit_callbacks)
    row = the_email(kind=kind, to_email=to)
    arrived = [
        m for m in fake_sendgrid.received if m.subject == row.subject and to in m.to
    ]
    assert len(arrived) == 1
    (mail,) = arrived
    assert mail.to == [to]
    assert mail.subject == subject
    assert mail.text == row.body_text
    assert mail.html == row.body_html
    for phrase in phrases:
        assert phrase.replace("Add to ", "") in " ".join(mail.text.split())
        assert phrase in visible(mail.html)
    assert mail.html.lstrip().startswith("<!doctype html>")
    assert "Swim School Pro" in mail.html
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundEmail.Status.SENT, 1)
    if method:
        (attachment,) = mail.attachments
        assert attachment["filename"] == f"{booking.booking_reference}.ics"
        assert attachment["type"] == "text/calendar"
        calendar, event = calendar_of(attachment)
        assert str(calendar["METHOD"]) == method
        assert str(event["UID"]) == event_uid(booking)
        assert event.decoded("DTSTART") == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
        assert event.decoded("DTEND") == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
    else:
        assert mail.attachments == []
    # Every outbox row went out exactly once, at the first attempt.
    assert len(fake_sendgrid.received) == OutboundEmail.objects.count()
    assert fake_sendgrid.attempts == len(fake_sendgrid.received)


@pytest.mark.parametrize(
    "kind", [k for k in KINDS if k in emails.CLIENT_KINDS], ids=str
)
def test_client_emails_show_the_clients_zone_and_the_manage_link(
    kind, team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    booking = run(SCENARIOS[kind], team, lesson, django_capture_on_commit_callbacks)
    (mail,) = [
        m
        for m in fake_sendgrid.received
        if m.subject == OutboundEmail.objects.get(kind=kind).subject
    ]
    assert f"When: {WHEN_TOKYO}" in mail.text
    assert f"Time zone: {ZONE_TOKYO}" in mail.text
    # Booked from abroad: the business's own local time is there too.
    assert f"Local time at Swim School Pro: {WHEN_LONDON}" in mail.text
    assert manage_url(booking) in mail.text
    assert f'href="{manage_url(booking)}"' in mail.html
    assert booking.booking_reference in mail.text
    assert mail.body["from"] == {
        "email": "bookings@example.com",
        "name": "Swim School Pro",
    }
    assert mail.body["reply_to"] == {"email": "info@swimschool.example.com"}


def test_the_new_request_email_links_straight_to_approving_it(
    team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    booking = run(pending, team, lesson, django_capture_on_commit_callbacks)
    url = f"http://127.0.0.1:8000/dashboard/{booking.session.business_id}/requests/{booking.pk}/"
    (mail,) = [m for m in fake_sendgrid.received if m.to == [OWNER]]
    assert f"Approve or reject it: {url}" in mail.text
    assert f'href="{url}"' in mail.html
    assert "Review and approve" in mail.html
    assert mail.body["reply_to"] == {"email": CLIENT}
    assert mail.body["from"] == {
        "email": "bookings@example.com",
        "name": "Booking Links",
    }


def test_calendar_links_and_sequence_follow_the_booking(
    team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    booking = run(approved, team, lesson, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking_id=booking.pk, actor=None, now=NOW)
    invite = the_email(kind=emails.BOOKING_APPROVED)
    cancel = the_email(kind=emails.BOOKING_CANCELLED)
    _, first = calendar_of(invite.attachments[0])
    calendar, second = calendar_of(cancel.attachments[0])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert first["UID"] == second["UID"]
    assert (first.decoded("SEQUENCE"), second.decoded("SEQUENCE")) == (1, 2)
    assert str(second["STATUS"]) == "CANCELLED"
    google = next(
        line for line in invite.body_text.splitlines() if "calendar.google" in line
    )
    query = parse_qs(urlsplit(google.split(": ", 1)[1]).query)
    assert query["dates"] == ["20260329T080000Z/20260329T090000Z"]
    assert "cancelled (by Swim School Pro)" in cancel.body_text


def test_plain_text_is_not_html_escaped(team, lesson):
    team.name = "Tom & Jerry's Pool"
    team.save()
    book(lesson, client_name='Ada "Countess" Lovelace')
    email = the_email(kind=emails.BOOKING_CONFIRMED)
    assert "Tom & Jerry's Pool" in email.body_text
    assert "Tom &amp; Jerry&#x27;s Pool" in email.body_html
    assert parseaddr(email.from_email) == ("Tom & Jerry's Pool", "bookings@example.com")
    team_email = rendered(OutboundEmail.objects.filter(kind=emails.TEAM_NEW_BOOKING))[0]
    assert 'Client: Ada "Countess" Lovelace' in team_email.body_text


def test_a_client_in_the_business_zone_sees_one_time(team, lesson):
    book(lesson, client_timezone="Europe/London")
    email = the_email(kind=emails.BOOKING_CONFIRMED)
    assert "When: Sunday 29 March 2026, 09:00–10:00" in email.body_text
    assert "Time zone: Europe/London (BST)" in email.body_text
    assert "Local time at" not in email.body_text


def test_an_unknown_client_zone_falls_back_to_the_business_zone(team, lesson):
    book(lesson, client_timezone="Mars/Olympus")
    email = the_email(kind=emails.BOOKING_CONFIRMED)
    assert "Time zone: Europe/London (BST)" in email.body_text


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown email kind"):
        emails.render_email("newsletter", {})


def test_without_a_business_email_replies_are_not_invited(team, lesson):
    team.email = ""
    team.save()
    book(lesson)
    email = the_email(kind=emails.BOOKING_CONFIRMED)
    assert email.reply_to == ""
    assert "reply to this email" not in email.body_text
    assert "Questions about your booking? Call Swim School Pro on +44 20" in (
        email.body_text
    )
    assert outbox.message_for(email).reply_to == []


def test_emails_offer_cancelling_only_while_the_client_link_may(team, lesson):
    """``can_cancel`` is ``BookingRequest.client_can_cancel``: not once the hold has
    lapsed, not once the session has started."""
    booking = pending(team, lesson)
    (received,) = emails_of(booking, emails.REQUEST_RECEIVED)
    assert "View or cancel your booking" in received.body_text
    assert emails.client_context(booking, now=NOW)["can_cancel"]
    lapsed = booking.expires_at
    assert not emails.client_context(booking, now=lapsed)["can_cancel"]
    booking = services.booking_approve(booking_id=booking.pk, actor=None, now=NOW)
    assert emails.client_context(booking, now=NOW)["can_cancel"]
    started = booking.session.starts_at
    context = emails.client_context(booking, now=started)
    assert not context["can_cancel"]
    text = emails.render_email(emails.BOOKING_REMINDER, context).text
    assert "View your booking:" in text
    assert "View or cancel your booking" not in text


def emails_of(booking, kind) -> list[OutboundEmail]:
    return rendered(OutboundEmail.objects.filter(booking=booking, kind=kind))
