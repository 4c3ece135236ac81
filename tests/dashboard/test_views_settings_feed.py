"""The owner's calendar feed on the settings page: the secret address, how to
subscribe, and replacing it (after a confirmation) so the old address stops working.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from booking.links import calendar_feed_url, calendar_feed_webcal_url
from booking.models import BookingSettings, Business
from dashboard.views.settings import FEED_RENEWED
from tests.conftest import HTMX
from tests.dashboard.conftest import url

pytestmark = pytest.mark.django_db


def feed_token(business) -> str:
    return BookingSettings.objects.get(business=business).calendar_feed_token


def feed_path(token: str) -> str:
    return reverse("booking:calendar_feed", kwargs={"token": token})


def test_settings_show_the_feed_address_and_how_to_subscribe(owner_client, business):
    html = owner_client.get(url("settings", business)).content.decode()
    assert f'value="{calendar_feed_url(business)}"' in html
    assert f'href="{calendar_feed_webcal_url(business)}"' in html
    assert 'data-copy="#calendar-feed-url"' in html
    for app in ("Google Calendar", "Apple Calendar", "Outlook"):
        assert f"<strong>{app}</strong>" in html
    assert f'href="{url("settings_feed_regenerate", business)}"' in html


def test_the_feed_address_is_not_shown_to_staff(staff_client, business):
    link_page = staff_client.get(url("link", business)).content.decode()
    assert feed_token(business) not in link_page
    assert "calendar feed" not in link_page


def test_regenerating_asks_first(owner_client, business):
    before = feed_token(business)
    response = owner_client.get(url("settings_feed_regenerate", business))
    html = response.content.decode()
    assert "Replace your calendar feed address?" in html
    assert f'action="{url("settings_feed_regenerate", business)}"' in html
    assert "hx-post" not in html  # a page of its own without JavaScript
    assert feed_token(business) == before


def test_the_question_comes_as_a_dialog_with_htmx(owner_client, business):
    html = owner_client.get(
        url("settings_feed_regenerate", business), **HTMX
    ).content.decode()
    assert html.lstrip().startswith('<h1 id="dialog-title"')
    assert 'hx-target="#calendar-feed"' in html and "data-close-dialog" in html


def test_regenerating_replaces_the_address_and_the_old_one_stops(
    owner_client, business
):
    old = feed_token(business)
    feed = Client()
    assert feed.get(feed_path(old)).status_code == 200

    response = owner_client.post(url("settings_feed_regenerate", business))
    assert response.status_code == 302
    assert response["Location"] == url("settings", business)
    new = feed_token(business)
    assert new != old
    assert feed.get(feed_path(old)).status_code == 404
    answer = feed.get(feed_path(new))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/calendar; charset=utf-8"

    html = owner_client.get(response["Location"]).content.decode()
    assert FEED_RENEWED in html
    assert new in html and old not in html


def test_regenerating_with_htmx_swaps_the_card_and_closes_the_dialog(
    owner_client, business
):
    old = feed_token(business)
    response = owner_client.post(url("settings_feed_regenerate", business), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="calendar-feed"')
    assert json.loads(response["HX-Trigger"]) == {"dashboard:close-dialog": {}}
    new = feed_token(business)
    fresh = Business.objects.get(pk=business.pk)
    assert f'value="{calendar_feed_url(fresh)}"' in html and new in html
    assert old not in html
    assert f'role="status" data-saved>{FEED_RENEWED}' in html


def test_the_link_page_points_owners_to_the_feed(owner_client, business):
    html = owner_client.get(url("link", business)).content.decode()
    assert f'href="{url("settings", business)}#calendar-feed"' in html
