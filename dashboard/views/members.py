"""Owners manage who runs the business: members, roles and invitations."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from booking import businesses
from booking.accounts import email_is_confirmed
from booking.models import Membership
from dashboard.access import DashboardRequest, business_view, get_membership_for_owner
from dashboard.forms.accounts import ROLE_HELP, InviteForm, MemberRoleForm
from dashboard.invitations import InvitationError, invitation_create
from dashboard.invitations import invitation_revoke as revoke_invitation
from dashboard.models import Invitation
from dashboard.responses import run_command

# An owner who leaves or is demoted takes no working calendar feed URL along.
FEED_MOVED = (
    " The calendar feed has a new address (Settings): subscribe again with it; "
    "the old one stops working."
)


def _page(request: DashboardRequest, form: InviteForm | None = None):
    business = request.business
    return render(
        request,
        "dashboard/members.html",
        {
            "members": Membership.objects.filter(business=business)
            .select_related("user")
            .order_by("role", "user__first_name", "user__email"),
            "invitations": Invitation.objects.open()
            .filter(business=business)
            .select_related("invited_by"),
            "form": form or InviteForm(),
            "email_unconfirmed": not email_is_confirmed(request.user),
            "roles": Membership.Role.choices,
            "role_help": ROLE_HELP,
        },
    )


def _back(request: DashboardRequest):
    return redirect("dashboard:members", business_id=request.business.pk)


@business_view(owner_only=True)
@require_safe
def members(request: DashboardRequest):
    return _page(request)


@business_view(owner_only=True)
@require_POST
def member_invite(request: DashboardRequest):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitation_create(
                business=request.business,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except InvitationError as exc:
            form.add_error("email", exc.message)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link works for 7 days.",
            )
            return _back(request)
    return _page(request, form)


@business_view(owner_only=True)
@require_POST
def invitation_revoke(request: DashboardRequest, pk: int):
    invitation = get_object_or_404(
        Invitation, pk=pk, business=request.business, accepted_at__isnull=True
    )
    revoke_invitation(invitation_id=invitation.pk, now=timezone.now())
    messages.success(request, f"Invitation to {invitation.email} withdrawn.")
    return _back(request)


@business_view(owner_only=True)
@require_POST
def member_role(request: DashboardRequest, pk: int):
    membership = get_membership_for_owner(request, pk)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick a role from the list.")
        return _back(request)
    name = membership.user.get_full_name() or membership.user.email
    role = Membership.Role(form.cleaned_data["role"]).label.lower()
    done = f"{name} is now {'an' if role == 'owner' else 'a'} {role}."
    if membership.is_owner and role != "owner":
        done += FEED_MOVED
    changed = run_command(
        request,
        lambda: businesses.member_set_role(
            membership_id=membership.pk, role=form.cleaned_data["role"]
        ),
        done=done,
    )
    if changed and membership.user_id == request.user.pk and role != "owner":
        return redirect("dashboard:home", business_id=request.business.pk)
    return _back(request)


@business_view(owner_only=True)
@require_POST
def member_remove(request: DashboardRequest, pk: int):
    membership = get_membership_for_owner(request, pk)
    business, leaving = request.business, membership.user_id == request.user.pk
    name = membership.user.get_full_name() or membership.user.email
    removed = run_command(
        request,
        lambda: businesses.member_remove(membership_id=membership.pk),
        done=f"You left {business.name}."
        if leaving
        else f"{name} no longer has access to {business.name}."
        + (FEED_MOVED if membership.is_owner else ""),
    )
    if removed and leaving:
        return redirect("dashboard:index")
    return _back(request)
