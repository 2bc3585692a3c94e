import getpass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from coreflect.audit.models import AuditEvent


def record(
    *,
    by: User | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    **detail: Any,
) -> AuditEvent:
    """Write one audit entry; call inside the transaction of the change it describes."""
    return AuditEvent.objects.create(
        actor=by if isinstance(by, User) else None,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        detail=detail,
    )


def os_user() -> str:
    """Who is running a management command, as the operating system knows them: what the
    audit log has of a command run without a Coreflect user (--by)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no password-file entry (a bare container)
        return "unknown"
