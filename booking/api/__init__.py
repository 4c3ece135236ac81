"""The JSON API, mounted at /api/: endpoints, OpenAPI schema, docs page.

``/api/openapi.json`` is generated from the code; ``/api/docs`` is Swagger UI served
from our own static files (ninja's), so it needs no CDN.
"""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path, resolve
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI, Swagger
from ninja.openapi.docs import render_template
from ninja.parser import Parser

from booking.api import admin, public
from booking.api.docs import DESCRIPTION
from booking.api.errors import install_handlers


class QueryParser(Parser):
    """An empty query value means "not given": ``?status=&page=`` is a plain list."""

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict:
        parsed = super().parse_querydict(data, list_fields, request)
        return {name: value for name, value in parsed.items() if value != ""}


class Docs(Swagger):
    """Swagger UI from our static files. For a signed-in user it carries Django's CSRF
    token, so "Try it out" works with the dashboard session; anonymous visitors get
    no cookie."""

    def render_page(
        self, request: HttpRequest, api: NinjaAPI, **kwargs
    ) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": request.user.is_authenticated,
        }
        return render_template(request, self.template, self.template_cdn, context)


api = NinjaAPI(
    title="Booking Links API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    parser=QueryParser(),
    # No validator badge: it would send the schema's URL to validator.swagger.io.
    docs=Docs(settings={"validatorUrl": None}),
)
install_handlers(api)
api.add_router("/booking/", public.router)
api.add_router("/booking/", admin.router)


def index(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"docs": "/api/docs", "openapi": "/api/openapi.json"})


def not_found(request: HttpRequest) -> JsonResponse:
    """JSON 404 for unknown /api/ paths, with the slash hint APPEND_SLASH would give."""
    message = "No API endpoint at this path. See /api/docs."
    # Every /api/ path resolves (to this view at worst), so resolve() cannot fail here.
    if not request.path.endswith("/"):
        match = resolve(request.path + "/")
        if match.func is not not_found:
            message = f"No API endpoint at this path; did you mean {request.path}/ ?"
    return JsonResponse(
        {"code": "not_found", "message": message, "errors": {}}, status=404
    )


_patterns, _app_name, _namespace = api.urls
urls = (
    [path("", index, name="index"), *_patterns, re_path(r"^.*$", not_found)],
    _app_name,
    _namespace,
)
