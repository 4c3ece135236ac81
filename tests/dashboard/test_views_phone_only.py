"""Clients who left only a phone number (issue 15, Major 2), and the reject dialog's
ready reasons: the owner's screens say "no email: call …" with a tel: link and never
promise an email; the client is told the business will call."""

import pytest
from django.urls import reverse

from booking.models import BookingRequest
from dashboard.forms.requests import READY_REASONS
from tests.conftest import HTMX
from tests.dashboard.conftest import url
from tests.factories import BookingRequestFactory

Status = BookingRequest.Status
PHONE = "+447700900103"
CALL = f'No email: call <a href="tel:{PHONE}">{PHONE}</a>'


@pytest.fixture
def phone_only(session):
    return BookingRequestFactory(
        session=session,
        client_name="Olivia Brown",
        client_email="",
        client_phone=PHONE,
        status=Status.PENDING,
    )


@pytest.mark.django_db
def test_the_request_page_says_call_them(owner_client, business, phone_only):
    html = owner_client.get(url("request_detail", business, pk=phone_only.pk))
    html = html.content.decode()
    assert f"{CALL} with your answer." in html
    assert "reads this in their email" not in html
    assert "Olivia Brown sees it only on their booking page." in html


@pytest.mark.django_db
def test_a_client_with_an_email_is_told_by_email(owner_client, business, pending):
    html = owner_client.get(url("request_detail", business, pk=pending.pk))
    html = html.content.decode()
    assert "No email: call" not in html
    assert "The client reads this in their email." in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "then"), [("reject", "to tell them, and why"), ("cancel", "to tell them")]
)
def test_the_dialogs_say_call_them(owner_client, business, phone_only, kind, then):
    html = owner_client.get(url(f"request_{kind}", business, pk=phone_only.pk), **HTMX)
    html = html.content.decode()
    assert f"{CALL} {then}. Olivia Brown gets no email from us." in html
    assert "in their email" not in html
    assert "told by email" not in html


@pytest.mark.django_db
def test_the_session_cancel_page_lists_whom_to_call(
    owner_client, business, session, phone_only, approved
):
    html = owner_client.get(url("session_cancel", business, pk=session.pk))
    html = html.content.decode()
    line = html[
        html.index("Olivia Brown (") : html.index("</li>", html.index("Olivia Brown ("))
    ]
    assert f'no email, call <a href="tel:{PHONE}">{PHONE}</a>' in line
    andy = html[
        html.index("Andy Approved (") : html.index(
            "</li>", html.index("Andy Approved (")
        )
    ]
    assert "no email" not in andy
    assert "call those who left no email" in html


@pytest.mark.django_db
def test_the_client_is_told_the_business_will_call(client, business, phone_only):
    business.booking_settings.requires_approval = True
    business.booking_settings.save()
    page = client.get(reverse("booking:manage", args=[phone_only.access_token]))
    assert (
        f"You left no email address: {business.name} will call you on {PHONE} "
        "with their answer."
    ) in page.content.decode()
    details = client.get(
        reverse("booking:details", args=[business.slug, phone_only.session_id])
    )
    assert (
        f"if you leave only a phone number, {business.name} will call you with it "
        "instead."
    ) in details.content.decode()


@pytest.mark.django_db
def test_a_ready_reason_is_enough(owner_client, business, pending):
    response = owner_client.post(
        url("request_reject", business, pk=pending.pk), {"ready": "1"}, **HTMX
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    assert (pending.status, pending.rejection_reason) == (
        Status.REJECTED,
        READY_REASONS[1],
    )


@pytest.mark.django_db
def test_a_ready_reason_and_own_words_go_together(owner_client, business, pending):
    owner_client.post(
        url("request_reject", business, pk=pending.pk),
        {"ready": "0", "reason": "Thursday at 18:00 is free."},
    )
    pending.refresh_from_db()
    assert pending.rejection_reason == f"{READY_REASONS[0]} Thursday at 18:00 is free."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Please give a reason; the client will read it."),
        ({"reason": "   "}, "Please give a reason; the client will read it."),
        ({"ready": "9"}, "Pick one of the ready reasons."),
        ({"ready": "0", "reason": "x" * 2001}, "Keep the reason under 2,000"),
    ],
)
def test_a_reason_is_still_required(owner_client, business, pending, data, message):
    response = owner_client.post(url("request_reject", business, pk=pending.pk), data)
    assert message in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


@pytest.mark.django_db
def test_the_dialog_offers_the_ready_reasons(owner_client, business, pending):
    html = owner_client.get(url("request_reject", business, pk=pending.pk), **HTMX)
    html = html.content.decode()
    for n, text in enumerate(READY_REASONS):
        assert f'value="{n}"' in html and text in html
