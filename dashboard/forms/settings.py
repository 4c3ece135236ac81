"""Business profile, booking settings and notification preferences."""

from django import forms
from django.core.exceptions import ValidationError

from booking.forms import normalize_phone
from booking.models import BookingSettings, Business, BusinessSlugRedirect, Membership
from booking.money import currency_choices
from booking.slugs import SLUG_MAX_LENGTH, validate_business_slug
from dashboard.forms.common import bounded_int, timezone_choices


class BusinessProfileForm(forms.ModelForm):
    slug = forms.CharField(
        label="Booking link address",
        validators=[validate_business_slug],
        widget=forms.TextInput(attrs={"maxlength": SLUG_MAX_LENGTH}),
        help_text="Lower-case letters, digits and hyphens, as in /book/swim-school/. "
        "If you change it, your old link keeps redirecting to the new one.",
        error_messages={"required": "Enter an address for your booking link."},
    )
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=timezone_choices,
        help_text="Session times are set and shown in this zone.",
    )
    currency = forms.ChoiceField(
        label="Currency",
        choices=currency_choices,
        help_text="Your prices are in this currency, on your booking page too.",
        error_messages={"invalid_choice": "Pick a currency from the list."},
    )

    class Meta:
        model = Business
        fields = ["name", "slug", "description", "address", "phone", "email"]
        help_texts = {
            "phone": "Shown on your booking page.",
            "email": "Shown on your booking page, and where clients reply to your "
            "emails. It starts as the email you signed up with.",
        }
        error_messages = {
            "name": {"required": "Enter your business's name."},
            "email": {"invalid": "Enter an email address like name@example.com."},
            "phone": {"max_length": "A phone number has at most 20 characters."},
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    field_order = ["name", "slug", "description", "address", "phone", "email"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].initial = self.instance.timezone
        self.fields["currency"].initial = self.instance.currency

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip()
        others = Business.objects.exclude(pk=self.instance.pk)
        if others.filter(slug=slug).exists():
            raise ValidationError(
                "Another business already uses this link; please choose another.",
                code="taken",
            )
        if (
            BusinessSlugRedirect.objects.filter(old_slug=slug)
            .exclude(business=self.instance)
            .exists()
        ):
            raise ValidationError(
                "Another business used this link before and it still points to "
                "them; please choose another.",
                code="taken",
            )
        return slug

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone:
            normalize_phone(phone)  # refuses text that is not a phone number
        return phone

    def save(self, commit: bool = True) -> Business:
        self.instance.timezone = self.cleaned_data["timezone"]
        self.instance.currency = self.cleaned_data["currency"]
        return super().save(commit)


class BookingSettingsForm(forms.ModelForm):
    """The booking settings' fields; ``booking_settings_update`` saves them."""

    buffer_time_minutes = bounded_int(
        "Buffer between sessions (minutes)",
        0,
        240,
        "minutes",
        help_text="Minutes kept free around a booked session (0–240).",
    )
    booking_expiry_hours = bounded_int(
        "Hold a pending request for (hours)",
        1,
        168,
        "hours",
        help_text="Hours a request waits for your answer before it expires (1–168).",
    )
    max_advance_booking_days = bounded_int(
        "Book at most this far ahead (days)",
        1,
        365,
        "days",
        help_text="Days ahead clients can book (1–365).",
    )
    min_advance_booking_hours = bounded_int(
        "Minimum notice (hours)",
        0,
        720,
        "hours",
        help_text="Online booking of every session closes this many hours before "
        "it starts, or earlier where the session's own deadline is longer (0–720).",
    )
    reschedule_notice_hours = bounded_int(
        "Changes of time online until",
        0,
        720,
        "hours",
        help_text="Hours before the session; later, clients have to contact you "
        "(0 = until it starts; up to 720).",
    )
    reminder_hours_before = bounded_int(
        "Remind clients before a session (hours)",
        0,
        168,
        "hours",
        help_text="Hours before a session to email the client a reminder "
        "(0 = no reminder; up to 168).",
    )

    class Meta:
        model = BookingSettings
        fields = [
            "is_active",
            "requires_approval",
            "auto_approve_returning_clients",
            "buffer_time_minutes",
            "booking_expiry_hours",
            "max_advance_booking_days",
            "min_advance_booking_hours",
            "reminder_hours_before",
            "allow_client_reschedule",
            "reschedule_notice_hours",
        ]
        labels = {
            "is_active": "Booking link is on",
            "requires_approval": "I approve each booking request",
            "auto_approve_returning_clients": "Approve returning clients instantly",
            "allow_client_reschedule": "Clients may change the time of their booking",
        }
        help_texts = {
            "is_active": "When off, your link shows your contact details instead.",
            "requires_approval": "Otherwise clients are booked instantly.",
            "auto_approve_returning_clients": "Clients with an earlier approved "
            "booking (same email or phone) skip the approval step.",
            "allow_client_reschedule": "From their private link, to another time of "
            "the same service. If you approve each booking, you approve each move.",
        }


class EmbedOriginsForm(forms.ModelForm):
    """Which websites may show the booking widget (the booking link page)."""

    class Meta:
        model = BookingSettings
        fields = ["allowed_embed_origins"]
        labels = {"allowed_embed_origins": "Websites that may show the widget"}
        help_texts = {
            "allowed_embed_origins": "One address a line, like "
            "https://www.swimschool.example. Leave it empty to let any website "
            "show your widget."
        }
        widgets = {
            "allowed_embed_origins": forms.Textarea(
                attrs={"rows": 3, "placeholder": "https://www.example.com"}
            )
        }


class NotificationPreferencesForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = [
            "email_on_new_request",
            "email_on_instant_booking",
            "email_on_cancellation",
            "email_on_client_move",
        ]
        labels = {
            "email_on_new_request": "Email me about new requests awaiting approval",
            "email_on_instant_booking": "Email me about new instant bookings",
            "email_on_cancellation": "Email me when a client cancels",
            "email_on_client_move": "Email me when a client moves a booking or asks to",
        }
