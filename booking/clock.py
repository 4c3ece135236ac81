"""The 12- or 24-hour clock a reader expects, from their ``Accept-Language``.

Presentation only: pages pass the result to the ``clock`` filter; availability and
its caches never see it. Babel's CLDR data says which clock each locale uses (its
short time pattern has ``h``/``K`` for 12-hour, ``H``/``k`` for 24-hour).
"""

from datetime import datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError

TWELVE, TWENTY_FOUR = "12", "24"


def _languages(header: str) -> list[str]:
    """The header's language tags, most wanted first (``q=0`` left out)."""
    ranked = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


@lru_cache(maxsize=256)
def hour_cycle(accept_language: str) -> str:
    """``"12"`` or ``"24"``: the clock of the first language Babel knows; 24 if none."""
    for tag in _languages(accept_language[:200]):
        try:
            locale = Locale.parse(tag, sep="-")
        except (UnknownLocaleError, ValueError, TypeError):
            continue
        pattern = locale.time_formats["short"].pattern
        if "h" in pattern or "K" in pattern:
            return TWELVE
        return TWENTY_FOUR
    return TWENTY_FOUR


def clock(moment: datetime, cycle: str = TWENTY_FOUR) -> str:
    """``09:00`` on a 24-hour clock, ``9:00 AM`` on a 12-hour one."""
    if cycle != TWELVE:
        return f"{moment:%H:%M}"
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"
