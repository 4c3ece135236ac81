from django.contrib import admin

from dashboard.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "business",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
    ]
    list_filter = ["role"]
    search_fields = ["email", "business__name"]
    list_select_related = ["business"]
    raw_id_fields = ["business", "invited_by", "accepted_by"]
    readonly_fields = ["token_hash"]
