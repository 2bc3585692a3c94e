"""The structure an escalation route is computed from (rules.structure), read from the database
as of a date in a fixed number of queries: everyone's role and team on the day (their placement
then; someone recorded before the history was kept, with no placements at all, as their record
says), who is employed on the day, and the peer-work relationships in force on the day.

The whole organisation (the `coreflect escalation` command) reads every row once; one person's
page reads only their service's people, the heads of peer work and the executive directors.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, OuterRef, Q

from coreflect.governance import rules
from coreflect.people.models import EmploymentPeriod, Person, Placement, Role
from coreflect.supervision.models import SupervisionRelationship

# Roles whose holders are on everyone's route, whatever their service.
EVERYONE_S = [Role.HEAD_OF_PEER_WORK, Role.EXECUTIVE_DIRECTOR]

# A person's role, service and locality on a day.
Placed = tuple[str, int | None, int | None]


def _on(day: dt.date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def placed_on(day: dt.date, *, service: int | None = None, whole: bool = True) -> dict[int, Placed]:
    """Each person's (role, service, locality) on the day: everyone's (whole), or those in the
    service and everyone whose role puts them on every route."""
    scope = Q(role__in=EVERYONE_S)
    if service is not None:
        scope |= Q(service_id=service)
    placements = Placement.objects.all()
    if not whole:
        placements = placements.filter(person__in=Placement.objects.filter(scope).values("person"))
    history: dict[int, list[rules.Dated[Placed]]] = defaultdict(list)
    for person_id, start, end, role, service_id, locality_id in placements.order_by(
        "person_id", "start_date", "pk"
    ).values_list("person_id", "start_date", "end_date", "role", "service_id", "locality_id"):
        history[person_id].append((start, end, (role, service_id, locality_id)))
    placed: dict[int, Placed] = {}
    for person_id, rows in history.items():
        found = rules.placement_on(day, rows)
        if found is not None and (whole or found[0] in EVERYONE_S or found[1] == service):
            placed[person_id] = found
    unplaced = Person.objects.filter(~Exists(Placement.objects.filter(person=OuterRef("pk"))))
    if not whole:
        unplaced = unplaced.filter(scope)
    for pk, role, service_id, locality_id in unplaced.values_list(
        "pk", "role", "service_id", "locality_id"
    ):
        placed[pk] = (role, service_id, locality_id)
    return placed


def load(day: dt.date, *, around: Person | None = None) -> rules.Structure:
    """The structure on the day: the whole organisation, or what the route of `around` needs
    (their service's people, and the heads of peer work and executive directors)."""
    employment = EmploymentPeriod.objects.filter(_on(day))
    relationships = SupervisionRelationship.objects.current(day).peer_work()
    if around is None:
        placed = placed_on(day)
    else:
        own = placed_on_person(around, day)
        placed = placed_on(day, service=own[1] if own else None, whole=False)
        if own is not None:
            placed[around.pk] = own
        ids = list(placed)
        employment = employment.filter(person_id__in=ids)
        relationships = relationships.filter(Q(supervisor_id__in=ids) | Q(supervisee_id=around.pk))
    employed = set(employment.values_list("person_id", flat=True))
    return rules.structure(
        (
            rules.Member(pk, role, service_id, locality_id, pk in employed)
            for pk, (role, service_id, locality_id) in placed.items()
        ),
        relationships.values_list("supervisor_id", "supervisee_id"),
    )


def placed_on_person(person: Person, day: dt.date) -> Placed | None:
    """One person's (role, service, locality) on the day, as placed_on reads it."""
    history = [
        (start, end, (role, service_id, locality_id))
        for start, end, role, service_id, locality_id in Placement.objects.filter(person=person)
        .order_by("start_date", "pk")
        .values_list("start_date", "end_date", "role", "service_id", "locality_id")
    ]
    if not history:
        return (person.role, person.service_id, person.locality_id)
    return rules.placement_on(day, history)


def route_of(person: Person, day: dt.date) -> tuple[rules.Step, ...]:
    """One person's route on the day, reading only what it needs."""
    return rules.route(person.pk, load(day, around=person))
