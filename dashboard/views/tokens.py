"""Personal API tokens: each member's own, for the current business.

A new token's secret is in the answer to the POST that creates it and nowhere else
(only its hash is stored): that answer is never cached and never redirected to, so a
reload shows the list without it. Owners also see every other member's tokens of the
business and may revoke them; to staff another user's token is 404.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from booking.models import ApiToken
from booking.tokens import TokenError, api_token_create
from booking.tokens import api_token_revoke as revoke_token
from dashboard.access import DashboardRequest, business_view
from dashboard.forms.tokens import ApiTokenForm
from dashboard.responses import posted, render_page


def _page(request: DashboardRequest, form: ApiTokenForm, *, created=None, raw=""):
    business_tokens = ApiToken.objects.filter(business=request.business)
    context = {
        "tokens": business_tokens.filter(user=request.user),
        "form": form,
        "created": created,
        "raw_token": raw,
    }
    if request.membership.is_owner:
        context["team_tokens"] = (
            business_tokens.exclude(user=request.user)
            .select_related("user")
            .order_by("user__first_name", "user__email", "-created_at")
        )
    response = render_page(
        request, "dashboard/api_tokens.html", context, partial="tokens"
    )
    add_never_cache_headers(response)
    return response


@business_view()
@require_http_methods(["GET", "HEAD", "POST"])
def api_tokens(request: DashboardRequest):
    form = ApiTokenForm(posted(request), session=request.session)
    if request.method != "POST" or not form.is_valid():
        return _page(request, form)
    try:
        token, raw = api_token_create(
            user=request.user, business=request.business, name=form.cleaned_data["name"]
        )
    except TokenError as exc:
        form.add_error("name", str(exc))
        return _page(request, form)
    form.remember_sent()
    return _page(request, ApiTokenForm(session=request.session), created=token, raw=raw)


@business_view()
@require_POST
def api_token_revoke(request: DashboardRequest, pk: int):
    tokens = ApiToken.objects.filter(business=request.business)
    if not request.membership.is_owner:
        tokens = tokens.filter(user=request.user)
    token = get_object_or_404(tokens, pk=pk)
    done = (
        "was already revoked."
        if token.revoked_at
        else "is revoked; it stops working now."
    )
    revoke_token(token=token)
    messages.success(request, f"“{token.name}” ({token.prefix}…) {done}")
    if request.htmx:
        return _page(request, ApiTokenForm(session=request.session))
    return redirect("dashboard:api_tokens", business_id=request.business.pk)
