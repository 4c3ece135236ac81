"""The SendGrid email backend: the real ``sendgrid`` client posts to a local fake."""

import base64

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection
from python_http_client.exceptions import BadRequestsError, InternalServerError


def message() -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject="Your booking is confirmed",
        body="See you at the pool.",
        from_email="Swim School Pro <bookings@example.com>",
        to=["Ada Lovelace <ada@example.com>"],
        reply_to=["info@swimschool.com"],
    )
    email.attach_alternative("<p>See you at the pool.</p>", "text/html")
    email.attach("booking.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    return email


def test_email_arrives_with_text_html_and_attachment(fake_sendgrid):
    assert message().send() == 1
    (received,) = fake_sendgrid.received
    assert received.headers["Authorization"] == "Bearer SG.test-key"
    assert received.to == ["ada@example.com"]
    assert received.body["from"] == {
        "email": "bookings@example.com",
        "name": "Swim School Pro",
    }
    assert received.body["reply_to"] == {"email": "info@swimschool.com"}
    assert received.subject == "Your booking is confirmed"
    assert received.text == "See you at the pool."
    assert received.html == "<p>See you at the pool.</p>"
    (attachment,) = received.attachments
    assert attachment["filename"] == "booking.ics"
    assert attachment["type"] == "text/calendar"
    assert base64.b64decode(attachment["content"]).startswith(b"BEGIN:VCALENDAR")


@pytest.mark.parametrize(
    ("code", "error"), [(400, BadRequestsError), (500, InternalServerError)]
)
def test_errors_propagate_unless_silenced(fake_sendgrid, code, error):
    fake_sendgrid.answer_with(code)
    with pytest.raises(error):
        message().send()
    fake_sendgrid.answer_with(code)
    assert get_connection(fail_silently=True).send_messages([message()]) == 0
    assert fake_sendgrid.received == []
