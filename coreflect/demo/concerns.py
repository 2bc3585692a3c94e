"""The demo's concerns about supervision (build.py calls concerns() after the disclosures):
raised at several steps of their route by a few peer workers, one with its outcome, so the
route, the concern pages, the list of those raised with someone and the counts all show. The
example peer support worker raises none: the browser journey records theirs.

Recorded through the real actions (their checks and audit entries apply). Every text is
fictional and names no one real.
"""

import datetime as dt

from django.utils import timezone

from coreflect.governance import actions, structure
from coreflect.people.models import Person, Role

# (whose example, days before today, step, summary, outcome)
PLAN = [
    (
        Role.PEER_WORKER,
        20,
        2,
        "I find it hard to say when sessions are moved at short notice, and asked for help "
        "raising it with my supervisor.",
        "We practised how I would bring it up; I raised it at my next one-to-one and we agreed "
        "a week's notice.",
    ),
    (
        Role.PEER_WORKER,
        6,
        4,
        "Sessions keep being cut short and I do not feel listened to.",
        "",
    ),
    (
        Role.SENIOR_PEER_WORKER,
        12,
        5,
        "My own supervision has been cancelled three months running.",
        "",
    ),
]


def concerns(today: dt.date, examples: dict[str, Person]) -> int:
    """Record the demo's concerns as of today; returns how many."""
    # The action refuses days after the real one: a demo built for a later day uses that.
    day = min(today, timezone.localdate())
    made = 0
    for role, days_ago, step, summary, outcome in PLAN:
        person = examples.get(role)
        if person is None or person.user is None:
            continue
        raised_on = day - dt.timedelta(days=days_ago)
        found = next((s for s in structure.route_of(person, raised_on) if s.number == step), None)
        if found is None:
            continue
        concern = actions.raise_concern(
            by=person.user,
            person=person,
            step=step,
            raised_with=Person.objects.get(pk=found.people[0]),
            raised_on=raised_on,
            summary=summary,
        )
        if outcome:
            actions.record_outcome(
                by=person.user, concern=concern, version=concern.version, outcome=outcome
            )
        made += 1
    return made
