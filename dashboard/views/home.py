"""Home: today's and this week's sessions, pending requests, the booking link."""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from booking.accounts import email_is_confirmed
from booking.links import booking_link
from booking.selectors import local_day_start, pending_summary, sessions_between
from dashboard.access import DashboardRequest, business_view
from dashboard.display import duration_text


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
    pending = pending_summary(business=business, now=now)
    return render(
        request,
        "dashboard/home.html",
        {
            "today": today,
            "now": now,
            "today_sessions": [s for s in week if s.starts_at < tomorrow],
            "week_sessions": [s for s in week if s.starts_at >= tomorrow],
            "pending": pending,
            # Owners invite their team, once their address is confirmed.
            "email_unconfirmed": request.membership.is_owner
            and not email_is_confirmed(request.user),
            "soonest_left": duration_text(pending.soonest.expires_at - now)
            if pending.soonest
            else "",
            "link": booking_link(business),
            "has_services": business.services.exists(),
            "has_sessions": bool(week) or business.sessions.exists(),
        },
    )
