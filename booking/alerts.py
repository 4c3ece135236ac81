"""Errors reach a person: without Sentry, ``ADMINS`` get an email for each new error.

``OutboxAdminEmailHandler`` is Django's ``AdminEmailHandler`` for the web app
(``django`` logger) and the worker (``huey`` logger), with two changes:

- The email goes through the outbox like every other email (an ``OutboundEmail`` row
  of kind ``admin_error`` that the worker sends, with retries). When the error
  happened inside a transaction (its row would be rolled back with it) or the
  database cannot take the row, the email is sent at once instead.
- It holds the traceback and the request's method, path, view and id, without local
  variables, form data, cookies or headers: no client's details leave in an email,
  and no secret link (paths are redacted as in the logs). The request id finds the
  request's log lines.

The same error of the same view or task is emailed at most once every 10 minutes.
"""

import hashlib
import logging
import traceback

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils.log import AdminEmailHandler

from config.logs import current_context, redact

ADMIN_ERROR = "admin_error"
REPEAT_AFTER_SECONDS = 600


class OutboxAdminEmailHandler(AdminEmailHandler):
    def emit(self, record: logging.LogRecord) -> None:
        if settings.DEBUG or not settings.ADMINS:
            return
        error = record.exc_info[0].__name__ if record.exc_info else ""
        subject = self.format_subject(
            f"{record.levelname}: "
            + redact(record.getMessage())[:150]
            + (f" ({error})" if error else "")
        )
        # The same failure of the same view or task: one email in a while.
        context = current_context()
        where = context.get("view") or context.get("task") or record.getMessage()
        if not _first_in_a_while(f"{record.name}|{error}|{where}"):
            return
        self.send_mail(subject, error_report(record))

    def send_mail(self, subject: str, message: str, *args, **kwargs) -> None:
        if not connection.in_atomic_block:
            try:
                return queue_admin_emails(subject, message)
            except DatabaseError:
                pass  # the database may be why we are here: send directly
        super().send_mail(subject, message, fail_silently=True)


def error_report(record: logging.LogRecord) -> str:
    """The email's body: what failed, where, and the traceback (no local variables)."""
    lines = [redact(record.getMessage()), ""]
    request = getattr(record, "request", None)
    context = current_context()
    if request is not None:
        match = getattr(request, "resolver_match", None)
        lines += [
            f"Request: {request.method} {redact(request.path)}",
            f"View: {match.view_name if match else '-'}",
        ]
    for name in ("request_id", "task", "task_id", "business"):
        if context.get(name):
            lines.append(f"{name.replace('_', ' ').capitalize()}: {context[name]}")
    if record.exc_info:
        lines += ["", redact("".join(traceback.format_exception(*record.exc_info)))]
    return "\n".join(lines)


def queue_admin_emails(subject: str, message: str) -> None:
    """One outbox row for each of ``ADMINS``, sent by the worker."""
    from booking import outbox
    from booking.models import OutboundEmail

    with transaction.atomic():
        for _name, address in settings.ADMINS:
            email = OutboundEmail.objects.create(
                kind=ADMIN_ERROR,
                to_email=address,
                from_email=settings.SERVER_EMAIL,
                subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}"[:255],
                body_text=message,
            )
            outbox.send_on_commit(email.pk)


def _first_in_a_while(what: str) -> bool:
    try:
        key = "admin-error:" + hashlib.sha256(what.encode()).hexdigest()
        return cache.add(key, 1, REPEAT_AFTER_SECONDS)
    except Exception:
        return True  # no cache: better two emails than none
