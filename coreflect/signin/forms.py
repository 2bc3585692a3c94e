"""allauth's forms with the service's own: NHS.UK frontend classes, specific messages for a
missing answer (coreflect/forms.py), plain labels and no placeholders in place of labels."""

from typing import Any

from allauth.account import forms as account
from allauth.mfa.base import forms as mfa_base
from allauth.mfa.totp import forms as totp

from coreflect.forms import NHSFormMixin


def _code(form: Any, *, digits: bool = False) -> None:
    """A code box: the phone offers the code it was sent, and (for the app's code alone,
    not a recovery code's letters) the number pad."""
    if digits:
        form.fields["code"].widget.attrs["inputmode"] = "numeric"
    form.fields["code"].widget.attrs.update(
        autocomplete="one-time-code",
        autocapitalize="none",
        spellcheck="false",
        **{"class": "nhsuk-input nhsuk-input--width-10"},
    )


def _plain(form: Any, labels: dict[str, str]) -> None:
    for name, field in form.fields.items():
        field.widget.attrs.pop("placeholder", None)
        if name in labels:
            field.label = labels[name]
        if name.startswith("password"):
            field.help_text = ""  # allauth's has a link to reset in it; the page has one


class LoginForm(NHSFormMixin, account.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"login": "Email address or username", "password": "Password"})
        self.fields["login"].widget.attrs.update(
            autocomplete="username", autocapitalize="none", spellcheck="false"
        )
        self.fields["login"].error_messages["required"] = "Enter your email address or username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class ResetPasswordForm(NHSFormMixin, account.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"email": "Email address"})
        self.fields["email"].error_messages["required"] = "Enter your email address"


class ResetPasswordKeyForm(NHSFormMixin, account.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"password1": "New password", "password2": "New password again"})


class ChangePasswordForm(NHSFormMixin, account.ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(
            self,
            {
                "oldpassword": "Current password",
                "password1": "New password",
                "password2": "New password again",
            },
        )


class SetPasswordForm(NHSFormMixin, account.SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"password1": "Password", "password2": "Password again"})


class ReauthenticateForm(NHSFormMixin, account.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"password": "Password"})


class AuthenticateForm(NHSFormMixin, mfa_base.AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"code": "Code from your authenticator app, or a recovery code"})
        self.fields["code"].error_messages["required"] = "Enter the code"
        _code(self)


class MFAReauthenticateForm(NHSFormMixin, mfa_base.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"code": "Code from your authenticator app, or a recovery code"})
        self.fields["code"].error_messages["required"] = "Enter the code"
        _code(self)


class ActivateTOTPForm(NHSFormMixin, totp.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self, {"code": "Code from the app"})
        self.fields["code"].error_messages["required"] = "Enter the 6-digit code from the app"
        _code(self, digits=True)
