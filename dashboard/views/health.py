"""System health for owners: their business's emails (failed ones to send again),
and for staff users of the service (``is_staff``) the platform's figures of
``booking_health`` too: the queue and the periodic jobs every business shares. Times
show in the business's zone (``business_view`` sets it).
"""

from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from booking.health import health_snapshot
from booking.models import OutboundEmail
from booking.outbox import email_retry
from dashboard.access import DashboardRequest, business_view
from dashboard.display import JOB_LABELS, email_kind_label
from dashboard.responses import render_page, run_command


def _page(request: DashboardRequest):
    snapshot = health_snapshot(
        business=request.business, platform=request.user.is_staff
    )
    failed = [(email, email_kind_label(email.kind)) for email in snapshot.failed_emails]
    return render_page(
        request,
        "dashboard/health.html",
        {
            "snapshot": snapshot,
            "jobs": [
                (job, JOB_LABELS.get(job.name, job.name)) for job in snapshot.jobs
            ],
            "failed": failed,
            "more_failed": snapshot.outbox["failed"] - len(failed),
        },
        partial="health",
    )


@business_view(owner_only=True)
@require_safe
def health(request: DashboardRequest):
    return _page(request)


@business_view(owner_only=True)
@require_POST
def health_email_retry(request: DashboardRequest, pk: int):
    try:
        run_command(
            request,
            lambda: email_retry(email_id=pk, business_id=request.business.pk),
            done=lambda email: (
                f"The email to {email.to_email} is queued to be sent again."
            ),
        )
    except OutboundEmail.DoesNotExist:
        raise Http404("No such email") from None
    if request.htmx:
        return _page(request)
    return redirect("dashboard:health", business_id=request.business.pk)
