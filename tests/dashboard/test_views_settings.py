"""Business profile and booking settings: saved in place, every range validated."""

from decimal import Decimal

import pytest

from booking.models import BookingSettings, Business, BusinessSlugRedirect
from tests.conftest import HTMX
from tests.dashboard.conftest import url
from tests.factories import BusinessFactory, ServiceFactory


def profile(business, **changes):
    return {
        "name": business.name,
        "slug": business.slug,
        "description": business.description,
        "address": business.address,
        "phone": business.phone,
        "email": business.email,
        "timezone": business.timezone,
        "currency": business.currency,
        **changes,
    }


BOOKING = {
    "is_active": "on",
    "requires_approval": "on",
    "buffer_time_minutes": "15",
    "booking_expiry_hours": "24",
    "max_advance_booking_days": "30",
    "min_advance_booking_hours": "2",
    "reminder_hours_before": "24",
    "allow_client_reschedule": "on",
    "reschedule_notice_hours": "0",
}


@pytest.mark.django_db
def test_settings_page_shows_both_forms(owner_client, business):
    html = owner_client.get(url("settings", business)).content.decode()
    assert "Business profile" in html and "Booking settings" in html
    assert 'value="swim-school-pro"' in html


@pytest.mark.django_db
def test_booking_settings_saved_in_place_with_htmx(owner_client, business):
    response = owner_client.post(
        url("settings_booking", business),
        {**BOOKING, "buffer_time_minutes": "240", "min_advance_booking_hours": "0"},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="booking-card"')
    # The message stands beside the card's button, in its status line.
    button = html.index("Save booking settings</button>")
    assert html.index('role="status"><span data-saved>Booking settings saved.') > button
    settings = BookingSettings.objects.get(business=business)
    assert settings.requires_approval is True
    assert (settings.buffer_time_minutes, settings.min_advance_booking_hours) == (
        240,
        0,
    )
    assert settings.auto_approve_returning_clients is False


@pytest.mark.django_db
def test_booking_settings_without_javascript(owner_client, business):
    response = owner_client.post(
        url("settings_booking", business), BOOKING, follow=True
    )
    assert response.redirect_chain == [(url("settings", business), 302)]
    assert "Booking settings saved." in response.content.decode()


BAD_NUMBERS = [
    ("buffer_time_minutes", "-1", "from 0 to 240"),
    ("buffer_time_minutes", "241", "from 0 to 240"),
    ("booking_expiry_hours", "0", "from 1 to 168"),
    ("booking_expiry_hours", "169", "from 1 to 168"),
    ("max_advance_booking_days", "0", "from 1 to 365"),
    ("max_advance_booking_days", "366", "from 1 to 365"),
    ("min_advance_booking_hours", "-1", "from 0 to 720"),
    ("min_advance_booking_hours", "721", "from 0 to 720"),
    ("reminder_hours_before", "169", "from 0 to 168"),
    ("reschedule_notice_hours", "721", "from 0 to 720"),
    ("buffer_time_minutes", "ten", "from 0 to 240"),
    ("booking_expiry_hours", "", "from 1 to 168"),
    ("max_advance_booking_days", "1.5", "from 1 to 365"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "message"), BAD_NUMBERS)
def test_booking_settings_ranges(owner_client, business, field, value, message):
    response = owner_client.post(
        url("settings_booking", business), {**BOOKING, field: value}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "Please correct the highlighted fields." in html
    assert f'aria-describedby="id_{field}_helptext id_{field}_error"' in html
    assert f'id="id_{field}_error"' in html
    assert "data-saved" not in html
    assert BookingSettings.objects.get(business=business).requires_approval is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("buffer_time_minutes", "0"),
        ("booking_expiry_hours", "1"),
        ("booking_expiry_hours", "168"),
        ("max_advance_booking_days", "1"),
        ("max_advance_booking_days", "365"),
        ("min_advance_booking_hours", "720"),
        ("reschedule_notice_hours", "720"),
    ],
)
def test_booking_settings_range_ends_are_allowed(owner_client, business, field, value):
    owner_client.post(url("settings_booking", business), {**BOOKING, field: value})
    assert getattr(BookingSettings.objects.get(business=business), field) == int(value)


@pytest.mark.django_db
def test_changes_of_time_can_be_switched_off(owner_client, business):
    page = owner_client.get(url("settings", business)).content.decode()
    assert "Clients may change the time of their booking" in page
    changes = {k: v for k, v in BOOKING.items() if k != "allow_client_reschedule"}
    owner_client.post(
        url("settings_booking", business), {**changes, "reschedule_notice_hours": "24"}
    )
    saved = BookingSettings.objects.get(business=business)
    assert (saved.allow_client_reschedule, saved.reschedule_notice_hours) == (False, 24)


@pytest.mark.django_db
def test_booking_settings_leave_the_widget_websites_alone(owner_client, business):
    """Those are set on the booking link page, next to the widget."""
    business.booking_settings.allowed_embed_origins = "https://a.example"
    business.booking_settings.save()
    page = owner_client.get(url("settings", business)).content.decode()
    assert url("link", business) + "#widget-websites" in page
    owner_client.post(url("settings_booking", business), BOOKING)
    settings = BookingSettings.objects.get(business=business)
    assert settings.embed_origins == ["https://a.example"]


@pytest.mark.django_db
def test_profile_saved_in_place_and_the_old_link_redirects(owner_client, business):
    response = owner_client.post(
        url("settings_profile", business),
        profile(
            business, name="Swim School Plus", slug="swim-plus", timezone="Asia/Tokyo"
        ),
        **HTMX,
    )
    html = response.content.decode()
    assert "Business profile saved." in html
    assert "the old /book/swim-school-pro/ keeps redirecting" in html
    assert (
        '<span id="current-business-name" hx-swap-oob="true">Swim School Plus' in html
    )
    business.refresh_from_db()
    assert (business.slug, business.timezone) == ("swim-plus", "Asia/Tokyo")
    redirect = BusinessSlugRedirect.objects.get(old_slug="swim-school-pro")
    assert redirect.business == business


@pytest.mark.django_db
def test_the_currency_is_saved_and_prices_follow_it(owner_client, business):
    ServiceFactory(business=business, name="Lesson", price=Decimal("20"))
    response = owner_client.post(
        url("settings_profile", business), profile(business, currency="EUR"), **HTMX
    )
    assert "Business profile saved." in response.content.decode()
    assert Business.objects.get(pk=business.pk).currency == "EUR"
    services = owner_client.get(url("services", business)).content.decode()
    assert "€20.00" in services
    form = owner_client.get(url("service_new", business)).content.decode()
    assert "Price (EUR)" in form
    assert "Duration (minutes)" in form


@pytest.mark.django_db
def test_the_settings_page_sends_to_api_tokens_and_health_under_advanced(
    owner_client, business
):
    html = owner_client.get(url("settings", business)).content.decode()
    advanced = html[html.index('id="advanced"') :]
    assert url("api_tokens", business) in advanced
    assert url("health", business) in advanced
    menu = html[html.index('aria-label="Dashboard"') : html.index("</nav>")]
    assert url("api_tokens", business) not in menu
    assert url("health", business) not in menu


@pytest.mark.django_db
def test_profile_without_javascript(owner_client, business):
    response = owner_client.post(
        url("settings_profile", business),
        profile(business, phone="+44 20 7946 0000"),
        follow=True,
    )
    assert "Business profile saved." in response.content.decode()
    assert Business.objects.get(pk=business.pk).phone == "+44 20 7946 0000"


@pytest.fixture
def rival(db):
    rival = BusinessFactory(name="Rival", slug="rival-swim")
    rival.slug = "rival-renamed"
    rival.save()  # "rival-swim" now redirects to the rival
    return rival


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": "rival-renamed"}, "slug", "Another business already uses this link"),
        ({"slug": "rival-swim"}, "slug", "Another business used this link before"),
        ({"slug": "dashboard"}, "slug", "is reserved by the site"),
        ({"slug": "Swim-School"}, "slug", "Use lower-case letters, digits"),
        ({"slug": "swim_school"}, "slug", "Use lower-case letters, digits"),
        ({"slug": "swim--school"}, "slug", "Use lower-case letters, digits"),
        ({"slug": "a" * 101}, "slug", "Use at most 100 characters."),
        ({"slug": ""}, "slug", "Enter an address for your booking link."),
        ({"name": ""}, "name", "Enter your business&#x27;s name."),
        ({"email": "nope"}, "email", "Enter an email address like"),
        ({"phone": "call me"}, "phone", "Enter a phone number using digits"),
        ({"phone": "+44 (0) 20 7946 0000 000"}, "phone", "at most 20 characters"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Select a valid choice."),
        ({"currency": "XYZ"}, "currency", "Pick a currency from the list."),
        ({"currency": "DEM"}, "currency", "Pick a currency from the list."),
    ],
)
def test_profile_bad_input(owner_client, business, rival, changes, field, message):
    response = owner_client.post(
        url("settings_profile", business), profile(business, **changes), **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'id="id_{field}_error"' in html
    business.refresh_from_db()
    assert business.slug == "swim-school-pro"


@pytest.mark.django_db
def test_a_refused_profile_does_not_leak_into_the_page(owner_client, business):
    response = owner_client.post(
        url("settings_profile", business), profile(business, name="New", slug="BAD")
    )
    html = response.content.decode()
    assert '<span id="current-business-name">Swim School Pro</span>' in html


@pytest.mark.django_db
def test_taking_back_your_own_old_slug_is_fine(owner_client, business):
    owner_client.post(
        url("settings_profile", business), profile(business, slug="swim-new")
    )
    owner_client.post(
        url("settings_profile", business),
        profile(Business.objects.get(pk=business.pk), slug="swim-school-pro"),
    )
    business.refresh_from_db()
    assert business.slug == "swim-school-pro"
    assert list(BusinessSlugRedirect.objects.values_list("old_slug", flat=True)) == [
        "swim-new"
    ]
