"""How allauth behaves here: nobody signs themselves up (accounts come from the people records),
the client's address is the one the audit log uses, a leaver is refused, and the step asking
for a second factor knows about single sign-ons whose token says one was used.

A single sign-on with Entra ID is linked to a Coreflect account on the token's tid and oid
(coreflect/signin/entra.py). The first time, and only then, it is matched to a person by email:
the token's email must be verified, the token must come from the configured tenant, and the
account must be active and not yet linked to another Entra account. A leaver is refused at
sign-in, whichever way they sign in (pre_login)."""

import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coreflect.audit.actions import record
from coreflect.audit.signals import client_address
from coreflect.signin import rules, state
from coreflect.signin.backends import has_left
from coreflect.signin.entra import claims_of

SECOND_FACTOR_STAGE = "allauth.mfa.stages.AuthenticateStage"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        # The same address as the audit log's: a forged X-Forwarded-For changes neither.
        return client_address(request) or "unknown"

    def get_login_stages(self) -> list[str]:
        return [
            "coreflect.signin.stages.SecondFactorStage" if stage == SECOND_FACTOR_STAGE else stage
            for stage in super().get_login_stages()
        ]

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Setting up a first second factor right after signing in asks for nothing more: the
        sign-in was the proof, and someone who signed in with Entra ID has no password to give
        again. Nor does seeing the recovery codes just after setting one up, or anything within
        allauth's window after using one (a second factor is itself a way to prove it again).
        Otherwise changing the second factor (another one, removing one) asks again."""
        if app == "allauth.mfa" and (
            first_enrolment_after_sign_in(context.request)
            or second_factor_just_used(context.request)
        ):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse | None:
        # The password backend refuses leavers already; this covers single sign-on too.
        if has_left(user):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            record(by=None, action="auth.sign_in_refused", target=user, reason="left")
            return render(request, "signin/not_active.html", status=403)
        return super().pre_login(request, user, **kwargs)


def first_enrolment_after_sign_in(request: HttpRequest | None) -> bool:
    """Whether this request's user has no second factor yet and signed in within allauth's
    reauthentication window (settings.ACCOUNT_REAUTHENTICATION_TIMEOUT)."""
    if request is None or not request.user.is_authenticated:
        return False
    records = get_authentication_records(request, request.user)
    if not records or Authenticator.objects.filter(user_id=request.user.pk).exists():
        return False
    return time.time() - float(records[-1]["at"]) < account_settings.REAUTHENTICATION_TIMEOUT


def second_factor_just_used(request: HttpRequest | None) -> bool:
    """Whether this sign-in used or added a second factor within allauth's reauthentication
    window (settings.ACCOUNT_REAUTHENTICATION_TIMEOUT)."""
    if request is None or not request.user.is_authenticated:
        return False
    at = state.second_factor_at(request)
    return at is not None and 0 <= time.time() - at < account_settings.REAUTHENTICATION_TIMEOUT


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        claims = claims_of(sociallogin.account.extra_data)
        tenant = sociallogin.provider.app.settings.get("tenant_id")
        if not claims.get("oid") or not tenant or claims.get("tid") != tenant:
            self.refuse(request, "another_tenant", {"tenant": str(claims.get("tid", ""))})
        if not sociallogin.is_existing:
            user = self.match(sociallogin)
            if user is None:
                self.refuse(request, "no_account", {"email": str(claims.get("email", ""))[:254]})
            sociallogin.connect(request, user)
            record(
                by=user,
                action="auth.sso_linked",
                target=user,
                provider=sociallogin.account.provider,
                uid=sociallogin.account.uid,
                address=client_address(request),
            )
        user = sociallogin.user
        if user is not None and rules.amr_says_mfa(claims.get("amr")):
            request.session[state.SSO_SECOND_FACTOR_FOR] = user.pk
            state.mark_second_factor(request)

    def match(self, sociallogin: SocialLogin) -> User | None:
        """The active account whose email is the token's verified one, if it has no Entra
        account linked yet: an email is trusted for this once, to find the person."""
        verified = [address.email for address in sociallogin.email_addresses if address.verified]
        if len(verified) != 1:
            return None
        candidates = list(User.objects.filter(email__iexact=verified[0], is_active=True)[:2])
        if len(candidates) != 1:
            return None  # none, or an address two accounts share: nothing safe to link
        (user,) = candidates
        provider = sociallogin.account.provider
        if SocialAccount.objects.filter(user=user, provider=provider).exists():
            return None  # already linked to another Entra account: never re-linked by email
        return user  # a leaver's is linked, and refused at sign-in like anyone who has left

    def refuse(self, request: HttpRequest, reason: str, detail: dict[str, Any]) -> None:
        record(
            by=None,
            action="auth.sso_refused",
            reason=reason,
            address=client_address(request),
            **detail,
        )
        raise ImmediateHttpResponse(
            render(request, "signin/sso_no_account.html", {"reason": reason}, status=403)
        )
