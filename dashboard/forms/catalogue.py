"""Services, sessions and recurring series."""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError

from booking.models import Business, Service
from booking.scheduling import (
    WEEKDAY_NAMES,
    SchedulingError,
    SeriesPlan,
    default_deadline_hours,
    series_plan,
)
from dashboard.forms.common import BoundedDateField, TimeInput, bounded_int


class ServiceForm(forms.ModelForm):
    duration_minutes = bounded_int("Duration (minutes)", 5, 1440, "minutes")
    capacity = bounded_int(
        "Capacity",
        1,
        1000,
        "places",
        help_text="Clients per session: 1 for private lessons, more for groups.",
    )
    price = forms.DecimalField(
        label="Price",
        min_value=0,
        max_digits=10,
        decimal_places=2,
        error_messages={
            "required": "Enter a price (0 for free).",
            "invalid": "Enter a price like 25 or 25.50.",
            "min_value": "The price cannot be negative.",
            "max_digits": "That price is too large.",
            "max_decimal_places": "Use at most two decimal places.",
            "max_whole_digits": "That price is too large.",
        },
    )

    class Meta:
        model = Service
        fields = [
            "name",
            "description",
            "duration_minutes",
            "capacity",
            "price",
            "is_active",
        ]
        labels = {"is_active": "Offered on the booking link"}
        error_messages = {"name": {"required": "Give the service a name."}}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, business: Business, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.business = business
        self.fields["price"].label = f"Price ({business.currency})"

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = (
            Service.objects.filter(business=self.business, name__iexact=name)
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if clash:
            raise ValidationError(
                "You already have a service with this name.", code="duplicate"
            )
        return name

    def save(self, commit: bool = True) -> Service:
        self.instance.business = self.business
        return super().save(commit)


def _service_field(business: Business) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Service",
        queryset=Service.objects.filter(business=business, is_active=True),
        empty_label="Choose a service",
        error_messages={
            "required": "Choose a service.",
            "invalid_choice": "Choose one of your active services.",
        },
    )


def _deadline_field() -> forms.IntegerField:
    return bounded_int("Booking closes (hours before the start)", 0, 720, "hours")


def deadline_help(business: Business) -> str:
    """The rule, as the session forms explain it (``availability.closing_lead``)."""
    notice = business.booking_settings.min_advance_booking_hours
    return (
        f"Online booking closes this many hours before the start (0–720), or "
        f"earlier if your minimum notice ({notice} h, in Settings) is longer: the "
        "longer of the two applies."
    )


def _capacity_field() -> forms.IntegerField:
    field = bounded_int(
        "Capacity",
        1,
        1000,
        "places",
        help_text="Leave empty to use the service's capacity.",
    )
    field.required = False
    return field


class _ScheduleForm(forms.Form):
    """The fields a single session and a weekly series share: the service, the start
    time, capacity, when booking closes, online booking on or off.
    """

    start_time = forms.TimeField(
        label="Start time",
        widget=TimeInput,
        error_messages={
            "required": "Pick a start time.",
            "invalid": "Enter a time like 18:00.",
        },
    )
    capacity = _capacity_field()
    booking_deadline_hours = _deadline_field()
    is_bookable = forms.BooleanField(
        label="Open for online booking", required=False, initial=True
    )

    def __init__(
        self, *args, business: Business, today: date, with_service: bool = True, **kw
    ) -> None:
        super().__init__(*args, **kw)
        self.business = business
        self.today = today
        deadline = self.fields["booking_deadline_hours"]
        deadline.initial = default_deadline_hours(business)
        deadline.help_text = deadline_help(business)
        if with_service:
            self.fields["service"] = _service_field(business)
        self.order_fields(self.field_order)


class SessionForm(_ScheduleForm):
    """One session; on edit the service is fixed and capacity is required."""

    field_order = ["service", "day", "start_time"]
    day = BoundedDateField(
        label="Date",
        error_messages={
            "required": "Pick a date.",
            "invalid": "Enter a date like 2026-03-30.",
        },
    )

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, with_service=not editing, **kwargs)
        if editing:
            self.fields["capacity"].required = True
            self.fields["capacity"].help_text = ""

    def clean_day(self) -> date:
        day = self.cleaned_data["day"]
        if day < self.today:
            raise ValidationError("Pick today or a later date.", code="past")
        return day


class SeriesForm(_ScheduleForm):
    """A weekly series; ``clean`` computes ``self.plan`` (what it would create)."""

    field_order = ["service", "weekdays", "start_time", "first_date", "last_date"]
    weekdays = forms.TypedMultipleChoiceField(
        label="Days of the week",
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Pick at least one day of the week.",
            "invalid_choice": "Pick days from Monday to Sunday.",
        },
    )
    first_date = BoundedDateField(
        label="From",
        error_messages={
            "required": "Pick the first date.",
            "invalid": "Enter a date like 2026-03-30.",
        },
    )
    last_date = BoundedDateField(
        label="Until",
        error_messages={
            "required": "Pick the last date.",
            "invalid": "Enter a date like 2026-06-30.",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan: SeriesPlan | None = None

    def clean_first_date(self) -> date:
        first = self.cleaned_data["first_date"]
        if first < self.today:
            raise ValidationError("Start today or later.", code="past")
        return first

    def clean(self) -> dict:
        cleaned = super().clean()
        needed = ["service", "weekdays", "start_time", "first_date", "last_date"]
        if any(cleaned.get(name) in (None, [], "") for name in needed):
            return cleaned
        try:
            self.plan = series_plan(
                business=self.business,
                service=cleaned["service"],
                weekdays=set(cleaned["weekdays"]),
                start_time=cleaned["start_time"],
                first_date=cleaned["first_date"],
                last_date=cleaned["last_date"],
            )
        except SchedulingError as exc:
            self.add_error(exc.field, exc.message)
            return cleaned
        if self.plan.count == 0:
            self.add_error(
                None,
                "This series would create no new sessions: none of the chosen days "
                "fall in the range, or they are all scheduled already.",
            )
        return cleaned


def local_today(business: Business, now: datetime) -> date:
    return now.astimezone(business.tz).date()
