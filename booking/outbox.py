"""The outbox: each email a row, written with its cause, sent once, retried if worth it.

``queue_email`` writes an ``OutboundEmail`` row in the transaction that causes it; the
Huey task ``send_emails`` is enqueued (once for all the rows of a change) when that
transaction commits. A booking email's row is written with its subject and a
``snapshot`` of its context, not its bodies: ``email_send`` claims the row (a short
transaction under a row lock that sets a lease in ``next_attempt_at``), renders it
from the snapshot (``render_row``), sends it outside any transaction with a
``Message-ID`` that is the same on every attempt, then records the outcome with the
rendered bodies: ``sent``; ``failed`` for an email that cannot be rendered or a
refusal that a retry cannot fix (4xx except 408/429) or after
``BOOKING_EMAIL_MAX_ATTEMPTS``; otherwise it stays ``queued`` with an exponential
backoff. A second task for the same row finds it claimed or sent and does nothing, so
a row is never sent twice by us. One window stays: a send the provider accepted but
whose answer never came back (a timeout, a worker killed mid-send) is sent again
after its lease, with the same ``Message-ID`` (docs/DEPLOYMENT.md, "When a part fails").
``outbox_sweep`` finds rows whose task was lost (the broker was down at commit, a
worker died mid-send) and enqueues it again. A sent
password-reset or invitation email keeps no copy of its one-time link.
"""

import base64
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

import redis
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from huey.contrib.djhuey import db_task
from python_http_client.exceptions import HTTPError

from booking import metrics
from booking.compiled import CompiledInsert
from booking.emails import (
    BOOKING_KINDS,
    SECRET_LINK_KINDS,
    attachment_file,
    render_email,
    render_subject,
    snapshot,
)
from booking.errors import BookingError
from booking.models import BookingRequest, Business, OutboundEmail
from config.cache import breaker_open, breaker_trip

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status
# How long a claimed row is left to the worker sending it: longer than any send can
# take (the SendGrid client times out first). A worker killed mid-send leaves its
# row to the sweep once the lease has passed (``BOOKING_EMAIL_LEASE_SECONDS``).
LEASE_SECONDS = 600
MAX_BACKOFF = timedelta(hours=1)
RETRYABLE_HTTP = {408, 429}


def queue_email(**fields) -> OutboundEmail:
    """Write one email to the outbox (``draft_email``'s fields); Huey sends it after
    the transaction commits.

    A rolled-back transaction takes the row with it, so nothing is sent for a change
    that did not happen.
    """
    return queue_emails([draft_email(**fields)])[0]


def draft_email(
    *,
    kind: str,
    to_email: str,
    context: dict,
    business: Business | None = None,
    booking: BookingRequest | None = None,
    from_email: str = "",
    reply_to: str = "",
    attachments: list[dict] | None = None,
) -> OutboundEmail:
    """One email as an outbox row, not yet written (``queue_emails``).

    A booking email keeps its subject and a snapshot of ``context``; its bodies (and
    attachments) are rendered by the worker (``render_row``). An account email is
    rendered now: its one-time link must live in its body alone
    (``_forget_secret_link``).
    """
    email = OutboundEmail(
        business=business,
        booking=booking,
        kind=kind,
        to_email=to_email,
        from_email=from_email,
        reply_to=reply_to,
        attachments=attachments or [],
    )
    if kind in BOOKING_KINDS:
        plain = context if _is_snapshot(context) else snapshot(context)
        email.snapshot = plain
        email.subject = render_subject(kind, plain)[:255]
        email.body_text = email.body_html = ""
    else:
        _render_into(email, context)
    return email


def _is_snapshot(context: dict) -> bool:
    """Whether ``context`` is plain JSON already (one snapshot serves every member
    told of a change)."""
    return isinstance(context.get("business", {}), dict)


def render_row(email: OutboundEmail) -> dict:
    """Render a row's bodies and attachments from its snapshot, set them on
    ``email`` and return them as the fields to store; {} if it is rendered already."""
    if email.snapshot is None:
        return {}
    return _render_into(email, email.snapshot)


def _render_into(email: OutboundEmail, context: dict) -> dict:
    rendered = render_email(email.kind, context)
    fields = {
        "subject": rendered.subject[:255],
        "body_text": rendered.text,
        "body_html": rendered.html,
        "attachments": [attachment_file(item) for item in email.attachments],
        "snapshot": None,
    }
    for name, value in fields.items():
        setattr(email, name, value)
    return fields


def queue_emails(drafts: list[OutboundEmail]) -> list[OutboundEmail]:
    """Write the drafted rows in one INSERT, sent by one Huey task after the
    transaction commits (``queue_email``: what one change tells everyone, at the
    cost of one)."""
    if not drafts:
        return []
    emails = _NEW_EMAILS.bulk_create(drafts)
    send_on_commit(*(email.pk for email in emails))
    return emails


# The outbox's INSERT, prepared (booking/compiled.py): every booking writes one.
_NEW_EMAILS = CompiledInsert(OutboundEmail)


@dataclass(frozen=True)
class SendResult:
    status: str  # "sent", "failed", "retry", or "skipped" (sent/claimed/not due)
    retry_in: timedelta | None = None


def message_id(email: OutboundEmail) -> str:
    """The row's ``Message-ID``, the same on every attempt: a send that reached the
    provider but was not confirmed (a timeout, a worker killed) and is sent again
    arrives with the same id, so a mail client that drops duplicates shows one."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    stamp = email.created_at.strftime("%Y%m%d%H%M%S")
    return f"<outbox-{email.pk}.{stamp}@{domain or 'booking-links'}>"


def message_for(email: OutboundEmail) -> EmailMultiAlternatives:
    """The Django email for an outbox row: text, HTML alternative, attachments,
    and its stable ``Message-ID`` (rendered first if it is not yet)."""
    render_row(email)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=email.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers={"Message-ID": message_id(email)},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(
            attachment["filename"],
            base64.b64decode(attachment["content"]),
            attachment.get("mimetype") or "application/octet-stream",
        )
    return message


def is_retryable(error: Exception) -> bool:
    """5xx, 408, 429, timeouts and connection errors are; other refusals are not."""
    if isinstance(error, HTTPError):
        status = getattr(error, "status_code", 0) or 0
        return status >= 500 or status in RETRYABLE_HTTP
    # URLError, ConnectionError, TimeoutError, SMTP errors: all OSError.
    return isinstance(error, OSError)


def describe(error: Exception) -> str:
    if isinstance(error, HTTPError):
        body = error.body.decode(errors="replace") if error.body else ""
        return f"HTTP {error.status_code} {error.reason}: {body}"[:2000]
    return f"{type(error).__name__}: {error}"[:2000]


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: base, 2×base, 4×base, … ≤ 1 h."""
    base = timedelta(seconds=settings.BOOKING_EMAIL_RETRY_SECONDS)
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _due(now: datetime) -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def _claim(email_id: int, now: datetime) -> OutboundEmail | None:
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(_due(now), pk=email_id, status=Status.QUEUED)
            .first()
        )
        if email is None:
            return None  # sent, failed, being sent by another worker, or not due
        email.attempts += 1
        email.next_attempt_at = now + timedelta(
            seconds=getattr(settings, "BOOKING_EMAIL_LEASE_SECONDS", LEASE_SECONDS)
        )
        email.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
        return email


def email_send(*, email_id: int, now: datetime | None = None) -> SendResult:
    """Send one queued outbox row, at most once; say whether to try again and when."""
    now = now or timezone.now()
    email = _claim(email_id, now)
    if email is None:
        return SendResult("skipped")
    try:
        rendered = render_row(email)
    except Exception as error:
        # A snapshot its templates cannot render: no retry will, so it fails
        # (kept, with the error, for the health page) rather than vanish.
        logger.exception("Email %s could not be rendered", email.pk)
        return _record_failure(email, error, retry=False)
    try:
        get_connection().send_messages([message_for(email)])
    except Exception as error:
        return _record_failure(email, error, rendered)
    OutboundEmail.objects.filter(pk=email.pk).update(
        **rendered,
        status=Status.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        last_error="",
        updated_at=timezone.now(),
        **_forget_secret_link(email),
    )
    logger.info(
        "Sent email %s (%s)", email.pk, email.kind, extra=_fields(email, "sent")
    )
    return SendResult("sent")


def _forget_secret_link(email: OutboundEmail) -> dict:
    """Once sent, a password-reset or invitation email's body is not kept.

    Its link is a live key to an account (only its hash is stored elsewhere); until
    the email is sent the row needs it, afterwards nobody should read it from here.
    """
    if email.kind not in SECRET_LINK_KINDS:
        return {}
    note = "Not kept: this email held a one-time link, removed once it was sent."
    return {"body_text": note, "body_html": ""}


def _record_failure(
    email: OutboundEmail,
    error: Exception,
    rendered: dict | None = None,
    *,
    retry: bool = True,
) -> SendResult:
    """Record a failed attempt (with the bodies rendered for it, so a later attempt
    sends the same email): retried after the backoff, or failed for good."""
    message = describe(error)
    later = timezone.now()
    rendered = rendered or {}
    if (
        retry
        and is_retryable(error)
        and email.attempts < settings.BOOKING_EMAIL_MAX_ATTEMPTS
    ):
        wait = backoff(email.attempts)
        OutboundEmail.objects.filter(pk=email.pk).update(
            **rendered,
            last_error=message,
            next_attempt_at=later + wait,
            updated_at=later,
        )
        logger.warning(
            "Email %s attempt %s failed (%s); retrying in %s",
            email.pk,
            email.attempts,
            message,
            wait,
            extra=_fields(email, "retry"),
        )
        return SendResult("retry", retry_in=wait)
    OutboundEmail.objects.filter(pk=email.pk).update(
        **rendered,
        status=Status.FAILED,
        last_error=message,
        next_attempt_at=None,
        updated_at=later,
    )
    logger.error(
        "Email %s failed for good: %s",
        email.pk,
        message,
        extra=_fields(email, "failed"),
    )
    return SendResult("failed")


@db_task()
def send_email(email_id: int) -> None:
    """Send one row; on a passing failure, try again after the backoff (Huey task)."""
    result = email_send(email_id=email_id)
    metrics.email_outcome(result.status)
    if result.retry_in is not None:
        send_email.schedule((email_id,), delay=result.retry_in.total_seconds())


@db_task()
def send_emails(email_ids: list[int]) -> None:
    """Send the rows of one change, each as ``send_email`` does (one task, one push
    to the broker, for a client's email and the team's)."""
    for email_id in email_ids:
        send_email.call_local(email_id)


def _fields(email: OutboundEmail, outcome: str) -> dict:
    """Log fields of a send: which row and kind, which attempt (never the address)."""
    return {
        "email_id": email.pk,
        "kind": email.kind,
        "attempt": email.attempts,
        "outcome": outcome,
    }


def send_on_commit(*email_ids: int) -> None:
    """Enqueue one send task for these rows once the current transaction commits."""
    transaction.on_commit(lambda: enqueue_send(*email_ids))


def enqueue_send(*email_ids: int) -> bool:
    """Hand rows to Huey; if the broker is down they wait for the sweep.

    While Redis is known not to answer (``config.cache``'s breaker) it is not asked:
    a hanging Redis must not hold the request that booked.
    """
    ids = ", ".join(map(str, email_ids))
    if breaker_open():
        logger.warning(
            "Redis is not answering; email %s waits for the outbox sweep", ids
        )
        return False
    try:
        if len(email_ids) == 1:
            send_email(email_ids[0])
        else:
            send_emails(list(email_ids))
    except Exception as error:
        if isinstance(error, redis.RedisError):
            breaker_trip(error)
        logger.warning(
            "Could not enqueue email %s; the outbox sweep will send it later",
            ids,
            exc_info=True,
        )
        return False
    return True


def outbox_sweep(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Enqueue queued rows that should have gone out by now; returns their ids.

    A row is due when its backoff (or a worker's lease) has passed; the grace period
    leaves a just-committed row to the task enqueued with it.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.BOOKING_OUTBOX_GRACE_SECONDS)
    stale = Q(next_attempt_at__isnull=True, created_at__lte=cutoff) | Q(
        next_attempt_at__lte=cutoff
    )
    ids = list(
        OutboundEmail.objects.filter(stale, status=Status.QUEUED)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return [email_id for email_id in ids if enqueue_send(email_id)]


def email_retry(*, email_id: int, business_id: int | None = None) -> OutboundEmail:
    """Queue a failed email again (from ``booking_health`` or the dashboard).

    ``business_id`` limits it to one business's emails (a member retrying theirs).
    """
    with transaction.atomic():
        emails = OutboundEmail.objects.select_for_update()
        if business_id is not None:
            emails = emails.filter(business_id=business_id)
        email = emails.get(pk=email_id)
        if email.status != Status.FAILED:
            raise BookingError("email_not_failed")
        email.status = Status.QUEUED
        email.attempts = 0
        email.next_attempt_at = None
        email.save(
            update_fields=["status", "attempts", "next_attempt_at", "updated_at"]
        )
        send_on_commit(email.pk)
        return email
