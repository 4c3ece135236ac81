"""What every request meets first: the operator's endpoints, then the request log;
and what every page with a form token gets (``NoStoreFormsMiddleware``).

``OpsMiddleware`` (first in ``MIDDLEWARE``) answers ``/healthz`` and ``/metrics``
before anything else runs: no session or cookie, no rate limit, no HTTPS redirect and
no ``ALLOWED_HOSTS`` check (a load balancer's probe or Prometheus reaches an instance
by its address). Neither builds a URL from the ``Host`` header.

``RequestLogMiddleware`` gives each request an id (the proxy's ``X-Request-ID`` if it
sends a sane one), binds it to every log line written while the request is handled,
answers with it in ``X-Request-ID``, and writes one line per request (it replaces
gunicorn's access log): method, path with secrets redacted, view, status, duration
and business. It also counts the request for Prometheus (booking/metrics.py).

``DatabaseUnavailableMiddleware`` turns a database connection that drops or refuses
mid-request into a 503 "try again" (page or JSON), never a 500 traceback.

``CSPMiddleware`` and ``GZipMiddleware`` are django-csp's and Django's, made cheaper
for the many small answers (the JSON API, a booking's answer): the first builds each
distinct policy once, the second leaves a body that fits in one packet as it is.
"""

import logging
import re
import time
import uuid

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import request_finished, setting_changed
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware as BaseGZipMiddleware
from django.utils.cache import patch_cache_control

from booking import metrics
from booking.healthz import healthz
from booking.responses import service_unavailable
from config import logs

logger = logging.getLogger("booking.requests")

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class OpsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return healthz(request)
        if request.path == "/metrics" and settings.METRICS_TOKEN:
            return metrics.metrics_view(request)
        return self.get_response(request)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        # Until the response is finished (Django logs 4xx and 5xx after the
        # middleware returns), every line carries the request's id.
        logs.start(request_id=request_id, method=request.method, path=request.path)
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        view = self._view(request)
        business = getattr(getattr(request, "business", None), "slug", None)
        if business:
            logs.annotate(business=business)
        fields = {
            "view": view,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
        }
        logger.info(
            "%s %s %s", request.method, request.path, response.status_code, extra=fields
        )
        metrics.observe_request(
            view=view,
            method=request.method if request.method in METHODS else "other",
            status=response.status_code,
            seconds=seconds,
        )
        response["X-Request-ID"] = request_id
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        """Once the URL resolves, lines the view logs carry its name and business."""
        business = view_kwargs.get("slug") or view_kwargs.get("business_slug")
        logs.annotate(view=request.resolver_match.view_name)
        if business:
            logs.annotate(business=business)

    def _view(self, request: HttpRequest) -> str:
        """The URL's name (``booking:week``): a bounded label, never the raw path."""
        match = getattr(request, "resolver_match", None)
        if match is not None:
            return match.view_name
        if request.path.startswith(self.static_prefix):
            return "static"
        return "unresolved"


class DatabaseUnavailableMiddleware:
    """A view whose database connection failed answers 503 "try again", not 500.

    Its transaction died with the connection (PostgreSQL rolls back what was not
    committed), so nothing is half-written; the connection is dropped at the end of
    the request and the next one opens a fresh connection. The JSON API's own
    handler (booking/api/errors.py) answers the same for its endpoints.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "Database unavailable: %s",
            exception,
            exc_info=exception,
            extra={"status": 503},
        )
        return service_unavailable(request)


class NoStoreFormsMiddleware:
    """``Cache-Control: no-store, private`` on every page that used a CSRF token.

    Such a page (a login, a dashboard page with its forms) belongs to one visitor;
    a shared cache must never hand it to another. Django sends the CSRF cookie with
    every response that used the token (``CsrfViewMiddleware``, inside this one, or
    a view's ``csrf_protect``). The booking form's own token does the same in its
    view (booking/views.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CSRF_COOKIE_NAME in response.cookies:
            patch_cache_control(response, no_store=True, private=True)
        return response


class GZipMiddleware(BaseGZipMiddleware):
    """Django's, for bodies of a kilobyte or more: a smaller one fits in one TCP
    packet either way, and compressing it (a 400-byte availability answer) cost
    0.1 ms of a 1 ms request. Pages, fragments and the larger answers are
    compressed as before (Django itself skips bodies under 200 bytes)."""

    min_length = 1024

    def process_response(self, request: HttpRequest, response: HttpResponse):
        if not response.streaming and len(response.content) < self.min_length:
            return response
        return super().process_response(request, response)


# Each distinct policy header as built (django-csp rebuilds it, deep copies and all,
# twice a response): keyed by everything it is built from. Cleared when a test
# changes the settings.
_POLICIES: dict[str, str] = {}
_POLICIES_KEPT = 256


def _built_policy(report_only: bool, parts, configured: dict | None) -> str:
    """``build_policy`` of ``parts``, remembered; ``configured``: the setting it
    reads (``CONTENT_SECURITY_POLICY`` or its ``_REPORT_ONLY``), part of the key."""
    if parts.nonce is not None:  # a page that used its nonce: its own policy
        return build_policy(**_parts(parts), report_only=report_only)
    key = repr((report_only, configured, _parts(parts)))
    policy = _POLICIES.get(key)
    if policy is None:
        if len(_POLICIES) >= _POLICIES_KEPT:
            _POLICIES.clear()
        policy = _POLICIES[key] = build_policy(**_parts(parts), report_only=report_only)
    return policy


def _parts(parts) -> dict:
    return {
        "config": parts.config,
        "update": parts.update,
        "replace": parts.replace,
        "nonce": parts.nonce,
    }


def _forget_policies(**kwargs) -> None:
    _POLICIES.clear()


setting_changed.connect(_forget_policies, dispatch_uid="config.middleware.csp")


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's, each distinct policy built once per process (``_built_policy``):
    the same headers, at a tenth of the cost. What it sets is django-csp's
    ``process_response``, with the two ``build_policy`` calls remembered."""

    def process_response(self, request: HttpRequest, response: HttpResponse):
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for report_only, header in ((False, HEADER), (True, HEADER_REPORT_ONLY)):
            parts = self.get_policy_parts(
                request=request, response=response, report_only=report_only
            )
            setting = "CONTENT_SECURITY_POLICY" + (
                "_REPORT_ONLY" if report_only else ""
            )
            configured = getattr(settings, setting, None)
            policy = _built_policy(report_only, parts, configured)
            suffix = "_ro" if report_only else ""
            prefixes = (configured or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if (
                policy
                and header not in response
                and not getattr(response, f"_csp_exempt{suffix}", False)
                and not request.path_info.startswith(tuple(prefixes))
            ):
                response[header] = policy
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


def _end_of_request(**kwargs) -> None:
    logs.clear()


request_finished.connect(_end_of_request, dispatch_uid="config.middleware.logs")
