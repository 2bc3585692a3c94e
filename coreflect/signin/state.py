"""What this sign-in's session remembers about the second factor: when one was last used
(a code, a security key, enrolling one, or a single sign-on whose token said the identity
provider asked for one), so the pages that need a recent one can tell."""

import time

from django.http import HttpRequest

from coreflect.signin import rules

SECOND_FACTOR_AT = "signin_second_factor_at"
# The user whose single sign-on token said a second factor was used (coreflect/signin/adapter.py):
# their sign-in asks for no other.
SSO_SECOND_FACTOR_FOR = "signin_sso_second_factor_for"
# Minutes within which an administrator must have used a second factor to grant a role.
RECENT_MINUTES = 15


def mark_second_factor(request: HttpRequest) -> None:
    request.session[SECOND_FACTOR_AT] = time.time()


def second_factor_at(request: HttpRequest) -> float | None:
    at = request.session.get(SECOND_FACTOR_AT)
    return float(at) if at is not None else None


def used_second_factor(request: HttpRequest, *, within_minutes: int | None = None) -> bool:
    """Whether this sign-in used a second factor at all, or within the last minutes given."""
    at = second_factor_at(request)
    if within_minutes is None:
        return at is not None
    return rules.second_factor_recent(at, time.time(), within_minutes)
