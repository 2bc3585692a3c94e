"""Writes to agreements: a new version, a signature, a request for a review. One transaction
and one audit entry each; the relationship's row is locked first, so two writers of one
agreement take turns. A version is never changed (guard.py): a change is a new version.

Every write carries what the writer saw (the latest version's number, and for a signature
its fingerprint); if the agreement moved on since, it is refused with StaleAgreement.
"""

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coreflect.agreements import access, rules
from coreflect.agreements.models import (
    Agreement,
    AgreementVersion,
    ReviewRequest,
    Side,
    Signature,
    content_of,
)
from coreflect.audit.actions import record
from coreflect.authorization import person_of
from coreflect.people.models import Person
from coreflect.policy.models import PolicySettings
from coreflect.policy.presets import PRESETS, AgreementItem
from coreflect.supervision.models import SupervisionRelationship


class StaleAgreement(Exception):
    """The agreement changed since the writer opened it; nothing was saved."""


def template_of(policy: PolicySettings) -> tuple[AgreementItem, ...]:
    """The organisation's agreement template (its preset's)."""
    return PRESETS[policy.preset].agreement_template


def _lock(relationship: SupervisionRelationship) -> Agreement:
    SupervisionRelationship.objects.select_for_update(of=("self",)).get(pk=relationship.pk)
    agreement, _ = Agreement.objects.get_or_create(relationship=relationship)
    return agreement


def _latest(agreement: Agreement) -> AgreementVersion | None:
    return agreement.versions.order_by("-number").first()


def _check_writer(
    by: User, relationship: SupervisionRelationship, today: dt.date
) -> tuple[str, Person]:
    """The writer's side and person: only the two, while the relationship is in force."""
    side, me = access.side_of(by, relationship), person_of(by)
    if side is None or me is None or not access.may_write(by, relationship, on=today):
        raise ValidationError("Only the supervisee and the supervisor write this agreement.")
    return side, me


@transaction.atomic
def write_version(
    *,
    by: User,
    relationship: SupervisionRelationship,
    based_on: int | None,
    sessions_a_month: int,
    session_minutes: int,
    usual_place: str,
    changes_arranged: str,
    notes_share_working_days: int,
    notes_response_working_days: int,
    items: Sequence[rules.Item],
) -> AgreementVersion:
    """A new version of the agreement, to be signed by both (spec §6). `based_on` is the
    number of the latest version the writer saw (None: there was none)."""
    today = timezone.localdate()
    _, me = _check_writer(by, relationship, today)
    policy = PolicySettings.objects.current()
    agreement = _lock(relationship)
    latest = _latest(agreement)
    if (latest.number if latest else None) != based_on:
        raise StaleAgreement
    missing = rules.missing_standard_items(items, [i.key for i in template_of(policy)])
    if missing:
        raise ValidationError(
            "The template's items cannot be removed: %(missing)s.",
            params={"missing": ", ".join(missing)},
        )
    if rules.below_minimum(
        sessions_a_month=sessions_a_month,
        session_minutes=session_minutes,
        minimum_minutes_a_month=policy.agreement_minimum_minutes_a_month,
    ):
        raise ValidationError(
            "Agree at least %(minutes)s minutes of one-to-one supervision a month.",
            params={"minutes": policy.agreement_minimum_minutes_a_month},
        )
    content = content_of(
        sessions_a_month=sessions_a_month,
        session_minutes=session_minutes,
        usual_place=usual_place,
        changes_arranged=changes_arranged,
        notes_share_working_days=notes_share_working_days,
        notes_response_working_days=notes_response_working_days,
        items=[{"key": i.key, "title": i.title, "text": i.text} for i in items],
    )
    fingerprint = rules.fingerprint(content)
    if latest is not None and latest.fingerprint == fingerprint:
        raise ValidationError("Nothing has changed since the latest version.")
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=(latest.number + 1) if latest else 1,
        fingerprint=fingerprint,
        written_by=me,
        written_at=timezone.now(),
        **content,
    )
    record(
        by=by,
        action="agreement.version",
        target=version,
        relationship=relationship.pk,
        number=version.number,
        fingerprint=fingerprint,
    )
    return version


@transaction.atomic
def sign(
    *, by: User, relationship: SupervisionRelationship, number: int, fingerprint: str
) -> Signature:
    """Sign the version the signer read: refused unless it is still the latest and says
    exactly what they read (its fingerprint)."""
    side, me = _check_writer(by, relationship, timezone.localdate())
    agreement = _lock(relationship)
    latest = _latest(agreement)
    if latest is None or latest.number != number or latest.fingerprint != fingerprint:
        raise StaleAgreement
    signed = set(latest.signatures.values_list("side", flat=True))
    if side in signed:
        raise ValidationError("You have signed this version already.")
    signature = Signature.objects.create(
        version=latest,
        side=Side(side),
        person=me,
        signed_at=timezone.now(),
        fingerprint=fingerprint,
        completes=bool(signed),
    )
    record(
        by=by,
        action="agreement.sign",
        target=latest,
        relationship=relationship.pk,
        number=number,
        side=side,
        fingerprint=fingerprint,
        completes=signature.completes,
    )
    return signature


@transaction.atomic
def request_review(
    *, by: User, relationship: SupervisionRelationship, reason: str = ""
) -> ReviewRequest:
    """Either asks to review the agreement now, before its review date (spec §6)."""
    _, me = _check_writer(by, relationship, timezone.localdate())
    agreement = _lock(relationship)
    if not Signature.objects.filter(version__agreement=agreement, completes=True).exists():
        raise ValidationError("There is no signed agreement to review yet.")
    request = ReviewRequest.objects.create(
        agreement=agreement, person=me, at=timezone.now(), reason=reason
    )
    record(by=by, action="agreement.review_request", target=agreement, relationship=relationship.pk)
    return request
