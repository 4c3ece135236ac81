"""HTMX plumbing in one place: Vary on HX-Request, messages out of band."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect


class HtmxMessagesMiddleware:
    """Responses that differ for HTMX say so (``Vary: HX-Request``); an HTMX fragment
    carries any messages not shown yet as an out-of-band swap into ``#messages``; and
    an HTMX request whose session has ended sends the whole page to the login form
    (instead of swapping the login form into a table row).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming:
            return response
        patch_vary_headers(response, ("HX-Request",))
        if not getattr(request, "htmx", False):
            return response
        if 300 <= response.status_code < 400:
            return self._login_redirect(request, response)
        if "text/html" not in response.get("Content-Type", ""):
            return response
        storage = messages.get_messages(request)
        # len() does not mark the storage used: with nothing to show, the message
        # cookie is left alone (public pages set no cookies).
        if storage.used or not len(storage):
            return response
        response.content += render_to_string(
            "dashboard/fragment_messages.html",
            {"messages": list(storage), "oob": True},
            request=request,
        ).encode()
        return response

    @staticmethod
    def _login_redirect(request, response):
        login_url = resolve_url(settings.LOGIN_URL)
        if not response.get("Location", "").startswith(login_url):
            return response
        page = request.htmx.current_url_abs_path or request.get_full_path()
        return HttpResponseClientRedirect(redirect_to_login(page)["Location"])
