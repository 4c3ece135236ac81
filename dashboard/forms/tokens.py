"""Naming a new personal API token."""

import secrets

from django import forms

from booking.tokens import NAME_MAX_LENGTH

# The last few forms a user sent, so a resubmitted create form (reload, back button)
# says so instead of quietly minting a second token.
USED_KEY = "dashboard_api_token_forms"
REMEMBER = 20


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=NAME_MAX_LENGTH,
        help_text="What will use it, e.g. “Website” or “Zapier”. "
        f"At most {NAME_MAX_LENGTH} characters.",
        error_messages={
            "required": "Give the token a name, such as the app that will use it.",
            "max_length": f"A token name has at most {NAME_MAX_LENGTH} characters.",
        },
    )
    nonce = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, session=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        if not self.is_bound:
            self.initial["nonce"] = secrets.token_urlsafe(16)

    def clean(self) -> dict:
        cleaned = super().clean()
        nonce = cleaned.get("nonce")
        if (
            nonce
            and self.session is not None
            and nonce in self.session.get(USED_KEY, [])
        ):
            raise forms.ValidationError(
                "This form was already sent and its token was shown then. If you "
                "did not copy it, revoke that token and create a new one.",
                code="resent",
            )
        return cleaned

    def remember_sent(self) -> None:
        """Mark this form used (call once its token exists)."""
        nonce = self.cleaned_data.get("nonce")
        if nonce and self.session is not None:
            used = [*self.session.get(USED_KEY, []), nonce][-REMEMBER:]
            self.session[USED_KEY] = used
