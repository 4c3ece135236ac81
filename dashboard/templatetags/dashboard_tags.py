"""Template helpers of the dashboard."""

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils.safestring import SafeString

from booking.availability import session_window
from booking.links import cached_reverse
from dashboard import display

register = template.Library()


@register.simple_tag
def fixed_static(path: str) -> str:
    """``{% static path %}``, looked up once per process: the layout's files cost
    a lookup in the manifest of some 100 function calls each on every page."""
    return _static(path)


_static = lru_cache(maxsize=256)(static)


@receiver(setting_changed)
def _forget_static(*, setting: str, **kwargs) -> None:
    """Tests that change where static files live get their new URLs."""
    if setting in {"STATIC_URL", "STATIC_ROOT", "STORAGES"}:
        _static.cache_clear()


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% url name %}`` for a URL without arguments, reversed once per process
    (and script prefix: ``booking.links.cached_reverse``)."""
    return cached_reverse(name)


@register.filter
def status_badge(status: str, extra_class: str = "") -> SafeString:
    """``{{ status|status_badge }}``: a booking status as its coloured badge."""
    return display.status_badge(status, extra_class)


@register.inclusion_tag("dashboard/fragment_window.html", takes_context=True)
def booking_window(context, session, now) -> dict:
    """``{% booking_window session now %}``: when online booking of ``session`` closes
    (or opens), by the one rule in ``booking.availability.session_window``."""
    business = context["current_business"]
    window = session_window(
        starts_at=session.starts_at,
        deadline_hours=session.booking_deadline_hours,
        settings=business.booking_settings,
    )
    text, state, instant = display.window_text(window, now, business.tz)
    return {"text": text, "state": state, "instant": instant}
