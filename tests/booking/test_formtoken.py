"""The booking form's signed, time-limited token (booking/formtoken.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from booking.formtoken import MAX_AGE, FormTokenError, make_token, read_token

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def test_a_token_reads_back_bound_to_its_session():
    token = make_token(business_id=7, session_id=42, now=NOW)
    parsed = read_token(token, business_id=7, session_id=42, now=NOW)
    assert (parsed.business_id, parsed.session_id) == (7, 42)
    assert parsed.issued_at == NOW
    assert parsed.idempotency_key == f"form:{parsed.nonce}"
    assert len(parsed.nonce) >= 20


def test_each_form_gets_its_own_nonce():
    first = read_token(
        make_token(business_id=1, session_id=1, now=NOW),
        business_id=1,
        session_id=1,
        now=NOW,
    )
    second = read_token(
        make_token(business_id=1, session_id=1, now=NOW),
        business_id=1,
        session_id=1,
        now=NOW,
    )
    assert first.nonce != second.nonce


def test_a_token_is_good_until_its_max_age():
    token = make_token(business_id=1, session_id=2, now=NOW)
    read_token(token, business_id=1, session_id=2, now=NOW + MAX_AGE)
    with pytest.raises(FormTokenError) as caught:
        read_token(token, business_id=1, session_id=2, now=NOW + MAX_AGE + timedelta(1))
    assert caught.value.code == "expired"
    assert "expired" in caught.value.message


def test_a_token_from_the_future_is_refused():
    token = make_token(business_id=1, session_id=2, now=NOW + timedelta(hours=1))
    with pytest.raises(FormTokenError) as caught:
        read_token(token, business_id=1, session_id=2, now=NOW)
    assert caught.value.code == "expired"


@pytest.mark.parametrize(
    ("business_id", "session_id"), [(1, 3), (2, 2)], ids=["session", "business"]
)
def test_a_token_for_another_time_is_refused(business_id, session_id):
    token = make_token(business_id=1, session_id=2, now=NOW)
    with pytest.raises(FormTokenError) as caught:
        read_token(token, business_id=business_id, session_id=session_id, now=NOW)
    assert caught.value.code == "mismatch"


def _flip(token: str) -> str:
    body, _, signature = token.rpartition(":")
    return f"{body}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "a:b:c", None],
    ids=["empty", "garbage", "colons", "none"],
)
def test_malformed_tokens_are_refused(token):
    with pytest.raises(FormTokenError) as caught:
        read_token(token, business_id=1, session_id=2, now=NOW)
    assert caught.value.code == "invalid"


def test_a_tampered_token_is_refused():
    token = make_token(business_id=1, session_id=2, now=NOW)
    with pytest.raises(FormTokenError) as caught:
        read_token(_flip(token), business_id=1, session_id=2, now=NOW)
    assert caught.value.code == "invalid"


def test_a_token_signed_with_another_key_is_refused(settings):
    token = make_token(business_id=1, session_id=2, now=NOW)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only"
    with pytest.raises(FormTokenError):
        read_token(token, business_id=1, session_id=2, now=NOW)
