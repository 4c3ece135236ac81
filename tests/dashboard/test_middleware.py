"""HTMX plumbing: dashboard/middleware.py (Vary, messages out of band, log-in)."""

import pytest
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from dashboard.middleware import HtmxMessagesMiddleware
from tests.conftest import HTMX


def _request(htmx: bool):
    request = RequestFactory().get("/", **(HTMX if htmx else {}))
    request.htmx = HtmxDetails(request)
    request.session = {}
    from django.contrib.messages.storage.fallback import FallbackStorage

    request._messages = FallbackStorage(request)
    return request


def run(request, response):
    return HtmxMessagesMiddleware(lambda r: response)(request)


def test_htmx_fragments_carry_pending_messages_out_of_band():
    request = _request(htmx=True)
    messages.success(request, "Saved!")
    response = run(request, HttpResponse("<p>fragment</p>"))
    body = response.content.decode()
    assert body.startswith("<p>fragment</p>")
    assert 'id="messages"' in body and 'hx-swap-oob="innerHTML"' in body
    assert "Saved!" in body
    assert response["Vary"] == "HX-Request"


def test_full_pages_and_redirects_keep_their_messages():
    request = _request(htmx=False)
    messages.info(request, "Later")
    assert b"Later" not in run(request, HttpResponse("<p>page</p>")).content
    request = _request(htmx=True)
    messages.info(request, "After the redirect")
    response = run(request, HttpResponseRedirect("/x/"))
    assert response.status_code == 302 and response.content == b""
    assert [m.message for m in messages.get_messages(request)] == ["After the redirect"]


def test_non_html_and_streaming_answers_are_left_alone():
    request = _request(htmx=True)
    messages.info(request, "Hi")
    png = run(request, HttpResponse(b"\x89PNG", content_type="image/png"))
    assert png.content == b"\x89PNG"
    stream = run(request, StreamingHttpResponse(iter([b"a"])))
    assert not stream.has_header("Vary")


def test_messages_already_shown_are_not_repeated():
    request = _request(htmx=True)
    messages.info(request, "Once")
    list(messages.get_messages(request))  # the template showed them
    assert b"Once" not in run(request, HttpResponse("<p>x</p>")).content


@pytest.mark.django_db
def test_an_htmx_request_after_logout_sends_the_page_to_log_in(client, business):
    response = client.get(
        f"/dashboard/{business.pk}/notifications/bell/",
        **HTMX,
        HTTP_HX_CURRENT_URL=f"http://testserver/dashboard/{business.pk}/requests/?q=a",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == (
        f"/accounts/login/?next=/dashboard/{business.pk}/requests/%3Fq%3Da"
    )


@pytest.mark.django_db
def test_an_htmx_answer_without_messages_sets_no_cookie(client, business):
    response = client.get(f"/book/{business.slug}/", **HTMX)
    assert response.status_code == 200
    assert not response.cookies
