"""What the dashboard's views answer with: the page or its partial, redirects back,
and the one way a view runs a command (flash its outcome, or show its refusal).
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from booking.errors import BookingError


def render_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The whole page, or its ``partial`` when HTMX asks (not on a history restore)."""
    if partial and request.htmx and not request.htmx.history_restore_request:
        template = f"{template}#{partial}"
    return render(request, template, context, status=status)


def csrf_token(request: HttpRequest) -> str:
    """The request's CSRF token, masked once for the whole response: its forms may
    all carry the same one (``{% csrf_token %}`` masks once a render too), and each
    masking costs some 500 function calls. A view passes it to its template as
    ``csrf_token`` so the template's forms use it as well."""
    token = getattr(request, "_masked_csrf_token", None)
    if token is None:
        token = request._masked_csrf_token = get_token(request)
    return token


def posted(request: HttpRequest):
    """The POST data of a POST (even an empty one), else None: the form is unbound."""
    return request.POST if request.method == "POST" else None


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` field or parameter if it points at this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponse:
    return redirect(safe_next(request, fallback))


def run_command(
    request: HttpRequest,
    call: Callable[[], Any],
    *,
    done: str | Callable[[Any], str],
    refused_prefix: str = "",
    form: forms.Form | None = None,
) -> bool:
    """Run a booking command and tell the user how it went; True if it ran.

    Success flashes ``done`` (or ``done(result)``). A refusal (``BookingError``)
    flashes its message, after ``refused_prefix``; with ``form`` it becomes the
    form's error instead, for the caller to show the form again.
    """
    try:
        result = call()
    except BookingError as exc:
        if form is not None:
            form.add_error(None, exc.message)
        else:
            messages.error(request, f"{refused_prefix}{exc.message}")
        return False
    messages.success(request, done(result) if callable(done) else done)
    return True
