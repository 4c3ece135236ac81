"""Dashboard-only models: invitations of staff (and co-owners) by email."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from booking.models import Business, Membership

INVITATION_DAYS = 7


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def open(self, now=None):
        """Neither accepted, revoked nor past ``expires_at``."""
        now = now or timezone.now()
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        )


class Invitation(models.Model):
    """An email invitation to join a business; only the token's hash is stored."""

    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(max_length=255)
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.STAFF
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["business", "email"], name="invitation_biz_email_idx")
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.business} ({self.role})"

    @staticmethod
    def new_token() -> tuple[str, str]:
        """A fresh (raw token, hash) pair; the raw one only goes into the email."""
        raw = secrets.token_urlsafe(24)
        return raw, hash_token(raw)

    @staticmethod
    def default_expiry(now):
        return now + timedelta(days=INVITATION_DAYS)

    def is_open(self, now) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > now
        )
