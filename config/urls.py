from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from booking.api import urls as api_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("api/", api_urls),
    path("", include("booking.urls")),
    # The spec's alternative link, /<slug>/book/ → /book/<slug>/. Last, so it never
    # shadows a real top-level path.
    path(
        "<slug:slug>/book/",
        RedirectView.as_view(
            pattern_name="booking:start", permanent=True, query_string=True
        ),
        name="book_alias",
    ),
]
