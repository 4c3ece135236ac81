"""System health for owners: the figures of ``booking_health``, and failed emails to
send again. Times show in the business's zone (``business_view`` sets it).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from booking.errors import BookingError
from booking.health import health_snapshot
from booking.models import OutboundEmail
from booking.outbox import email_retry
from dashboard.access import DashboardRequest, business_view, render_page
from dashboard.display import JOB_LABELS, email_kind_label


def _page(request: DashboardRequest):
    snapshot = health_snapshot(business=request.business)
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
        email = email_retry(email_id=pk, business_id=request.business.pk)
    except OutboundEmail.DoesNotExist:
        raise Http404("No such email") from None
    except BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"The email to {email.to_email} is queued to be sent again."
        )
    if request.htmx:
        return _page(request)
    return redirect("dashboard:health", business_id=request.business.pk)
