"""What a client types: validated for the booking pages and the JSON API alike.

``ClientDetailsForm`` is the rule (the API validates its body with it);
``DetailsForm`` is the same form dressed for the booking page.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

PHONE_MAX_LENGTH = 20
_PHONE_ALLOWED = re.compile(r"^\+?[0-9 ()./-]+$")


def normalize_phone(value: str) -> str:
    """Keep a leading + and the digits: " +44 (0)20 7946-0000 " → "+442079460000".

    The "(0)" trunk prefix of international numbers is dropped.

    Raises ValidationError for text that is not a phone number.
    """
    value = value.strip()
    if not value:
        return ""
    if not _PHONE_ALLOWED.match(value):
        raise ValidationError(
            "Enter a phone number using digits, spaces and an optional leading +.",
            code="invalid_phone",
        )
    if value.startswith("+"):
        value = value.replace("(0)", "")
    digits = re.sub(r"\D", "", value)
    if len(digits) < 6:
        raise ValidationError(
            "That phone number looks too short.", code="phone_too_short"
        )
    normalised = ("+" if value.startswith("+") else "") + digits
    if len(normalised) > PHONE_MAX_LENGTH:
        raise ValidationError(
            f"A phone number has at most {PHONE_MAX_LENGTH} characters.",
            code="phone_too_long",
        )
    return normalised


class ClientDetailsForm(forms.Form):
    """Name, email or phone, notes. Whitespace is trimmed by the fields."""

    client_name = forms.CharField(
        label="Your name",
        max_length=255,
        error_messages={"required": "Please enter your name."},
    )
    client_email = forms.EmailField(
        label="Email",
        max_length=255,
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )
    client_phone = forms.CharField(label="Phone", max_length=40, required=False)
    notes = forms.CharField(
        label="Notes for the business",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_client_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("client_phone", ""))

    def clean(self) -> dict:
        cleaned = super().clean()
        has_email_error = "client_email" in self.errors
        has_phone_error = "client_phone" in self.errors
        if (
            not cleaned.get("client_email")
            and not cleaned.get("client_phone")
            and not (has_email_error or has_phone_error)
        ):
            message = (
                "Please give an email address or a phone number so we can reach you."
            )
            self.add_error(
                "client_email", ValidationError(message, code="contact_required")
            )
            self.add_error(
                "client_phone", ValidationError(message, code="contact_required")
            )
        return cleaned


CONTACT_FIELDS = ("client_email", "client_phone")

CARRIED_FIELDS = {
    "client_name": 255,
    "client_email": 255,
    "client_phone": 40,
    "notes": 2000,
}


class DetailsForm(ClientDetailsForm):
    """The shared client-details form with the browser hints a booking page wants."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        hints = {
            "client_name": {"autocomplete": "name"},
            "client_email": {"autocomplete": "email", "inputmode": "email"},
            "client_phone": {"autocomplete": "tel", "inputmode": "tel"},
            "notes": {"rows": "4"},
        }
        for name, attrs in hints.items():
            self.fields[name].widget.attrs.update(attrs)
        self.fields["client_phone"].widget.input_type = "tel"
        self.fields["client_email"].help_text = "For your confirmation."
        self.fields["notes"].help_text = "Optional, up to 2,000 characters."

    def clean(self) -> dict:
        """As the shared form, but "give an email or a phone" is one error of the
        pair (the page shows it once, on their fieldset), not one on each field."""
        cleaned = super().clean()
        missing = None
        for name in CONTACT_FIELDS:
            if name not in self._errors:
                continue
            errors = self._errors[name].as_data()
            kept = [e for e in errors if e.code != "contact_required"]
            missing = missing or next(
                (e for e in errors if e.code == "contact_required"), None
            )
            if kept:
                self._errors[name] = self.error_class(kept, renderer=self.renderer)
            else:
                del self._errors[name]
        if missing is not None:
            self.add_error(None, missing)
        return cleaned

    @property
    def contact_error(self) -> str:
        """The "email or phone" message when neither was given, else ""."""
        if not self.is_bound:
            return ""
        for error in self.errors.get("__all__", self.error_class()).as_data():
            if error.code == "contact_required":
                return error.messages[0]
        return ""

    @property
    def first_error(self) -> str:
        """The first field with an error: it gets the focus (``autofocus``)."""
        if not self.is_bound:
            return ""
        contact = bool(self.contact_error)
        return next(
            (
                name
                for name in self.fields
                if name in self.errors or (contact and name == "client_email")
            ),
            "",
        )


def carried_details(data: QueryDict) -> dict[str, str]:
    """What a client typed, carried on (not validated) while they pick another time."""
    return {
        name: data.get(name, "").strip()[:limit]
        for name, limit in CARRIED_FIELDS.items()
        if data.get(name, "").strip()
    }
