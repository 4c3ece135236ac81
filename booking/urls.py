"""Public URLs. The names are a contract: links.py, emails and the API use them.

Every step also exists under ``embed/`` (names prefixed ``embed_``; the first step is
``embed``): the same views in a chrome-less layout that the business's sites may frame.
"""

from django.urls import path

from booking import views
from booking.feeds import calendar_feed

app_name = "booking"

EMBED = {"embed": True}

urlpatterns = [
    path("book/<slug:slug>/", views.start, name="start"),
    path("book/<slug:slug>/service/<int:service_id>/", views.week, name="week"),
    path("book/<slug:slug>/time/<int:session_id>/", views.details, name="details"),
    path(
        "book/<slug:slug>/time/<int:session_id>/check/",
        views.check_field,
        name="check_field",
    ),
    path("bookings/<str:token>/", views.manage, name="manage"),
    path("bookings/<str:token>/calendar.ics", views.ics, name="ics"),
    path("bookings/<str:token>/cancel/", views.cancel, name="cancel"),
    path("bookings/<str:token>/move/", views.move, name="move"),
    path(
        "bookings/<str:token>/move/<int:session_id>/",
        views.move_confirm,
        name="move_confirm",
    ),
    # The widget: same flow, framable by any site until the business lists its own
    # (booking.responses.frame_ancestors); the client's private pages by those only.
    path("embed/<slug:slug>/", views.start, EMBED, name="embed"),
    path(
        "embed/<slug:slug>/service/<int:service_id>/",
        views.week,
        EMBED,
        name="embed_week",
    ),
    path(
        "embed/<slug:slug>/time/<int:session_id>/",
        views.details,
        EMBED,
        name="embed_details",
    ),
    path(
        "embed/<slug:slug>/time/<int:session_id>/check/",
        views.check_field,
        EMBED,
        name="embed_check_field",
    ),
    path("embed/bookings/<str:token>/", views.manage, EMBED, name="embed_manage"),
    # The widget's confirmation (framed like the steps; no personal details).
    path(
        "embed/bookings/<str:token>/booked/",
        views.booked,
        EMBED,
        name="embed_booked",
    ),
    path(
        "embed/bookings/<str:token>/cancel/", views.cancel, EMBED, name="embed_cancel"
    ),
    path("embed/bookings/<str:token>/move/", views.move, EMBED, name="embed_move"),
    path(
        "embed/bookings/<str:token>/move/<int:session_id>/",
        views.move_confirm,
        EMBED,
        name="embed_move_confirm",
    ),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
]
