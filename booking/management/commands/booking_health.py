"""``python manage.py booking_health``: the background machinery at a glance."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.timesince import timesince

from booking import outbox
from booking.errors import BookingError
from booking.health import HealthSnapshot, health_snapshot
from booking.models import Business, OutboundEmail


class Command(BaseCommand):
    help = (
        "Print the task queue length, scheduled tasks, outbox counts by status, the "
        "oldest queued email, the periodic jobs' last runs and failed emails."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--business", help="Only this business's emails (slug).")
        parser.add_argument("--json", action="store_true", help="Machine-readable.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Exit with status 2 when something needs attention (for monitoring).",
        )
        parser.add_argument(
            "--retry",
            type=int,
            metavar="EMAIL_ID",
            help="Queue a failed email again, then print the figures.",
        )

    def handle(self, *args, **options) -> None:
        business = None
        if options["business"]:
            business = Business.objects.filter(slug=options["business"]).first()
            if business is None:
                raise CommandError(f"No business with slug {options['business']!r}.")
        if options["retry"]:
            self._retry(options["retry"], business)
        snapshot = health_snapshot(business=business)
        if options["json"]:
            self.stdout.write(
                json.dumps(snapshot.as_dict(), cls=DjangoJSONEncoder, indent=2)
            )
        else:
            self._print(snapshot)
        if options["check"] and not snapshot.ok:
            raise SystemExit(2)

    def _retry(self, email_id: int, business: Business | None) -> None:
        try:
            email = outbox.email_retry(
                email_id=email_id, business_id=business.pk if business else None
            )
        except OutboundEmail.DoesNotExist as error:
            raise CommandError(f"No email #{email_id}.") from error
        except BookingError as error:
            raise CommandError(f"Email #{email_id}: {error.message}") from error
        self.stdout.write(f"Email #{email.pk} to {email.to_email} is queued again.\n")

    def _print(self, snapshot: HealthSnapshot) -> None:
        now = snapshot.checked_at
        write = self.stdout.write
        write(f"Booking Links health at {now:%Y-%m-%d %H:%M:%S} UTC\n")
        if snapshot.queue_error:
            write(f"Task queue:       UNREACHABLE ({snapshot.queue_error})\n")
        else:
            write(f"Task queue:       {snapshot.queue_length} waiting\n")
            write(f"Scheduled tasks:  {snapshot.scheduled_tasks} (retries, delayed)\n")
        counts = " · ".join(f"{name} {n}" for name, n in snapshot.outbox.items())
        write(f"Outbox:           {counts}\n")
        oldest = snapshot.oldest_queued
        if oldest:
            write(
                f"Oldest queued:    #{oldest.id} {oldest.kind} to {oldest.to_email}, "
                f"queued {timesince(oldest.created_at, now)} ago "
                f"({oldest.attempts} attempts)\n"
            )
        else:
            write("Oldest queued:    none\n")
        last = snapshot.last_expiry_run
        write(
            "Last expiry run:  "
            + (f"{last:%Y-%m-%d %H:%M:%S} UTC" if last else "never")
            + "\n"
        )
        write("Periodic jobs:\n")
        for job in snapshot.jobs:
            when = (
                f"last {job.last_finished_at:%Y-%m-%d %H:%M:%S} UTC {job.last_result}"
                if job.last_finished_at
                else "never run"
            )
            error = f" — last error: {job.last_error}" if job.last_error else ""
            write(f"  {job.name:<16} {job.schedule:<16} {when}{error}\n")
        if snapshot.failed_emails:
            write("Failed emails (retry with --retry EMAIL_ID):\n")
            for email in snapshot.failed_emails:
                write(
                    f"  #{email.id} {email.kind} to {email.to_email} after "
                    f"{email.attempts} attempt(s): {email.last_error}\n"
                )
        if snapshot.problems:
            write(self.style.WARNING("Needs attention:") + "\n")
            for problem in snapshot.problems:
                write(f"  - {problem}\n")
        else:
            write(self.style.SUCCESS("All good.") + "\n")
