from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F

from coreflect.audit.actions import record
from coreflect.compliance.models import PolicySettings


class StalePolicy(Exception):
    """The policy changed since the form was opened; the change was refused."""


@transaction.atomic
def change_policy(
    *, by: User, policy: PolicySettings, version: int, changes: dict[str, Any]
) -> PolicySettings:
    """Save new policy numbers, refusing an edit made from an out-of-date page."""
    updated = PolicySettings.objects.filter(pk=policy.pk, version=version).update(
        **changes, version=F("version") + 1, updated_by=by
    )
    if not updated:
        raise StalePolicy
    before = {name: getattr(policy, name) for name in changes}
    policy.refresh_from_db()
    record(
        by=by,
        action="policy.change",
        target=policy,
        before=before,
        after={name: getattr(policy, name) for name in changes},
    )
    return policy
