from django.contrib import admin

from booking.models import (
    ApiToken,
    BookingEvent,
    BookingNotification,
    BookingRequest,
    BookingSettings,
    Business,
    BusinessSlugRedirect,
    ConfirmedEmail,
    JobRun,
    Membership,
    OutboundEmail,
    Service,
    Session,
)


class BookingSettingsInline(admin.StackedInline):
    model = BookingSettings
    can_delete = False
    readonly_fields = ["calendar_feed_token"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "email", "created_at"]
    search_fields = ["name", "slug", "email"]
    inlines = [BookingSettingsInline, MembershipInline]


@admin.register(BusinessSlugRedirect)
class BusinessSlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "business", "created_at"]
    search_fields = ["old_slug", "business__name"]
    list_select_related = ["business"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "business", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__username", "business__name"]
    list_select_related = ["user", "business"]


@admin.register(BookingSettings)
class BookingSettingsAdmin(admin.ModelAdmin):
    list_display = ["business", "is_active", "requires_approval", "buffer_time_minutes"]
    list_select_related = ["business"]
    readonly_fields = ["calendar_feed_token"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "business",
        "duration_minutes",
        "capacity",
        "price",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "business__name"]
    list_select_related = ["business"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = [
        "service",
        "business",
        "starts_at",
        "ends_at",
        "capacity",
        "is_bookable",
    ]
    list_filter = ["is_bookable"]
    date_hierarchy = "starts_at"
    search_fields = ["service__name", "business__name"]
    list_select_related = ["service", "business"]
    raw_id_fields = ["service", "business"]


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "action",
        "from_status",
        "to_status",
        "actor",
        "actor_label",
        "note",
        "created_at",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BookingRequest)
class BookingRequestAdmin(admin.ModelAdmin):
    list_display = [
        "booking_reference",
        "client_name",
        "session",
        "status",
        "created_at",
        "expires_at",
    ]
    list_filter = ["status"]
    search_fields = ["booking_reference", "client_name", "client_email", "client_phone"]
    list_select_related = ["session__service"]
    raw_id_fields = ["session", "approved_by"]
    readonly_fields = ["booking_reference", "access_token", "created_at", "updated_at"]
    inlines = [BookingEventInline]


@admin.register(BookingEvent)
class BookingEventAdmin(admin.ModelAdmin):
    list_display = ["booking", "action", "actor", "actor_label", "created_at"]
    list_filter = ["action"]
    list_select_related = ["booking", "actor"]
    raw_id_fields = ["booking", "actor"]


@admin.register(BookingNotification)
class BookingNotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "type", "read_at", "created_at"]
    list_filter = ["type"]
    list_select_related = ["user"]
    raw_id_fields = ["booking_request", "user"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "to_email",
        "subject",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["to_email", "subject"]
    raw_id_fields = ["business", "booking"]


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["name", "last_finished_at", "last_result", "runs", "last_error"]
    readonly_fields = [
        "name",
        "last_started_at",
        "last_finished_at",
        "last_result",
        "last_error",
        "runs",
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "user",
        "business",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_select_related = ["user", "business"]
    readonly_fields = ["prefix", "token_hash"]


@admin.register(ConfirmedEmail)
class ConfirmedEmailAdmin(admin.ModelAdmin):
    """Who confirmed which address (booking/accounts.py); an operator may confirm
    one by hand, or delete a row to ask for confirmation again."""

    list_display = ["email", "user", "confirmed_at"]
    list_select_related = ["user"]
    search_fields = ["email", "user__username"]
    raw_id_fields = ["user"]
