"""Writes for disclosures: recording one, and the worker having seen them. Each in one
transaction with its audit entry; the audit entry holds no content (no summary, no names of
whom it was shared with), only what the disclosure record's id and ground say."""

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from coreflect.audit.actions import record
from coreflect.authorization import person_of
from coreflect.disclosures import access, rules
from coreflect.disclosures.models import Disclosure, Ground
from coreflect.people.models import Person


class DisclosureRefused(Exception):
    """The disclosure cannot be recorded; the message says why, for the person recording."""


def record_disclosure(
    *,
    by: User,
    supervisee: Person,
    ground: Ground | str,
    summary: str,
    shared_with_name: str,
    shared_with_role: str,
    shared_on: dt.date,
    told_first: bool,
    not_told_reason: str = "",
) -> Disclosure:
    """Record that the signed-in supervisor shared something about their supervisee."""
    supervisor = person_of(by)
    if supervisor is None or supervisor.pk == supervisee.pk:
        raise DisclosureRefused("Only a supervisor can record a disclosure.")
    why_not = rules.refusal(
        supervised_on_the_day=access.supervised_on(supervisor, supervisee, shared_on),
        shared_on=shared_on,
        today=timezone.localdate(),
        told_first=told_first,
        reason=not_told_reason,
    )
    if why_not is not None:
        raise DisclosureRefused(why_not)
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            supervisee=supervisee,
            supervisor=supervisor,
            ground=ground,
            summary=summary.strip(),
            shared_with_name=shared_with_name.strip(),
            shared_with_role=shared_with_role.strip(),
            shared_on=shared_on,
            told_first=told_first,
            not_told_reason="" if told_first else not_told_reason.strip(),
            recorded_at=timezone.now(),
        )
        record(
            by=by,
            action="disclosure.recorded",
            target=disclosure,
            supervisee=supervisee.external_id,
            ground=str(ground),
            shared_on=shared_on.isoformat(),
            told_first=told_first,
        )
    return disclosure


def mark_seen(*, by: User, disclosures: list[Disclosure]) -> int:
    """The worker has opened the page listing these disclosures about them: they are no longer
    new. Returns how many were new."""
    me = person_of(by)
    new = [
        d for d in disclosures if d.seen_at is None and me is not None and d.supervisee_id == me.pk
    ]
    if not new:
        return 0
    now = timezone.now()
    with transaction.atomic():
        Disclosure.objects.filter(pk__in=[d.pk for d in new], seen_at__isnull=True).update(
            seen_at=now
        )
        for disclosure in new:
            record(by=by, action="disclosure.seen", target=disclosure)
    return len(new)
