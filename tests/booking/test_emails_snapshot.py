"""Booking emails rendered by the worker from the snapshot written with the change.

The booking's transaction writes each row with its subject and a ``snapshot`` of its
context (booking/outbox.py); the bodies and the .ics are rendered just before the
send. So a booking POST renders no body, and an email rendered later still says what
was true at the change.
"""

import base64
import logging
from datetime import UTC, datetime, time, timedelta

import pytest
from django.test.signals import template_rendered
from icalendar import Calendar

from booking import emails, outbox, services
from booking.models import OutboundEmail
from tests.booking.api_helpers import days_ahead, public_url, session_at
from tests.booking.emailing import (
    CLIENT,
    NOW,
    book,
    received_by,
    the_day_before,
)

Status = OutboundEmail.Status


def event_of(attachment: dict):
    calendar = Calendar.from_ical(base64.b64decode(attachment["content"]))
    return calendar, calendar.walk("VEVENT")[0]


def test_a_booking_post_writes_snapshots_and_renders_no_body(client, team):
    session = session_at(team, days_ahead(team, 3), time(9))
    rendered = []

    def seen(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(seen)
    try:
        response = client.post(
            public_url(team, "book/"),
            {"session_id": session.pk, "client_name": "Ada", "client_email": CLIENT},
            content_type="application/json",
        )
    finally:
        template_rendered.disconnect(seen)
    assert response.status_code == 201
    assert rendered  # the subjects, which the health page and the admin list
    assert all(name.endswith("-subject.txt") for name in rendered), rendered
    rows = OutboundEmail.objects.order_by("pk")
    assert {row.kind for row in rows} == {
        emails.BOOKING_CONFIRMED,
        emails.TEAM_NEW_BOOKING,
    }
    for row in rows:
        assert row.subject == emails.render_subject(row.kind, row.snapshot)
        assert (row.body_text, row.body_html) == ("", "")
        assert row.snapshot["business"]["name"] == team.name
    (confirmation,) = [r for r in rows if r.kind == emails.BOOKING_CONFIRMED]
    assert confirmation.subject.startswith("Booked: ")
    (attachment,) = confirmation.attachments
    assert "content" not in attachment  # described; written by the worker
    assert attachment["ics"]["method"] == "REQUEST"


def test_the_worker_renders_what_was_true_at_the_change(team, lesson, fake_sendgrid):
    booking = book(lesson)  # confirmed; Ada reads times in Tokyo
    row = OutboundEmail.objects.get(kind=emails.BOOKING_CONFIRMED)
    # Before the worker gets to it: the business renames itself and the lesson,
    # moves Ada to the day before, then cancels her booking.
    team.name = "Renamed Pool"
    team.save()
    lesson.service.name = "Renamed Lesson"
    lesson.service.save()
    services.booking_reschedule(
        booking_id=booking.pk,
        session_id=the_day_before(lesson).pk,
        by_client=False,
        actor=None,
        now=NOW,
    )
    services.booking_cancel(booking_id=booking.pk, actor=None, now=NOW)

    assert outbox.email_send(email_id=row.pk).status == "sent"
    (mail, *later) = received_by(fake_sendgrid, CLIENT)
    assert later == []  # only this row was sent
    assert mail.subject == "Booked: Private Lesson, Sun 29 Mar at 17:00 JST"
    text = " ".join(mail.text.split())
    assert "When: Sunday 29 March 2026, 17:00–18:00" in text
    assert "Swim School Pro" in text and "Renamed" not in text
    _, event = event_of(mail.attachments[0])
    assert event.decoded("DTSTART") == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    assert (str(event["STATUS"]), event.decoded("SEQUENCE")) == ("CONFIRMED", 0)
    assert str(event["SUMMARY"]) == "Private Lesson · Swim School Pro"
    # The row keeps what was sent, and no longer its snapshot.
    row.refresh_from_db()
    assert row.status == Status.SENT and row.snapshot is None
    assert row.body_text == mail.text and row.body_html == mail.html
    assert row.attachments[0]["content"] == mail.attachments[0]["content"]


def test_a_snapshot_that_cannot_be_rendered_fails_with_its_error(
    team, lesson, fake_sendgrid, caplog
):
    book(lesson)
    row = OutboundEmail.objects.get(kind=emails.BOOKING_CONFIRMED)
    row.attachments[0]["ics"].pop("uid")  # damaged: the .ics cannot be written
    row.save()
    with caplog.at_level(logging.ERROR, logger="booking.outbox"):
        outbox.send_email(row.pk)  # the Huey task
    assert received_by(fake_sendgrid, CLIENT) == []
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert row.last_error == "KeyError: 'uid'"
    assert row.snapshot is not None  # kept for whoever looks into it
    assert f"Email {row.pk} could not be rendered" in caplog.text


def test_a_failed_send_keeps_the_bodies_it_rendered(team, lesson, fake_sendgrid):
    fake_sendgrid.answer_with(500)
    book(lesson)
    row = OutboundEmail.objects.get(kind=emails.BOOKING_CONFIRMED)
    assert outbox.email_send(email_id=row.pk).status == "retry"
    row.refresh_from_db()
    assert row.status == Status.QUEUED and row.snapshot is None
    assert "When: Sunday 29 March 2026, 17:00–18:00" in row.body_text
    assert row.attachments[0]["content"]


@pytest.mark.parametrize(
    ("zone", "when", "label"),
    [
        # 08:00 UTC on the morning London's clocks go forward, seen from far away.
        ("Pacific/Kiritimati", "Sunday 29 March 2026, 22:00–23:00", "(GMT+14)"),
        ("America/Los_Angeles", "Sunday 29 March 2026, 01:00–02:00", "(PDT)"),
    ],
)
def test_times_written_in_the_snapshot_survive_the_round_trip(
    team, lesson, fake_sendgrid, zone, when, label
):
    book(lesson, client_timezone=zone)
    row = OutboundEmail.objects.get(kind=emails.BOOKING_CONFIRMED)
    assert row.snapshot["when"] == when  # text, in the client's zone, from the start
    outbox.email_send(email_id=row.pk)
    (mail,) = received_by(fake_sendgrid, CLIENT)
    assert f"When: {when}" in mail.text
    assert f"Time zone: {zone} {label}" in mail.text
    assert "Local time at Swim School Pro: Sunday 29 March 2026, 09:00–10:00" in (
        mail.text
    )
    assert "Europe/London (BST)" in mail.text


def test_a_row_written_before_snapshots_is_sent_as_it_is(fake_sendgrid, db):
    # Rows queued by the previous release have their bodies and no snapshot.
    row = OutboundEmail.objects.create(
        kind=emails.BOOKING_CONFIRMED,
        to_email=CLIENT,
        subject="Booking confirmed",
        body_text="See you at the pool.",
    )
    assert outbox.render_row(row) == {}
    outbox.email_send(email_id=row.pk, now=datetime.now(UTC) + timedelta(seconds=1))
    (mail,) = received_by(fake_sendgrid, CLIENT)
    assert mail.text == "See you at the pool."
