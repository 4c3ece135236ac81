"""Landing page, sign-up, confirming an email address, a new business, invitations,
and /dashboard/ itself."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_ratelimit.decorators import ratelimit

from booking import businesses
from booking.accounts import (
    confirmation_send,
    email_confirm,
    email_is_confirmed,
    link_lifetime,
    user_for_link,
)
from booking.errors import BookingError
from booking.models import Membership
from dashboard.access import CURRENT_BUSINESS_KEY
from dashboard.forms.accounts import (
    BusinessCreateForm,
    InvitationSignUpForm,
    SignUpForm,
)
from dashboard.invitations import (
    InvitationError,
    invitation_accept,
    invitation_accept_new_user,
    invitation_for_token,
    user_with_email,
)
from dashboard.responses import posted, safe_next

BACKEND = "django.contrib.auth.backends.ModelBackend"
LIMITED = "Too many attempts from your network. Please try again in a while."


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/landing.html")


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The last business used, else the first; no business yet: create one."""
    memberships = Membership.objects.filter(user=request.user)
    last = request.session.get(CURRENT_BUSINESS_KEY)
    chosen = (
        memberships.filter(business_id=last).first()
        or memberships.order_by("business__name").first()
    )
    if chosen is None:
        return redirect("dashboard:business_new")
    return redirect("dashboard:home", business_id=chosen.business_id)


@ratelimit(key="ip", rate="10/h", method="POST", block=False)
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard:business_new")
    form = SignUpForm(posted(request))
    if request.method == "POST" and getattr(request, "limited", False):
        form.add_error(None, LIMITED)
        return render(request, "registration/signup.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, business = businesses.business_create_for_owner(
                email=data["email"],
                password=data["password"],
                business_name=data["business_name"],
                timezone_name=data["timezone"],
                first_name=data["first_name"],
            )
        except IntegrityError:  # the same email signed up a moment ago
            form.add_error("email", "An account with this email already exists.")
        else:
            login(request, user, backend=BACKEND)
            confirmation_send(user=user)
            messages.success(
                request,
                f"Welcome! {business.name} is ready; here is how to start. We emailed "
                f"you a link to confirm {user.email}: follow it to invite your team.",
            )
            return redirect("dashboard:home", business_id=business.pk)
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def business_new(request: HttpRequest) -> HttpResponse:
    form = BusinessCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            business = businesses.business_create(
                owner=request.user,
                name=form.cleaned_data["name"],
                timezone_name=form.cleaned_data["timezone"],
            )
        except BookingError as exc:  # the most businesses one account may own
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{business.name} is ready.")
            return redirect("dashboard:home", business_id=business.pk)
    has_business = Membership.objects.filter(user=request.user).exists()
    return render(
        request,
        "dashboard/business_new.html",
        {"form": form, "has_business": has_business},
    )


@login_required
@require_POST
@ratelimit(key="user", rate="3/h", method="POST", block=False)
@ratelimit(key="ip", rate="10/h", method="POST", block=False)
def confirm_email_send(request: HttpRequest) -> HttpResponse:
    """Email the link that confirms the account's address again."""
    back = safe_next(request, reverse("dashboard:index"))
    if email_is_confirmed(request.user):
        messages.info(request, "Your email address is already confirmed.")
    elif getattr(request, "limited", False):
        messages.error(
            request,
            "We have sent you several links in the last hour. Please wait a while, "
            "and look in your spam folder too.",
        )
    else:
        confirmation_send(user=request.user)
        messages.success(
            request,
            f"We sent a new link to {request.user.email}. It works for "
            f"{link_lifetime()}.",
        )
    return redirect(back)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The emailed link: a button that confirms (a GET alone changes nothing, so a
    mail scanner that follows links confirms nobody)."""
    user = user_for_link(uidb64, token)
    if user is None:
        return render(
            request, "registration/email_confirm.html", {"state": "invalid"}, status=410
        )
    if request.method == "POST":
        email_confirm(user=user)
        return redirect("email_confirm_done")
    context = {"state": "confirm", "email": user.email}
    return render(request, "registration/email_confirm.html", context)


@require_safe
def confirm_email_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/email_confirm.html", {"state": "done"})


@ratelimit(key="ip", rate="20/h", method="POST", block=False)
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Join a business from an emailed link: as the signed-in user, or a new account."""
    found = invitation_for_token(token)
    if found is None or not found.is_open(timezone.now()):
        return render(
            request, "registration/invitation.html", {"state": "invalid"}, status=410
        )
    context = {"invitation": found, "business": found.business}
    if request.method == "POST" and getattr(request, "limited", False):
        messages.error(request, LIMITED)
        return redirect(request.path)
    if request.user.is_authenticated:
        if request.method == "POST":
            return _join(request, found, request.user)
        return render(
            request, "registration/invitation.html", {**context, "state": "join"}
        )
    if user_with_email(found.email):
        return render(
            request, "registration/invitation.html", {**context, "state": "login"}
        )
    form = InvitationSignUpForm(posted(request), email=found.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept_new_user(
                invitation_id=found.pk,
                first_name=form.cleaned_data["first_name"],
                last_name="",
                password=form.cleaned_data["password"],
            )
        except (InvitationError, IntegrityError):
            return render(
                request,
                "registration/invitation.html",
                {"state": "invalid"},
                status=410,
            )
        return _join(request, found, user, new_user=True)
    return render(
        request,
        "registration/invitation.html",
        {**context, "state": "signup", "form": form},
    )


def _join(request: HttpRequest, invitation, user, *, new_user: bool = False):
    if new_user:
        login(request, user, backend=BACKEND)
    else:
        try:
            invitation_accept(invitation_id=invitation.pk, user=user)
        except InvitationError as exc:
            messages.error(request, exc.message)
            return redirect("dashboard:index")
    messages.success(request, f"Welcome to {invitation.business.name}.")
    return redirect("dashboard:home", business_id=invitation.business_id)
