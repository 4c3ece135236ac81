"""Which websites may frame a business's booking widget: one rule for every entry point.

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


def clean_origins(lines: list[str]) -> list[str]:
    """The normalised origins of ``lines`` (blank ones dropped).

    Raises ValidationError naming every line that is not an origin.
    """
    origins = [normalize_origin(line) for line in lines if line.strip()]
    bad = [origin for origin in origins if not is_origin(origin)]
    if bad:
        raise ValidationError(
            "Enter one website origin per line, like https://www.example.com "
            "(no path). Not an origin: %(bad)s.",
            code="invalid_origin",
            params={"bad": ", ".join(bad)},
        )
    return origins
