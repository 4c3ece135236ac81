"""Dashboard URLs. Everything under /dashboard/<business_id>/ is that business's."""

from django.urls import include, path

from dashboard.views import (
    accounts,
    catalogue,
    health,
    home,
    link,
    members,
    moves,
    notifications,
    requests,
    sessions,
    settings,
    tokens,
)

app_name = "dashboard"

business_patterns = [
    path("", home.home, name="home"),
    path("link-shared/", home.link_shared, name="link_shared"),
    # owner only
    path("settings/", settings.settings_page, name="settings"),
    path("settings/profile/", settings.settings_profile, name="settings_profile"),
    path("settings/booking/", settings.settings_booking, name="settings_booking"),
    path(
        "settings/calendar-feed/regenerate/",
        settings.settings_feed_regenerate,
        name="settings_feed_regenerate",
    ),
    path("health/", health.health, name="health"),
    path(
        "health/emails/<int:pk>/retry/",
        health.health_email_retry,
        name="health_email_retry",
    ),
    path("members/", members.members, name="members"),
    path("members/invite/", members.member_invite, name="member_invite"),
    path(
        "members/invitations/<int:pk>/revoke/",
        members.invitation_revoke,
        name="invitation_revoke",
    ),
    path("members/<int:pk>/role/", members.member_role, name="member_role"),
    path("members/<int:pk>/remove/", members.member_remove, name="member_remove"),
    path("services/", catalogue.services_list, name="services"),
    path("services/new/", catalogue.service_new, name="service_new"),
    path("services/<int:pk>/edit/", catalogue.service_edit, name="service_edit"),
    path("services/<int:pk>/active/", catalogue.service_active, name="service_active"),
    path("services/<int:pk>/delete/", catalogue.service_delete, name="service_delete"),
    # owners and staff
    path("sessions/", sessions.sessions_page, name="sessions"),
    path("sessions/new/", sessions.session_new, name="session_new"),
    path("sessions/series/", sessions.series_new, name="series_new"),
    path("sessions/series/preview/", sessions.series_preview, name="series_preview"),
    path("sessions/<int:pk>/edit/", sessions.session_edit, name="session_edit"),
    path("sessions/<int:pk>/cancel/", sessions.session_cancel, name="session_cancel"),
    path(
        "sessions/<int:pk>/bookable/",
        sessions.session_bookable,
        name="session_bookable",
    ),
    path(
        "sessions/<int:pk>/add-client/",
        moves.session_add_client,
        name="session_add_client",
    ),
    path("requests/", requests.requests_list, name="requests"),
    path("requests/export.csv", requests.requests_export, name="requests_export"),
    path(
        "requests/bulk-approve/",
        requests.requests_bulk_approve,
        name="requests_bulk_approve",
    ),
    path("requests/<int:pk>/", requests.request_detail, name="request_detail"),
    path(
        "requests/<int:pk>/approve/", requests.request_approve, name="request_approve"
    ),
    path("requests/<int:pk>/reject/", requests.request_reject, name="request_reject"),
    path("requests/<int:pk>/cancel/", requests.request_cancel, name="request_cancel"),
    path("requests/<int:pk>/move/", moves.request_move, name="request_move"),
    path(
        "requests/<int:pk>/move/<int:session_id>/",
        moves.request_move_confirm,
        name="request_move_confirm",
    ),
    path(
        "requests/<int:pk>/move/approve/",
        moves.request_move_approve,
        name="request_move_approve",
    ),
    path(
        "requests/<int:pk>/move/reject/",
        moves.request_move_reject,
        name="request_move_reject",
    ),
    path("api-tokens/", tokens.api_tokens, name="api_tokens"),
    path(
        "api-tokens/<int:pk>/revoke/",
        tokens.api_token_revoke,
        name="api_token_revoke",
    ),
    path("link/", link.link_page, name="link"),
    path("link/websites/", link.link_origins, name="link_origins"),
    path("link/qr.<str:fmt>", link.link_qr, name="link_qr"),
    path("notifications/", notifications.notifications_list, name="notifications"),
    path(
        "notifications/bell/",
        notifications.notifications_bell,
        name="notifications_bell",
    ),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/<int:pk>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/preferences/",
        notifications.notification_preferences,
        name="notification_preferences",
    ),
]

urlpatterns = [
    path("", accounts.index, name="index"),
    path("new/", accounts.business_new, name="business_new"),
    path("<int:business_id>/", include(business_patterns)),
]
