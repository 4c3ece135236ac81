"""Filters of the requests list, the reasons asked when rejecting or cancelling, an
owner's move and a booking entered by staff."""

from functools import cached_property

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from booking.compiled import CompiledQuery
from booking.forms import ClientDetailsForm
from booking.models import BookingRequest, Business, Service
from booking.selectors import RequestFilters
from dashboard.forms.common import BoundedDateField, Select, TextInput

STATUS_CHOICES = [("", "Any status"), *BookingRequest.Status.choices]
STATUS_CHOICES[1] = ("pending", "Pending")


def _services_query(*, business_id: int):
    return (
        Service.objects.filter(business_id=business_id)
        .order_by("name", "pk")
        .values_list("pk", "name", "is_active")
    )


# Compiled once per process (booking.compiled): on every page of the requests table.
_SERVICES = CompiledQuery(_services_query)


class RequestFilterForm(forms.Form):
    """GET filters. A bad value shows an error and that filter is left out."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=TextInput(
            attrs={"type": "search", "placeholder": "Name, email, phone or reference"}
        ),
    )
    status = forms.ChoiceField(
        label="Status",
        choices=STATUS_CHOICES,
        required=False,
        widget=Select,
        error_messages={"invalid_choice": "Pick a status from the list."},
    )
    service = forms.TypedChoiceField(
        label="Service",
        coerce=int,
        required=False,
        empty_value=None,
        widget=Select,
        error_messages={"invalid_choice": "Pick a service from the list."},
    )
    date_from = BoundedDateField(
        label="Sessions from",
        required=False,
        error_messages={"invalid": "Enter a date like 2026-03-30."},
    )
    date_to = BoundedDateField(
        label="until",
        required=False,
        error_messages={"invalid": "Enter a date like 2026-03-30."},
    )

    def __init__(self, *args, business: Business, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.business = business
        # A callable: the services are read when the choices are first needed (the
        # form shown, or a service asked for), not for an HTMX page of the table.
        self.fields["service"].choices = self._service_choices
        for name, field in self.fields.items():
            kind = "form-select" if name in {"status", "service"} else "form-control"
            field.widget.attrs["class"] = f"{kind} {kind}-sm"

    def fields_html(self) -> SafeString:
        """Each field in its grid cell: its label, its widget, its errors (the
        widget's ``aria-describedby`` names them). Written here rather than by a
        template loop, which cost some 150 function calls a field."""
        cells = []
        for field in self:
            size = "col-12 col-xl-4" if field.name == "q" else "col-6 col-md-3 col-xl-2"
            errors = ""
            if field.errors:
                text = " ".join(conditional_escape(e) for e in field.errors)
                errors = (
                    f'<div id="{conditional_escape(field.auto_id)}_error" '
                    f'class="invalid-feedback d-block">{text}</div>'
                )
            cells.append(
                f'<div class="{size}">\n'
                f'<label class="form-label small mb-1" '
                f'for="{conditional_escape(field.id_for_label)}">'
                f"{conditional_escape(field.label)}</label>\n{field}\n{errors}\n</div>"
            )
        return SafeString("\n".join(cells))

    def _service_choices(self) -> list[tuple]:
        return self._services

    @cached_property
    def _services(self) -> list[tuple]:
        """The business's services, by name; read once (Django calls the choices
        again each time it goes through them)."""
        rows = _SERVICES.rows(business_id=self.business.pk)
        return [("", "Any service")] + [
            (pk, name if active else f"{name} (inactive)") for pk, name, active in rows
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must not be before the start.")
        return cleaned

    @property
    def has_filters(self) -> bool:
        """Whether any filter is in force (the form must have been validated)."""
        return self.filters() != RequestFilters()

    def filters(self) -> RequestFilters:
        """The valid part of the filters (the form must have been validated)."""
        data = {} if not hasattr(self, "cleaned_data") else self.cleaned_data
        return RequestFilters(
            status=data.get("status") or "",
            service_id=data.get("service"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=data.get("q") or "",
        )


# Reasons an owner gives most, one click away (the reason itself stays required).
READY_REASONS = [
    "This time is no longer available. Please book another time.",
    "The session is full.",
    "We are closed that day.",
    "This service is not right for you; please call us to talk it over.",
]


class RejectForm(forms.Form):
    """A reason, picked from ``READY_REASONS`` or written (or both)."""

    ready = forms.ChoiceField(
        label="Ready reasons",
        choices=[(str(n), text) for n, text in enumerate(READY_REASONS)],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Pick one of the ready reasons."},
    )
    reason = forms.CharField(
        label="Reason for the client",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep the reason under 2,000 characters."},
    )

    def __init__(self, *args, booking: BookingRequest | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Whom it reaches: with no email, only their booking page shows it (the
        # page says "no email: call …" above the form).
        reaches = (
            "The client reads this in their email."
            if booking is None or booking.client_email
            else f"{booking.client_name} sees it only on their booking page."
        )
        self.fields[
            "reason"
        ].help_text = f"Pick a ready reason, write your own, or add to it. {reaches}"

    def clean(self) -> dict:
        cleaned = super().clean()
        ready = cleaned.get("ready")
        picked = READY_REASONS[int(ready)] if ready else ""
        written = (cleaned.get("reason") or "").strip()
        if "reason" in self.errors or "ready" in self.errors:
            return cleaned
        if not picked and not written:
            self.add_error("reason", "Please give a reason; the client will read it.")
            return cleaned
        cleaned["reason"] = " ".join(part for part in (picked, written) if part)
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Message to the client (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep the message under 2,000 characters."},
    )

    def __init__(self, *args, booking: BookingRequest | None = None, **kwargs):
        super().__init__(*args, **kwargs)  # ``booking``: as RejectForm takes it


class MoveForm(forms.Form):
    """An owner's move: the message the client reads with the new time."""

    message = forms.CharField(
        label="Message to the client (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent with the new time, for example why the booking moved.",
        error_messages={"max_length": "Keep the message under 2,000 characters."},
    )


class StaffEntryForm(ClientDetailsForm):
    """A client who phoned or walked in, as staff type them in: the client-details
    rule of the booking pages and the API, in the business's words."""

    channel = forms.ChoiceField(
        label="How did they book?",
        choices=[
            ("phone", "By phone"),
            ("walk_in", "Walk-in"),
            ("other", "Another way (in person, email …)"),
        ],
        initial="phone",
        widget=forms.RadioSelect,
        help_text="Kept in the booking's history.",
    )

    field_order = ["client_name", "client_email", "client_phone", "notes", "channel"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_name"].label = "Client's name"
        self.fields["client_name"].error_messages["required"] = (
            "Enter the client's name."
        )
        self.fields[
            "client_email"
        ].help_text = (
            "With an email, the client gets the confirmation and calendar invite."
        )
        self.fields["client_phone"].help_text = "Email or phone: give at least one."
        self.fields["notes"].label = "Notes"
        self.fields["client_email"].widget.attrs.update(autocomplete="off")
        self.fields["client_phone"].widget.input_type = "tel"
