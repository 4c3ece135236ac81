"""Prices in a business's currency: the codes we accept and how an amount reads.

Babel's CLDR data decides both, so "£50.00", "€12.50" and "JP¥2,000" come out as
people expect to read them. The pages are in British English (LANGUAGE_CODE).
"""

from decimal import Decimal
from functools import cache
from importlib.resources import files

from babel.core import get_global
from babel.numbers import (
    format_currency,
    get_currency_name,
    get_territory_currencies,
)

LOCALE = "en_GB"


@cache
def currency_codes() -> frozenset[str]:
    """The ISO 4217 codes of the currencies in use in some country today."""
    in_use = set()
    for currencies in get_global("territory_currencies").values():
        in_use.update(
            code for code, _start, end, tender in currencies if tender and not end
        )
    return frozenset(in_use)


@cache
def currency_choices() -> list[tuple[str, str]]:
    """(code, "British Pound (GBP)") for a select, by name."""
    named = [
        (code, f"{get_currency_name(code, locale=LOCALE)} ({code})")
        for code in currency_codes()
    ]
    return sorted(named, key=lambda choice: choice[1].casefold())


def price_text(amount: Decimal, currency: str) -> str:
    """``amount`` in ``currency`` as a reader expects it: "£50.00", "JP¥2,000"."""
    return format_currency(amount, currency, locale=LOCALE)


@cache
def _zone_countries() -> dict[str, str]:
    """IANA zone → ISO 3166 country code, from the tz database's zone.tab."""
    table = files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    countries = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, zone, *_ = line.split("\t")
            countries[zone] = country
    return countries


def currency_for_timezone(zone: str, default: str = "GBP") -> str:
    """A first guess at a new business's currency: its time zone's country's.

    Europe/Paris → EUR, America/New_York → USD; unknown places → ``default``.
    """
    country = _zone_countries().get(zone)
    if country:
        for code in get_territory_currencies(country):
            if code in currency_codes():
                return code
    return default
