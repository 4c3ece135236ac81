"""Email faults: the SendGrid stand-in timing out or failing, the worker killed.

No mock: the real ``sendgrid`` client posts to tests/fake_sendgrid.py, which can
answer 500 or hold a request without answering (before or after recording it, as
SendGrid accepting an email whose answer is lost); the worker is ``manage.py
run_huey`` on Redis, killed with SIGKILL in the middle of a send and started again.

What the outbox promises (booking/outbox.py): an email is retried until delivered
and never sent twice by us. The one window no sender can close: SendGrid accepted
the email but its answer never arrived (a timeout, or the worker died first). Then
the email is sent again, and both copies carry the same ``Message-ID``, so a mail
client that drops duplicates shows one (docs/DEPLOYMENT.md, "When a part fails").
"""

import os
import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from booking import outbox
from booking.models import BookingEvent, BookingRequest, OutboundEmail
from tests.booking import test_tasks_background as background
from tests.booking.emailing import CLIENT, book, queued_email, received_by, set_settings
from tests.conftest import requires_postgres

Status = OutboundEmail.Status


def message_ids(fake, address: str) -> set[str]:
    return {mail.body["headers"]["Message-ID"] for mail in received_by(fake, address)}


@pytest.mark.django_db
def test_a_sendgrid_timeout_is_retried_and_delivered_once(fake_sendgrid, settings):
    settings.SENDGRID_TIMEOUT_SECONDS = 0.5
    settings.BOOKING_EMAIL_RETRY_SECONDS = 0  # the retry runs inline at once
    fake_sendgrid.stall("before")  # the first request never gets an answer
    email = queued_email()
    outbox.send_email(email.pk)
    assert fake_sendgrid.attempts == 2
    assert len(received_by(fake_sendgrid, CLIENT)) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (Status.SENT, 2, "")


@pytest.mark.django_db
def test_an_email_accepted_but_unanswered_goes_again_with_the_same_message_id(
    fake_sendgrid, settings
):
    """The window: SendGrid took the email, its answer was lost. Sent again (the
    sender cannot know), with the same Message-ID for the recipient's mail client."""
    settings.SENDGRID_TIMEOUT_SECONDS = 0.5
    settings.BOOKING_EMAIL_RETRY_SECONDS = 0
    fake_sendgrid.stall("after")
    email = queued_email()
    outbox.send_email(email.pk)
    assert len(received_by(fake_sendgrid, CLIENT)) == 2
    (message_id,) = message_ids(fake_sendgrid, CLIENT)
    assert message_id == outbox.message_id(email)
    assert message_id.startswith(f"<outbox-{email.pk}.")


# --- a real worker, killed mid-send -------------------------------------------------


@requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.real_clock
@pytest.mark.parametrize("lost", ["before", "after"])
def test_a_worker_killed_mid_send_expires_once_and_emails_once_after_restart(
    team, lesson, fake_sendgrid, private_redis, tmp_path, lost
):
    """The periodic expiry job expires a lapsed request and queues the client's
    email; the worker is killed while SendGrid holds that email's request. After a
    restart the request is not expired again and the email goes out: once (lost
    on the way), or again with the same Message-ID (SendGrid had accepted it).
    """
    set_settings(team, requires_approval=True)
    lesson.starts_at = timezone.now() + timedelta(days=2)
    lesson.ends_at = lesson.starts_at + timedelta(hours=1)
    lesson.save()
    booking = book(lesson, now=timezone.now() - timedelta(days=2))  # lapsed
    OutboundEmail.objects.all().delete()  # the request's own emails are not the point
    fake_sendgrid.reset()
    fake_sendgrid.stall(lost)
    log = tmp_path / "run_huey.log"
    lease = {"BOOKING_EMAIL_LEASE_SECONDS": "2"}
    with background.run_huey(private_redis.url, fake_sendgrid.host, log, **lease) as w:
        background.wait_for(lambda: fake_sendgrid.stalled == 1, what="a send held")
        os.kill(w.pid, signal.SIGKILL)  # mid-send: the row is claimed, not sent
    (email,) = OutboundEmail.objects.filter(to_email=CLIENT)
    assert email.status == Status.QUEUED
    # Its lease must pass before anyone sends it again.
    background.wait_for(
        lambda: (
            OutboundEmail.objects.get(pk=email.pk).next_attempt_at <= timezone.now()
        ),
        what="the dead worker's lease to pass",
    )
    with background.run_huey(private_redis.url, fake_sendgrid.host, log, **lease):
        background.wait_for(
            lambda: OutboundEmail.objects.get(pk=email.pk).status == Status.SENT,
            what="the restarted worker's sweep to send the email",
        )
    booking.refresh_from_db()
    assert booking.status == BookingRequest.Status.EXPIRED
    expiries = BookingEvent.objects.filter(booking=booking, action="expired")
    assert expiries.count() == 1
    assert OutboundEmail.objects.filter(to_email=CLIENT).count() == 1
    delivered = received_by(fake_sendgrid, CLIENT)
    assert len(delivered) == (1 if lost == "before" else 2)
    assert message_ids(fake_sendgrid, CLIENT) == {outbox.message_id(email)}
    assert delivered[-1].subject.startswith("Your booking request has expired")
