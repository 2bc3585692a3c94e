"""Sign-ins, failed sign-ins and sign-outs go in the audit log (issue 10, point 7), with the
client's address (client_address: the connection's, a forged X-Forwarded-For header changing
nothing unless it came through a trusted proxy). A failed attempt keeps the username or email
tried only when it is an account's, and never the password: someone who types their password
into the username box must not leave it in a log that can never be changed."""

import ipaddress
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from coreflect.audit.actions import record

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest | None) -> str:
    """The address the request came from: the connection's (REMOTE_ADDR), unless that is one
    of settings.TRUSTED_PROXIES; then X-Forwarded-For read from the right, past the trusted
    hops, since only the entries a trusted proxy appended can be believed. Used for the audit
    log and the sign-in rate limits alike."""
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    networks = _trusted(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _is_trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a proxy passed on something that is not an address
    return remote


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
    tried = str(credentials.get("username") or credentials.get("email") or "")[:254]
    field = "email__iexact" if "@" in tried else "username__iexact"
    known = User.objects.filter(**{field: tried}).values_list("username", flat=True).first()
    record(
        by=None,
        action="auth.sign_in_failed",
        username=known or "",
        known_account=known is not None,
        address=client_address(request),
    )
