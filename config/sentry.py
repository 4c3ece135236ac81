"""Sentry for the web app and the worker, when ``SENTRY_DSN`` is set (settings.py).

Unhandled errors in views (Django integration) and tasks (Huey integration) are
reported, with no client's personal data: ``send_default_pii`` off (no user, no IP
address, no cookies), no request bodies, no local variables, and every string in the
event passed through ``config.logs.redact`` (secret links in URLs and messages, email
addresses). Error log lines become events too; the request id travels as a tag.
"""

from collections.abc import Mapping

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.huey import HueyIntegration

from config.logs import current_context, redact

# Request parts an event keeps (cookies, headers with session or auth, bodies: no).
KEPT_REQUEST_FIELDS = {"url", "method", "query_string"}


def init_sentry(
    dsn: str, *, environment: str, release: str, traces_sample_rate: float
) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        integrations=[DjangoIntegration(), HueyIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=traces_sample_rate,
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
    )


def scrub_event(event: dict, hint: dict) -> dict:
    request = event.get("request")
    if isinstance(request, dict):
        event["request"] = {
            k: v for k, v in request.items() if k in KEPT_REQUEST_FIELDS
        }
    context = current_context()
    tags = event.setdefault("tags", {})
    for name in ("request_id", "task_id", "business"):
        if context.get(name):
            tags[name] = context[name]
    return _redacted(event)


def scrub_breadcrumb(crumb: dict, hint: dict) -> dict:
    return _redacted(crumb)


def _redacted(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value
