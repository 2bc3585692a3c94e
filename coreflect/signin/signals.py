"""Password resets and changes, second factors added, used, reset and removed: each an audit
entry (issue 10, point 7), with the client's address. Adding or using a second factor is also
remembered in the session (coreflect/signin/state.py), and adding one gives the session a new
key, as signing in does."""

from typing import Any

from allauth.account import signals as account
from allauth.mfa import signals as mfa
from django.contrib.auth.models import User
from django.dispatch import receiver
from django.http import HttpRequest

from coreflect.audit.actions import record
from coreflect.audit.signals import client_address
from coreflect.signin import state


def _audit(action: str, request: HttpRequest | None, user: User, **detail: Any) -> None:
    record(by=user, action=action, target=user, address=client_address(request), **detail)


@receiver(account.password_reset, dispatch_uid="audit_password_reset")
def password_reset(sender: Any, request: HttpRequest, user: User, **_: Any) -> None:
    _audit("auth.password_reset", request, user)


@receiver(account.password_changed, dispatch_uid="audit_password_changed")
def password_changed(sender: Any, request: HttpRequest, user: User, **_: Any) -> None:
    _audit("auth.password_change", request, user)


@receiver(account.password_set, dispatch_uid="audit_password_set")
def password_set(sender: Any, request: HttpRequest, user: User, **_: Any) -> None:
    _audit("auth.password_set", request, user)


@receiver(mfa.authenticator_added, dispatch_uid="audit_mfa_added")
def authenticator_added(
    sender: Any, request: HttpRequest, user: User, authenticator: Any, **_: Any
) -> None:
    _audit("auth.mfa_add", request, user, type=authenticator.type)
    state.mark_second_factor(request)
    request.session.cycle_key()


@receiver(mfa.authenticator_removed, dispatch_uid="audit_mfa_removed")
def authenticator_removed(
    sender: Any, request: HttpRequest, user: User, authenticator: Any, **_: Any
) -> None:
    _audit("auth.mfa_remove", request, user, type=authenticator.type)


@receiver(mfa.authenticator_reset, dispatch_uid="audit_mfa_reset")
def authenticator_reset(
    sender: Any, request: HttpRequest, user: User, authenticator: Any, **_: Any
) -> None:
    _audit("auth.mfa_reset", request, user, type=authenticator.type)


@receiver(mfa.authenticator_used, dispatch_uid="audit_mfa_used")
def authenticator_used(
    sender: Any,
    request: HttpRequest,
    user: User,
    authenticator: Any,
    reauthenticated: bool = False,
    **_: Any,
) -> None:
    _audit("auth.mfa_use", request, user, type=authenticator.type, again=reauthenticated)
    state.mark_second_factor(request)
    if reauthenticated:
        # At sign-in, signing in itself gives the session a new key right after this step.
        request.session.cycle_key()


@receiver(mfa.authentication_failed, dispatch_uid="audit_mfa_failed")
def authentication_failed(
    sender: Any, request: HttpRequest, user: User, authenticator: Any = None, **_: Any
) -> None:
    _audit("auth.mfa_failed", request, user, type=getattr(authenticator, "type", ""))
