"""Sign-ins, failed sign-ins and sign-outs go in the audit log (issue 10, point 7), with the
client's address as the connection gives it (REMOTE_ADDR: a forged X-Forwarded-For header
changes nothing). A failed attempt keeps the username tried only when it is an account's, and
never the password: someone who types their password into the username box must not leave it
in a log that can never be changed."""

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from coreflect.audit.actions import record


def client_address(request: HttpRequest | None) -> str:
    return str(request.META.get("REMOTE_ADDR", "")) if request is not None else ""


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def signed_in(sender: Any, request: HttpRequest | None, user: User, **_: Any) -> None:
    record(by=user, action="auth.sign_in", target=user, address=client_address(request))


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def signed_out(sender: Any, request: HttpRequest | None, user: User | None, **_: Any) -> None:
    if user is not None:
        record(by=user, action="auth.sign_out", target=user, address=client_address(request))


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    tried = str(credentials.get("username", ""))[:150]
    known = User.objects.filter(username__iexact=tried).values_list("username", flat=True).first()
    record(
        by=None,
        action="auth.sign_in_failed",
        username=known or "",
        known_account=known is not None,
        address=client_address(request),
    )
