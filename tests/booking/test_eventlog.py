"""Log lines for booking changes and background tasks (booking/eventlog.py)."""

import logging

import pytest
from django.db import transaction

from booking import outbox, services
from booking.models import BookingRequest, OutboundEmail
from config.logs import RedactingJsonFormatter
from tests.booking.emailing import NOW, book


@pytest.mark.django_db(transaction=True)
def test_booking_changes_log_reference_and_status_not_the_client(team, lesson, caplog):
    caplog.set_level(logging.INFO, logger="booking.events")
    booking = book(lesson, client_phone="+447700900123")
    services.booking_cancel(booking_id=booking.pk, by_client=True, now=NOW)

    lines = [r for r in caplog.records if r.name == "booking.events"]
    assert [(r.event, r.from_status, r.to_status) for r in lines] == [
        ("auto_approved", "", "approved"),
        ("cancelled", "approved", "cancelled"),
    ]
    assert {r.booking for r in lines} == {booking.booking_reference}
    assert {r.business for r in lines} == {team.slug}
    assert {r.actor for r in lines} == {"client"}
    text = "\n".join(RedactingJsonFormatter().format(r) for r in lines)
    for secret in ("Ada Lovelace", "ada@example.com", "7700900123"):
        assert secret not in text
    assert booking.access_token not in text


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_booking_logs_nothing(team, lesson, caplog):
    caplog.set_level(logging.INFO, logger="booking.events")
    with pytest.raises(RuntimeError), transaction.atomic():
        book(lesson)
        raise RuntimeError("after the booking")

    assert not BookingRequest.objects.exists()
    assert [r for r in caplog.records if r.name == "booking.events"] == []


@pytest.mark.django_db
def test_tasks_log_name_attempt_outcome_and_duration(caplog, fake_sendgrid):
    caplog.set_level(logging.INFO)
    email = OutboundEmail.objects.create(
        kind="password_reset", to_email="owner@example.com", subject="s", body_text="b"
    )

    outbox.send_email(email.pk)

    (task,) = [r for r in caplog.records if r.name == "booking.tasks"]
    assert (task.task, task.attempt, task.outcome) == ("send_email", 1, "complete")
    assert task.duration_ms > 0
    (sent,) = [r for r in caplog.records if r.name == "booking.outbox"]
    assert (sent.email_id, sent.kind, sent.outcome) == (
        email.pk,
        "password_reset",
        "sent",
    )
    assert sent.task == "send_email"  # lines logged while a task runs name it
    assert "owner@example.com" not in sent.getMessage()
