"""A small shop for the booking browser tests: Swim School Pro in Europe/London."""

from dataclasses import dataclass

from booking.models import Business, Service, Session
from tests.booking.pages_helpers import local_at
from tests.factories import ServiceFactory, SessionFactory


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
