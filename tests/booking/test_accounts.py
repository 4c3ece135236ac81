"""Confirming an account's email address (booking/accounts.py): a link that works
once, for the address the account has."""

import pytest

from booking.accounts import (
    confirmation_url,
    email_confirm,
    email_is_confirmed,
    user_for_link,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def parts(url: str) -> tuple[str, str]:
    uid, token = url.rstrip("/").split("/")[-2:]
    return uid, token


def test_a_link_is_for_its_account_until_used(settings):
    settings.BOOKING_BASE_URL = "https://book.example.com"
    ada = UserFactory(email="ada@example.com")
    url = confirmation_url(ada)
    assert url.startswith("https://book.example.com/accounts/confirm-email/")
    assert user_for_link(*parts(url)) == ada
    email_confirm(user=ada)
    assert email_is_confirmed(ada)
    assert user_for_link(*parts(url)) is None


def test_a_link_for_an_address_the_account_no_longer_has_fails():
    ada = UserFactory(email="ada@example.com")
    url = confirmation_url(ada)
    ada.email = "ada@elsewhere.example"
    ada.save()
    assert user_for_link(*parts(url)) is None


def test_a_confirmed_address_is_the_current_one_only():
    ada = UserFactory(email="ada@example.com")
    email_confirm(user=ada)
    ada.email = "ADA@example.com"
    assert email_is_confirmed(ada)  # the same address, another case
    ada.email = "ada@elsewhere.example"
    assert not email_is_confirmed(ada)
    ada.email = ""
    assert not email_is_confirmed(ada)


def test_another_account_id_or_garbage_is_no_one():
    ada = UserFactory(email="ada@example.com")
    bob = UserFactory(email="bob@example.com")
    _, ada_token = parts(confirmation_url(ada))
    bob_uid, _ = parts(confirmation_url(bob))
    assert user_for_link(bob_uid, ada_token) is None
    assert user_for_link("!!", ada_token) is None
    assert user_for_link("OTk5OTk5", ada_token) is None  # no such user
