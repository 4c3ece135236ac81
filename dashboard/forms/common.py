"""Small pieces the dashboard's forms share."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from booking.bounds import DATE_RANGE_MESSAGE, FIRST_DATE, LAST_DATE
from booking.models import timezone_names


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(timezone_names())]


def bounded_int(
    label: str, low: int, high: int, unit: str, *, help_text: str = ""
) -> forms.IntegerField:
    """An integer field whose every refusal says the allowed range."""
    message = f"Enter a whole number of {unit} from {low} to {high}."
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=help_text,
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class BoundedDateField(forms.DateField):
    """A date from 1900-01-01 to 9998-12-31 (``booking.bounds``), else a message."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", DateInput)
        super().__init__(**kwargs)
        self.validators += [
            MinValueValidator(FIRST_DATE, message=DATE_RANGE_MESSAGE),
            MaxValueValidator(LAST_DATE, message=DATE_RANGE_MESSAGE),
        ]
