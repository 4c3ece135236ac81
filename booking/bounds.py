"""How far a date or a page size taken from a URL or a form may go.

One range for every date a person or program types (the dashboard's filters and
forms, its calendar's week, the API's query parameters): beyond it Python's dates
overflow once a week or a time zone is added, which would be a 500. Page sizes are
held to ``MAX_PAGE_SIZE`` so no request makes the server read without bound.
"""

from datetime import date

FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(9998, 12, 31)
DATE_RANGE_MESSAGE = f"Enter a date between {FIRST_DATE} and {LAST_DATE}."
MAX_PAGE_SIZE = 100


def date_in_range(value: date) -> bool:
    return FIRST_DATE <= value <= LAST_DATE


def clamp_date(value: date) -> date:
    """``value`` brought inside the range (a calendar's navigation, not a filter)."""
    return min(max(value, FIRST_DATE), LAST_DATE)


def page_size(value: str | None, default: int) -> int:
    """A page size from the URL: ``default`` if missing or not a number, else held
    to 1 … ``MAX_PAGE_SIZE``."""
    try:
        size = int(value) if value else default
    except ValueError:
        size = default
    return min(max(size, 1), MAX_PAGE_SIZE)
