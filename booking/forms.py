"""Validation of what a client types, shared by the booking pages and the JSON API."""

import re

from django import forms
from django.core.exceptions import ValidationError

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
