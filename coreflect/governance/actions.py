import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from coreflect.audit.actions import record
from coreflect.governance import rules, structure
from coreflect.governance.models import Concern
from coreflect.people.models import Person


class ConcernRefused(Exception):
    """The concern cannot be recorded as given; the message says why."""


class StaleConcern(Exception):
    """The concern changed since the page was opened; the change was refused."""


@transaction.atomic
def raise_concern(
    *,
    by: User,
    person: Person,
    step: int,
    raised_with: Person,
    raised_on: dt.date,
    summary: str,
) -> Concern:
    """Record that the person raised a concern with someone on that step of their route as it
    was on the day. The audit entry holds the step and the day, never the summary, nor with
    whom (that is as confidential as the summary)."""
    today = timezone.localdate()
    if problem := rules.raised_on_problem(raised_on, today=today):
        raise ConcernRefused(problem)
    if not summary.strip():
        raise ConcernRefused("Enter a short summary of the concern")
    found = rules.on_step(structure.route_of(person, raised_on), step, raised_with.pk)
    if found is None:
        raise ConcernRefused(
            f"On {raised_on:%-d %B %Y} {raised_with.name} was not on step {step} of your "
            "escalation route: choose someone who was, or the day you raised it"
        )
    placed = structure.placed_on_person(person, raised_on)
    concern = Concern.objects.create(
        person=person,
        step=step,
        step_role=found.role.value,
        raised_with=raised_with,
        raised_on=raised_on,
        service_id=placed[1] if placed else None,
        summary=summary.strip(),
        recorded_at=timezone.now(),
    )
    record(
        by=by,
        action="concern.raise",
        target=concern,
        step=step,
        role=found.role.value,
        raised_on=raised_on.isoformat(),
    )
    return concern


@transaction.atomic
def record_outcome(*, by: User, concern: Concern, version: int, outcome: str) -> Concern:
    """Record (or change) what came of a concern; an edit from an out-of-date page is refused.
    The audit entry never holds the outcome's text."""
    text = outcome.strip()
    if not text:
        raise ConcernRefused("Enter what came of it")
    changed = Concern.objects.filter(pk=concern.pk, version=version).update(
        outcome=text,
        outcome_at=timezone.now(),
        outcome_by=by,
        version=F("version") + 1,
    )
    if not changed:
        raise StaleConcern
    first = not concern.outcome
    concern.refresh_from_db()
    record(by=by, action="concern.outcome", target=concern, first=first)
    return concern
