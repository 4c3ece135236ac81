"""Sign-up, log-in, password reset, invitations and members."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.urls import reverse

from booking import emails, outbox
from booking.accounts import link_lifetime
from booking.links import absolute
from booking.models import Membership
from dashboard.forms.common import timezone_choices
from dashboard.invitations import user_with_email
from dashboard.logins import LoginLimitMixin

EMAIL_ERRORS = {
    "required": "Enter your email address.",
    "invalid": "Enter an email address like name@example.com.",
}


def _check_password(form: forms.Form, field: str, user) -> None:
    password = form.cleaned_data.get(field)
    if password:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            form.add_error(field, exc)


class EmailAuthenticationForm(LoginLimitMixin, AuthenticationForm):
    """Log in with the email address (it is the username, lower-cased); failures are
    limited (dashboard/logins.py)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account. Check "
        "both (the password is case-sensitive) and try again.",
    }

    username = forms.EmailField(
        label="Email",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class AdminLoginForm(LoginLimitMixin, AdminAuthenticationForm):
    """The admin's login, with the same limits on failures as the dashboard's."""


class PasswordField(forms.CharField):
    def __init__(self, label: str = "Password", **kwargs) -> None:
        super().__init__(
            label=label,
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text="At least 8 characters, not all digits, not a common password "
            "and not like your name or email.",
            error_messages={"required": "Choose a password."},
            **kwargs,
        )


class SignUpForm(forms.Form):
    business_name = forms.CharField(
        label="Business name",
        max_length=255,
        error_messages={"required": "Enter your business's name."},
        help_text="Your booking link is made from it; you can change it later.",
    )
    first_name = forms.CharField(
        label="Your name",
        max_length=150,
        error_messages={"required": "Enter your name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Email",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = PasswordField()
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=timezone_choices,
        initial="Europe/London",
        help_text="Session times are set and shown in this zone.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:  # the browser's zone is a better first guess
            self.fields["timezone"].widget.attrs["data-guess-timezone"] = ""

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if user_with_email(email):
            raise ValidationError(
                "An account with this email already exists. Log in instead, or reset "
                "your password.",
                code="taken",
            )
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        user = get_user_model()(
            username=cleaned.get("email", ""),
            email=cleaned.get("email", ""),
            first_name=cleaned.get("first_name", ""),
        )
        _check_password(self, "password", user)
        return cleaned


class BusinessCreateForm(forms.Form):
    name = forms.CharField(
        label="Business name",
        max_length=255,
        error_messages={"required": "Enter the business's name."},
    )
    timezone = forms.ChoiceField(
        label="Time zone", choices=timezone_choices, initial="Europe/London"
    )


class AccountPasswordResetForm(PasswordResetForm):
    """Django's reset, with the link on BOOKING_BASE_URL, sent through the outbox."""

    email = forms.EmailField(
        label="Email",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        """Queue the reset email (``templates/emails/password_reset-*``).

        Django's own templates and sender are not used: every email is built by
        ``booking.emails`` and sent by the worker, with retries.
        """
        path = reverse(
            "password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        outbox.queue_email(
            kind=emails.PASSWORD_RESET,
            to_email=to_email,
            context={
                "user": context["user"],
                "email": context["email"],
                "url": absolute(path),
                "valid_for": link_lifetime(),
                "details": [("Account", context["email"])],
            },
        )


class InvitationSignUpForm(forms.Form):
    first_name = forms.CharField(
        label="Your name",
        max_length=150,
        error_messages={"required": "Enter your name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = PasswordField()

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict:
        cleaned = super().clean()
        user = get_user_model()(
            username=self.email,
            email=self.email,
            first_name=cleaned.get("first_name", ""),
        )
        _check_password(self, "password", user)
        return cleaned


ROLE_HELP = (
    "Owners can do everything. Staff run sessions and booking requests, "
    "but not settings, services or members."
)


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        error_messages={
            "required": "Enter the email address to invite.",
            "invalid": EMAIL_ERRORS["invalid"],
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Membership.Role.choices,
        initial=Membership.Role.STAFF,
        help_text=ROLE_HELP,
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)
