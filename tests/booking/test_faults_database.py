"""The database connection dropping in the middle of a booking.

No mock: a second connection ends the booking's PostgreSQL backend
(``pg_terminate_backend``) at a real hook point inside the booking's transaction,
just before one of its INSERTs runs (Django's ``execute_wrapper``). The client gets a
clear "try again" (a 503 page, or the API's 503 error body), never a 500 traceback;
nothing of the booking remains; and trying again books it once.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.db import OperationalError, close_old_connections, connection, transaction

from booking.models import BookingEvent, BookingRequest, OutboundEmail
from tests.booking.api_helpers import public_url
from tests.booking.views_helpers import details, details_url, form_token, make_session
from tests.conftest import requires_postgres

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]

# The booking's first write, and a write after it (the outbox row of its email).
HOOKS = ['INSERT INTO "booking_bookingrequest"', 'INSERT INTO "booking_outboundemail"']


@contextmanager
def backend_killed_at(sql_start: str) -> Iterator[list[int]]:
    """End this connection's backend from another connection just before the first
    statement starting with ``sql_start`` runs; yields the pids it ended."""
    killed: list[int] = []

    def terminate_first(execute, sql, params, many, context):
        if not killed and sql.startswith(sql_start):
            pid = context["connection"].connection.info.backend_pid
            params_ = context["connection"].get_connection_params()
            with psycopg.connect(**params_, autocommit=True) as other:
                # Waits (up to 5 s) until the backend is gone.
                other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            killed.append(pid)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(terminate_first):
        yield killed
    connection.close()  # the test's own connection died too: reconnect afresh


def nothing_written() -> None:
    assert BookingRequest.objects.count() == 0
    assert BookingEvent.objects.count() == 0
    assert OutboundEmail.objects.count() == 0


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_the_booking_page_says_try_again_and_keeps_nothing(
    client, business, owner, settings, hook, debug
):
    settings.DEBUG = debug
    session = make_session(business)
    token = form_token(client, business, session)
    url = details_url(business, session)
    with backend_killed_at(hook) as killed:
        response = client.post(url, {**details(), "token": token})
    assert killed, "the hook point was never reached"
    assert response.status_code == 503
    page = response.content.decode()
    assert "Please try again in a minute" in page
    assert "Traceback" not in page
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    nothing_written()
    # Trying again with the same form books it, once.
    again = client.post(url, {**details(), "token": token})
    assert again.status_code == 303
    assert BookingRequest.objects.get().session_id == session.pk
    assert OutboundEmail.objects.filter(to_email="ada@example.com").count() == 1


@pytest.mark.parametrize("hook", HOOKS)
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_the_api_answers_503_json_and_keeps_nothing(
    client, business, owner, settings, hook, debug
):
    settings.DEBUG = debug
    session = make_session(business)
    body = {"session_id": session.pk, "client_name": "Ada", "client_email": "a@x.io"}
    key = {"HTTP_IDEMPOTENCY_KEY": "retry-me-1"}
    url = public_url(business, "book/")
    with backend_killed_at(hook) as killed:
        response = client.post(url, body, content_type="application/json", **key)
    assert killed
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert "try again" in response.json()["message"]
    assert response["Retry-After"] == "30"
    nothing_written()
    again = client.post(url, body, content_type="application/json", **key)
    assert again.status_code == 201
    assert BookingRequest.objects.count() == 1


def test_other_errors_still_answer_500(client, business, settings):
    """Only a lost database is "try again": a bug stays a 500 (and is reported)."""
    client.raise_request_exception = False
    session = make_session(business)
    token = form_token(client, business, session)

    def broken(execute, sql, params, many, context):
        if sql.startswith(HOOKS[0]):
            raise ZeroDivisionError("a bug")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(broken):
        response = client.post(
            details_url(business, session), {**details(), "token": token}
        )
    assert response.status_code == 500
    nothing_written()


def _end_backend() -> int:
    """PostgreSQL ends this connection's backend (a restart, a failover)."""
    pid = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as db:
        db.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    return pid


@pytest.mark.parametrize("cached", [True, False], ids=["cached", "uncached"])
def test_a_connection_dropped_between_requests_is_opened_again(
    client, business, cached
):
    """A request whose first queries are compiled ones (a public page, the API)
    after PostgreSQL dropped the worker's kept connection gets its answer from a
    new connection, as Django's health check gives the ORM's; it used to be a 503
    for the first such request of every worker after a PostgreSQL restart."""
    session = make_session(business)
    url = public_url(business, "availability/")
    first = client.get(url)
    shown = {slot["session_id"] for day in first.json().values() for slot in day}
    assert session.pk in shown
    if not cached:
        business.booking_settings.save()  # a new version: computed again
    ended = _end_backend()
    # The next request starts as Django starts one: a connection younger than
    # CONN_MAX_AGE is kept, its health to be checked at its first use.
    connection.close_at = time.monotonic() + 60
    close_old_connections()
    again = client.get(url)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert connection.connection.info.backend_pid != ended


def test_a_connection_lost_inside_a_transaction_is_not_retried(business):
    """Inside a transaction the loss is the transaction's: no quiet reconnect."""
    from booking.lookup import business_by_slug

    with pytest.raises(OperationalError), transaction.atomic():
        business_by_slug(business.slug)
        _end_backend()
        connection.health_check_done = False  # even where a check was due
        business_by_slug(business.slug)
    connection.close()
    assert business_by_slug(business.slug).pk == business.pk
