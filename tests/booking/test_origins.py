"""Embed origins: the one rule the settings form, the API and the CSP header share."""

import pytest
from django.core.exceptions import ValidationError

from booking.origins import is_origin, tidy_origins, validate_embed_origins


@pytest.mark.parametrize(
    "value",
    [
        "https://www.swimschool.com",
        "http://localhost:8080",
        "https://*.swimschool.com",
        " https://a.example/ ",
        "HTTPS://Shop.Example.COM",
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
    ],
)
def test_not_origins(value):
    assert not is_origin(value)


def test_origins_are_tidied_and_every_bad_line_named():
    assert tidy_origins(" https://a.example/ \n\nhttp://b.example:8080") == (
        "https://a.example\nhttp://b.example:8080"
    )
    validate_embed_origins("https://ok.example\n\n https://a.example/ ")
    with pytest.raises(ValidationError) as error:
        validate_embed_origins("https://ok.example\nftp://x.y\nexample.com")
    assert "Not an origin: ftp://x.y, example.com." in error.value.messages[0]
