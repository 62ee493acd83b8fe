from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from accounts.login_throttle import login_failure_record, login_failures_reset, login_is_locked
from accounts.models import ApiToken


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=True, help_text="For password resets and invitations.")
    display_name = forms.CharField(max_length=80, required=False)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email", "display_name")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email already exists. Log in or reset the password.")
        return email


class ThrottledLoginForm(AuthenticationForm):
    """The login form, refusing further tries after repeated failures for a username or address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": "Too many failed logins. Wait 15 minutes, or reset your password.",
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        if login_is_locked(username=username, ip=ip):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, ip=ip)
            raise
        login_failures_reset(username=username, ip=ip)
        return cleaned


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=80, required=False)
    bio = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What uses it, e.g. 'ingest pipeline'.")
    scope = forms.ChoiceField(choices=ApiToken.Scope.choices, initial=ApiToken.Scope.WRITE)
    expires_at = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="Optional. The token stops working at the start of this day (UTC).")
