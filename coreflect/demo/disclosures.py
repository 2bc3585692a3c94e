"""The demo's disclosures (build.py calls disclosures() after the notes): one discussed with
the worker first and already seen by them, one not discussed first (with the reason) and not
yet seen, so the worker's notice at sign-in, both kinds of record and the counts all show. The
new one is about the example peer worker, whose sign-in the accessibility scan uses.

Recorded through the real action (its checks and audit entry apply), then dated to the day.
Every text is fictional and names no one real.
"""

import datetime as dt

from django.utils import timezone

from coreflect.disclosures import actions
from coreflect.disclosures.models import Disclosure, Ground
from coreflect.people.models import Person, Role
from coreflect.supervision.models import SupervisionRelationship

# (whose example, days before today, ground, summary, with whom, their role, told first, why not)
PLAN = [
    (
        Role.PEER_SUPPORT_WORKER,
        45,
        Ground.CONDUCT,
        "That we had agreed a plan for getting case notes written on the day, after three weeks "
        "of notes written late.",
        "Morgan Reilly",
        "Team manager",
        True,
        "",
    ),
    (
        Role.PEER_WORKER,
        3,
        Ground.SAFEGUARDING,
        "That a person you support (initials J.T.) told you they had stopped their medication "
        "and felt unsafe at home, so that the care team could contact them the same day.",
        "Safeguarding team duty worker",
        "Adult safeguarding",
        False,
        "You were on a visit and could not be reached, and the care team needed to know that "
        "afternoon. I phoned you the next morning to talk it through.",
    ),
]


def disclosures(today: dt.date, examples: dict[str, Person]) -> int:
    """Record the demo's disclosures as of today; returns how many."""
    # The action goes by the real clock: a demo built for a later day dates them to the real one.
    day = min(today, timezone.localdate())
    made = 0
    for role, days_ago, ground, summary, name, their_role, told, why_not in PLAN:
        worker = examples.get(role)
        shared_on = day - dt.timedelta(days=days_ago)
        held = (
            SupervisionRelationship.objects.current(shared_on)
            .peer_work()
            .filter(supervisee=worker)
            .select_related("supervisor__user")
            .order_by("-start_date")
            .first()
        )
        if worker is None or held is None or held.supervisor.user is None:
            continue
        disclosure = actions.record_disclosure(
            by=held.supervisor.user,
            supervisee=worker,
            ground=ground,
            summary=summary,
            shared_with_name=name,
            shared_with_role=their_role,
            shared_on=shared_on,
            told_first=told,
            not_told_reason=why_not,
        )
        recorded = _at(shared_on, dt.time(16, 30))
        Disclosure.objects.filter(pk=disclosure.pk).update(
            recorded_at=recorded,
            # The one discussed first the worker read the next day; the other is new to them.
            seen_at=recorded + dt.timedelta(days=1) if told else None,
        )
        made += 1
    return made


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())
