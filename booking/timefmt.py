"""Instants in words for people: always in a named zone, never bare UTC.

Emails, in-app notices and calendar descriptions show a time in the reader's zone and
say which zone that is ("Sunday 29 March 2026, 09:00–10:00 Europe/London (BST)").
"""

import zoneinfo
from datetime import date, datetime
from functools import lru_cache

from django.utils import dateformat
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import get_language

from booking.models import BookingRequest, timezone_names


def zone(name: str, fallback: str = "UTC") -> zoneinfo.ZoneInfo:
    """The zone called ``name``, or ``fallback`` when it is blank or unknown."""
    return zoneinfo.ZoneInfo(name if name in timezone_names() else fallback)


def client_zone(booking: BookingRequest) -> zoneinfo.ZoneInfo:
    """The zone the client booked in, else the business's."""
    return zone(booking.client_timezone, booking.session.business.timezone)


def _day(moment: datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def format_moment(moment: datetime, tz: zoneinfo.ZoneInfo) -> str:
    """``Sunday 29 March 2026 at 09:00`` in ``tz``."""
    local = moment.astimezone(tz)
    return f"{_day(local)} at {local:%H:%M}"


def format_span(start: datetime, end: datetime, tz: zoneinfo.ZoneInfo) -> str:
    """``Sunday 29 March 2026, 09:00–10:00`` in ``tz`` (the end's date if another)."""
    first, last = start.astimezone(tz), end.astimezone(tz)
    if first.date() == last.date():
        return f"{_day(first)}, {first:%H:%M}–{last:%H:%M}"
    return f"{_day(first)}, {first:%H:%M} – {_day(last)}, {last:%H:%M}"


def format_date(moment: datetime, tz: zoneinfo.ZoneInfo) -> str:
    """``Sun 29 Mar`` in ``tz``: short enough for a subject line."""
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b}"


def _abbreviation(tz: zoneinfo.ZoneInfo, moment: datetime) -> str:
    """``BST``, ``JST``; blank for numeric ones like ``+04`` that name nothing."""
    abbreviation = moment.astimezone(tz).tzname() or ""
    return "" if abbreviation[:1] in {"", "+", "-"} else abbreviation


def zone_label(tz: zoneinfo.ZoneInfo, moment: datetime) -> str:
    """A zone as people read it at ``moment``: ``Europe/London (BST)``,
    ``America/Sao_Paulo (GMT-3)``, ``UTC``. Pages, emails and notices alike.
    """
    abbreviation = moment.astimezone(tz).tzname() or ""
    if abbreviation[:1] in {"+", "-"}:
        abbreviation = "GMT" + abbreviation.replace("+0", "+").replace("-0", "-")
    if abbreviation and abbreviation != tz.key:
        return f"{tz.key} ({abbreviation})"
    return tz.key


def format_time(moment: datetime, tz: zoneinfo.ZoneInfo) -> str:
    """``17:00 JST`` (or ``17:00 Asia/Dubai``): short, for a subject line."""
    return f"{moment.astimezone(tz):%H:%M} {_abbreviation(tz, moment) or tz.key}"


def _names(d, kind: str) -> str:
    return _language_names(get_language())[kind][
        d.weekday() if kind in {"D", "l"} else d.month
    ]


@lru_cache(maxsize=16)
def _language_names(language: str | None) -> dict[str, dict[int, str]]:
    """Day and month names in ``language`` (the active one), as ``dateformat``
    writes them, looked up once: it translated them again on every call."""
    return {
        "D": {n: str(WEEKDAYS_ABBR[n]) for n in range(7)},
        "l": {n: str(WEEKDAYS[n]) for n in range(7)},
        "M": {n: str(MONTHS_3[n]).title() for n in range(1, 13)},
        "F": {n: str(MONTHS[n]) for n in range(1, 13)},
    }


def day_and_month_names() -> tuple[dict[int, str], dict[int, str]]:
    """The short day names (Monday 0) and month names (January 1) ``date_text``
    writes in the active language, for a caller writing many dates at once."""
    names = _language_names(get_language())
    return names["D"], names["M"]


# ``date_text``'s letters: Django's ``date`` format letters.
_LETTERS = {
    "c": lambda d: d.isoformat(),
    "Y": lambda d: f"{d.year:04d}",
    "m": lambda d: f"{d.month:02d}",
    "d": lambda d: f"{d.day:02d}",
    "j": lambda d: str(d.day),
    "H": lambda d: f"{d.hour:02d}",
    "i": lambda d: f"{d.minute:02d}",
    "D": lambda d: _names(d, "D"),
    "l": lambda d: _names(d, "l"),
    "M": lambda d: _names(d, "M"),
    "F": lambda d: _names(d, "F"),
    # The zone's abbreviation of an aware time, blank for a date, as Django writes
    # them; but also in the hour a clock change repeats, where Django writes none
    # and "01:30 GMT" tells which 01:30 it is.
    "T": lambda d: str(d.tzname()) if getattr(d, "tzinfo", None) else "",
}


def date_text(value: date | datetime, fmt: str) -> str:
    """``value`` as Django's ``date`` filter writes it with ``fmt`` (``"D j M"``,
    ``"l j F"``, ``"c"``…) for the letters above, the names in the active
    language; any other letter goes to ``django.utils.dateformat``, which looks the
    format up among the locale's named ones and translates the names again on every
    call (a week of times formats about a hundred, a page of requests 75)."""
    pieces = _pieces(fmt)
    if pieces is None:
        return dateformat.format(value, fmt)
    return "".join(
        piece if n % 2 == 0 else _LETTERS[piece](value)
        for n, piece in enumerate(pieces)
    )


@lru_cache(maxsize=64)
def _pieces(fmt: str) -> tuple[str, ...] | None:
    """``fmt`` split as ``dateformat`` splits it (literals at even places, letters at
    odd ones, escapes undone), or None if it uses a letter ``date_text`` lacks."""
    pieces = dateformat.re_formatchars.split(fmt)
    if not set(pieces[1::2]) <= _LETTERS.keys():
        return None
    return tuple(
        piece if n % 2 else dateformat.re_escaped.sub(r"\1", piece)
        for n, piece in enumerate(pieces)
    )
