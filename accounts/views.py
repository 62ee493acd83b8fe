"""Account pages: sign-up, login (throttled), profile and API tokens."""

from datetime import datetime, time, timezone as dt_timezone

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import ProfileForm, SignupForm, ThrottledLoginForm, TokenForm
from accounts.models import ApiToken
from datanets.selectors import datanet_list_visible


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("datanets:explore")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_signup(
                username=form.cleaned_data["username"], email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"], display_name=form.cleaned_data["display_name"],
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome! Find a datanet to contribute to, or create your own.")
            return redirect("datanets:explore")
    return render(request, "accounts/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    form_class = ThrottledLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    prof = services.profile_get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, initial={"display_name": prof.display_name, "bio": prof.bio})
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {
        "form": form, "profile": prof, "datanets": datanet_list_visible(user=request.user, mine=True),
    })


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        expires = form.cleaned_data["expires_at"]
        expires_at = datetime.combine(expires, time.min, tzinfo=dt_timezone.utc) if expires else None
        try:
            token, new_token = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"],
                expires_at=expires_at,
            )
            form = TokenForm()
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
    return render(request, "accounts/tokens.html", {
        "form": form, "new_token": new_token, "tokens": selectors.api_tokens_for_user(user=request.user),
    })


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.api_token_revoke(user=request.user, token_id=token_id)
    except ApiToken.DoesNotExist as exc:  # another user's token, or none: the same answer
        raise Http404("You have no token with this id; your tokens are listed on this page.") from exc
    messages.success(request, "Token revoked. Scripts using it will get 401 from now on.")
    return redirect("accounts:tokens")
