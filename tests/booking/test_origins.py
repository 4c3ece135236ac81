"""Embed origins: the one rule the settings form, the API and the CSP header share."""

import pytest
from django.core.exceptions import ValidationError

from booking.origins import (
    _ORIGIN,
    is_origin,
    normalize_origin,
    tidy_origins,
    validate_embed_origins,
)


@pytest.mark.parametrize(
    "value",
    [
        "https://www.swimschool.com",
        "http://localhost:8080",
        "https://*.swimschool.com",
        " https://a.example/ ",
        "HTTPS://Shop.Example.COM",
        "https://a.example:1",
        "https://a.example:65535",
        "https://xn--bcher-kva.example",
    ],
)
def test_origins(value):
    assert is_origin(value)


@pytest.mark.parametrize(
    "value",
    [
        "example.com",
        "ftp://files.example",
        "https://a.example/path",
        "https://a.example?x=1",
        "https://user@a.example",
        "https://a.example; script-src *",
        "https://a.example https://b.example",
        "https://*",
        "javascript:alert(1)",
        # Non-ASCII that a Unicode-aware, case-insensitive pattern takes for ASCII:
        # the long s matches "s", the Kelvin sign "k", Arabic-Indic digits "\d".
        "https://\u017fwimschool.com",
        "https://\u212aids.example",
        "https://a.example:\u0668\u0660",
        "https://b\u00fccher.example",  # allowed in, but only in its ASCII form
        "https://a.example:0",
        "https://a.example:65536",
        "https://a.example:99999",
    ],
)
def test_not_origins(value):
    assert not is_origin(value)


def test_a_trailing_newline_is_not_part_of_an_origin():
    # "$" matches before a final newline; the pattern must end at the very end.
    assert _ORIGIN.match("https://a.example\n") is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (" HTTPS://Shop.Example.COM/ ", "https://shop.example.com"),
        ("https://B\u00fccher.example", "https://xn--bcher-kva.example"),
        (
            "https://*.M\u00fcnchen.example:8443",
            "https://*.xn--mnchen-3ya.example:8443",
        ),
        # As browsers map them (UTS 46): the look-alikes become the plain name.
        ("https://\u017fwimschool.com", "https://swimschool.com"),
        ("https://www.example.com:443", "https://www.example.com"),
        ("http://www.example.com:80", "http://www.example.com"),
        ("http://www.example.com:8080", "http://www.example.com:8080"),
        ("https://a.example:0443", "https://a.example"),
        # Not origins: only trimmed, for the validator to name.
        ("https://a.example:\u0668\u0660", "https://a.example:\u0668\u0660"),
        ("https://a.example/path ", "https://a.example/path"),
        ("https://a.example:70000", "https://a.example:70000"),
        # International names with no ASCII form (an empty label, a label too long).
        ("https://b\u00fccher..example", "https://b\u00fccher..example"),
        (
            "https://\u00fc" + "x" * 70 + ".example",
            "https://\u00fc" + "x" * 70 + ".example",
        ),
    ],
)
def test_origins_are_stored_normalised(typed, stored):
    assert normalize_origin(typed) == stored


def test_origins_are_tidied_and_every_bad_line_named():
    assert tidy_origins(" https://a.example/ \n\nhttp://B\u00fccher.example:8080") == (
        "https://a.example\nhttp://xn--bcher-kva.example:8080"
    )
    validate_embed_origins("https://ok.example\n\n https://a.example/ ")
    validate_embed_origins("https://b\u00fccher.example")  # stored as xn--bcher-kva
    with pytest.raises(ValidationError) as error:
        validate_embed_origins(
            "https://ok.example\nftp://x.y\nexample.com\nhttps://a.example:\u0661"
            "\nhttps://a.example:65536"
        )
    assert (
        "Not an origin: ftp://x.y, example.com, https://a.example:\u0661, "
        "https://a.example:65536." in error.value.messages[0]
    )
