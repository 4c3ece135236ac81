"""Template helpers of the dashboard."""

from django import template
from django.utils.safestring import SafeString

from booking.availability import session_window
from dashboard import display

register = template.Library()


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
