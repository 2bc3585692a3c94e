"""Writes to people's records: adding a person, changing them, a leaving date, a start, and
granting a role. Each is one transaction and one audit entry on the person, with what it was
before and after.

A form carries the record as it was opened (as_opened); if anyone, or an import, changed it
since, nothing is written and StaleEdit is raised. The matrix takes each change at once: the
people and employment tables' triggers move the person's revision (compliance/revisions.py).

Role and team history is kept as an import keeps it (imports/actions.py, `_people`): a new
person's placement opens on their first day; a move ends the current placement and opens the
next, or corrects the current one when it opened on the day of the move (people.rules.move).
Here the move has a date of its own, so the current placement ends on the day before. Someone
in a peer-work role has an employment period from their first day in it (an import leaves that
to its employment file), and one that ends when they move out of peer work.
"""

import datetime as dt
import hashlib
import json
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from coreflect.audit.actions import record
from coreflect.people import rules
from coreflect.people.models import (
    PEER_WORK_ROLES,
    PRIVILEGED_ROLES,
    EmploymentPeriod,
    Locality,
    Person,
    Placement,
    Service,
)
from coreflect.people.rules import ONE_DAY, Refused
from coreflect.signin.invitations import open_accounts
from coreflect.supervision.models import SupervisionRelationship

# What the audit entry keeps of a person, and what the edit page may change.
SHOWN = ("name", "email", "role", "service", "locality", "line_manager")


class StaleEdit(Exception):
    """The record changed since the form was opened; nothing was written."""


def as_opened(person: Person) -> str:
    """What a form carries to show the record it was opened on: a digest of the person, their
    placements and employment periods (a stale edit is refused)."""
    placements = Placement.objects.filter(person=person).order_by("pk")
    employment = EmploymentPeriod.objects.filter(person=person).order_by("pk")
    values = [
        [person.name, person.email, person.role],
        [person.service_id, person.locality_id, person.line_manager_id],
        list(placements.values_list("pk", "role", "service", "locality", "start_date", "end_date")),
        list(employment.values_list("pk", "start_date", "end_date")),
    ]
    return hashlib.sha256(json.dumps(values, default=str).encode()).hexdigest()


def _lock(person: Person, opened: str) -> Person:
    """The person's row, locked for this transaction, if it is still as the form saw it."""
    current = (
        Person.objects.select_for_update(of=("self",))
        .select_related("service", "locality", "line_manager", "user")
        .get(pk=person.pk)
    )
    if as_opened(current) != opened:
        raise StaleEdit
    return current


def _shown(person: Person) -> dict[str, str]:
    """A person as the audit log keeps them: words and ids, not database keys."""
    return {
        "name": person.name,
        "email": person.email,
        "role": person.role,
        "service": person.service.name if person.service else "",
        "locality": person.locality.name if person.locality else "",
        "line_manager": person.line_manager.external_id if person.line_manager else "",
    }


def _refuse(problem: str | None, field: str) -> None:
    if problem is not None:
        raise Refused(problem, field=field)


def _check(
    *,
    name: str,
    email: str,
    service: Service | None,
    locality: Locality | None,
    besides: Person | None,
) -> None:
    """The name, the email (unique among people, whatever its case) and the team."""
    _refuse(rules.name_problem(name), "name")
    _refuse(rules.email_problem(email), "email")
    if email:
        taken = Person.objects.filter(email__iexact=email)
        if besides is not None:
            taken = taken.exclude(pk=besides.pk)
        holder = taken.first()
        if holder is not None:
            raise Refused(
                f"{holder.name} ({holder.external_id}) already has this email address",
                field="email",
            )
    if locality is not None and service is None:
        raise Refused(f"Choose the service {locality.name} belongs to", field="service")
    if locality is not None and service is not None and locality.service_id != service.pk:
        raise Refused(
            f"{locality.name} is not a locality of the {service.name} service", field="locality"
        )


def _check_line_manager(person: Person, manager: Person | None) -> None:
    if manager is None:
        return
    if manager.pk == person.pk:
        raise Refused("A person cannot be their own line manager", field="line_manager")

    def manager_of(pk: int) -> int | None:
        return Person.objects.filter(pk=pk).values_list("line_manager", flat=True).first()

    if rules.makes_circle(person.pk, manager.pk, manager_of):
        raise Refused(
            f"{person.name} already line manages {manager.name}, however indirectly: line "
            "management cannot go round in a circle",
            field="line_manager",
        )


def _place(person: Person, start: dt.date, end: dt.date | None = None) -> Placement:
    """A placement in the person's role and team as now set on them."""
    return Placement.objects.create(
        person=person,
        role=person.role,
        service=person.service,
        locality=person.locality,
        start_date=start,
        end_date=end,
    )


def _latest_placement(person: Person) -> Placement | None:
    return (
        Placement.objects.select_for_update()
        .filter(person=person)
        .order_by("-start_date", "-pk")
        .first()
    )


def _latest_employment(person: Person) -> EmploymentPeriod | None:
    return (
        EmploymentPeriod.objects.select_for_update()
        .filter(person=person)
        .order_by("-start_date", "-pk")
        .first()
    )


def _move(person: Person, *, effective: dt.date, today: dt.date) -> tuple[dt.date, dict[str, Any]]:
    """Keep the person's role and team, as now set on them, in their placement history from
    `effective`; returns the day the new role and team begin and what the audit keeps."""
    latest = _latest_placement(person)
    how = rules.move(
        (latest.start_date, latest.end_date) if latest is not None else None, effective, today
    )
    if how is rules.Move.CORRECT and latest is not None:
        latest.role, latest.service, latest.locality = person.role, person.service, person.locality
        latest.save(update_fields=["role", "service", "locality"])
        return latest.start_date, {"history": "corrected", "from": latest.start_date.isoformat()}
    end = None
    if how is rules.Move.SPLIT and latest is not None:
        end = latest.end_date  # a leaving date recorded ahead stays
        latest.end_date = effective - ONE_DAY
        latest.save(update_fields=["end_date"])
    _place(person, effective, end)
    return effective, {"history": how.value, "from": effective.isoformat()}


def _employment_follows_role(person: Person, old_role: str, since: dt.date) -> dict[str, Any]:
    """Moving into a peer-work role starts an employment period on the day (unless one is in
    force); moving out of one ends the period in force the day before (a period that began on
    that very day was recorded for the role being corrected, and goes)."""
    into, out = person.role in PEER_WORK_ROLES, old_role in PEER_WORK_ROLES
    if into == out:
        return {}
    periods = list(EmploymentPeriod.objects.select_for_update().filter(person=person))
    covering = next(
        (
            p
            for p in periods
            if p.start_date <= since and (p.end_date is None or p.end_date >= since)
        ),
        None,
    )
    if into:
        if covering is not None:
            return {}
        _refuse(rules.start_problem([(p.start_date, p.end_date) for p in periods], since), "role")
        EmploymentPeriod.objects.create(person=person, start_date=since)
        return {"employment_started": since.isoformat()}
    if covering is None:
        return {}
    if covering.start_date == since:
        gone = _period(covering)
        covering.delete()
        return {"employment_removed": gone}
    before = _period(covering)
    covering.end_date = since - ONE_DAY
    covering.save(update_fields=["end_date"])
    return {"employment_ended": {"before": before, "after": _period(covering)}}


def _period(row: EmploymentPeriod | Placement) -> dict[str, str | None]:
    return {
        "start": row.start_date.isoformat(),
        "end": row.end_date.isoformat() if row.end_date else None,
    }


@transaction.atomic
def add_person(
    *,
    by: User,
    external_id: str,
    name: str,
    email: str,
    role: str,
    service: Service | None,
    locality: Locality | None,
    line_manager: Person | None,
    start_date: dt.date,
) -> Person:
    """A new person with their first placement from their start date and, in a peer-work
    role, their employment from then. Never in a privileged role (grant_role gives those)."""
    _refuse(rules.person_id_problem(external_id), "external_id")
    if role in PRIVILEGED_ROLES:
        raise Refused("This role is granted by an administrator on the role page", field="role")
    _check(name=name, email=email, service=service, locality=locality, besides=None)
    if Person.objects.filter(external_id=external_id).exists():
        raise Refused(f"Someone already has the person ID {external_id}", field="external_id")
    try:
        # A savepoint, so that the same ID added meanwhile is told as such.
        with transaction.atomic():
            person = Person.objects.create(
                external_id=external_id,
                name=name,
                email=email,
                role=role,
                service=service,
                locality=locality,
                line_manager=line_manager,
            )
    except IntegrityError:
        raise Refused(
            f"Someone has just added a person with the ID {external_id}", field="external_id"
        ) from None
    _place(person, start_date)
    employed = role in PEER_WORK_ROLES
    if employed:
        EmploymentPeriod.objects.create(person=person, start_date=start_date)
    record(
        by=by,
        action="person.add",
        target=person,
        external_id=external_id,
        after=_shown(person),
        start_date=start_date.isoformat(),
        employment=employed,
    )
    # An account with no password, and an invitation to choose one (sent once committed).
    open_accounts([person], by=by)
    return person


@transaction.atomic
def change_person(
    *,
    by: User,
    person: Person,
    opened: str,
    name: str,
    email: str,
    role: str,
    service: Service | None,
    locality: Locality | None,
    line_manager: Person | None,
    effective: dt.date | None,
) -> list[str]:
    """Change a person's name, email, line manager, role or team; a change of role or team
    from `effective`, kept in their history. A sign-in's email follows the person's. Moving
    to or from a privileged role is refused (grant_role). Returns what changed (nothing
    written when nothing did)."""
    current = _lock(person, opened)
    if role != current.role and PRIVILEGED_ROLES & {role, current.role}:
        raise Refused(
            "Administrator, governance and head of peer work roles are granted or taken away "
            "by an administrator on the role page",
            field="role",
        )
    _check(name=name, email=email, service=service, locality=locality, besides=current)
    _check_line_manager(current, line_manager)
    before = _shown(current)
    old_role = current.role
    moved = (role, service, locality) != (current.role, current.service, current.locality)
    current.name, current.email, current.line_manager = name, email, line_manager
    current.role, current.service, current.locality = role, service, locality
    after = _shown(current)
    changed = [field for field in SHOWN if before[field] != after[field]]
    if not changed:
        return []
    history: dict[str, Any] = {}
    if moved:
        if effective is None:
            raise Refused("Enter the date the new role or team starts from", field="effective")
        since, history = _move(current, effective=effective, today=timezone.localdate())
        history |= _employment_follows_role(current, old_role, since)
    current.save(update_fields=["name", "email", "role", "service", "locality", "line_manager"])
    account = current.user
    if "email" in changed and account is not None:
        account.email = email
        account.save(update_fields=["email"])
        history["sign_in_email"] = True
    elif account is None and email:
        history["invited"] = bool(open_accounts([current], by=by))
    record(
        by=by,
        action="person.change",
        target=current,
        before={field: before[field] for field in changed},
        after={field: after[field] for field in changed},
        **history,
    )
    return changed


@transaction.atomic
def grant_role(*, by: User, person: Person, opened: str, role: str, effective: dt.date) -> None:
    """Give a person any role, privileged ones included, from `effective` (kept in their
    history as any move). The pages ask for an administrator with a recent second factor
    (staff/access.py); nobody changes their own role."""
    current = _lock(person, opened)
    if current.user_id is not None and current.user_id == by.pk:
        raise Refused("Another administrator must change your own role", field="role")
    if role == current.role:
        raise Refused(f"{current.name} already has this role", field="role")
    old_role = current.role
    current.role = role
    since, history = _move(current, effective=effective, today=timezone.localdate())
    history |= _employment_follows_role(current, old_role, since)
    current.save(update_fields=["role"])
    record(
        by=by,
        action="person.role_grant",
        target=current,
        before={"role": old_role},
        after={"role": role},
        **history,
    )


@transaction.atomic
def record_leaving(*, by: User, person: Person, opened: str, leaving: dt.date) -> None:
    """Set the person's last day: their latest employment period and placement end on it (a
    leaving date recorded before is corrected), and so does every supervision relationship
    they are in, on either side, that went on past it."""
    current = _lock(person, opened)
    period, placement = _latest_employment(current), _latest_placement(current)
    if period is None and placement is None:
        raise Refused(f"{current.name} has no employment or placement recorded to end")
    for row, what in ((period, "employment"), (placement, "current role and team")):
        if row is not None:
            _refuse(rules.leaving_problem(row.start_date, leaving, what), "leaving")
    relationships = SupervisionRelationship.objects.select_for_update(of=("self",)).filter(
        Q(supervisee=current) | Q(supervisor=current),
        Q(end_date__isnull=True) | Q(end_date__gt=leaving),
    )
    later = relationships.filter(start_date__gt=leaving).select_related("supervisee", "supervisor")
    if first := later.first():
        raise Refused(
            f"{first.supervisor.name} starts supervising {first.supervisee.name} "
            f"({first.get_type_display().lower()}) on {first.start_date:%-d %B %Y}, after this "
            "leaving date: change or end that relationship first",
            field="leaving",
        )
    ended = sorted(relationships.values_list("pk", flat=True))
    relationships.update(end_date=leaving)
    detail: dict[str, Any] = {"leaving": leaving.isoformat(), "relationships_ended": ended}
    for key, row in (("employment", period), ("placement", placement)):
        if row is not None:
            detail[key] = {"before": _period(row)}
            row.end_date = leaving
            row.save(update_fields=["end_date"])
            detail[key]["after"] = _period(row)
    record(by=by, action="person.leaving", target=current, **detail)


@transaction.atomic
def record_start(*, by: User, person: Person, opened: str, start: dt.date) -> None:
    """Someone returning: in a peer-work role, a new employment period from `start` (every
    earlier one ended before it); and a placement in their role and team from then, unless
    one is still in force on that day."""
    current = _lock(person, opened)
    detail: dict[str, Any] = {"start": start.isoformat()}
    if current.role in PEER_WORK_ROLES:
        periods = EmploymentPeriod.objects.select_for_update().filter(person=current)
        _refuse(rules.start_problem(periods.values_list("start_date", "end_date"), start), "start")
        EmploymentPeriod.objects.create(person=current, start_date=start)
        detail["employment"] = True
    latest = _latest_placement(current)
    if latest is None or (latest.end_date is not None and latest.end_date < start):
        _place(current, start)
        detail["placement"] = True
    elif latest.start_date > start or "employment" not in detail:
        raise Refused(
            f"{current.name} is in post from {latest.start_date:%-d %B %Y}"
            + (f" to {latest.end_date:%-d %B %Y}" if latest.end_date else "")
            + ", which this start overlaps",
            field="start",
        )
    record(by=by, action="person.start", target=current, **detail)
