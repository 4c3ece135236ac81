from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.decorators import method_decorator
from django_ratelimit.decorators import ratelimit

from dashboard.forms.accounts import AccountPasswordResetForm, EmailAuthenticationForm
from dashboard.views import accounts

password_reset = method_decorator(
    ratelimit(key="ip", rate="10/h", method="POST", block=True), name="post"
)(auth_views.PasswordResetView)

urlpatterns = [
    path("", accounts.landing, name="landing"),
    path("admin/", admin.site.urls),
    # Sign-up, invitations and our forms for Django's account views, then the rest
    # of django.contrib.auth.urls (logout, password change, reset confirm …).
    path("accounts/signup/", accounts.signup, name="signup"),
    path(
        "accounts/invitation/<str:token>/",
        accounts.invitation,
        name="invitation_accept",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm,
            redirect_authenticated_user=True,
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
    path("", include("booking.urls")),
]
