"""Two checks on every signed-in request: a leaver's sign-in ends (asked once a day per
session: the day someone leaves is what changes it), and, where a second factor is required,
a sign-in without one reaches only the pages that set one up, and signing out."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone

from coreflect.audit.actions import record
from coreflect.audit.signals import client_address
from coreflect.signin import state
from coreflect.signin.backends import has_left

CHECKED_ON = "signin_leaver_checked_on"

# What a sign-in without its second factor may open: enrolment (an authenticator app, a
# security key, the recovery codes that come with them), proving it again, and signing out.
ENROLMENT = frozenset(
    {
        "account_logout",
        "account_reauthenticate",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
        "mfa_generate_recovery_codes",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
    }
)


class LeaversSignedOut:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        today = timezone.localdate().isoformat()
        if user.is_authenticated and request.session.get(CHECKED_ON) != today:
            if has_left(user):
                record(
                    by=user,
                    action="auth.signed_out_leaver",
                    target=user,
                    address=client_address(request),
                )
                logout(request)
            else:
                request.session[CHECKED_ON] = today
        return self.get_response(request)


class SecondFactorRequired:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        if not settings.REQUIRE_SECOND_FACTOR or not request.user.is_authenticated:
            return None
        if state.used_second_factor(request):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in ENROLMENT:
            return None
        if not getattr(view, "login_required", True):
            return None  # open to anyone signed in or not (the sign-in page, a reset link)
        if Authenticator.objects.filter(user_id=request.user.pk).exists():
            # Signed in before one was required, or the sign-in skipped it: prove it again.
            response = redirect("mfa_reauthenticate")
            if request.method == "GET":
                response["Location"] += "?" + urlencode({"next": request.get_full_path()})
            return response
        return redirect("mfa_activate_totp")
