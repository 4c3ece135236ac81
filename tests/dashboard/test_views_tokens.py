"""Each member's personal API tokens: created on the page (the secret shown once, in
that answer only), listed, revoked; another user's token is 404.
"""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import ApiToken, Membership
from booking.tokens import api_token_create
from dashboard.views import tokens as token_views
from tests.booking.api_helpers import API, bearer
from tests.conftest import HTMX
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
RAW = re.compile(r'id="new-token" class="form-control" value="(blk_[\w-]+)"')


def page_url(business) -> str:
    return reverse("dashboard:api_tokens", kwargs={"business_id": business.pk})


def revoke_url(business, token) -> str:
    return reverse(
        "dashboard:api_token_revoke",
        kwargs={"business_id": business.pk, "pk": token.pk},
    )


def nonce(client: Client, business) -> str:
    html = client.get(page_url(business)).content.decode()
    return re.search(r'name="nonce" value="([\w-]+)"', html).group(1)


def create(client: Client, business, name: str = "Website", **headers):
    data = {"name": name, "nonce": nonce(client, business)}
    return client.post(page_url(business), data, **headers)


def raw_from(response) -> str:
    return RAW.search(response.content.decode()).group(1)


def test_a_token_made_on_the_page_works_until_revoked_on_the_page(
    owner_client, business
):
    response = create(owner_client, business, "Zapier")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = raw_from(response)
    token = ApiToken.objects.get(business=business, name="Zapier")
    assert token.token_hash == ApiToken.hash(raw) and token.prefix == raw[:12]

    api = Client()  # no session: the token alone
    answer = api.get(f"{API}/link/", **bearer(raw))
    assert answer.status_code == 200
    assert answer.json()["url"].endswith(f"/book/{business.slug}/")

    owner_client.post(revoke_url(business, token))
    assert api.get(f"{API}/link/", **bearer(raw)).status_code == 401


def test_the_secret_is_shown_once_only(owner_client, business):
    raw = raw_from(create(owner_client, business))
    again = owner_client.get(page_url(business))
    html = again.content.decode()
    assert raw not in html and raw[12:] not in html
    assert raw[:12] in html  # the prefix, to recognise it
    assert "Website" in html and "Active" in html
    assert "no-store" in again["Cache-Control"]


def test_sending_the_same_form_again_makes_no_second_token(owner_client, business):
    data = {"name": "Website", "nonce": nonce(owner_client, business)}
    first = owner_client.post(page_url(business), data)
    raw = raw_from(first)
    resent = owner_client.post(page_url(business), data)
    html = resent.content.decode()
    assert "This form was already sent" in html
    assert raw not in html and not RAW.search(html)
    assert ApiToken.objects.filter(business=business).count() == 1


def test_creating_with_htmx_answers_the_fragment_with_the_secret(
    owner_client, business
):
    response = create(owner_client, business, "Zapier", **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="tokens"')
    assert "<html" not in html
    assert "no-store" in response["Cache-Control"]
    raw = raw_from(response)
    assert html.count(raw) == 1
    assert "the only time it is shown" in html
    # The fresh form in the answer can make another token.
    fresh = re.search(r'name="nonce" value="([\w-]+)"', html).group(1)
    owner_client.post(page_url(business), {"name": "Second", "nonce": fresh})
    assert ApiToken.objects.filter(business=business).count() == 2


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the token a name"),
        ("   ", "Give the token a name"),
        ("x" * 101, "A token name has at most 100 characters."),
    ],
)
def test_a_bad_name_is_refused_inline(owner_client, business, name, message):
    response = create(owner_client, business, name)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert not RAW.search(html)
    assert not ApiToken.objects.exists()


def test_a_name_of_100_characters_is_fine(owner_client, business):
    raw_from(create(owner_client, business, "x" * 100))
    assert ApiToken.objects.get().name == "x" * 100


def test_a_member_who_left_meanwhile_gets_no_token(
    owner, owner_client, business, monkeypatch
):
    """The service re-checks membership: someone removed between the page's access
    check and the token's creation gets the form back with the reason."""
    data = {"name": "Website", "nonce": nonce(owner_client, business)}

    def removed_then_create(**kwargs):
        Membership.objects.filter(user=owner, business=business).delete()
        return api_token_create(**kwargs)

    monkeypatch.setattr(token_views, "api_token_create", removed_then_create)
    response = owner_client.post(page_url(business), data)
    assert "is not a member of Swim School Pro" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_list_holds_only_my_tokens_for_this_business(
    owner, staff_client, staff, business, other_business
):
    MembershipFactory(user=staff, business=other_business, role="owner")
    api_token_create(user=staff, business=business, name="Mine here")
    api_token_create(user=staff, business=other_business, name="Mine elsewhere")
    api_token_create(user=owner, business=business, name="Olivia's script")
    html = staff_client.get(page_url(business)).content.decode()
    assert "Mine here" in html
    assert "Mine elsewhere" not in html and "Olivia's script" not in html
    assert "Team members' tokens" not in html


def test_owners_see_and_revoke_every_member_token(
    owner_client, staff, business, other_business, other_owner
):
    token, raw = api_token_create(user=staff, business=business, name="Desk script")
    api_token_create(user=other_owner, business=other_business, name="Elsewhere")
    html = owner_client.get(page_url(business)).content.decode()
    assert "Team members' tokens" in html
    assert "Desk script" in html and "Sam" in html and token.prefix in html
    assert "Elsewhere" not in html
    response = owner_client.post(revoke_url(business, token), follow=True)
    assert "is revoked; it stops working now." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(f"{API}/link/", **bearer(raw)).status_code == 401


def test_an_owner_cannot_revoke_another_business_token(
    owner_client, business, other_business, other_owner
):
    token, _ = api_token_create(user=other_owner, business=other_business, name="X")
    assert owner_client.post(revoke_url(business, token)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_times_are_in_the_business_zone(owner, owner_client, business):
    token, _ = api_token_create(user=owner, business=business, name="Website")
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=datetime(2026, 7, 1, 12, 30, tzinfo=UTC),
        last_used_at=datetime(2026, 12, 1, 12, 30, tzinfo=UTC),
    )
    html = owner_client.get(page_url(business)).content.decode()
    assert "1 Jul 2026, 13:30 BST" in html  # summer time
    assert "1 Dec 2026, 12:30 GMT" in html  # winter time
    business.timezone = "Asia/Tokyo"
    business.save()
    html = owner_client.get(page_url(business)).content.decode()
    assert "1 Jul 2026, 21:30 JST" in html


def test_last_used_follows_the_api(owner_client, business):
    raw = raw_from(create(owner_client, business))
    assert ">Never<" in owner_client.get(page_url(business)).content.decode()
    Client().get(f"{API}/link/", **bearer(raw))
    assert ">Never<" not in owner_client.get(page_url(business)).content.decode()


def test_staff_make_tokens_that_act_as_staff(staff_client, business):
    response = create(staff_client, business, "Front desk")
    raw = raw_from(response)
    assert "not change settings" in response.content.decode()
    api = Client()
    assert api.get(f"{API}/link/", **bearer(raw)).status_code == 200
    assert api.get(f"{API}/settings/", **bearer(raw)).status_code == 403


def test_another_users_token_cannot_be_revoked(staff_client, owner, business):
    token, raw = api_token_create(user=owner, business=business, name="Olivia's")
    response = staff_client.post(revoke_url(business, token))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Client().get(f"{API}/link/", **bearer(raw)).status_code == 200


def test_revoking_says_so_and_shows_it(owner, owner_client, business):
    token, _ = api_token_create(user=owner, business=business, name="Zapier")
    response = owner_client.post(revoke_url(business, token), follow=True)
    html = response.content.decode()
    assert "“Zapier” (blk_" in html and "is revoked; it stops working now." in html
    assert "Revoked" in html and f'action="{revoke_url(business, token)}"' not in html
    again = owner_client.post(revoke_url(business, token), follow=True)
    assert "was already revoked." in again.content.decode()


def test_revoking_with_htmx_answers_the_fragment(owner, owner_client, business):
    token, _ = api_token_create(user=owner, business=business, name="Zapier")
    response = owner_client.post(revoke_url(business, token), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="tokens"')
    assert "Revoked" in html and "is revoked; it stops working now." in html
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_page_links_to_the_api_docs_and_is_in_the_account_menu(
    staff_client, business
):
    html = staff_client.get(page_url(business)).content.decode()
    assert 'href="/api/docs"' in html
    # Out of the main menu (owners reach it under Settings, Advanced); every member
    # finds their own tokens in the account menu.
    account = html[
        html.index('class="user-menu"') : html.index(
            "</details>", html.index('class="user-menu"')
        )
    ]
    assert f'<a href="{page_url(business)}">Your API tokens</a>' in account
    nav = html[html.index('aria-label="Dashboard"') : html.index("</nav>")]
    assert page_url(business) not in nav
