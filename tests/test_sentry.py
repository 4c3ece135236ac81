"""What an event sent to Sentry keeps (config/sentry.py). A real unhandled error from
gunicorn and from the worker reaches a fake Sentry in tests/test_production.py."""

from config.logs import bind
from config.sentry import scrub_breadcrumb, scrub_event


def test_an_event_keeps_no_client_data_and_carries_the_request_id():
    event = {
        "request": {
            "url": "https://book.example.com/bookings/qEYZ-ZyxlQqCkmdHRizW/cancel/",
            "method": "POST",
            "query_string": "email=ada%40example.com&tz=Asia/Tokyo",
            "data": {"client_name": "Ada Lovelace"},
            "cookies": {"sessionid": "abc"},
            "headers": {"Cookie": "sessionid=abc", "User-Agent": "x"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "exception": {
            "values": [{"type": "IntegrityError", "value": "ada@example.com exists"}]
        },
        "logentry": {"message": "Not Found: %s", "params": ["/calendar/AbC123.ics"]},
    }
    with bind(request_id="req-12345678", business="swim-school-pro"):
        scrubbed = scrub_event(event, {})

    assert scrubbed["request"] == {
        "url": "https://book.example.com/bookings/[token]/cancel/",
        "method": "POST",
        "query_string": "email=[email]&tz=Asia/Tokyo",
    }
    assert scrubbed["exception"]["values"][0]["value"] == "[email] exists"
    assert scrubbed["logentry"]["params"] == ["/calendar/[token].ics"]
    assert scrubbed["tags"] == {
        "request_id": "req-12345678",
        "business": "swim-school-pro",
    }


def test_breadcrumbs_lose_their_secrets():
    crumb = {"message": "GET /accounts/invitation/Xy_9z/", "data": {"n": 1}}
    assert scrub_breadcrumb(crumb, {}) == {
        "message": "GET /accounts/invitation/[token]/",
        "data": {"n": 1},
    }
