"""The owners' system health page: the health snapshot of their business, failed
emails retried from there, times in the business's zone. The platform's figures
(queue, broker, periodic jobs) only for staff users of the service (``is_staff``).
"""

import socket
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from booking.models import JobRun, OutboundEmail
from tests.booking.emailing import background_huey
from tests.conftest import HTMX
from tests.factories import BusinessFactory

pytestmark = pytest.mark.django_db
Status = OutboundEmail.Status
# One instant in British summer time, one in winter: both shown in London time.
SUMMER = datetime(2026, 7, 1, 12, 30, tzinfo=UTC)  # 13:30 BST, 21:30 JST
WINTER = datetime(2026, 1, 15, 12, 30, tzinfo=UTC)  # 12:30 GMT


def page_url(business) -> str:
    return reverse("dashboard:health", kwargs={"business_id": business.pk})


def retry_url(business, email) -> str:
    return reverse(
        "dashboard:health_email_retry",
        kwargs={"business_id": business.pk, "pk": email.pk},
    )


def email(business, status=Status.FAILED, *, when=None, **fields) -> OutboundEmail:
    row = OutboundEmail.objects.create(
        business=business,
        kind=fields.pop("kind", "booking_confirmed"),
        to_email=fields.pop("to_email", "ada@example.com"),
        subject=fields.pop("subject", "Your booking is confirmed"),
        body_text="See you at the pool.",
        status=status,
        **fields,
    )
    if when:
        OutboundEmail.objects.filter(pk=row.pk).update(created_at=when, updated_at=when)
    return row


def job_ran(name: str, at: datetime, **result) -> None:
    JobRun.objects.create(name=name, last_finished_at=at, last_result=result, runs=7)


def test_the_page_shows_this_business_figures_and_failed_emails(
    owner_client, business, other_business
):
    email(business, Status.SENT)
    email(business, Status.QUEUED, when=timezone.now() - timedelta(hours=2))
    email(
        business,
        attempts=1,
        to_email="typo@exmaple.com",
        kind="request_received",
        subject="We got your request",
        last_error="HTTP 400 Bad Request: invalid email",
        when=SUMMER,
    )
    email(business, to_email="winter@example.com", when=WINTER)
    email(other_business, to_email="someone@tutortown.example.com")

    html = owner_client.get(page_url(business)).content.decode()

    assert '<dd data-figure="queued">1</dd>' in html
    assert '<dd data-figure="sent">1</dd>' in html
    assert '<dd data-figure="failed" class="text-danger">2</dd>' in html
    assert "queued" in html and "(2\xa0hours ago)" in html
    assert "typo@exmaple.com" in html and "Request received" in html
    assert "We got your request" in html
    assert "HTTP 400 Bad Request: invalid email" in html
    assert "Wed 1 Jul 2026, 13:30 BST" in html  # failed in summer
    assert "Thu 15 Jan 2026, 12:30 GMT" in html  # and in winter
    assert "someone@tutortown.example.com" not in html
    assert "Needs attention" in html and "2 email(s) could not be sent" in html
    assert "Europe/London" in html


@pytest.fixture
def operator_client(owner, owner_client):
    """An owner who also runs the service (a staff user): sees the platform too."""
    owner.is_staff = True
    owner.save()
    return owner_client


def test_owners_see_only_their_business_not_the_platform(owner_client, business):
    JobRun.objects.create(name="sweep_outbox", last_error="OperationalError: boom")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    storage = RedisStorage(HUEY.name, url=f"redis://127.0.0.1:{port}/0")
    with background_huey(storage):
        html = owner_client.get(page_url(business)).content.decode()
    assert '<dd data-figure="sent">0</dd>' in html  # their emails
    for platform in (
        "OperationalError: boom",
        "task queue",
        f"127.0.0.1:{port}",
        'data-figure="queue"',
        "Background jobs",
        "run_huey",
        'id="job-',
    ):
        assert platform not in html
    assert "All good" in html


def test_times_follow_the_business_zone_far_from_london(operator_client, business):
    business.timezone = "Asia/Tokyo"
    business.save()
    email(business, when=SUMMER)
    job_ran("expire_bookings", SUMMER, expired=3)
    html = operator_client.get(page_url(business)).content.decode()
    assert "Wed 1 Jul 2026, 21:30 JST" in html
    assert "Wed 1 Jul, 21:30:00 JST" in html
    assert "expired: 3" in html


def test_all_good_when_the_jobs_run_and_nothing_failed(operator_client, business):
    now = timezone.now()
    for name in ("expire_bookings", "send_reminders", "sweep_outbox"):
        job_ran(name, now - timedelta(seconds=30))
    email(business, Status.SENT)
    html = operator_client.get(page_url(business)).content.decode()
    assert "All good" in html and "Needs attention" not in html
    assert "Failed emails" in html and "None. Every email was sent" in html
    assert '<dd data-figure="queue">0</dd>' in html
    assert "Oldest email waiting" in html and "None: nothing is waiting." in html


def test_a_job_that_has_never_run_says_so(operator_client, business):
    html = operator_client.get(page_url(business)).content.decode()
    assert html.count(">Never<") == 3
    assert "is the worker (manage.py run_huey) running?" in html


def test_a_job_error_is_shown(operator_client, business):
    JobRun.objects.create(name="sweep_outbox", last_error="OperationalError: boom")
    html = operator_client.get(page_url(business)).content.decode()
    assert "OperationalError: boom" in html


def test_an_unreachable_queue_is_shown_not_raised(operator_client, business):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    storage = RedisStorage(HUEY.name, url=f"redis://127.0.0.1:{port}/0")
    with background_huey(storage):
        response = operator_client.get(page_url(business))
    assert response.status_code == 200
    assert "The task queue cannot be reached (ConnectionError" in (
        response.content.decode()
    )


def test_many_failed_emails_say_how_many_more(owner_client, business):
    for n in range(22):
        email(business, to_email=f"client{n}@example.com")
    html = owner_client.get(page_url(business)).content.decode()
    assert html.count('<tr id="email-') == 20
    assert "And 2 older failed emails" in html


def test_refresh_with_htmx_swaps_the_figures(owner_client, business):
    html = owner_client.get(page_url(business), **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="health">')
    assert "<html" not in html


def test_retry_sends_the_failed_email_again(
    owner_client, business, fake_sendgrid, django_capture_on_commit_callbacks
):
    failed = email(business, attempts=8, last_error="HTTP 400 Bad Request")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(retry_url(business, failed))
    assert response.status_code == 302
    assert response["Location"] == page_url(business)
    failed.refresh_from_db()
    assert failed.status == Status.SENT
    assert [mail.subject for mail in fake_sendgrid.received] == [
        "Your booking is confirmed"
    ]
    html = owner_client.get(page_url(business)).content.decode()
    assert "The email to ada@example.com is queued to be sent again." in html
    assert f'id="email-{failed.pk}"' not in html


def test_retry_with_htmx_answers_the_refreshed_figures(owner_client, business):
    failed = email(business)
    response = owner_client.post(retry_url(business, failed), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="health">')
    assert '<dd data-figure="queued">1</dd>' in html
    assert f'id="email-{failed.pk}"' not in html
    assert 'hx-swap-oob="innerHTML"' in html and "queued to be sent again" in html
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.QUEUED, 0)


def test_an_email_that_did_not_fail_is_not_sent_again(owner_client, business):
    sent = email(business, Status.SENT, attempts=1)
    response = owner_client.post(retry_url(business, sent), follow=True)
    assert "Only an email that failed can be sent again." in response.content.decode()
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (Status.SENT, 1)


def test_another_business_email_is_404_and_not_retried(owner_client, business):
    elsewhere = email(BusinessFactory(name="Tutor Town"), attempts=8)
    response = owner_client.post(retry_url(business, elsewhere))
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert (elsewhere.status, elsewhere.attempts) == (Status.FAILED, 8)


def test_an_unknown_email_is_404(owner_client, business):
    response = owner_client.post(
        reverse(
            "dashboard:health_email_retry",
            kwargs={"business_id": business.pk, "pk": 999999},
        )
    )
    assert response.status_code == 404


def test_owners_reach_it_from_settings_not_the_menu(owner_client, business):
    home = reverse("dashboard:home", kwargs={"business_id": business.pk})
    assert page_url(business) not in owner_client.get(home).content.decode()
    settings = reverse("dashboard:settings", kwargs={"business_id": business.pk})
    assert page_url(business) in owner_client.get(settings).content.decode()


def test_the_menu_marks_settings_current(owner_client, business):
    html = owner_client.get(page_url(business)).content.decode()
    settings = reverse("dashboard:settings", kwargs={"business_id": business.pk})
    assert f'<a href="{settings}" aria-current="page">Settings' in html
