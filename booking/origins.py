"""Which websites may frame a business's booking widget: one rule for every entry point.

``validate_embed_origins`` validates ``BookingSettings.allowed_embed_origins``, so the
settings form and the API (both through ``booking_settings_update``) refuse what the
``Content-Security-Policy`` header would not accept.

An origin is a scheme, a host (``*.`` allows its subdomains) and an optional port,
nothing else; anything more could smuggle directives into the page's
``Content-Security-Policy: frame-ancestors`` header.
"""

import re

from django.core.exceptions import ValidationError

_ORIGIN = re.compile(
    r"^https?://(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$", re.IGNORECASE
)


def normalize_origin(value: str) -> str:
    """Trimmed, without the trailing slash people paste: " https://a.example/ "."""
    return value.strip().rstrip("/")


def is_origin(value: str) -> bool:
    return bool(_ORIGIN.match(normalize_origin(value)))


def tidy_origins(text: str) -> str:
    """One normalised origin per line, blank lines dropped (nothing is checked)."""
    return "\n".join(
        normalize_origin(line) for line in text.splitlines() if line.strip()
    )


def validate_embed_origins(text: str) -> None:
    """The validator of ``BookingSettings.allowed_embed_origins``: one origin a line.

    Raises ValidationError naming every line that is not an origin.
    """
    bad = [
        normalize_origin(line)
        for line in text.splitlines()
        if line.strip() and not is_origin(line)
    ]
    if bad:
        raise ValidationError(
            "Enter each website as an origin, like https://www.example.com "
            "(no path). Not an origin: %(bad)s.",
            code="invalid_origin",
            params={"bad": ", ".join(bad)},
        )
