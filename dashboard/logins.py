"""Limits on password guessing, for the dashboard's login and the admin's.

Failed logins are counted with django-ratelimit in the shared cache, twice: per
account (the lower-cased username; ``LOGIN_RATE_ACCOUNT``, 5 in 15 minutes) and per
client IP (``LOGIN_RATE_IP``, 30 an hour, for one address trying many accounts).
Once either count reaches its limit, a login is refused *before* its password is
checked, so guessing on learns nothing: the form says so, with a link to reset the
password, and the answer is 429 with ``Retry-After``. The account's count is kept per
password, so setting a new one through the reset link starts it afresh: that is the
way back in. The start of each lockout is logged (``booking.security``) with the
client IP and the account as a keyed hash, never the password or the address.
"""

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.html import format_html
from django_ratelimit.core import get_usage

logger = logging.getLogger("booking.security")

GROUP = "dashboard:login-failures"
ACCOUNT_RATE = "5/15m"
IP_RATE = "30/h"


@dataclass(frozen=True)
class Lockout:
    scope: str  # "account" or "ip"
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        wait = _minutes(self.retry_after)
        reset = reverse("password_reset")
        if self.scope == "account":
            return format_html(
                "Too many failed attempts to log in to this account. Try again in "
                '{}, or <a href="{}">reset your password</a> to get back in now.',
                wait,
                reset,
            )
        return format_html(
            "Too many failed logins from your network. Please try again in {}. "
            'Forgotten your password? <a href="{}">Reset it</a>.',
            wait,
            reset,
        )


def _minutes(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def normalise(username: str | None) -> str:
    return (username or "").strip().lower()


def _account_key(username: str) -> Callable[[str, HttpRequest], str]:
    """The account's counter: its username and a fingerprint of its password."""
    user = (
        get_user_model()
        .objects.filter(username__iexact=username)
        .only("password")
        .first()
    )
    generation = (
        salted_hmac(GROUP, user.password).hexdigest()[:16] if user is not None else ""
    )
    value = f"{username}:{generation}"
    return lambda group, request: value


def _counters(username: str) -> list[tuple[str, object, str]]:
    """(scope, django-ratelimit key, rate) of each count a login failure adds to."""
    return [
        (
            "account",
            _account_key(username),
            getattr(settings, "LOGIN_RATE_ACCOUNT", ACCOUNT_RATE),
        ),
        ("ip", "ip", getattr(settings, "LOGIN_RATE_IP", IP_RATE)),
    ]


def _usage(request: HttpRequest, key, rate: str, *, increment: bool) -> dict | None:
    return get_usage(
        request, group=GROUP, key=key, rate=rate, method="POST", increment=increment
    )


def login_lockout(request: HttpRequest, username: str) -> Lockout | None:
    """The lockout this login meets, if its account or its IP has one."""
    for scope, key, rate in _counters(username):
        usage = _usage(request, key, rate, increment=False)
        if usage is not None and usage["count"] >= usage["limit"]:
            return Lockout(scope=scope, retry_after=max(1, usage["time_left"]))
    return None


def login_failed(request: HttpRequest, username: str) -> None:
    """Count one failed login; log each lockout it starts."""
    for scope, key, rate in _counters(username):
        usage = _usage(request, key, rate, increment=True)
        if usage is not None and usage["count"] == usage["limit"]:
            logger.warning(
                "Login locked out (%s) for %s seconds",
                scope,
                usage["time_left"],
                extra={
                    "event": "login_lockout",
                    "scope": scope,
                    "account": salted_hmac(GROUP, username).hexdigest()[:12],
                    "client_ip": _client_ip(request),
                    "retry_after": usage["time_left"],
                },
            )


def _client_ip(request: HttpRequest) -> str:
    meta_key = getattr(settings, "RATELIMIT_IP_META_KEY", None) or "REMOTE_ADDR"
    return request.META.get(meta_key, "")


class LoginLimitMixin:
    """For an ``AuthenticationForm``: refuse a locked-out login before checking its
    password, and count each failure. The view answers 429 (``limit_logins``)."""

    def clean(self) -> dict:
        username = normalise(self.cleaned_data.get("username"))
        lockout = login_lockout(self.request, username)
        if lockout is not None:
            self.request.login_lockout = lockout
            raise ValidationError(lockout.message, code="locked_out")
        try:
            return super().clean()
        except ValidationError:
            login_failed(self.request, username)
            raise


def limit_logins(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A login view answers a locked-out attempt with 429 and ``Retry-After``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        lockout = getattr(request, "login_lockout", None)
        if lockout is not None:
            response.status_code = 429
            response["Retry-After"] = str(lockout.retry_after)
        return response

    return wrapper
