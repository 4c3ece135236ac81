from django.contrib import admin
from django.urls import include, path

from booking.api import urls as api_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("api/", api_urls),
    path("", include("booking.urls")),
]
