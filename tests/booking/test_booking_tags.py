"""Template helpers of the public pages (booking/templatetags/booking_tags.py)."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import get_script_prefix, set_script_prefix
from django.utils import timezone

from booking.availability import Slot
from booking.models import Business, Service
from booking.steps import DisplayZone
from booking.templatetags.booking_tags import step_url


def test_step_links_follow_the_script_prefix_though_remembered():
    """``step_url`` remembers each link it reversed (a week's page has dozens),
    keyed by the script prefix too: an app served under /book-app/ links there."""
    before = get_script_prefix()
    try:
        assert step_url({}, "week", "swim", 4) == "/book/swim/service/4/"
        assert step_url({"embed": True}, "week", "swim", 4) == (
            "/embed/swim/service/4/"
        )
        set_script_prefix("/book-app/")
        assert step_url({}, "week", "swim", 4) == "/book-app/book/swim/service/4/"
    finally:
        set_script_prefix(before)


# Step 1's cards as the template's loop wrote them before ``service_cards``.
CARDS_LOOP = """{% load booking_tags %}{% for service, next_slot in services %}
    <li class="card">
      <a class="card__link" href="{% step_url 'week' business.slug service.pk %}" aria-describedby="svc-{{ service.pk }}-meta">
        <span class="card__title">{{ service.name }}</span>
      </a>
      {% if service.description %}<p class="card__text">{{ service.description }}</p>{% endif %}
      <p class="card__meta" id="svc-{{ service.pk }}-meta">
        <span>{{ service.duration_minutes|minutes }}</span>
        <span>{% if service.price %}Price {{ service.price|price:business.currency }}{% else %}Free{% endif %}</span>
        {% if service.capacity > 1 %}<span>Group of up to {{ service.capacity }}</span>{% endif %}
        {% if next_slot %}
        <span>Next: <time datetime="{{ next_slot.starts_at|day:'c' }}">{{ next_slot.starts_at|day:"D j M" }}, {{ next_slot.starts_at|clock:hours }}</time> {% zone_name zone next_slot.starts_at %}</span>
        {% else %}
        <span>No online times open right now</span>
        {% endif %}
      </p>
    </li>
    {% endfor %}"""  # noqa: E501 (the template's own lines)


@pytest.mark.parametrize("shown_in", ["Europe/London", "Asia/Tokyo", "America/Denver"])
@pytest.mark.parametrize("embed", [False, True])
@pytest.mark.parametrize("hours", ["24", "12"])
def test_service_cards_write_what_the_loop_of_tags_wrote(shown_in, embed, hours):
    """Byte for byte, across escaping, prices, groups, no next time, the widget,
    a chosen zone (its ``?tz=`` on the links), both clocks, and next times on both
    sides of London's clock changes (the repeated hour included)."""
    business = Business(name="Swim & Co", slug="swim-co", timezone="Europe/London")
    business.currency = "GBP"
    zone = DisplayZone(
        ZoneInfo(shown_in), explicit=shown_in != "Europe/London", notice=""
    )
    kinds = [
        ("Tots <&> \"Ducks\" 'n' co", "Splash <b>& play</b>", 45, 1, Decimal("12.50")),
        ("Adults", "", 60, 8, Decimal("0")),
        ("Squad", "Fast lanes", 90, 3, None),
        ("Private", "One to one", 30, 1, Decimal("1000")),
    ]
    starts = [
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # 00:30 GMT, before the change
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 02:30 BST, after it
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30 BST, the repeated hour
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 01:30 GMT, again
        None,  # no online time open
    ]
    services = []
    for n, (name, description, length, capacity, cost) in enumerate(kinds * 2):
        service = Service(
            pk=40 + n,
            business=business,
            name=name,
            description=description,
            duration_minutes=length,
            capacity=capacity,
            price=cost,
        )
        at = starts[n % len(starts)]
        slot = None
        if at is not None:
            local = at.astimezone(zone.zone)
            slot = Slot(40 + n, service.pk, name, local, local, capacity, capacity)
        services.append((service, slot))
    context = {"business": business, "zone": zone, "embed": embed, "hours": hours}
    context["services"] = services
    with timezone.override(zone.zone):
        expected = Template(CARDS_LOOP).render(Context(context))
        written = Template(
            "{% load booking_tags %}{% service_cards services %}"
        ).render(Context(context))
    assert "Tots &lt;&amp;&gt; &quot;Ducks&quot; &#x27;n&#x27; co" in written
    assert written.count('<li class="card">') == len(services)
    assert written == expected
