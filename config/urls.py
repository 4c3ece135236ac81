from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.decorators import method_decorator
from django.views.generic import RedirectView
from django_ratelimit.decorators import ratelimit

from booking.api import urls as api_urls
from dashboard.forms.accounts import (
    AccountPasswordResetForm,
    AdminLoginForm,
    EmailAuthenticationForm,
)
from dashboard.logins import limit_logins
from dashboard.views import accounts

password_reset = method_decorator(
    ratelimit(key="ip", rate="10/h", method="POST", block=True), name="post"
)(auth_views.PasswordResetView)

# Both logins count failures per account and per IP (dashboard/logins.py).
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", accounts.landing, name="landing"),
    path("admin/login/", limit_logins(admin.site.login)),
    path("admin/", admin.site.urls),
    # Sign-up, invitations and our forms for Django's account views, then the rest
    # of django.contrib.auth.urls (logout, password change, reset confirm …).
    path("accounts/signup/", accounts.signup, name="signup"),
    path(
        "accounts/confirm-email/send/",
        accounts.confirm_email_send,
        name="email_confirm_send",
    ),
    path(
        "accounts/confirm-email/done/",
        accounts.confirm_email_done,
        name="email_confirm_done",
    ),
    path(
        "accounts/confirm-email/<str:uidb64>/<str:token>/",
        accounts.confirm_email,
        name="email_confirm",
    ),
    path(
        "accounts/invitation/<str:token>/",
        accounts.invitation,
        name="invitation_accept",
    ),
    path(
        "accounts/login/",
        limit_logins(
            auth_views.LoginView.as_view(
                authentication_form=EmailAuthenticationForm,
                redirect_authenticated_user=True,
            )
        ),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        password_reset.as_view(form_class=AccountPasswordResetForm),
        name="password_reset",
    ),
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
