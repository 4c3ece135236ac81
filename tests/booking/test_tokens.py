"""Personal API tokens: booking/tokens.py, the management commands, Bearer auth."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from booking.models import ApiToken, Membership
from booking.tokens import (
    TokenError,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from tests.booking.api_helpers import API, bearer

pytestmark = pytest.mark.django_db


def test_only_the_hash_is_stored(owner, business):
    token, raw = api_token_create(user=owner, business=business, name=" Zapier ")
    assert raw.startswith("blk_") and len(raw) == 47
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert stored.prefix == raw[:12]
    assert stored.name == "Zapier"
    assert (stored.user, stored.business) == (owner, business)
    assert raw not in {str(getattr(stored, f.attname)) for f in ApiToken._meta.fields}


def test_each_token_is_new(owner, business):
    raws = {api_token_create(user=owner, business=business, name="t")[1] for _ in "ab"}
    assert len(raws) == 2


@pytest.mark.parametrize(
    ("name", "message"), [("  ", "name"), ("x" * 101, "at most 100")]
)
def test_a_token_needs_a_sensible_name(owner, business, name, message):
    with pytest.raises(TokenError, match=message):
        api_token_create(user=owner, business=business, name=name)


def test_only_members_get_tokens(other_owner, business):
    with pytest.raises(TokenError, match="not a member"):
        api_token_create(user=other_owner, business=business, name="x")


def test_authenticate_finds_the_token_and_records_use(owner, business):
    token, raw = api_token_create(user=owner, business=business, name="x")
    now = timezone.now()
    auth = api_token_authenticate(raw, now=now)
    assert auth.token.pk == token.pk
    assert (auth.membership.user, auth.membership.business) == (owner, business)
    assert auth.membership.is_owner
    token.refresh_from_db()
    assert token.last_used_at == now
    # Within a minute: no write; after it: written again.
    api_token_authenticate(raw, now=now + timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == now
    later = now + timedelta(minutes=2)
    api_token_authenticate(raw, now=later)
    token.refresh_from_db()
    assert token.last_used_at == later


@pytest.mark.parametrize("raw", ["", "blk_not-a-real-token", "x" * 500])
def test_unknown_tokens_do_not_authenticate(owner, business, raw):
    api_token_create(user=owner, business=business, name="x")
    assert api_token_authenticate(raw) is None


def test_revoked_tokens_stop_working(owner, business):
    token, raw = api_token_create(user=owner, business=business, name="x")
    api_token_revoke(token=token)
    assert ApiToken.objects.get().revoked_at is not None
    assert api_token_authenticate(raw) is None
    first = ApiToken.objects.get().revoked_at
    api_token_revoke(token=ApiToken.objects.get())  # revoking twice changes nothing
    assert ApiToken.objects.get().revoked_at == first


def test_a_token_follows_its_membership(owner, business):
    _, raw = api_token_create(user=owner, business=business, name="x")
    Membership.objects.filter(user=owner).update(role="staff")
    assert not api_token_authenticate(raw).membership.is_owner
    Membership.objects.filter(user=owner).delete()
    assert api_token_authenticate(raw) is None


def test_an_inactive_user_token_does_not_work(owner, business):
    _, raw = api_token_create(user=owner, business=business, name="x")
    owner.is_active = False
    owner.save()
    assert api_token_authenticate(raw) is None


# --- over HTTP --------------------------------------------------------------------


def test_a_revoked_token_gets_401(client, owner, business):
    token, raw = api_token_create(user=owner, business=business, name="x")
    assert client.get(f"{API}/link/", **bearer(raw)).status_code == 200
    api_token_revoke(token=token)
    response = client.get(f"{API}/link/", **bearer(raw))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert "invalid_token" in response["WWW-Authenticate"]


def test_a_former_member_token_gets_401(client, staff, business):
    _, raw = api_token_create(user=staff, business=business, name="x")
    Membership.objects.filter(user=staff).delete()
    assert client.get(f"{API}/link/", **bearer(raw)).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer ", "Basic b3duZXI6cGFzcw==", "blk_abc", "Token x"]
)
def test_malformed_authorization_is_401(client, business, header):
    response = client.get(f"{API}/link/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_a_token_with_a_session_cookie_acts_as_the_token(
    client, owner, staff, business
):
    """Bearer wins: a staff token stays a staff token for a signed-in owner."""
    client.force_login(owner)
    _, raw = api_token_create(user=staff, business=business, name="x")
    assert client.get(f"{API}/settings/", **bearer(raw)).status_code == 403
    assert client.get(f"{API}/settings/").status_code == 200


# --- management commands ----------------------------------------------------------


def test_the_command_prints_the_token_once(owner, business):
    out, err = StringIO(), StringIO()
    call_command(
        "api_token_create",
        user="OLIVIA.OWNER@example.com",
        business=business.slug,
        name="Zapier",
        stdout=out,
        stderr=err,
    )
    raw = out.getvalue().strip()
    assert raw.startswith("blk_")
    assert api_token_authenticate(raw).membership.user == owner
    assert "shown only now" in err.getvalue()
    assert raw not in err.getvalue()


@pytest.mark.parametrize(
    ("user", "slug", "message"),
    [
        ("nobody@example.com", None, "No single user"),
        ("olivia.owner@example.com", "no-such-business", "No business"),
        ("oscar.other@example.com", None, "not a member"),
    ],
)
def test_the_command_explains_refusals(
    owner, other_owner, business, user, slug, message
):
    with pytest.raises(CommandError, match=message):
        call_command(
            "api_token_create",
            user=user,
            business=slug or business.slug,
            name="x",
            stdout=StringIO(),
            stderr=StringIO(),
        )


def test_the_revoke_command(owner, business):
    token, raw = api_token_create(user=owner, business=business, name="Zapier")
    out = StringIO()
    call_command("api_token_revoke", token.prefix, stdout=out)
    assert "Revoked “Zapier”" in out.getvalue()
    assert api_token_authenticate(raw) is None
    with pytest.raises(CommandError, match="No single token"):
        call_command("api_token_revoke", "blk_nothing", stdout=StringIO())
