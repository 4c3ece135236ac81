"""Instants in words for people: always in a named zone, never bare UTC.

Emails, in-app notices and calendar descriptions show a time in the reader's zone and
say which zone that is ("Sunday 29 March 2026, 09:00–10:00 Europe/London (BST)").
"""

import zoneinfo
from datetime import date, datetime
from functools import lru_cache

from django.utils import dateformat

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


# ``date_text``'s letters: Django's ``date`` format letters in English.
_LETTERS = {
    "c": lambda d: d.isoformat(),
    "Y": lambda d: f"{d.year:04d}",
    "m": lambda d: f"{d.month:02d}",
    "d": lambda d: f"{d.day:02d}",
    "j": lambda d: str(d.day),
    "D": lambda d: f"{d:%a}",
    "l": lambda d: f"{d:%A}",
    "M": lambda d: f"{d:%b}",
    "F": lambda d: f"{d:%B}",
    # The zone's abbreviation of an aware time, blank for a date, as Django writes
    # them; but also in the hour a clock change repeats, where Django writes none
    # and "01:30 GMT" tells which 01:30 it is.
    "T": lambda d: str(d.tzname()) if getattr(d, "tzinfo", None) else "",
}


def date_text(value: date | datetime, fmt: str) -> str:
    """``value`` as Django's ``date`` filter writes it with ``fmt`` (``"D j M"``,
    ``"l j F"``, ``"c"``…), for the letters above, in English as the pages are;
    any other letter goes to ``django.utils.dateformat``. ``dateformat`` looks the
    format up among the locale's named ones and translates the day and month
    names again on every call: a week of times formats about a hundred."""
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
