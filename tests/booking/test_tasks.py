"""Periodic jobs (booking/tasks.py): expiry, reminders, the outbox sweep, their
schedules and Huey's configuration.

Huey is immediate here (tests/conftest.py): calling a periodic task runs it inline.
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from booking import emails, services, tasks
from booking.health import PERIODIC_JOBS, record_run
from booking.models import BookingRequest, JobRun, OutboundEmail, Session
from booking.notifications import bookings_remind
from config.settings import with_query
from tests.booking.emailing import (
    CLIENT,
    NOW,
    book,
    queued_email,
    received_by,
    set_settings,
    the_email,
)
from tests.test_config import run_with

pytestmark = pytest.mark.django_db


def test_expiry_while_the_worker_was_down(
    team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    """A lapsed request reads as expired and frees its spot at once; when the worker
    comes back the expiry job marks it and the client is emailed exactly once."""
    set_settings(team, requires_approval=True)
    service = lesson.service
    service.capacity = 1
    service.save()
    lesson.capacity = 1
    lesson.starts_at = timezone.now() + timedelta(days=2)
    lesson.ends_at = lesson.starts_at + timedelta(hours=1)
    lesson.save()
    made = timezone.now() - timedelta(days=1, minutes=1)  # its 24 h hold has lapsed
    booking = book(lesson, now=made)
    now = timezone.now()
    assert booking.effective_status(now) == BookingRequest.Status.EXPIRED
    assert not booking.is_active(now)
    assert services.check_session_offered(
        session=lesson, settings=team.booking_settings, now=now
    )
    fake_sendgrid.reset()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.expire_bookings()  # the worker is back: the periodic job runs
    with django_capture_on_commit_callbacks(execute=True):
        tasks.expire_bookings()
    booking.refresh_from_db()
    assert booking.status == BookingRequest.Status.EXPIRED
    (mail,) = received_by(fake_sendgrid, CLIENT)
    assert mail.subject.startswith("Your booking request has expired")
    run = JobRun.objects.get(name="expire_bookings")
    assert run.runs == 2
    assert run.last_result == {"expired": 0, "moves_expired": 0}
    assert run.last_finished_at is not None


def test_the_expiry_job_lets_a_lapsed_move_go(
    team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    """A client's move that waited past its hold: the job clears it, the booking
    keeps its time, and the client hears it once."""
    lesson.starts_at = timezone.now() + timedelta(days=2)
    lesson.ends_at = lesson.starts_at + timedelta(hours=1)
    lesson.save()
    later = Session.objects.create(
        business=team,
        service=lesson.service,
        starts_at=lesson.starts_at + timedelta(days=1),
        ends_at=lesson.ends_at + timedelta(days=1),
        capacity=1,
        booking_deadline_hours=0,
    )
    asked = timezone.now() - timedelta(days=1, minutes=1)  # its 24 h hold has lapsed
    booking = book(lesson, now=asked)
    set_settings(team, requires_approval=True)
    services.booking_reschedule(
        booking_id=booking.pk, session_id=later.pk, by_client=True, now=asked
    )
    fake_sendgrid.reset()

    with django_capture_on_commit_callbacks(execute=True):
        tasks.expire_bookings()

    booking.refresh_from_db()
    assert (booking.session, booking.move_to) == (lesson, None)
    (mail,) = received_by(fake_sendgrid, CLIENT)
    assert mail.subject.startswith("Your change of time has expired")
    run = JobRun.objects.get(name="expire_bookings")
    assert run.last_result == {"expired": 0, "moves_expired": 1}


def test_a_failing_job_records_its_error():
    with pytest.raises(ZeroDivisionError), record_run("expire_bookings"):
        1 / 0  # noqa: B018
    run = JobRun.objects.get(name="expire_bookings")
    assert run.last_error.startswith("ZeroDivisionError")
    assert run.last_finished_at is None


def test_the_reminder_is_sent_once_when_due(team, lesson):
    booking = book(lesson)
    start = lesson.starts_at
    assert bookings_remind(now=start - timedelta(hours=25)) == []
    assert bookings_remind(now=start - timedelta(hours=24)) == [booking.pk]
    assert bookings_remind(now=start - timedelta(hours=23)) == []
    booking.refresh_from_db()
    assert booking.reminder_sent_at == start - timedelta(hours=24)
    reminder = the_email(kind=emails.BOOKING_REMINDER)
    assert reminder.to_email == CLIENT
    assert "Cancel booking" in reminder.body_html


@pytest.mark.parametrize(
    ("setup", "remind"),
    [
        ({"reminder_hours_before": 0}, False),  # the business turned reminders off
        ({"reminder_hours_before": 2}, True),
    ],
)
def test_the_reminder_setting_per_business(team, lesson, setup, remind):
    set_settings(team, **setup)
    book(lesson)
    due = bookings_remind(now=lesson.starts_at - timedelta(hours=1))
    assert bool(due) is remind


def test_no_reminder_for_a_booking_made_inside_the_window_or_cancelled(team, lesson):
    late = book(lesson, now=lesson.starts_at - timedelta(hours=3))
    cancelled = book(lesson, client_email="bob@example.com")
    services.booking_cancel(booking_id=cancelled.pk, by_client=True, now=NOW)
    assert bookings_remind(now=lesson.starts_at - timedelta(hours=2)) == []
    assert late.reminder_sent_at is None


def test_the_periodic_reminder_job(
    team, lesson, fake_sendgrid, django_capture_on_commit_callbacks
):
    lesson.starts_at = timezone.now() + timedelta(hours=10)
    lesson.ends_at = lesson.starts_at + timedelta(hours=1)
    lesson.save()
    book(lesson, now=timezone.now() - timedelta(days=2))
    fake_sendgrid.reset()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_reminders()
        tasks.send_reminders()
    (mail,) = received_by(fake_sendgrid, CLIENT)
    assert mail.subject.startswith("Reminder: Private Lesson")
    assert JobRun.objects.get(name="send_reminders").last_result == {"reminded": 0}


def test_periodic_jobs_are_registered_with_their_schedules():
    periodic = {
        task.name.rsplit(".", 1)[-1]: task for task in HUEY._registry.periodic_tasks
    }
    assert set(periodic) == set(PERIODIC_JOBS)
    at = timezone.now().replace(minute=7, second=0, microsecond=0)

    def runs_at(name, moment):
        return periodic[name].validate_datetime(moment)

    assert runs_at("expire_bookings", at)
    assert runs_at("sweep_outbox", at)
    assert not runs_at("send_reminders", at)
    assert runs_at("send_reminders", at.replace(minute=10))


HUEY_PROBE = """
import json, django
django.setup()
from django.conf import settings
from huey.contrib.djhuey import HUEY
print(json.dumps({
    "url": settings.HUEY.get("url", ""),
    "immediate": HUEY.immediate,
    "results": HUEY.results,
    "class": type(HUEY).__name__,
}))
"""


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"REDIS_URL": "redis://10.0.0.9:6379/3"},
            {
                "url": "redis://10.0.0.9:6379/3?socket_connect_timeout=2"
                "&socket_timeout=10",
                "immediate": False,
                "results": False,
                "class": "RedisHuey",
            },
        ),
        ({}, {"url": "", "immediate": False, "results": False, "class": "SqliteHuey"}),
    ],
)
def test_huey_configuration(env, expected):
    """Bounded Redis waits (a booking never hangs on the queue), no result store,
    and ``immediate`` only when asked for."""
    result = run_with(["-c", HUEY_PROBE], **env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected


def test_with_query_keeps_what_the_url_says():
    assert with_query("redis://h/0?socket_timeout=1", socket_timeout=10) == (
        "redis://h/0?socket_timeout=1"
    )
    assert with_query("redis://h/0?ssl_cert_reqs=none", a=1) == (
        "redis://h/0?ssl_cert_reqs=none&a=1"
    )


def test_the_periodic_sweep_records_its_run(fake_sendgrid):
    email = queued_email()
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    tasks.sweep_outbox()
    run = JobRun.objects.get(name="sweep_outbox")
    assert run.last_result == {"enqueued": 1}
    assert run.runs == 1
    assert len(fake_sendgrid.received) == 1
