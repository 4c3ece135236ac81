"""/metrics: the token, and each figure counted where it happens.

This process keeps its figures in memory (no PROMETHEUS_MULTIPROC_DIR); adding them up
across gunicorn workers and the Huey worker is tested in tests/test_production.py.
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from booking import metrics, outbox
from booking.errors import BookingError
from booking.models import JobRun, OutboundEmail
from tests.booking.emailing import book, set_settings
from tests.production import free_port

pytestmark = pytest.mark.django_db

TOKEN = "a-long-metrics-token"


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client) -> dict[tuple, float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN


def test_no_token_configured_means_no_metrics_page(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


def test_the_token_is_required(client, token):
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token")
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401
    )
    assert scrape(client)


def test_requests_are_timed_by_view_and_counted_by_status_class(client, business):
    start = reverse("booking:start", args=[business.slug])
    ok = {"view": "booking:start", "method": "GET", "status_class": "2xx"}
    missing = {"view": "unresolved", "method": "GET", "status_class": "4xx"}
    before = (
        value("booking_http_responses_total", **ok),
        value("booking_http_responses_total", **missing),
        value(
            "booking_http_request_duration_seconds_count",
            view="booking:start",
            method="GET",
        ),
    )

    assert client.get(start).status_code == 200
    assert client.get("/no/such/page/").status_code == 404
    assert client.generic("BREW", start).status_code == 405

    assert value("booking_http_responses_total", **ok) == before[0] + 1
    assert value("booking_http_responses_total", **missing) == before[1] + 1
    assert (
        value(
            "booking_http_request_duration_seconds_count",
            view="booking:start",
            method="GET",
        )
        == before[2] + 1
    )
    assert value(
        "booking_http_responses_total",
        view="booking:start",
        method="other",
        status_class="4xx",
    )


def test_bookings_are_counted_by_outcome(team, lesson):
    def count(outcome, reason=""):
        return value("booking_bookings_created_total", outcome=outcome, reason=reason)

    before = {
        "instant": count("instant"),
        "pending": count("pending"),
        "full": count("refused", "full"),
    }
    book(lesson, client_email="first@example.com")
    set_settings(team, requires_approval=True)
    book(lesson, client_email="second@example.com")
    with pytest.raises(BookingError):
        book(lesson, client_email="third@example.com")  # capacity 2: full

    assert count("instant") == before["instant"] + 1
    assert count("pending") == before["pending"] + 1
    assert count("refused", "full") == before["full"] + 1


@pytest.mark.parametrize(
    ("answers", "outcome"), [((), "sent"), ((500,), "retry"), ((400,), "failed")]
)
def test_email_attempts_are_counted_by_outcome(fake_sendgrid, answers, outcome):
    fake_sendgrid.answer_with(*answers)
    email = OutboundEmail.objects.create(
        kind="booking_confirmed", to_email="a@example.com", subject="s", body_text="b"
    )
    before = value("booking_emails_total", outcome=outcome)

    outbox.send_email(email.pk)

    assert value("booking_emails_total", outcome=outcome) == before + 1


def test_tasks_the_worker_runs_are_counted_and_timed(fake_sendgrid):
    email = OutboundEmail.objects.create(
        kind="booking_confirmed", to_email="a@example.com", subject="s", body_text="b"
    )
    labels = {"task": "send_email", "outcome": "complete"}
    before = value("booking_tasks_total", **labels)
    timed = value("booking_task_duration_seconds_count", task="send_email")

    outbox.send_email(email.pk)  # Huey runs it (immediate in tests), signals and all

    assert value("booking_tasks_total", **labels) == before + 1
    assert value("booking_task_duration_seconds_count", task="send_email") == timed + 1


def test_availability_cache_lookups_are_counted():
    hits = value("booking_availability_cache_requests_total", result="hit")
    misses = value("booking_availability_cache_requests_total", result="miss")

    metrics.availability_cache(hit=True)
    metrics.availability_cache(hit=False)
    metrics.availability_cache(hit=False)

    assert value("booking_availability_cache_requests_total", result="hit") == hits + 1
    assert (
        value("booking_availability_cache_requests_total", result="miss") == misses + 2
    )


def test_the_outbox_jobs_and_queue_are_read_at_scrape_time(client, token):
    finished = timezone.now().replace(microsecond=0)
    JobRun.objects.create(name="expire_bookings", last_finished_at=finished)
    JobRun.objects.create(name="send_reminders", last_error="RuntimeError: boom")
    for status in ("queued", "failed", "failed"):
        OutboundEmail.objects.create(
            kind="booking_confirmed",
            to_email="a@example.com",
            subject="s",
            body_text="b",
            status=status,
        )

    samples = scrape(client)

    def sample(name, **labels):
        return samples[(name, tuple(sorted(labels.items())))]

    assert sample("booking_outbox_emails", status="queued") == 1
    assert sample("booking_outbox_emails", status="failed") == 2
    assert sample("booking_outbox_emails", status="sent") == 0
    last = "booking_job_last_success_timestamp_seconds"
    assert sample(last, job="expire_bookings") == finished.timestamp()
    assert (last, (("job", "send_reminders"),)) not in samples  # never succeeded
    assert sample("booking_queue_up") == 1
    assert sample("booking_queue_oldest_task_age_seconds") >= 0
    assert ("booking_queue_pending_tasks", ()) in samples


def test_a_queue_that_cannot_be_reached_is_reported_not_fatal(client, token, settings):
    settings.HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "metrics",
        "url": f"redis://127.0.0.1:{free_port()}/0",
    }

    samples = scrape(client)

    assert samples[("booking_queue_up", ())] == 0
    assert ("booking_queue_pending_tasks", ()) not in samples
    assert ("booking_outbox_emails", (("status", "failed"),)) in samples
