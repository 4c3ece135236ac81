"""Template helpers of the dashboard."""

from django import template
from django.utils.safestring import SafeString

from dashboard import display

register = template.Library()


@register.filter
def status_badge(status: str, extra_class: str = "") -> SafeString:
    """``{{ status|status_badge }}``: a booking status as its coloured badge."""
    return display.status_badge(status, extra_class)
