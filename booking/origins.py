"""Which websites may frame a business's booking widget: one rule for every entry point.

``validate_embed_origins`` validates ``BookingSettings.allowed_embed_origins``, so the
settings form and the API (both through ``booking_settings_update``) refuse what the
``Content-Security-Policy`` header would not accept.

An origin is a scheme, a host (``*.`` allows its subdomains) and an optional port,
nothing else; anything more could smuggle directives into the page's
``Content-Security-Policy: frame-ancestors`` header. Origins are stored normalised:
lower case, international host names in their ASCII (IDNA) form, no default port.
A header value must be plain ASCII: Django MIME-encodes any other, and browsers then
ignore the whole policy, so the pattern is ASCII-only (no ``ſ`` passing for ``s``,
no Arabic-Indic digits in a port) and anchored at the very end (``\\Z``: ``$`` would
let a trailing newline through).
"""

import re

import idna
from django.core.exceptions import ValidationError

_ORIGIN = re.compile(
    r"(?P<scheme>https?)://(?P<host>(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*)"
    r"(:(?P<port>\d{1,5}))?\Z",
    re.ASCII | re.IGNORECASE,
)
# Just enough to take a pasted value apart before its host is put in ASCII form.
_PARTS = re.compile(
    r"(?P<scheme>[^:/]+)://(?P<wild>\*\.)?(?P<host>[^:/]+)(?P<rest>.*)\Z"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _ascii_host(host: str) -> str | None:
    """``host`` in its ASCII form (IDNA, as browsers map it), or None if it has none."""
    if host.isascii():
        return host.lower()
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return None


def normalize_origin(value: str) -> str:
    """The origin as stored: " HTTPS://Bücher.Example:443/ " → "https://xn--bcher-kva.example".

    A value that is not an origin comes back only trimmed (the validator names it).
    """
    value = value.strip().rstrip("/")
    parts = _PARTS.match(value)
    host = _ascii_host(parts["host"]) if parts else None
    if host is None:
        return value
    candidate = (
        f"{parts['scheme'].lower()}://{parts['wild'] or ''}{host}{parts['rest']}"
    )
    match = _ORIGIN.match(candidate)
    if match is None or not _port_ok(match["port"]):
        return value
    scheme, port = match["scheme"].lower(), match["port"]
    if port and int(port) == _DEFAULT_PORTS[scheme]:
        port = None
    return f"{scheme}://{match['host'].lower()}" + (f":{int(port)}" if port else "")


def _port_ok(port: str | None) -> bool:
    return port is None or 1 <= int(port) <= 65535


def is_origin(value: str) -> bool:
    """True for an ASCII origin that may go in a header as it is (after trimming)."""
    match = _ORIGIN.match(value.strip().rstrip("/"))
    return match is not None and _port_ok(match["port"])


def tidy_origins(text: str) -> str:
    """One normalised origin per line, blank lines dropped (nothing is checked)."""
    return "\n".join(
        normalize_origin(line) for line in text.splitlines() if line.strip()
    )


def validate_embed_origins(text: str) -> None:
    """The validator of ``BookingSettings.allowed_embed_origins``: one origin a line.

    A line passes if its normalised form is an origin (so an international name may
    be typed as people write it). Raises ValidationError naming every other line.
    """
    bad = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not is_origin(normalize_origin(line))
    ]
    if bad:
        raise ValidationError(
            "Enter each website as an origin, like https://www.example.com "
            "(no path). Not an origin: %(bad)s.",
            code="invalid_origin",
            params={"bad": ", ".join(bad)},
        )
