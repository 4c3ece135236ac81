"""The domain model (see docs/ARCHITECTURE.md, "Domain model").

Field names follow the product spec's schema. All instants are aware and stored in UTC;
a business's wall-clock zone lives in ``Business.timezone``.
"""

import hashlib
import secrets
import zoneinfo
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, IntegerField, OuterRef, Q, Subquery

from booking.money import currency_codes
from booking.origins import validate_embed_origins
from booking.slugs import (
    SLUG_MAX_LENGTH,
    base_slug,
    pick_free_slug,
    validate_business_slug,
)

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


@cache
def timezone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in timezone_names():
        raise ValidationError(
            "“%(value)s” is not a time zone we know; pick one like Europe/London.",
            code="invalid_timezone",
            params={"value": value},
        )


def validate_currency(value: str) -> None:
    if value not in currency_codes():
        raise ValidationError(
            "“%(value)s” is not a currency we know; pick one like GBP or EUR.",
            code="invalid_currency",
            params={"value": value},
        )


def new_token() -> str:
    """An unguessable URL-safe secret (192 bits)."""
    return secrets.token_urlsafe(24)


def new_booking_reference() -> str:
    return "BK-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class Business(models.Model):
    name = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        validators=[validate_business_slug],
        help_text="Your booking link is /book/<slug>/.",
    )
    description = models.TextField(blank=True)
    address = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(max_length=255, blank=True)
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone]
    )
    currency = models.CharField(
        max_length=3,
        default="GBP",
        validators=[validate_currency],
        help_text="ISO 4217 code of the currency prices are in, such as GBP.",
    )
    # When an owner first copied or shared the booking link (the "Get started" list).
    link_shared_at = models.DateTimeField(null=True, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="businesses"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "businesses"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_business_slug(self.name, exclude_pk=self.pk)
        old_slug = getattr(self, "_loaded_slug", None)
        super().save(*args, **kwargs)
        if old_slug and old_slug != self.slug:
            # Keep the old link working; a slug taken back stops redirecting.
            BusinessSlugRedirect.objects.update_or_create(
                old_slug=old_slug, defaults={"business": self}
            )
            BusinessSlugRedirect.objects.filter(
                old_slug=self.slug, business=self
            ).delete()
        self._loaded_slug = self.slug

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


def unique_business_slug(name: str, *, exclude_pk: int | None = None) -> str:
    """A free slug for ``name``: swim-school-pro, then swim-school-pro-2, …

    Slugs that other businesses used before are taken too: their old links still
    redirect to them.
    """
    base = base_slug(name)
    prefix = Q(slug=base) | Q(slug__startswith=f"{base}-")
    taken = set(
        Business.objects.filter(prefix)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    taken |= set(
        BusinessSlugRedirect.objects.filter(
            Q(old_slug=base) | Q(old_slug__startswith=f"{base}-")
        )
        .exclude(business_id=exclude_pk)
        .values_list("old_slug", flat=True)
    )
    return pick_free_slug(base, taken)


class BusinessSlugRedirect(models.Model):
    """A slug a business used before; /book/<old_slug>/ redirects to its current one."""

    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="slug_redirects"
    )
    old_slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.business.slug}"


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        STAFF = "staff", "Staff"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    # Email preferences for this member (in-app notifications are always created).
    email_on_new_request = models.BooleanField(default=True)
    email_on_instant_booking = models.BooleanField(default=True)
    email_on_cancellation = models.BooleanField(default=True)
    email_on_client_move = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "business"], name="membership_unique_user_business"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["owner", "staff"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) at {self.business}"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER


class BookingSettings(models.Model):
    business = models.OneToOneField(
        Business, on_delete=models.CASCADE, related_name="booking_settings"
    )
    requires_approval = models.BooleanField(default=False)
    buffer_time_minutes = models.PositiveIntegerField(
        default=15, validators=[MaxValueValidator(240)]
    )
    booking_expiry_hours = models.PositiveIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(168)]
    )
    is_active = models.BooleanField(default=True)
    auto_approve_returning_clients = models.BooleanField(default=False)
    max_advance_booking_days = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    min_advance_booking_hours = models.PositiveIntegerField(
        default=2, validators=[MaxValueValidator(720)]
    )
    reminder_hours_before = models.PositiveIntegerField(
        default=24,
        validators=[MaxValueValidator(168)],
        help_text="Hours before a session to email the client a reminder (0 = never).",
    )
    allow_client_reschedule = models.BooleanField(
        default=True,
        help_text="Clients may move their booking to another time from their "
        "private link.",
    )
    reschedule_notice_hours = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(720)],
        help_text="Clients may move a booking online until this many hours before "
        "it starts (0 = until it starts).",
    )
    allowed_embed_origins = models.TextField(
        blank=True,
        validators=[validate_embed_origins],
        help_text="Websites allowed to show the booking widget in an iframe, "
        "one origin per line (for example https://www.swimschool.com).",
    )
    calendar_feed_token = models.CharField(
        max_length=64, unique=True, default=new_token
    )
    # Raised by PostgreSQL triggers whenever a change that can alter what clients
    # see commits (a booking, session, service or these settings; migration 0010):
    # part of every availability cache key (booking.availability_cache).
    availability_version = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "booking settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(buffer_time_minutes__gte=0),
                name="settings_buffer_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(booking_expiry_hours__gte=1),
                name="settings_expiry_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_advance_booking_days__gte=0)
                & Q(min_advance_booking_hours__gte=0),
                name="settings_windows_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Booking settings of {self.business}"

    @property
    def embed_origins(self) -> list[str]:
        return [
            line.strip()
            for line in self.allowed_embed_origins.splitlines()
            if line.strip()
        ]


class Service(models.Model):
    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    capacity = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    price = models.DecimalField(
        max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="service_capacity_at_least_one"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="service_duration_positive"
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="service_price_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SessionQuerySet(models.QuerySet):
    def with_spots_taken(
        self, now: datetime, *, moving_id: int | None = None
    ) -> "SessionQuerySet":
        """Each session with ``active_count``: the spots taken in it at ``now``
        (``holds_spot_in_q``), the booking ``moving_id`` left out when given (a
        booking being moved does not compete with itself). One subquery.
        """
        holders = BookingRequest.objects.holding_spot_in(
            OuterRef("pk"), now, moving_id=moving_id
        )
        count = (
            holders.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
        )
        return self.annotate(active_count=Subquery(count, output_field=IntegerField()))


class Session(models.Model):
    """One scheduled occurrence of a service."""

    # No index of their own: ``session_business_start_idx`` and
    # ``session_service_start_idx`` lead with them. With one, PostgreSQL picked the
    # business's (or the service's) whole list and filtered the times out of it
    # whenever its statistics overestimated a range (docs/PERFORMANCE.md).
    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="sessions", db_index=False
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="sessions", db_index=False
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    is_bookable = models.BooleanField(default=True)
    booking_deadline_hours = models.PositiveIntegerField(
        default=24, validators=[MaxValueValidator(720)]
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="session_capacity_at_least_one"
            ),
            models.CheckConstraint(
                condition=Q(booking_deadline_hours__gte=0),
                name="session_deadline_non_negative",
            ),
        ]
        indexes = [
            models.Index(
                fields=["is_bookable", "starts_at"], name="session_bookable_idx"
            ),
            models.Index(
                fields=["business", "starts_at"], name="session_business_start_idx"
            ),
            models.Index(
                fields=["service", "starts_at"], name="session_service_start_idx"
            ),
            # A business's longest session, read at once: it bounds how far back a
            # session overlapping an instant can start (availability.booked_sessions).
            models.Index(
                models.F("business"),
                models.F("ends_at") - models.F("starts_at"),
                name="session_business_length_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A session must end after it starts."})
        if (
            self.service_id
            and self.business_id
            and self.service.business_id != self.business_id
        ):
            raise ValidationError(
                {"service": "That service belongs to another business."}
            )


class BookingStatus(models.TextChoices):
    PENDING = "pending", "Pending approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


# from-status -> the statuses it may move to (ARCHITECTURE.md, "Transitions"). A
# pending request past ``expires_at`` may only be expired: to everyone reading it, it
# already is (``BookingRequest.allowed_actions``).
TRANSITIONS: dict[str, frozenset[str]] = {
    BookingStatus.PENDING: frozenset(
        {
            BookingStatus.APPROVED,
            BookingStatus.REJECTED,
            BookingStatus.EXPIRED,
            BookingStatus.CANCELLED,
        }
    ),
    BookingStatus.APPROVED: frozenset({BookingStatus.CANCELLED}),
}


def _pending_q(now: datetime, prefix: str, *, lapsed: bool) -> Q:
    expiry = "expires_at__lte" if lapsed else "expires_at__gt"
    return Q(**{f"{prefix}status": BookingStatus.PENDING, f"{prefix}{expiry}": now})


def holding_spot_q(now: datetime, prefix: str = "") -> Q:
    """Requests that hold a spot: approved, or pending and not yet past ``expires_at``.

    ``prefix`` reaches them through a relation, for annotations such as
    ``Count("booking_requests", filter=holding_spot_q(now, "booking_requests__"))``.
    """
    return Q(**{f"{prefix}status": BookingStatus.APPROVED}) | _pending_q(
        now, prefix, lapsed=False
    )


def lapsed_q(now: datetime, prefix: str = "") -> Q:
    """Pending requests past ``expires_at``: expired, whether the task ran or not."""
    return _pending_q(now, prefix, lapsed=True)


def move_waiting_q(now: datetime) -> Q:
    """Confirmed bookings with a move waiting for the business, not yet past
    ``move_expires_at``: they hold a spot in ``move_to`` too."""
    return Q(
        status=BookingStatus.APPROVED,
        move_to__isnull=False,
        move_expires_at__gt=now,
    )


def move_lapsed_q(now: datetime) -> Q:
    """Bookings whose waiting move is past ``move_expires_at``: it no longer holds
    its spot and the original time stands, whether the task ran or not."""
    return Q(move_to__isnull=False, move_expires_at__lte=now)


def holds_spot_in_q(now: datetime, session) -> Q:
    """Requests holding a spot in ``session`` (a pk or an ``OuterRef``) at ``now``.

    Booked into it and holding their spot (``holding_spot_q``), or confirmed
    elsewhere with a move to it waiting for the business (``move_waiting_q``): while
    a move waits, the booking holds both its spots. Capacity, the buffer, the
    availability engine and the dashboard's counts all ask this one question.
    """
    return (Q(session=session) & holding_spot_q(now)) | (
        Q(move_to=session) & move_waiting_q(now)
    )


def set_business_from_session(requests) -> None:
    """Set each request's ``business`` to its session's: from the session when it is
    loaded, else read (one query for all) for those without one yet."""
    unknown = []
    for request in requests:
        if BookingRequest.session.is_cached(request):
            request.business_id = request.session.business_id
        elif request.business_id is None and request.session_id is not None:
            unknown.append(request)
    if unknown:
        owners = dict(
            Session.objects.filter(
                pk__in={request.session_id for request in unknown}
            ).values_list("pk", "business_id")
        )
        for request in unknown:
            request.business_id = owners.get(request.session_id)


class BookingRequestQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        set_business_from_session(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def holding_spot(self, now: datetime) -> "BookingRequestQuerySet":
        return self.filter(holding_spot_q(now))

    def lapsed(self, now: datetime) -> "BookingRequestQuerySet":
        return self.filter(lapsed_q(now))

    def holding_spot_in(
        self, session, now: datetime, *, moving_id: int | None = None
    ) -> "BookingRequestQuerySet":
        """Requests holding a spot in ``session`` (``holds_spot_in_q``), not counting
        the booking ``moving_id`` when given (a booking being moved does not compete
        with itself)."""
        holders = self.filter(holds_spot_in_q(now, session))
        if moving_id is not None:
            holders = holders.exclude(pk=moving_id)
        return holders

    def moves_waiting(self, now: datetime) -> "BookingRequestQuerySet":
        return self.filter(move_waiting_q(now))

    def moves_lapsed(self, now: datetime) -> "BookingRequestQuerySet":
        return self.filter(move_lapsed_q(now))

    def with_effective_status(
        self, status: str, now: datetime
    ) -> "BookingRequestQuerySet":
        """Requests whose ``effective_status(now)`` is ``status``."""
        if status == BookingStatus.PENDING:
            return self.filter(_pending_q(now, "", lapsed=False))
        if status == BookingStatus.EXPIRED:
            return self.filter(Q(status=BookingStatus.EXPIRED) | lapsed_q(now))
        return self.filter(status=status)


class BookingRequest(models.Model):
    Status = BookingStatus

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="booking_requests"
    )
    # The session's business, copied so the dashboard's counts and pages start from
    # the business's own requests (indexed) on any statistics, not from its
    # sessions. Always the session's: set from it on save and bulk_create, and by
    # the database itself (migration 0014: a trigger that sets it on PostgreSQL and
    # refuses any other value on SQLite).
    business = models.ForeignKey(
        Business,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # booking_business_status_idx starts with it
    )
    client_name = models.CharField(max_length=255)
    client_email = models.EmailField(max_length=255, blank=True)
    client_phone = models.CharField(max_length=20, blank=True)
    client_timezone = models.CharField(
        max_length=64,
        blank=True,
        help_text="The zone the client booked in, for emails.",
    )
    notes = models.TextField(blank=True, max_length=2000)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING
    )
    rejection_reason = models.TextField(blank=True)
    cancellation_reason = models.TextField(blank=True)
    booking_reference = models.CharField(
        max_length=50, unique=True, default=new_booking_reference, editable=False
    )
    # The secret in every URL that shows or changes this booking (page, .ics, cancel).
    access_token = models.CharField(
        max_length=64, unique=True, default=new_token, editable=False
    )
    # Set by the booking form / the API's Idempotency-Key: a retried submission
    # finds the booking it already made instead of making a second one.
    idempotency_key = models.CharField(
        max_length=255, null=True, blank=True, unique=True
    )
    # iCalendar SEQUENCE: raised each time the event changes (approve, cancel …).
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it left pending/approved for a final status.",
    )
    reminder_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the client was sent the reminder before the session.",
    )
    # A move the client asked for, waiting for the business (approval businesses):
    # the booking keeps ``session`` and holds a spot in ``move_to`` as well until
    # ``move_expires_at``. Approving moves it there; rejecting or expiry clears both
    # and the original time stands. One waiting move per booking, by construction.
    move_to = models.ForeignKey(
        Session,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_moves",
    )
    move_expires_at = models.DateTimeField(null=True, blank=True)

    objects = BookingRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(client_email="") | ~Q(client_phone=""),
                name="email_or_phone_required",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "pending",
                        "approved",
                        "rejected",
                        "expired",
                        "cancelled",
                    ]
                ),
                name="booking_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(expires_at__isnull=False),
                name="pending_booking_expires",
            ),
            models.CheckConstraint(
                condition=Q(move_to__isnull=True, move_expires_at__isnull=True)
                | Q(
                    move_to__isnull=False,
                    move_expires_at__isnull=False,
                    status="approved",
                ),
                name="move_waits_on_confirmed_booking",
            ),
        ]
        indexes = [
            # A business's requests by status, each status's in the order the
            # waiting tab lists them: its count (from the index alone) and its page
            # read only the waiting ones, on any statistics. The only index that
            # starts with the business, so a planner without statistics cannot
            # pick another one for them.
            models.Index(
                fields=["business", "status", "expires_at", "id"],
                name="booking_business_status_idx",
            ),
            models.Index(fields=["expires_at"], name="booking_expires_idx"),
            models.Index(
                fields=["session", "status"], name="booking_session_status_idx"
            ),
            models.Index(fields=["client_email"], name="booking_client_email_idx"),
            # The requests that can hold a spot, by session: capacity counts, the
            # buffer's booked neighbours and the availability cache's next lapse
            # read only these, whatever the planner's statistics say.
            models.Index(
                fields=["session", "expires_at"],
                condition=Q(status__in=["approved", "pending"]),
                name="booking_holding_idx",
            ),
            # Confirmed bookings with a move waiting, by the session they would move
            # to (few): the other half of "holds a spot in this session".
            models.Index(
                fields=["move_to", "move_expires_at"],
                condition=Q(move_to__isnull=False, status="approved"),
                name="booking_move_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking_reference} {self.client_name} ({self.status})"

    def save(self, *args, **kwargs) -> None:
        set_business_from_session([self])
        super().save(*args, **kwargs)

    def is_lapsed(self, now: datetime) -> bool:
        """Pending and past ``expires_at`` (``lapsed_q`` for the database)."""
        return self.status == self.Status.PENDING and self.expires_at <= now

    def is_active(self, now: datetime) -> bool:
        """Holds a spot (``holding_spot_q`` for the database)."""
        return self.status == self.Status.APPROVED or (
            self.status == self.Status.PENDING and not self.is_lapsed(now)
        )

    def allowed_actions(self, now: datetime) -> frozenset[str]:
        """The statuses this request may move to at ``now``, from ``TRANSITIONS``.

        Expiring is for a lapsed request only, and a lapsed request may only expire.
        """
        allowed = TRANSITIONS.get(self.status, frozenset())
        if self.is_lapsed(now):
            return allowed & {self.Status.EXPIRED}
        return allowed - {self.Status.EXPIRED}

    def client_can_cancel(self, now: datetime) -> bool:
        """The client's own link may cancel it until the session starts."""
        return (
            self.Status.CANCELLED in self.allowed_actions(now)
            and self.session.starts_at > now
        )

    def effective_status(self, now: datetime) -> str:
        """The status as a reader should see it: a lapsed pending request is expired."""
        return self.Status.EXPIRED if self.is_lapsed(now) else self.status

    def has_waiting_move(self, now: datetime) -> bool:
        """A move waits for the business and holds its spot (``move_waiting_q``)."""
        return (
            self.move_to_id is not None
            and self.status == self.Status.APPROVED
            and self.move_expires_at > now
        )

    def is_move_lapsed(self, now: datetime) -> bool:
        """A waiting move is past its expiry (``move_lapsed_q``): the time stands."""
        return self.move_to_id is not None and self.move_expires_at <= now

    def client_move_problem(self, now: datetime) -> str | None:
        """Why the client may not move this booking from their link now, as a
        ``booking.errors`` code; None when they may (ARCHITECTURE.md, "Moves").
        """
        settings = self.session.business.booking_settings
        if not self.is_active(now):
            return "not_movable"
        if not settings.allow_client_reschedule:
            return "reschedule_off"
        if self.session.starts_at <= now:
            return "move_started"
        notice = timedelta(hours=settings.reschedule_notice_hours)
        if now + notice > self.session.starts_at:
            return "move_too_late"
        if self.has_waiting_move(now):
            return "move_waiting"
        return None

    def client_can_move(self, now: datetime) -> bool:
        return self.client_move_problem(now) is None


class BookingEvent(models.Model):
    """One line of a booking's history: who did what, when, and why."""

    class Action(models.TextChoices):
        CREATED = "created", "Requested"
        APPROVED = "approved", "Approved"
        AUTO_APPROVED = "auto_approved", "Booked instantly"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"
        NOTE = "note", "Note"
        MOVED = "moved", "Moved"
        MOVE_REQUESTED = "move_requested", "Asked to move"
        MOVE_APPROVED = "move_approved", "Move approved"
        MOVE_REJECTED = "move_rejected", "Move declined"
        MOVE_EXPIRED = "move_expired", "Move request expired"
        ENTERED = "entered", "Entered"

    class Channel(models.TextChoices):
        """How a booking entered by staff reached them."""

        PHONE = "phone", "by phone"
        WALK_IN = "walk_in", "walk-in"
        OTHER = "other", "in person or otherwise"

    booking = models.ForeignKey(
        BookingRequest, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who acted when there is no user: "client", "system".
    actor_label = models.CharField(max_length=50, blank=True)
    note = models.TextField(blank=True)
    # Moves: the time left and the time asked for or taken.
    from_session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Staff entries: how the client reached them.
    channel = models.CharField(max_length=10, blank=True, choices=Channel.choices)
    # A move's form token or Idempotency-Key: a repeated submission finds this move.
    idempotency_key = models.CharField(
        max_length=255, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.booking.booking_reference}: {self.action} at {self.created_at}"

    @property
    def actor_display(self) -> str:
        if self.actor_id:
            return self.actor.get_full_name() or self.actor.get_username()
        return self.actor_label or "system"


class BookingNotification(models.Model):
    """An in-app notice to one owner/staff member."""

    booking_request = models.ForeignKey(
        BookingRequest, on_delete=models.CASCADE, related_name="notifications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="booking_notifications",
    )
    type = models.CharField(max_length=50)
    title = models.CharField(max_length=255)
    message = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_read_idx")
        ]

    def __str__(self) -> str:
        return self.title


class BodyField(models.TextField):
    """An email's text, which ``bulk_create`` writes as a plain parameter.

    Django 5.2 inserts several rows of plain columns as one array per column
    (``UNNEST``), and psycopg escapes text inside an array in Python, quote by quote:
    a booking's two emails (HTML is full of quotes) took 1.4 ms of CPU to write that
    way, 0.6 ms as ``VALUES`` (docs/PERFORMANCE.md, "Booking under load"). A field
    with its own placeholder makes Django use ``VALUES``.
    """

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s"


class OutboundEmail(models.Model):
    """The outbox: written in the transaction that causes the email; Huey sends it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    business = models.ForeignKey(
        Business, null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    booking = models.ForeignKey(
        BookingRequest,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emails",
    )
    kind = models.CharField(max_length=50)
    to_email = models.EmailField(max_length=255)
    # Blank: DEFAULT_FROM_EMAIL. Client emails go out in the business's name.
    from_email = models.CharField(max_length=255, blank=True)
    reply_to = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=255)
    body_text = BodyField()
    body_html = BodyField(blank=True)
    # [{"filename": ..., "content": <base64>, "mimetype": ...}]; before rendering, a
    # calendar file is described instead of written: {"filename", "mimetype", "ics"}.
    attachments = models.JSONField(default=list, blank=True)
    # A booking email's context as plain JSON (booking.emails.snapshot), until the
    # worker renders the bodies from it just before sending; then null.
    snapshot = models.JSONField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # A queued row is not tried before this instant: the backoff after a failure,
    # or the lease of the worker sending it right now (see booking/outbox.py).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="email_status_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="email_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email} ({self.status})"


class JobRun(models.Model):
    """The last run of a periodic background job, for ``booking_health``."""

    name = models.CharField(max_length=100, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_result = models.JSONField(default=dict, blank=True)
    last_error = models.TextField(blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (last finished {self.last_finished_at})"


class ApiToken(models.Model):
    """A personal API token: one user, one business; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=12, help_text="First characters, to recognise it."
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class ConfirmedEmail(models.Model):
    """A user proved they read ``email`` (an emailed link): booking.accounts.

    Only a confirmed address may send invitations from our sender.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="confirmed_email",
    )
    email = models.EmailField(max_length=254)
    confirmed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.email} (confirmed {self.confirmed_at:%Y-%m-%d})"
