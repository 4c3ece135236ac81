"""Random businesses for the property tests (hypothesis strategies and their builder).

A *world* is one business with its settings, services, sessions and bookings, and the
instant ``now`` it is looked at. ``now`` lies within days of a clock change (or of a
year's end, or of 29 February) in zones near and far from the business's, and session
starts are drawn in minutes from ``now``, often right at a booking-window edge, where
rules that count wall-clock hours instead of real ones go wrong.

``build`` writes a world to the database; the property tests run it inside a savepoint
that each example rolls back, so examples never see each other's rows.
"""

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from booking.models import BookingRequest, BookingSettings, Business, Service, Session

Status = BookingRequest.Status

ZONES = [
    "Europe/London",
    "America/New_York",
    "Pacific/Auckland",
    "Australia/Lord_Howe",  # a 30-minute clock change
    "Asia/Kathmandu",  # UTC+05:45
    "Pacific/Kiritimati",  # UTC+14
    "Pacific/Pago_Pago",  # UTC-11
    "America/St_Johns",  # UTC-03:30, with daylight saving
    "UTC",
]

# Hard instants: clock changes in the zones above, a year's end, a leap day.
ANCHORS = [
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # London springs forward
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),  # London falls back
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),  # New York springs forward
    datetime(2026, 11, 1, 6, 0, tzinfo=UTC),  # New York falls back
    datetime(2026, 4, 4, 14, 0, tzinfo=UTC),  # Auckland falls back
    datetime(2026, 9, 26, 14, 0, tzinfo=UTC),  # Auckland springs forward
    datetime(2026, 10, 3, 15, 0, tzinfo=UTC),  # Lord Howe: +30 minutes
    datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
    datetime(2028, 2, 29, 12, 0, tzinfo=UTC),
]

CLIENT_PHONES = ["+447700900001", "+447700900002", "+447700900003"]


@dataclass(frozen=True)
class SettingsSpec:
    requires_approval: bool
    auto_approve_returning_clients: bool
    buffer_time_minutes: int
    booking_expiry_hours: int
    max_advance_booking_days: int
    min_advance_booking_hours: int
    is_active: bool


@dataclass(frozen=True)
class SessionSpec:
    service: int  # index into the world's services
    start_minutes: int  # from now
    duration_minutes: int
    capacity: int
    deadline_hours: int
    is_bookable: bool
    cancelled: bool


@dataclass(frozen=True)
class BookingSpec:
    session: int  # index into the world's sessions
    status: str
    expires_minutes: int  # from now, for a pending request (<= 0: lapsed)
    client: int  # index into CLIENT_PHONES
    move_to: int | None = None  # a waiting move of an approved booking
    move_expires_minutes: int = 60


@dataclass(frozen=True)
class WorldSpec:
    zone: str
    view_zone: str
    now: datetime
    settings: SettingsSpec
    services_active: tuple[bool, ...]
    sessions: tuple[SessionSpec, ...]
    bookings: tuple[BookingSpec, ...] = ()


@dataclass
class World:
    spec: WorldSpec
    business: Business
    services: list[Service]
    sessions: list[Session]
    bookings: list[BookingRequest] = field(default_factory=list)

    @property
    def now(self) -> datetime:
        return self.spec.now


nows = st.builds(
    lambda anchor, minutes, micros: (
        anchor + timedelta(minutes=minutes, microseconds=micros)
    ),
    st.sampled_from(ANCHORS),
    st.integers(-3 * 24 * 60, 3 * 24 * 60),
    st.sampled_from([0, 0, 0, 1, 999_999]),
)

settings_specs = st.builds(
    SettingsSpec,
    requires_approval=st.booleans(),
    auto_approve_returning_clients=st.booleans(),
    buffer_time_minutes=st.sampled_from([0, 5, 15, 30, 60, 240]),
    booking_expiry_hours=st.integers(1, 72),
    max_advance_booking_days=st.integers(1, 10),
    min_advance_booking_hours=st.sampled_from([0, 0, 1, 2, 24, 48]),
    is_active=st.sampled_from([True] * 7 + [False]),
)


@st.composite
def session_specs(draw, *, services: int, settings: SettingsSpec) -> SessionSpec:
    deadline = draw(st.sampled_from([0, 0, 1, 2, 24, 47]))
    lead = max(settings.min_advance_booking_hours, deadline) * 60
    far = settings.max_advance_booking_days * 24 * 60
    start = draw(
        st.one_of(
            st.integers(-2 * 24 * 60, 12 * 24 * 60),
            # Inside the window (where capacity and the buffer decide), often
            # within hours of each other …
            st.integers(min(lead, far), far),
            st.integers(lead, lead + 6 * 60),
            # … and right at its edges: the minute it closes, or opens.
            st.sampled_from([lead, far]).flatmap(
                lambda edge: st.integers(edge - 1, edge + 1)
            ),
        )
    )
    return SessionSpec(
        service=draw(st.integers(0, services - 1)),
        start_minutes=start,
        duration_minutes=draw(st.sampled_from([5, 30, 45, 60, 90, 180])),
        capacity=draw(st.integers(1, 3)),
        deadline_hours=deadline,
        is_bookable=draw(st.sampled_from([True] * 5 + [False])),
        cancelled=draw(st.sampled_from([False] * 9 + [True])),
    )


@st.composite
def booking_specs(draw, *, sessions: int) -> BookingSpec:
    status = draw(st.sampled_from([*Status.values, Status.APPROVED, Status.PENDING]))
    move_to = None
    if status == Status.APPROVED and draw(st.booleans()):
        move_to = draw(st.integers(0, sessions - 1))
    return BookingSpec(
        session=draw(st.integers(0, sessions - 1)),
        status=status,
        expires_minutes=draw(st.integers(-120, 72 * 60)),
        client=draw(st.integers(0, len(CLIENT_PHONES) - 1)),
        move_to=move_to,
        move_expires_minutes=draw(st.integers(-60, 24 * 60)),
    )


@st.composite
def worlds(
    draw, *, max_sessions: int = 6, max_bookings: int = 6, open_: bool = False
) -> WorldSpec:
    """A world; ``open_``: its link, services and sessions all open for booking."""
    settings = draw(settings_specs)
    active = st.just(True) if open_ else st.sampled_from([True] * 5 + [False])
    services_active = tuple(draw(st.lists(active, min_size=1, max_size=2)))
    sessions = draw(
        st.lists(
            session_specs(services=len(services_active), settings=settings),
            min_size=1,
            max_size=max_sessions,
        )
    )
    if open_:
        settings = replace(settings, is_active=True)
        sessions = [replace(s, is_bookable=True, cancelled=False) for s in sessions]
    bookings = tuple(
        draw(
            st.lists(
                booking_specs(sessions=len(sessions)), min_size=0, max_size=max_bookings
            )
        )
    )
    return WorldSpec(
        zone=draw(st.sampled_from(ZONES)),
        view_zone=draw(st.sampled_from(ZONES)),
        now=draw(nows),
        settings=settings,
        services_active=services_active,
        sessions=tuple(sessions),
        bookings=bookings,
    )


def build(spec: WorldSpec) -> World:
    """Write ``spec`` to the database (inside the caller's savepoint)."""
    business = Business.objects.create(name="Property Pools", timezone=spec.zone)
    BookingSettings.objects.create(business=business, **vars(spec.settings))
    services = [
        Service.objects.create(
            business=business,
            name=f"Service {n}",
            duration_minutes=60,
            capacity=1,
            price=Decimal("10.00"),
            is_active=active,
        )
        for n, active in enumerate(spec.services_active)
    ]
    sessions = []
    for s in spec.sessions:
        starts_at = spec.now + timedelta(minutes=s.start_minutes)
        sessions.append(
            Session.objects.create(
                business=business,
                service=services[s.service],
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=s.duration_minutes),
                capacity=s.capacity,
                booking_deadline_hours=s.deadline_hours,
                is_bookable=s.is_bookable and not s.cancelled,
                cancelled_at=spec.now - timedelta(hours=1) if s.cancelled else None,
            )
        )
    world = World(spec, business, services, sessions)
    for b in spec.bookings:
        pending = b.status == Status.PENDING
        moving = b.move_to is not None
        world.bookings.append(
            BookingRequest.objects.create(
                session=sessions[b.session],
                client_name="Client",
                client_phone=CLIENT_PHONES[b.client],
                status=b.status,
                expires_at=spec.now + timedelta(minutes=b.expires_minutes)
                if pending
                else None,
                approved_at=spec.now if b.status == Status.APPROVED else None,
                move_to=sessions[b.move_to] if moving else None,
                move_expires_at=spec.now + timedelta(minutes=b.move_expires_minutes)
                if moving
                else None,
            )
        )
    world.business = Business.objects.select_related("booking_settings").get(
        pk=business.pk
    )
    return world


# --- the rules, written again from docs/ARCHITECTURE.md as an independent oracle ------


def holds_spot(booking: BookingRequest, session_id: int, now: datetime) -> bool:
    """Whether ``booking`` holds a spot in ``session_id`` at ``now``."""
    in_session = booking.session_id == session_id and (
        booking.status == Status.APPROVED
        or (booking.status == Status.PENDING and booking.expires_at > now)
    )
    waiting_move = (
        booking.move_to_id == session_id
        and booking.status == Status.APPROVED
        and booking.move_expires_at > now
    )
    return in_session or waiting_move


def buffer_clash(a: Session, b: Session, buffer: timedelta) -> bool:
    return b.starts_at < a.ends_at + buffer and a.starts_at < b.ends_at + buffer
