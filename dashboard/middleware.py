"""HTMX plumbing in one place: Vary on HX-Request, messages out of band."""

from django.contrib import messages
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers


class HtmxMessagesMiddleware:
    """Responses that differ for HTMX say so (``Vary: HX-Request``); an HTMX fragment
    carries any messages not shown yet as an out-of-band swap into ``#messages``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming:
            return response
        patch_vary_headers(response, ("HX-Request",))
        if not getattr(request, "htmx", False) or 300 <= response.status_code < 400:
            return response
        if "text/html" not in response.get("Content-Type", ""):
            return response
        storage = messages.get_messages(request)
        if storage.used:
            return response
        pending = list(storage)
        if pending:
            response.content += render_to_string(
                "dashboard/fragment_messages.html",
                {"messages": pending, "oob": True},
                request=request,
            ).encode()
        return response
