"""The demo's supervision agreements (spec §6): most peer work supervisions signed by both,
some signed over a year ago (review overdue), some written and signed by one side only, and
the rest with none (flagged once past the policy's days). Made as rows, with the dates the
story needs; the fingerprint is the one the actions would make."""

import datetime as dt

from django.utils import timezone

from coreflect.agreements import rules
from coreflect.agreements.models import Agreement, AgreementVersion, Side, Signature, content_of
from coreflect.policy.models import PolicySettings
from coreflect.policy.presets import PRESETS
from coreflect.supervision.models import SupervisionRelationship


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(11)))


def agreements(today: dt.date) -> list[Agreement]:
    """An agreement for three in four current peer work supervisions, in a fixed pattern."""
    policy = PolicySettings.objects.current()
    template = PRESETS[policy.preset].agreement_template
    relationships = (
        SupervisionRelationship.objects.peer_work()
        .current(today)
        .select_related("supervisee", "supervisor")
        .order_by("pk")
    )
    made = []
    for n, relationship in enumerate(relationships):
        kind = n % 8
        if kind == 7:
            continue  # none at all
        written = max(relationship.start_date, today - dt.timedelta(days=200))
        if kind == 6:
            written = max(relationship.start_date, today - dt.timedelta(days=400))
        content = content_of(
            sessions_a_month=1,
            session_minutes=policy.one_to_one_minutes,
            usual_place=f"A quiet room at {relationship.supervisee.locality or 'the base'}",
            changes_arranged="We email each other at least a week ahead, or phone on the day.",
            notes_share_working_days=7 if kind in (0, 3) else policy.notes_share_working_days,
            notes_response_working_days=7 if kind in (0, 3) else policy.notes_response_working_days,
            items=[{"key": i.key, "title": i.title, "text": i.text} for i in template],
        )
        agreement = Agreement.objects.create(relationship=relationship)
        version = AgreementVersion.objects.create(
            agreement=agreement,
            number=1,
            fingerprint=rules.fingerprint(content),
            written_by=relationship.supervisor,
            written_at=_moment(written),
            **content,
        )
        sides = [(Side.SUPERVISOR, relationship.supervisor)]
        if kind != 5:  # kind 5: the supervisee has not signed yet
            sides.append((Side.SUPERVISEE, relationship.supervisee))
        for number, (side, person) in enumerate(sides):
            Signature.objects.create(
                version=version,
                side=side,
                person=person,
                signed_at=_moment(written + dt.timedelta(days=number + 1)),
                fingerprint=version.fingerprint,
                completes=number == 1,
            )
        made.append(agreement)
    return made
