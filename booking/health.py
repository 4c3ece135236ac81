"""Is the background machinery working? The figures behind ``booking_health``.

``health_snapshot`` reads the Huey queue, the outbox and the periodic jobs' last runs
(``JobRun``, written by ``record_run`` around each periodic task) and lists what needs
someone's attention. The dashboard's health page shows the same snapshot: an owner's
business's emails, and the platform's figures to staff users of the service only.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, F
from django.utils import timezone
from django.utils.timesince import timesince
from huey.contrib.djhuey import HUEY

from booking.models import Business, JobRun, OutboundEmail

# name -> when it runs, in words (the crontabs in booking/tasks.py must match).
PERIODIC_JOBS = {
    "expire_bookings": "every minute",
    "send_reminders": "every 5 minutes",
    "sweep_outbox": "every minute",
}
EXPIRY_JOB = "expire_bookings"
# Beyond these, something is wrong (the worker is down, the email provider refuses).
EXPIRY_LATE_AFTER = timedelta(minutes=5)
QUEUED_LATE_AFTER = timedelta(minutes=15)


@dataclass
class _Run:
    result: dict = field(default_factory=dict)


@contextmanager
def record_run(name: str) -> Iterator[_Run]:
    """Record one run of a periodic job: when it finished and its result, or error."""
    run = _Run()
    started = timezone.now()
    JobRun.objects.get_or_create(name=name)
    try:
        yield run
    except Exception as error:
        JobRun.objects.filter(name=name).update(
            last_started_at=started,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            runs=F("runs") + 1,
        )
        raise
    JobRun.objects.filter(name=name).update(
        last_started_at=started,
        last_finished_at=timezone.now(),
        last_result=run.result,
        last_error="",
        runs=F("runs") + 1,
    )


@dataclass
class JobStatus:
    name: str
    schedule: str
    last_finished_at: datetime | None
    last_result: dict
    last_error: str
    runs: int


@dataclass
class EmailSummary:
    id: int
    kind: str
    to_email: str
    subject: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    updated_at: datetime  # for a failed email: when it failed


@dataclass
class HealthSnapshot:
    checked_at: datetime
    platform: bool  # the queue and the jobs were read (False: one business's emails)
    queue_length: int | None  # None: the queue could not be reached
    scheduled_tasks: int | None  # retries waiting for their backoff, delayed tasks
    queue_error: str
    jobs: list[JobStatus]
    outbox: dict[str, int]
    oldest_queued: EmailSummary | None
    failed_emails: list[EmailSummary]
    problems: list[str]

    @property
    def last_expiry_run(self) -> datetime | None:
        return next(
            (job.last_finished_at for job in self.jobs if job.name == EXPIRY_JOB), None
        )

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        data = asdict(self)
        data["last_expiry_run"] = self.last_expiry_run
        data["ok"] = self.ok
        return data


def _summary(email: OutboundEmail) -> EmailSummary:
    return EmailSummary(
        id=email.pk,
        kind=email.kind,
        to_email=email.to_email,
        subject=email.subject,
        status=email.status,
        attempts=email.attempts,
        last_error=email.last_error,
        created_at=email.created_at,
        updated_at=email.updated_at,
    )


def _queue_figures() -> tuple[int | None, int | None, str]:
    try:
        return HUEY.pending_count(), HUEY.scheduled_count(), ""
    except Exception as error:  # the broker is down: say so, do not crash
        return None, None, f"{type(error).__name__}: {error}"


def _jobs() -> list[JobStatus]:
    runs = {run.name: run for run in JobRun.objects.filter(name__in=PERIODIC_JOBS)}
    jobs = []
    for name, schedule in PERIODIC_JOBS.items():
        run = runs.get(name)
        jobs.append(
            JobStatus(
                name=name,
                schedule=schedule,
                last_finished_at=run.last_finished_at if run else None,
                last_result=run.last_result if run else {},
                last_error=run.last_error if run else "",
                runs=run.runs if run else 0,
            )
        )
    return jobs


def health_snapshot(
    *,
    business: Business | None = None,
    platform: bool = True,
    now: datetime | None = None,
    failed_limit: int = 20,
) -> HealthSnapshot:
    """The outbox (of one business, if given), and unless ``platform`` is False the
    queue and the periodic jobs, which every business shares: their figures and
    errors (the broker's address among them) are for the service's operators."""
    now = now or timezone.now()
    emails = OutboundEmail.objects.all()
    if business is not None:
        emails = emails.filter(business=business)
    counts = dict.fromkeys(OutboundEmail.Status.values, 0)
    for row in emails.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    queued = emails.filter(status=OutboundEmail.Status.QUEUED)
    oldest = queued.order_by("created_at").first()
    failed = emails.filter(status=OutboundEmail.Status.FAILED).order_by("-updated_at")[
        :failed_limit
    ]
    queue_length, scheduled, queue_error = (
        _queue_figures() if platform else (None, None, "")
    )
    snapshot = HealthSnapshot(
        checked_at=now,
        platform=platform,
        queue_length=queue_length,
        scheduled_tasks=scheduled,
        queue_error=queue_error,
        jobs=_jobs() if platform else [],
        outbox=counts,
        oldest_queued=_summary(oldest) if oldest else None,
        failed_emails=[_summary(email) for email in failed],
        problems=[],
    )
    snapshot.problems = _problems(snapshot, now)
    return snapshot


def _problems(snapshot: HealthSnapshot, now: datetime) -> list[str]:
    problems = []
    if snapshot.queue_error:
        problems.append(f"The task queue cannot be reached ({snapshot.queue_error}).")
    last_expiry = snapshot.last_expiry_run
    late = last_expiry is None or now - last_expiry > EXPIRY_LATE_AFTER
    if snapshot.platform and late:
        problems.append(
            "The expiry job has not run in the last "
            f"{int(EXPIRY_LATE_AFTER.total_seconds() // 60)} minutes: "
            "is the worker (manage.py run_huey) running?"
        )
    oldest = snapshot.oldest_queued
    if oldest and now - oldest.created_at > QUEUED_LATE_AFTER:
        # A span, not an instant: the dashboard shows this to owners in any zone.
        problems.append(
            "An email has waited in the outbox since it was queued "
            f"{timesince(oldest.created_at, now)} ago "
            f"(#{oldest.id}, {oldest.attempts} attempts so far)."
        )
    if snapshot.outbox[OutboundEmail.Status.FAILED]:
        problems.append(
            f"{snapshot.outbox[OutboundEmail.Status.FAILED]} email(s) could not be "
            "sent; see the errors below and retry them once fixed."
        )
    return problems
