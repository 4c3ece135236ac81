"""Client details validation, shared by the booking pages and the JSON API."""

import pytest
from django.core.exceptions import ValidationError

from booking.forms import ClientDetailsForm, normalize_phone


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (" +44 (0)20 7946-0000 ", "+442079460000"),
        ("020 7946 0000", "02079460000"),
        ("+1.234.567.8901", "+12345678901"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised(raw, clean):
    assert normalize_phone(raw) == clean


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("call me", "invalid_phone"),
        ("12345", "phone_too_short"),
        ("+" + "1" * 20, "phone_too_long"),
    ],
)
def test_bad_phone_numbers_say_what_is_wrong(raw, code):
    with pytest.raises(ValidationError) as error:
        normalize_phone(raw)
    assert error.value.code == code


def test_valid_details_are_trimmed():
    form = ClientDetailsForm(
        {
            "client_name": "  Ada Lovelace ",
            "client_email": " ada@example.com ",
            "client_phone": "",
            "notes": "  First lesson  ",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "client_name": "Ada Lovelace",
        "client_email": "ada@example.com",
        "client_phone": "",
        "notes": "First lesson",
    }


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"client_name": "   "}, "client_name", "Please enter your name."),
        ({"client_name": "x" * 256}, "client_name", "at most 255 characters"),
        ({"client_email": "not-an-email"}, "client_email", "like name@example.com"),
        ({"client_phone": "call me"}, "client_phone", "digits"),
        ({"notes": "x" * 2001}, "notes", "at most 2000 characters"),
        (
            {"client_email": "", "client_phone": ""},
            "client_email",
            "email address or a phone number",
        ),
    ],
)
def test_bad_details_name_the_field(data, field, message):
    form = ClientDetailsForm(
        {"client_name": "Ada", "client_email": "ada@example.com", **data}
    )
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_missing_contact_marks_both_fields():
    form = ClientDetailsForm({"client_name": "Ada"})
    assert not form.is_valid()
    assert set(form.errors) == {"client_email", "client_phone"}


def test_phone_alone_is_enough():
    form = ClientDetailsForm({"client_name": "Ada", "client_phone": "+44 7700 900123"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["client_phone"] == "+447700900123"
