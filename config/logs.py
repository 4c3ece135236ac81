"""Logging: one JSON object a line in production, readable lines in development.

Both formats carry the context of the request or background task being handled
(``request_id``, ``view``, ``task`` …, set through ``bind``) and pass every finished
line through ``redact``: no secret link (a booking's private page, password reset,
invitation, email confirmation, calendar feed), API token or email address reaches a
log. Client names and phone numbers cannot be recognised in free text, so no code logs
them.

Imported by ``config/settings.py`` and ``config/gunicorn.py`` (gunicorn's own lines
use the same formats), so it must not import Django.
"""

import contextvars
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

from pythonjsonlogger.json import JsonFormatter

# --- what never reaches a log ---------------------------------------------------------

REDACTIONS = [
    # /bookings/<token>/…, /embed/bookings/<token>/… (the client's private page)
    (re.compile(r"(/bookings/)[^/\s?#\"'<>]+"), r"\1[token]"),
    # /calendar/<token>.ics (an owner's feed)
    (re.compile(r"(/calendar/)[^/\s?#\"'<>]+?(?=\.ics)"), r"\1[token]"),
    # /accounts/reset/<uidb64>/<token>/ (password reset)
    (
        re.compile(r"(/accounts/reset/)[^/\s?#\"'<>]+/[^/\s?#\"'<>]+"),
        r"\1[uid]/[token]",
    ),
    # /accounts/invitation/<token>/
    (re.compile(r"(/accounts/invitation/)[^/\s?#\"'<>]+"), r"\1[token]"),
    # /accounts/confirm-email/<uidb64>/<token>/ (an account's address)
    (
        re.compile(r"(/accounts/confirm-email/)[^/\s?#\"'<>]+/[^/\s?#\"'<>]+"),
        r"\1[uid]/[token]",
    ),
    # personal API tokens
    (re.compile(r"\bblk_[A-Za-z0-9_-]{4,}"), "blk_[token]"),
    # email addresses, also URL-encoded (ada%40example.com)
    (
        re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),
        "[email]",
    ),
]


def redact(text: str) -> str:
    """``text`` without secret links, API tokens or email addresses."""
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


# --- context: which request or task a line belongs to ---------------------------------

_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "log_context", default=None
)
# The fields a line may carry, in the order the text format shows them.
CONTEXT_FIELDS = (
    "request_id",
    "method",
    "path",
    "view",
    "status",
    "duration_ms",
    "business",
    "booking",
    "event",
    "from_status",
    "to_status",
    "reason",
    "task",
    "task_id",
    "attempt",
    "outcome",
    "email_id",
    "kind",
    "scope",
    "account",
    "client_ip",
    "retry_after",
)


def current_context() -> dict:
    return dict(_context.get() or {})


def start(**fields) -> None:
    """Begin a new context (a request) with ``fields``; it lasts until ``clear``."""
    _context.set(dict(fields))


def clear() -> None:
    _context.set(None)


def push(**fields) -> contextvars.Token:
    """Add ``fields`` to every line logged from now on in this thread, until ``pop``."""
    return _context.set({**(_context.get() or {}), **fields})


def pop(token: contextvars.Token) -> None:
    _context.reset(token)


@contextmanager
def bind(**fields) -> Iterator[None]:
    """Add ``fields`` to every line logged inside the ``with`` block (this thread)."""
    token = push(**fields)
    try:
        yield
    finally:
        pop(token)


def annotate(**fields) -> None:
    """Add ``fields`` to the current request's or task's context, if there is one."""
    context = _context.get()
    if context is not None:
        context.update(fields)


class ContextFilter(logging.Filter):
    """Copies the bound context onto each record (fields passed in ``extra`` win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in (_context.get() or {}).items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


# --- formats --------------------------------------------------------------------------


class RedactingJsonFormatter(JsonFormatter):
    """One JSON object a line: time, level, logger, message and context fields."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        super().__init__("{levelname}{name}{message}", *args, style="{", **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RedactingTextFormatter(logging.Formatter):
    """``12:00:01 INFO booking.requests GET /book/x/ 200 [view=booking:start …]``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = [
            f"{name}={getattr(record, name)}"
            for name in CONTEXT_FIELDS
            if getattr(record, name, None) not in (None, "")
            and name not in {"method", "path", "status"}
        ]
        if fields:
            first, newline, rest = text.partition("\n")
            text = f"{first} [{' '.join(fields)}]{newline}{rest}"
        return redact(text)


def log_format(debug: bool) -> str:
    """``LOG_FORMAT`` if set (``json`` or ``text``), else JSON unless ``debug``."""
    chosen = os.environ.get("LOG_FORMAT", "").strip().lower()
    if chosen in {"json", "text"}:
        return chosen
    return "text" if debug else "json"


def logging_config(
    *, fmt: str, level: str = "INFO", admin_emails: bool = False
) -> dict:
    """The ``logging.config.dictConfig`` dict for Django (and, reused, gunicorn).

    ``admin_emails`` sends errors of the web app (``django``) and the worker
    (``huey``) to ``ADMINS`` through the outbox (booking/alerts.py).
    """
    formatter = "json" if fmt == "json" else "text"
    error_handlers = ["console", "mail_admins"] if admin_emails else ["console"]
    handlers = {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": formatter,
            "filters": ["context"],
        },
    }
    if admin_emails:
        handlers["mail_admins"] = {
            "class": "booking.alerts.OutboxAdminEmailHandler",
            "level": "ERROR",
            "filters": ["context"],
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "config.logs.ContextFilter"}},
        "formatters": {
            "json": {"()": "config.logs.RedactingJsonFormatter"},
            "text": {"()": "config.logs.RedactingTextFormatter"},
        },
        "handlers": handlers,
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own handlers (console in DEBUG, mail_admins) are replaced by
            # ours; its lines reach the console through the root logger.
            "django": {
                "handlers": ["mail_admins"] if admin_emails else [],
                "level": "INFO",
                "propagate": True,
            },
            # run_huey adds its own handler to a "huey" logger without one.
            "huey": {"handlers": error_handlers, "level": "INFO", "propagate": False},
            # Our request log replaces gunicorn's access log (config/gunicorn.py).
            "gunicorn.error": {
                "handlers": ["console"],
                "level": "INFO",
                "propagate": False,
            },
            "gunicorn.access": {"handlers": [], "propagate": False},
        },
    }
