"""The app's URLs plus one view with a bug, for the error-report tests."""

import logging

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def broken(request: HttpRequest) -> HttpResponse:
    client_name = request.POST.get("client_name", "")  # a local the report must drop
    raise ZeroDivisionError(f"{len(client_name)} / 0")


def broken_in_transaction(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            logging.getLogger("django.request").exception("Failed inside a transaction")
    return HttpResponse("handled")


urlpatterns = [
    path("broken/", broken, name="broken"),
    path("broken-in-transaction/", broken_in_transaction),
    *app_urlpatterns,
]
