"""``booking_health`` and the snapshot behind it."""

import json
import socket
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.storage import MemoryStorage, RedisStorage

from booking import outbox, tasks
from booking.health import health_snapshot
from booking.models import OutboundEmail
from tests.booking.emailing import background_huey
from tests.factories import BusinessFactory

pytestmark = pytest.mark.django_db
Status = OutboundEmail.Status


def email(status=Status.QUEUED, age=timedelta(0), **fields) -> OutboundEmail:
    row = OutboundEmail.objects.create(
        kind=fields.pop("kind", "booking_confirmed"),
        to_email=fields.pop("to_email", "ada@example.com"),
        subject="Booking confirmed",
        body_text="See you.",
        status=status,
        **fields,
    )
    OutboundEmail.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)
    row.refresh_from_db()
    return row


def health(*args) -> str:
    out = StringIO()
    call_command("booking_health", *args, stdout=out)
    return out.getvalue()


def test_a_fresh_install_says_the_worker_has_not_run():
    snapshot = health_snapshot()
    assert snapshot.outbox == {"queued": 0, "sent": 0, "failed": 0}
    assert snapshot.oldest_queued is None
    assert snapshot.last_expiry_run is None
    assert (snapshot.queue_length, snapshot.scheduled_tasks) == (0, 0)
    assert [job.name for job in snapshot.jobs] == [
        "expire_bookings",
        "send_reminders",
        "sweep_outbox",
    ]
    assert not snapshot.ok
    assert "is the worker (manage.py run_huey) running?" in snapshot.problems[0]


def test_the_snapshot_counts_the_outbox_and_finds_the_oldest(team, other_business):
    old = email(age=timedelta(hours=2), business=team, attempts=3)
    email(age=timedelta(minutes=1), business=team)
    email(Status.SENT, business=team)
    failed = email(Status.FAILED, business=team, last_error="HTTP 400 Bad Request")
    email(Status.FAILED, business=other_business)
    tasks.expire_bookings()
    snapshot = health_snapshot()
    assert snapshot.outbox == {"queued": 2, "sent": 1, "failed": 2}
    assert snapshot.oldest_queued.id == old.pk
    assert snapshot.last_expiry_run is not None
    assert len(snapshot.failed_emails) == 2
    assert len(snapshot.problems) == 2
    assert "waited in the outbox since" in snapshot.problems[0]
    assert "2 email(s) could not be sent" in snapshot.problems[1]
    mine = health_snapshot(business=team)
    assert mine.outbox == {"queued": 2, "sent": 1, "failed": 1}
    assert [e.id for e in mine.failed_emails] == [failed.pk]


def test_queue_figures_come_from_huey():
    with background_huey(MemoryStorage("health-test")):
        outbox.send_email(12345)
        # A retry waiting for its backoff, as the consumer parks it.
        retry = outbox.send_email.s(12346)
        retry.eta = timezone.now() + timedelta(minutes=10)
        HUEY.add_schedule(retry)
        snapshot = health_snapshot()
    assert (snapshot.queue_length, snapshot.scheduled_tasks) == (1, 1)


def test_an_unreachable_queue_is_reported_not_raised():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with background_huey(RedisStorage(HUEY.name, url=f"redis://127.0.0.1:{port}/0")):
        snapshot = health_snapshot()
        output = health()
    assert snapshot.queue_length is None
    assert "ConnectionError" in snapshot.queue_error
    assert snapshot.problems[0].startswith("The task queue cannot be reached")
    assert "Task queue:       UNREACHABLE" in output


def test_the_command_prints_every_figure(fake_sendgrid):
    fake_sendgrid.answer_with(400)
    failed = email()
    outbox.send_email(failed.pk)  # SendGrid refuses: marked failed, not retried
    queued = email(age=timedelta(minutes=20), to_email="bob@example.com")
    tasks.expire_bookings()
    output = health()
    assert "Task queue:       0 waiting" in output
    assert "Scheduled tasks:  0" in output
    assert "Outbox:           queued 1 · sent 0 · failed 1" in output
    assert f"Oldest queued:    #{queued.pk} booking_confirmed to bob@example.com" in (
        output
    )
    assert "queued 20\xa0minutes ago" in output
    assert "Last expiry run:  20" in output
    assert "expire_bookings  every minute" in output
    assert "{'expired': 0, 'moves_expired': 0}" in output
    assert "send_reminders   every 5 minutes  never run" in output
    assert f"#{failed.pk} booking_confirmed to ada@example.com after 1 attempt(s)" in (
        output
    )
    assert "HTTP 400 Bad Request" in output
    assert "Needs attention:" in output
    assert fake_sendgrid.attempts == 1


def test_json_output():
    email(Status.FAILED, last_error="HTTP 400")
    data = json.loads(health("--json"))
    assert data["outbox"] == {"queued": 0, "sent": 0, "failed": 1}
    assert data["failed_emails"][0]["last_error"] == "HTTP 400"
    assert data["last_expiry_run"] is None
    assert data["ok"] is False


def test_check_exits_non_zero_only_when_something_needs_attention():
    with pytest.raises(SystemExit) as exit_:
        health("--check")
    assert exit_.value.code == 2
    tasks.expire_bookings()
    output = health("--check")
    assert "All good." in output


def test_retry_from_the_command(
    fake_sendgrid, team, django_capture_on_commit_callbacks
):
    failed = email(Status.FAILED, business=team, last_error="HTTP 400")
    with django_capture_on_commit_callbacks(execute=True):
        output = health("--retry", str(failed.pk), "--business", team.slug)
    assert f"Email #{failed.pk} to ada@example.com is queued again." in output
    failed.refresh_from_db()
    assert failed.status == Status.SENT
    with pytest.raises(CommandError, match="Only an email that failed"):
        health("--retry", str(failed.pk))
    with pytest.raises(CommandError, match="No email #999"):
        health("--retry", "999")
    other = BusinessFactory()
    again = email(Status.FAILED, business=team)
    with pytest.raises(CommandError, match=f"No email #{again.pk}"):
        health("--retry", str(again.pk), "--business", other.slug)
    with pytest.raises(CommandError, match="No business with slug 'nope'"):
        health("--business", "nope")
