"""A small shop for the booking browser tests: Swim School Pro in Europe/London."""

from dataclasses import dataclass

from playwright.sync_api import FrameLocator, Locator, Page, expect

from booking.models import Business, Service, Session
from tests.booking.views_helpers import local_at
from tests.factories import ServiceFactory, SessionFactory

# What the axe scans of the public pages check: WCAG 2.1 A and AA, plus axe's best
# practices (landmarks, one h1, headings order …).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


@dataclass
class Shop:
    business: Business
    private: Service
    group: Service
    morning: Session  # private lesson, 09:00 London, the day after tomorrow
    late_morning: Session  # private lesson, 11:00 London, same day
    evening: Session  # group lesson, 17:30 London, same day

    @property
    def start_path(self) -> str:
        return f"/book/{self.business.slug}/"


def make_shop(business: Business) -> Shop:
    private = ServiceFactory(
        business=business,
        name="Private Lesson",
        description="One-on-one instruction",
        duration_minutes=60,
        capacity=1,
    )
    group = ServiceFactory(
        business=business, name="Group Lesson", duration_minutes=45, capacity=6
    )
    return Shop(
        business=business,
        private=private,
        group=group,
        morning=SessionFactory(service=private, starts_at=local_at(business, 2, 9)),
        late_morning=SessionFactory(
            service=private, starts_at=local_at(business, 2, 11)
        ),
        evening=SessionFactory(
            service=group, capacity=6, starts_at=local_at(business, 2, 17, 30)
        ),
    )


def step_ready(scope: Page | FrameLocator, heading: str) -> Locator:
    """Wait until the step headed ``heading`` has been swapped in and is live.

    booking.js moves focus to a new step's heading once htmx has inserted and
    processed it (its links boosted, focus and scroll done), so a focused heading
    means the next click lands on a still page. Pages loaded without HTMX have no
    such focus: there, a visible heading is enough.
    """
    step_heading = scope.get_by_role("heading", name=heading)
    expect(step_heading).to_be_focused()
    return step_heading
