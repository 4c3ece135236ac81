"""Business slugs: generated from the name, validated when edited by hand."""

import re

from django.core.exceptions import ValidationError
from slugify import slugify

SLUG_MAX_LENGTH = 100

# Paths the site itself uses at the top level, or that would confuse a client.
RESERVED_SLUGS = frozenset(
    {
        "about",
        "accounts",
        "admin",
        "api",
        "app",
        "assets",
        "book",
        "booking",
        "bookings",
        "dashboard",
        "docs",
        "embed",
        "favicon.ico",
        "health",
        "help",
        "login",
        "logout",
        "media",
        "new",
        "robots.txt",
        "settings",
        "signup",
        "static",
        "support",
        "www",
    }
)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def validate_business_slug(value: str) -> None:
    """Refuse a hand-typed slug that is malformed or reserved."""
    if not value:
        raise ValidationError("Enter a slug for your booking link.", code="required")
    if len(value) > SLUG_MAX_LENGTH:
        raise ValidationError(
            f"Use at most {SLUG_MAX_LENGTH} characters.", code="max_length"
        )
    if not SLUG_RE.match(value):
        raise ValidationError(
            "Use lower-case letters, digits and single hyphens only "
            "(for example swim-school-pro).",
            code="invalid",
        )
    if value in RESERVED_SLUGS:
        raise ValidationError(
            f"“{value}” is reserved by the site; please choose another.",
            code="reserved",
        )


def base_slug(name: str) -> str:
    """Transliterated, lower-case slug of a name ("Café Über" → "cafe-uber")."""
    slug = (
        slugify(name, max_length=SLUG_MAX_LENGTH - 4, word_boundary=True) or "business"
    )
    if slug in RESERVED_SLUGS:
        slug = f"{slug}-business"
    return slug


def pick_free_slug(base: str, taken: set[str]) -> str:
    """First of base, base-2, base-3 … that is not in ``taken``."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
