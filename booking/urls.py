"""Public URLs. The names are a contract: links.py, emails and the API use them."""

from django.urls import path

from booking import views
from booking.feeds import calendar_feed

app_name = "booking"

urlpatterns = [
    path("book/<slug:slug>/", views.start, name="start"),
    path("embed/<slug:slug>/", views.embed, name="embed"),
    path("bookings/<str:token>/", views.manage, name="manage"),
    path("bookings/<str:token>/calendar.ics", views.ics, name="ics"),
    path("bookings/<str:token>/cancel/", views.cancel, name="cancel"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
]
