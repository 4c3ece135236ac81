"""Reads for owners: which booking requests match a filter (JSON API, dashboard).

Status filters use the status a reader should see (``BookingRequest.effective_status``):
a pending request past ``expires_at`` counts as expired even before the periodic task
has marked it so.
"""

import re
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet

from booking.models import BookingRequest, Business

Status = BookingRequest.Status


def effective_status_q(status: str, now: datetime) -> Q:
    """Requests whose effective status at ``now`` is ``status``."""
    if status == Status.PENDING:
        return Q(status=Status.PENDING, expires_at__gt=now)
    if status == Status.EXPIRED:
        return Q(status=Status.EXPIRED) | Q(status=Status.PENDING, expires_at__lte=now)
    return Q(status=status)


def search_q(text: str) -> Q:
    """Free text over name, email, phone and reference.

    Digits are also matched against the stored (normalised) phone number, so
    "07700 900101" finds "+447700900101".
    """
    text = text.strip()
    match = (
        Q(client_name__icontains=text)
        | Q(client_email__icontains=text)
        | Q(client_phone__icontains=text)
        | Q(booking_reference__icontains=text)
    )
    digits = re.sub(r"\D", "", text).lstrip("0")
    if len(digits) >= 4:
        match |= Q(client_phone__contains=digits)
    return match


def booking_requests_filter(
    *,
    business: Business,
    now: datetime,
    status: str | None = None,
    service_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str | None = None,
) -> QuerySet[BookingRequest]:
    """The business's requests matching every given filter, newest first.

    ``date_from``/``date_to`` are inclusive and compare the session's start date in
    the business's time zone. The rows come with their session and service.
    """
    rows = BookingRequest.objects.filter(session__business_id=business.pk)
    if status:
        rows = rows.filter(effective_status_q(status, now))
    if service_id is not None:
        rows = rows.filter(session__service_id=service_id)
    zone = business.tz
    if date_from is not None:
        rows = rows.filter(
            session__starts_at__gte=datetime.combine(date_from, time.min, tzinfo=zone)
        )
    if date_to is not None:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
        rows = rows.filter(session__starts_at__lt=end)
    if q and q.strip():
        rows = rows.filter(search_q(q))
    return rows.select_related("session__service").order_by("-created_at", "-id")
