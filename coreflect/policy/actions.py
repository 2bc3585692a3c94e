import datetime as dt
from dataclasses import asdict
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F

from coreflect.audit.actions import record
from coreflect.policy.models import PolicySettings
from coreflect.policy.presets import PRESETS, TEMPLATE_FIELDS


def _kept(values: dict[str, Any]) -> dict[str, Any]:
    """Settings as the audit log keeps them (JSON): a time of day as HH:MM."""
    return {
        name: value.strftime("%H:%M") if isinstance(value, dt.time) else value
        for name, value in values.items()
    }


class StalePolicy(Exception):
    """The policy changed since the form was opened; the change was refused."""


@transaction.atomic
def create_policy(*, by: User | None, preset: str = "protocol") -> PolicySettings:
    """Make the organisation's policy row from a preset (once: the first read makes it)."""
    values = {
        name: value
        for name, value in asdict(PRESETS[preset]).items()
        if name not in TEMPLATE_FIELDS
    }
    values["holiday_region"] = values["holiday_region"].value
    values["prorating_absence_types"] = sorted(values["prorating_absence_types"])
    values["rounding"] = values["rounding"].value
    policy = PolicySettings.objects.create(preset=preset, **values)
    record(by=by, action="policy.create", target=policy, preset=preset, values=_kept(values))
    return policy


@transaction.atomic
def change_policy(
    *,
    by: User | None,
    policy: PolicySettings,
    version: int,
    changes: dict[str, Any],
    detail: dict[str, Any] | None = None,
) -> PolicySettings:
    """Save new policy numbers, refusing an edit made from an out-of-date page."""
    # Read from the row, not the instance: a bound ModelForm has already written the new values
    # onto its instance.
    row = PolicySettings.objects.select_for_update().filter(pk=policy.pk, version=version)
    before = row.values(*changes).first()
    if before is None or not row.update(**changes, version=F("version") + 1, updated_by=by):
        raise StalePolicy
    policy.refresh_from_db()
    record(
        by=by,
        action="policy.change",
        target=policy,
        before=_kept(before),
        after=_kept({name: getattr(policy, name) for name in changes}),
        **(detail or {}),
    )
    return policy
