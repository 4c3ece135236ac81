"""Template helpers of the public pages (booking/templatetags/booking_tags.py)."""

from django.urls import get_script_prefix, set_script_prefix

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
