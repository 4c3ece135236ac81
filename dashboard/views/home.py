"""Home: today's and this week's sessions, pending requests, the booking link, and
for a new business the "Get started" list."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from booking.accounts import email_is_confirmed
from booking.businesses import business_link_shared
from booking.links import booking_link
from booking.models import Business
from booking.selectors import local_day_start, pending_summary, sessions_between
from dashboard.access import DashboardRequest, business_view
from dashboard.display import duration_text
from dashboard.responses import render_page

TEMPLATE = "dashboard/home.html"
ALL_SET = "Your booking link is shared: you are all set, clients can book now."


@dataclass(frozen=True)
class GetStarted:
    """What a new business still has to do before clients can book."""

    has_services: bool
    has_sessions: bool
    link_shared_at: datetime | None

    @property
    def done(self) -> bool:
        return self.has_services and self.has_sessions and bool(self.link_shared_at)


def get_started(business: Business) -> GetStarted:
    return GetStarted(
        has_services=business.services.exists(),
        has_sessions=business.sessions.exists(),
        link_shared_at=business.link_shared_at,
    )


@business_view()
@require_safe
def home(request: DashboardRequest):
    business = request.business
    now = timezone.now()
    today = now.astimezone(business.tz).date()
    start = local_day_start(today, business.tz)
    week = sessions_between(
        business=business,
        start=start,
        end=local_day_start(today + timedelta(days=7), business.tz),
        now=now,
    )
    tomorrow = local_day_start(today + timedelta(days=1), business.tz)
    today_sessions = [s for s in week if s.starts_at < tomorrow]
    pending = pending_summary(business=business, now=now)
    return render_page(
        request,
        TEMPLATE,
        {
            "today": today,
            "now": now,
            "today_sessions": today_sessions,
            "still_to_come": [
                s for s in today_sessions if s.starts_at > now and not s.cancelled_at
            ],
            "week_sessions": [s for s in week if s.starts_at >= tomorrow],
            "pending": pending,
            # Owners invite their team, once their address is confirmed.
            "email_unconfirmed": request.membership.is_owner
            and not email_is_confirmed(request.user),
            "soonest_left": duration_text(pending.soonest.expires_at - now)
            if pending.soonest
            else "",
            "link": booking_link(business),
            "start": get_started(business),
        },
    )


@business_view()
@require_POST
def link_shared(request: DashboardRequest):
    """The owner copied or shared the booking link: the last step of "Get started"."""
    business_link_shared(business=request.business)
    if request.htmx:
        context = {"start": get_started(request.business), "all_set": ALL_SET}
        return render_page(request, TEMPLATE, context, partial="get_started")
    messages.success(request, ALL_SET)
    return redirect("dashboard:home", business_id=request.business.pk)
