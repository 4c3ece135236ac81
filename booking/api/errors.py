"""One error body for every failed API call, and the handlers that produce it.

Every 4xx answer is ``{"code": ..., "message": ..., "errors": {...}}``: ``code`` is a
stable machine-readable word, ``message`` a sentence for people, ``errors`` maps a
field or parameter name to its messages (empty when the problem is not a field's).
"""

import logging
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field

from booking.availability import AvailabilityError
from booking.errors import BookingError
from booking.responses import service_unavailable

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    code: str = Field(
        description="Stable machine-readable reason, e.g. `invalid`, `full`, "
        "`not_found`. See the list in the API description.",
        examples=["invalid"],
    )
    message: str = Field(
        description="What went wrong, in a sentence you can show to people.",
        examples=["Please check the highlighted fields."],
    )
    errors: dict[str, list[str]] = Field(
        description="Messages per field or parameter name; empty when the problem "
        "is not one field's.",
        examples=[{"client_email": ["Enter an email address like name@example.com."]}],
    )


class ApiError(Exception):
    """Answer ``status`` with the error body; raised anywhere inside an endpoint."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors or {}
        self.headers = headers or {}

    @classmethod
    def invalid(cls, errors: dict[str, list[str]]) -> "ApiError":
        return cls(400, "invalid", "Please check the highlighted fields.", errors)

    @classmethod
    def not_found(cls, message: str, code: str = "not_found") -> "ApiError":
        return cls(404, code, message)


class ApiRedirect(Exception):
    """Answer 308 Permanent Redirect to ``location`` (a business's old slug)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


# BookingError codes that are about one input field.
BOOKING_ERROR_FIELDS = {
    "reason_required": "reason",
    "session_not_found": "session_id",
}

# Friendlier words for pydantic's error types (the rest keep pydantic's message).
_MESSAGES = {
    "missing": "This field is required.",
    "int_parsing": "Enter a whole number.",
    "int_type": "Enter a whole number.",
    "int_from_float": "Enter a whole number.",
    "bool_parsing": "Enter true or false.",
    "bool_type": "Enter true or false.",
    "string_type": "Enter text.",
    "date_parsing": "Enter a date as YYYY-MM-DD.",
    "date_from_datetime_parsing": "Enter a date as YYYY-MM-DD.",
    "date_from_datetime_inexact": "Enter a date as YYYY-MM-DD.",
    "date_type": "Enter a date as YYYY-MM-DD.",
    "extra_forbidden": "This field is not allowed here.",
    "model_attributes_type": "Send a JSON object.",
    "model_type": "Send a JSON object.",
    "dict_type": "Send a JSON object.",
    "list_type": "Send a list.",
    "string_pattern_mismatch": "Enter a valid value.",
}
BODY_ARGUMENT = "payload"  # every endpoint names its JSON body argument so


def pydantic_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """ninja's error list → ``{field: [messages]}`` (``body`` for the whole body)."""
    result: dict[str, list[str]] = {}
    for error in errors:
        loc = list(error.get("loc", ()))[1:]  # drop the source: body, query, path…
        if loc and loc[0] == BODY_ARGUMENT:
            loc = loc[1:]
        field = next((str(part) for part in loc if isinstance(part, str)), "body")
        message = _MESSAGES.get(error.get("type", ""), error.get("msg", "Invalid."))
        ctx = error.get("ctx") or {}
        if error.get("type") == "string_too_long":
            message = f"Use at most {ctx.get('max_length')} characters."
        elif error.get("type") in {"greater_than_equal", "less_than_equal"}:
            message = _bound_message(ctx)
        messages = result.setdefault(field, [])
        if message not in messages:
            messages.append(message)
    return result


def _bound_message(ctx: dict[str, Any]) -> str:
    if "ge" in ctx:
        return f"Ensure this value is greater than or equal to {ctx['ge']}."
    return f"Ensure this value is less than or equal to {ctx['le']}."


def error_response(
    api: NinjaAPI, request: HttpRequest, error: ApiError
) -> HttpResponse:
    body = {"code": error.code, "message": error.message, "errors": error.errors}
    response = api.create_response(request, body, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def install_handlers(api: NinjaAPI) -> None:
    """Route every exception an endpoint may raise to the one error body."""

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(api, request, exc)

    def on_redirect(request: HttpRequest, exc: ApiRedirect) -> HttpResponse:
        response = HttpResponse(status=308)
        response["Location"] = exc.location
        return response

    def on_booking_error(request: HttpRequest, exc: BookingError) -> HttpResponse:
        field = BOOKING_ERROR_FIELDS.get(exc.code)
        errors = {field: [exc.message]} if field else {}
        return on_api_error(
            request, ApiError(exc.status, exc.code, exc.message, errors)
        )

    def on_availability_error(
        request: HttpRequest, exc: AvailabilityError
    ) -> HttpResponse:
        error = ApiError(400, "invalid", exc.message, {exc.param: [exc.message]})
        return on_api_error(request, error)

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return on_api_error(request, ApiError.invalid(pydantic_errors(exc.errors)))

    def on_authentication_error(
        request: HttpRequest, exc: AuthenticationError
    ) -> HttpResponse:
        error = ApiError(
            401,
            "unauthorized",
            "Send a valid API token as “Authorization: Bearer <token>”, "
            "or sign in to the dashboard.",
            headers={"WWW-Authenticate": 'Bearer realm="booking"'},
        )
        return on_api_error(request, error)

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja raises this for a body that is not JSON.
        if exc.status_code == 400:
            error = ApiError.invalid({"body": ["Send a JSON object."]})
        else:
            error = ApiError(exc.status_code, "error", exc.message)
        return on_api_error(request, error)

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return on_api_error(request, ApiError.not_found("Not found."))

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(ApiRedirect, on_redirect)
    api.add_exception_handler(BookingError, on_booking_error)
    api.add_exception_handler(AvailabilityError, on_availability_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_404)
    # The database lost mid-request: 503 with the error body, in DEBUG too (where
    # ninja would answer a 500 traceback before the middleware sees it).
    api.add_exception_handler(OperationalError, on_database_error)
    api.add_exception_handler(InterfaceError, on_database_error)


def on_database_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The JSON twin of ``config.middleware.DatabaseUnavailableMiddleware``."""
    logger.error("Database unavailable: %s", exc, exc_info=exc, extra={"status": 503})
    return service_unavailable(request)
