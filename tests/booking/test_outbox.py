"""The outbox (booking/outbox.py): each email sent once by its Huey task, retried when
worth it, swept when its task was lost, retried by hand when it failed.

Huey is immediate here (tests/conftest.py): a task runs inline when enqueued, and a
retry with a delay waits in Huey's in-memory schedule, as it would in Redis.
"""

import socket
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from booking import outbox
from booking.errors import BookingError
from booking.models import BookingRequest, OutboundEmail
from config.cache import breaker_open, breaker_reset
from tests.booking.emailing import (
    CLIENT,
    background_huey,
    book,
    queued_email,
    received_by,
)
from tests.conftest import requires_postgres

pytestmark = pytest.mark.django_db
Status = OutboundEmail.Status


def test_a_booking_email_is_sent_by_the_task_after_commit(
    team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        book(lesson)
        assert fake_sendgrid.received == []  # nothing leaves before the commit
    # One task to send its three emails, and the booking's log line.
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert len(received_by(fake_sendgrid, CLIENT)) == 1
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {Status.SENT}


@requires_postgres
def test_the_emails_of_a_change_are_written_as_values_not_arrays(team, lesson):
    """One INSERT for every email of a booking, its rows as ``VALUES``: Django's
    ``UNNEST`` of one array per column had psycopg escape each body's quotes in
    Python (``BodyField``), 0.8 ms of CPU a booking."""
    with CaptureQueriesContext(connection) as queries:
        book(lesson)
    inserts = [
        q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "booking_outb')
    ]
    assert len(inserts) == 1
    assert "UNNEST" not in inserts[0] and OutboundEmail.objects.count() == 3


def test_a_row_is_never_sent_twice(fake_sendgrid):
    email = queued_email()
    outbox.send_email(email.pk)
    outbox.send_email(email.pk)
    assert outbox.email_send(email_id=email.pk) == outbox.SendResult("skipped")
    assert fake_sendgrid.attempts == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)
    assert email.sent_at is not None


def test_500_twice_then_202_is_delivered_once_after_retries(fake_sendgrid, settings):
    settings.BOOKING_EMAIL_RETRY_SECONDS = 0  # retries run inline at once
    fake_sendgrid.answer_with(500, 500)
    email = queued_email()
    outbox.send_email(email.pk)
    assert fake_sendgrid.attempts == 3
    assert len(fake_sendgrid.received) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (Status.SENT, 3, "")


def test_a_passing_failure_waits_with_exponential_backoff(fake_sendgrid):
    fake_sendgrid.answer_with(503, 503)
    email = queued_email()
    before = timezone.now()
    outbox.send_email(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 1)
    assert "HTTP 503" in email.last_error
    assert "fake SendGrid answered 503" in email.last_error
    assert (
        timedelta(seconds=29) < email.next_attempt_at - before < timedelta(seconds=32)
    )
    (retry,) = HUEY.scheduled()
    assert retry.args == (email.pk,)
    # Not due yet: a duplicate task (or the sweep) leaves it alone.
    assert outbox.email_send(email_id=email.pk).status == "skipped"
    # Its time comes: the second failure doubles the wait.
    due = email.next_attempt_at
    result = outbox.email_send(email_id=email.pk, now=due)
    assert result == outbox.SendResult("retry", retry_in=timedelta(seconds=60))
    assert fake_sendgrid.attempts == 2


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (7, 1920), (8, 3600), (20, 3600)],
)
def test_backoff_doubles_up_to_an_hour(attempts, seconds):
    assert outbox.backoff(attempts) == timedelta(seconds=seconds)


def test_400_is_marked_failed_without_a_retry(fake_sendgrid):
    fake_sendgrid.answer_with(400)
    email = queued_email()
    outbox.send_email(email.pk)
    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert email.attempts == 1
    assert email.last_error.startswith("HTTP 400")
    assert fake_sendgrid.attempts == 1
    assert HUEY.scheduled() == []
    outbox.send_email(email.pk)
    assert fake_sendgrid.attempts == 1


@pytest.mark.parametrize(("code", "retried"), [(429, True), (408, True), (401, False)])
def test_which_http_refusals_are_retried(fake_sendgrid, code, retried):
    fake_sendgrid.answer_with(code)
    email = queued_email()
    outbox.send_email(email.pk)
    email.refresh_from_db()
    assert email.status == (Status.QUEUED if retried else Status.FAILED)


def test_gives_up_after_the_last_attempt(fake_sendgrid, settings):
    settings.BOOKING_EMAIL_RETRY_SECONDS = 0
    settings.BOOKING_EMAIL_MAX_ATTEMPTS = 3
    fake_sendgrid.answer_with(500, 500, 500, 500)
    email = queued_email()
    outbox.send_email(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, 3)
    assert "HTTP 500" in email.last_error
    assert fake_sendgrid.attempts == 3


def test_a_refused_connection_is_retried(settings, fake_sendgrid):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.SENDGRID_API_HOST = f"http://127.0.0.1:{port}"
    email = queued_email()
    assert outbox.email_send(email_id=email.pk).status == "retry"
    email.refresh_from_db()
    assert email.status == Status.QUEUED
    assert "Connection refused" in email.last_error


def test_a_timeout_is_retried(settings, fake_sendgrid):
    with socket.socket() as silent:  # accepts, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.SENDGRID_API_HOST = f"http://127.0.0.1:{silent.getsockname()[1]}"
        settings.SENDGRID_TIMEOUT_SECONDS = 0.5
        email = queued_email()
        assert outbox.email_send(email_id=email.pk).status == "retry"
    email.refresh_from_db()
    assert "timed out" in email.last_error


def test_an_unexpected_error_fails_for_good(fake_sendgrid):
    email = queued_email(attachments=[{"content": ""}])  # a bug, not the network
    assert outbox.email_send(email_id=email.pk).status == "failed"
    email.refresh_from_db()
    assert email.last_error == "KeyError: 'filename'"
    assert fake_sendgrid.attempts == 0


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_row_send_it_once(fake_sendgrid):
    email = queued_email()
    barrier = threading.Barrier(4)
    results = []

    def worker():
        barrier.wait()
        try:
            results.append(outbox.email_send(email_id=email.pk).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["sent", "skipped", "skipped", "skipped"]
    assert len(fake_sendgrid.received) == 1


# --- the sweep ------------------------------------------------------------------------


def test_the_sweep_sends_rows_whose_task_was_lost(fake_sendgrid):
    lost = queued_email(to_email="lost@example.com")
    fresh = queued_email(to_email="fresh@example.com")
    waiting = queued_email(to_email="waiting@example.com")
    later = timezone.now() + timedelta(minutes=3)
    OutboundEmail.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    OutboundEmail.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(minutes=5),
        next_attempt_at=later + timedelta(hours=1),
    )
    assert outbox.outbox_sweep(now=timezone.now()) == [lost.pk]
    assert [m.to for m in fake_sendgrid.received] == [["lost@example.com"]]
    # Past the grace period the fresh row is swept too; the waiting one still waits.
    assert outbox.outbox_sweep(now=later) == [fresh.pk]
    assert OutboundEmail.objects.get(pk=waiting.pk).status == Status.QUEUED


def test_a_broker_that_is_down_leaves_the_row_for_the_sweep(
    team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    down = RedisStorage(HUEY.name, url=f"redis://127.0.0.1:{port}/0")
    with background_huey(down):
        with django_capture_on_commit_callbacks(execute=True):
            booking = book(
                lesson
            )  # the commit's enqueue fails: no error for the client
        assert BookingRequest.objects.filter(pk=booking.pk).exists()
        assert not outbox.enqueue_send(OutboundEmail.objects.first().pk)
        # The first failure opened the breaker (config/cache.py): later enqueues
        # do not wait on Redis at all.
        assert breaker_open()
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {
        Status.QUEUED
    }
    assert fake_sendgrid.received == []
    breaker_reset()  # as REDIS_BREAKER_SECONDS passing would
    later = timezone.now() + timedelta(minutes=3)
    assert len(outbox.outbox_sweep(now=later)) == 3
    assert len(received_by(fake_sendgrid, CLIENT)) == 1


# --- retrying a failed email ----------------------------------------------------------


def test_a_failed_email_can_be_retried(
    fake_sendgrid, django_capture_on_commit_callbacks
):
    fake_sendgrid.answer_with(400)
    email = queued_email()
    outbox.send_email(email.pk)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.email_retry(email_id=email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)
    assert len(fake_sendgrid.received) == 1


def test_only_a_failed_email_can_be_retried(team):
    email = queued_email(business=team)
    with pytest.raises(BookingError) as error:
        outbox.email_retry(email_id=email.pk)
    assert error.value.code == "email_not_failed"
    OutboundEmail.objects.filter(pk=email.pk).update(status=Status.FAILED)
    with pytest.raises(OutboundEmail.DoesNotExist):
        outbox.email_retry(email_id=email.pk, business_id=team.pk + 1)
