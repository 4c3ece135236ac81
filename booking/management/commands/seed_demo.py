"""Demo data: "Swim School Pro", its services, 30 days of sessions and some bookings.

Safe to run again: it adds what is missing (new days' sessions) and changes nothing
else, except that it sets the owner's password each run and prints it.
"""

import os
import secrets
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from booking.accounts import email_confirm
from booking.links import absolute, booking_link
from booking.models import (
    BookingEvent,
    BookingRequest,
    BookingSettings,
    Business,
    Membership,
    Service,
    Session,
)
from booking.scheduling import default_deadline_hours

OWNER_EMAIL = "owner@example.com"
BUSINESS = {
    "name": "Swim School Pro",
    "description": "Professional swimming lessons",
    "address": "123 Pool Street",
    "phone": "+1234567890",
    "email": "info@swimschool.com",
    "timezone": "Europe/London",
}
SERVICES = [
    # name, minutes, capacity, price, description
    ("Private Swimming Lesson", 60, 1, Decimal("50.00"), "One-on-one instruction"),
    (
        "Group Lesson",
        45,
        6,
        Decimal("20.00"),
        "Small-group technique class, all levels",
    ),
    ("Kids Splash", 30, 4, Decimal("15.00"), "Water confidence for ages 4 to 7"),
]
# weekday (Mon=0) -> [(local start, service name)]
TIMETABLE = {
    0: [(time(9, 0), "Private Swimming Lesson"), (time(17, 30), "Group Lesson")],
    1: [(time(10, 0), "Private Swimming Lesson"), (time(16, 0), "Kids Splash")],
    2: [(time(9, 0), "Private Swimming Lesson"), (time(17, 30), "Group Lesson")],
    3: [(time(10, 0), "Private Swimming Lesson"), (time(16, 0), "Kids Splash")],
    4: [
        (time(9, 0), "Private Swimming Lesson"),
        (time(11, 0), "Private Swimming Lesson"),
        (time(17, 30), "Group Lesson"),
    ],
    5: [
        (time(9, 0), "Kids Splash"),
        (time(10, 0), "Kids Splash"),
        (time(11, 30), "Group Lesson"),
    ],
}
DAYS = 30
CLIENTS = [
    ("Amelia Hart", "amelia.hart@example.com", "+447700900101"),
    ("Noah Patel", "noah.patel@example.com", ""),
    ("Olivia Brown", "", "+447700900103"),
    ("Leo Martin", "leo.martin@example.com", "+447700900104"),
    ("Isla Wilson", "isla.wilson@example.com", ""),
    ("Jack Taylor", "jack.taylor@example.com", "+447700900106"),
    ("Mia Clarke", "mia.clarke@example.com", ""),
    ("Harry Evans", "harry.evans@example.com", "+447700900108"),
]
Status = BookingRequest.Status


class Command(BaseCommand):
    help = "Create (or top up) the Swim School Pro demo business and its owner account."

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        with transaction.atomic():
            business = self._business()
            services = self._services(business)
            created = self._sessions(business, services, now)
            bookings = self._bookings(business, now)
            password = self._owner(business)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo business “{business.name}”: {created} new sessions, "
                f"{bookings} new bookings."
            )
        )
        dashboard, admin = absolute(reverse("dashboard:index")), absolute("/admin/")
        self.stdout.write(f"  Booking link: {booking_link(business)}")
        self.stdout.write(f"  Dashboard:    {dashboard}  (admin: {admin})")
        self.stdout.write(f"  Login:        {OWNER_EMAIL} / {password}")

    def _business(self) -> Business:
        business = Business.objects.filter(slug="swim-school-pro").first()
        if business is None:
            business = Business.objects.create(slug="swim-school-pro", **BUSINESS)
        BookingSettings.objects.get_or_create(business=business)
        return business

    def _services(self, business: Business) -> dict[str, Service]:
        services = {}
        for name, minutes, capacity, price, description in SERVICES:
            services[name], _ = Service.objects.get_or_create(
                business=business,
                name=name,
                defaults={
                    "duration_minutes": minutes,
                    "capacity": capacity,
                    "price": price,
                    "description": description,
                },
            )
        return services

    def _sessions(self, business: Business, services: dict[str, Service], now) -> int:
        zone = business.tz
        today = now.astimezone(zone).date()
        deadline = default_deadline_hours(business)
        existing = set(
            Session.objects.filter(business=business).values_list(
                "service_id", "starts_at"
            )
        )
        new = []
        for offset in range(DAYS + 1):
            day = today + timedelta(days=offset)
            for start, service_name in TIMETABLE.get(day.weekday(), []):
                service = services[service_name]
                starts_at = datetime.combine(day, start, tzinfo=zone)
                if (service.pk, starts_at) in existing:
                    continue
                new.append(
                    Session(
                        business=business,
                        service=service,
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(minutes=service.duration_minutes),
                        capacity=service.capacity,
                        booking_deadline_hours=deadline,
                    )
                )
        Session.objects.bulk_create(new)
        return len(new)

    def _bookings(self, business: Business, now) -> int:
        if BookingRequest.objects.filter(session__business=business).exists():
            return 0
        # Sessions from day 3 on, so the demo bookings are comfortably in the future.
        sessions = list(
            Session.objects.filter(
                business=business, starts_at__gte=now + timedelta(days=3)
            ).select_related("service")[:12]
        )
        plan = [
            Status.APPROVED,
            Status.APPROVED,
            Status.PENDING,
            Status.APPROVED,
            Status.PENDING,
            Status.REJECTED,
            Status.EXPIRED,
            Status.CANCELLED,
        ]
        made = 0
        for index, (status, session) in enumerate(zip(plan, sessions, strict=False)):
            name, email, phone = CLIENTS[index % len(CLIENTS)]
            booking = BookingRequest.objects.create(
                session=session,
                client_name=name,
                client_email=email,
                client_phone=phone,
                client_timezone=business.timezone,
                notes="First time in the pool" if index == 0 else "",
                status=status,
                expires_at=(
                    now + timedelta(hours=20)
                    if status == Status.PENDING
                    else now - timedelta(hours=1)
                    if status == Status.EXPIRED
                    else None
                ),
                approved_at=now if status == Status.APPROVED else None,
                rejection_reason=(
                    "The pool is closed for maintenance that day."
                    if status == Status.REJECTED
                    else ""
                ),
                decided_at=now
                if status in {Status.REJECTED, Status.EXPIRED, Status.CANCELLED}
                else None,
            )
            BookingEvent.objects.create(
                booking=booking,
                action="created" if status != Status.APPROVED else "auto_approved",
                to_status=Status.PENDING
                if status != Status.APPROVED
                else Status.APPROVED,
                actor_label="client",
                created_at=now - timedelta(hours=2),
            )
            if status not in {Status.PENDING, Status.APPROVED}:
                BookingEvent.objects.create(
                    booking=booking,
                    action=status,
                    from_status=Status.PENDING,
                    to_status=status,
                    actor_label="system" if status == Status.EXPIRED else "owner",
                    note=booking.rejection_reason,
                    created_at=now - timedelta(hours=1),
                )
            made += 1
        return made

    def _owner(self, business: Business) -> str:
        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
        user_model = get_user_model()
        owner, _ = user_model.objects.get_or_create(
            username=OWNER_EMAIL,
            defaults={"email": OWNER_EMAIL, "first_name": "Sam", "last_name": "Rivers"},
        )
        owner.is_staff = True
        owner.is_superuser = True
        owner.set_password(password)
        owner.save()
        Membership.objects.update_or_create(
            user=owner, business=business, defaults={"role": Membership.Role.OWNER}
        )
        email_confirm(user=owner)  # the demo owner may invite a team at once
        return password
