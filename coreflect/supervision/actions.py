"""Writes to sessions, registers and relationships: one transaction and one audit entry each.

Every change to an existing session carries the version the editor saw; if someone saved in
between, the change is refused with StaleEdit rather than overwriting theirs. A change made as
a correction of a closed record (access.right_over) says so in its audit entry.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from coreflect.audit.actions import record
from coreflect.people.models import Absence, Person
from coreflect.supervision import rules
from coreflect.supervision.models import (
    Attendance,
    AttendanceStatus,
    RelationshipType,
    Session,
    SessionKind,
    SupervisionRelationship,
)

EDITABLE_FIELDS = ("date", "start_time", "duration_minutes", "modality", "location")
CANCELLED_STATUS = {
    "supervisee": AttendanceStatus.CANCELLED_BY_SUPERVISEE,
    "supervisor": AttendanceStatus.CANCELLED_BY_SUPERVISOR,
}


class StaleEdit(Exception):
    """The session changed since the editor opened it; nothing was saved."""


def _claim(session: Session, version: int) -> None:
    """Move the session to the next version, or refuse if the editor's copy is stale."""
    claimed = Session.objects.filter(pk=session.pk, version=version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise StaleEdit
    session.version = version + 1


def _flagged(correction: bool) -> dict[str, bool]:
    """The audit detail that marks a correction of a closed record (nothing otherwise)."""
    return {"correction": True} if correction else {}


def _first_status(day: dt.date, today: dt.date) -> str:
    return AttendanceStatus.ATTENDED if day <= today else AttendanceStatus.INVITED


@transaction.atomic
def create_one_to_one(
    *,
    by: User,
    lead: Person,
    supervisee: Person,
    date: dt.date,
    start_time: dt.time,
    duration_minutes: int,
    modality: str,
    location: str,
) -> Session:
    """A one-to-one; the supervisee is marked attended if it has happened, else invited."""
    session = Session.objects.create(
        kind=SessionKind.ONE_TO_ONE,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        lead=lead,
        modality=modality,
        location=location,
        location_set_at=timezone.now() if location else None,
    )
    Attendance.objects.create(
        session=session,
        person=supervisee,
        status=_first_status(date, timezone.localdate()),
    )
    record(by=by, action="session.create", target=session, supervisee=supervisee.external_id)
    return session


@transaction.atomic
def create_co_reflection(
    *,
    by: User,
    lead: Person,
    participants: Iterable[Person],
    date: dt.date,
    start_time: dt.time,
    duration_minutes: int,
    modality: str,
    location: str,
) -> Session:
    """A co-reflection group; the facilitator is not a participant."""
    session = Session.objects.create(
        kind=SessionKind.CO_REFLECTION,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        lead=lead,
        modality=modality,
        location=location,
        location_set_at=timezone.now() if location else None,
    )
    Attendance.objects.bulk_create(
        Attendance(session=session, person=p, status=AttendanceStatus.INVITED)
        for p in participants
        if p.pk != lead.pk
    )
    record(by=by, action="session.create", target=session)
    return session


def _check_statuses(session: Session, statuses: Mapping[int, str]) -> None:
    """Refuse unknown statuses and people who are not on the register."""
    unknown = sorted(set(statuses.values()) - set(AttendanceStatus.values))
    if unknown:
        raise ValidationError(f"Unknown attendance status: {', '.join(unknown)}.")
    on_register = set(session.attendance.values_list("person_id", flat=True))
    strangers = set(statuses) - on_register
    if strangers:
        raise ValidationError("Only people on this session's register can be marked.")


@transaction.atomic
def record_register(
    *,
    by: User,
    session: Session,
    statuses: Mapping[int, str],
    version: int,
    correction: bool = False,
) -> Session:
    """Set each participant's attendance status (person id → status)."""
    if session.is_cancelled:
        raise ValidationError("This session is cancelled; its register is closed.")
    _check_statuses(session, statuses)
    _claim(session, version)
    rows = list(session.attendance.filter(person_id__in=statuses))
    changed = {}
    for row in rows:
        if row.status != statuses[row.person_id]:
            changed[row.person_id] = (row.status, statuses[row.person_id])
            row.status = statuses[row.person_id]
    Attendance.objects.bulk_update(rows, ["status"])
    record(
        by=by,
        action="session.register",
        target=session,
        changes={str(k): v for k, v in changed.items()},
        **_flagged(correction),
    )
    return session


def set_attendance_status(
    *,
    by: User,
    session: Session,
    person: Person,
    status: str,
    version: int,
    correction: bool = False,
) -> Session:
    """Set one participant's attendance status: the register with a single line."""
    return record_register(
        by=by,
        session=session,
        statuses={person.pk: status},
        version=version,
        correction=correction,
    )


@transaction.atomic
def update_session(
    *, by: User, session: Session, version: int, correction: bool = False, **fields: Any
) -> Session:
    """Change a session's date, start time, length, modality or location."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if session.is_cancelled:
        raise ValidationError("This session is cancelled; record a new one instead.")
    _claim(session, version)
    changes = {name: value for name, value in fields.items() if getattr(session, name) != value}
    before = {name: str(getattr(session, name)) for name in changes}
    for name, value in changes.items():
        setattr(session, name, value)
    update = list(changes)
    if "location" in changes:
        session.location_set_at = timezone.now()
        update.append("location_set_at")
    session.save(update_fields=update)
    record(
        by=by,
        action="session.update",
        target=session,
        before=before,
        after={name: str(getattr(session, name)) for name in changes},
        **_flagged(correction),
    )
    return session


@transaction.atomic
def cancel_session(
    *,
    by: User,
    session: Session,
    version: int,
    cancelled_by_side: str,
    reason: str,
    alternative_offered: str = "",
    correction: bool = False,
) -> Session:
    """Cancel a session with a reason; every participant's status becomes the cancellation,
    and the audit entry keeps each status it replaced (a register already taken, or marked
    attended when the session was recorded on its day, can be read back from it)."""
    if not reason.strip():
        raise ValidationError("Give a reason for cancelling.")
    if cancelled_by_side not in CANCELLED_STATUS:
        raise ValueError(f"cancelled_by_side must be one of {sorted(CANCELLED_STATUS)}")
    if session.is_cancelled:
        raise ValidationError("This session is already cancelled.")
    status = CANCELLED_STATUS[cancelled_by_side]
    _claim(session, version)
    before = dict(session.attendance.order_by("person_id").values_list("person_id", "status"))
    session.cancelled_at = timezone.now()
    session.cancelled_by = by
    session.cancellation_reason = reason.strip()
    session.alternative_offered = alternative_offered.strip()
    session.save(
        update_fields=["cancelled_at", "cancelled_by", "cancellation_reason", "alternative_offered"]
    )
    session.attendance.update(status=status)
    record(
        by=by,
        action="session.cancel",
        target=session,
        side=cancelled_by_side,
        reason=session.cancellation_reason,
        alternative_offered=session.alternative_offered,
        register={str(pk): [old, status] for pk, old in before.items() if old != status},
        **_flagged(correction),
    )
    return session


def _refuse_second_peer_work_supervisor(
    supervisee: Person,
    start_date: dt.date,
    end_date: dt.date | None,
    *,
    besides: SupervisionRelationship | None = None,
) -> None:
    """A peer worker has one peer work supervisor at a time (spec §1): refuse an overlap."""
    overlapping = (
        SupervisionRelationship.objects.select_for_update()
        .peer_work()
        .filter(supervisee=supervisee)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
    )
    if end_date is not None:
        overlapping = overlapping.filter(start_date__lte=end_date)
    if besides is not None:
        overlapping = overlapping.exclude(pk=besides.pk)
    clash = overlapping.select_related("supervisor").first()
    if clash is not None:
        raise ValidationError(
            f"{supervisee.name} already has a peer work supervisor ({clash.supervisor.name}) "
            f"from {clash.start_date:%d %b %Y}. End that relationship first: a peer worker "
            "has one peer work supervisor at a time."
        )


@transaction.atomic
def start_relationship(
    *,
    by: User,
    supervisee: Person,
    supervisor: Person,
    type: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
) -> SupervisionRelationship:
    """Record who supervises whom. Refused: a governance or administrator account as the
    supervisor, the same relationship twice at once, a second overlapping peer work supervisor.
    Whether the supervisor is a peer supervisor follows their role (seed 001)."""
    relationship = _create(supervisee, supervisor, type, start_date, end_date)
    record(by=by, action="relationship.start", target=relationship)
    return relationship


def _check_supervisor(supervisee: Person, supervisor: Person) -> None:
    if supervisee.pk == supervisor.pk:
        raise ValidationError("A person cannot supervise themselves.")
    if not rules.may_supervise(supervisor.role):
        raise ValidationError(
            f"{supervisor.name} has a {supervisor.get_role_display().lower()} account, which "
            "cannot supervise anyone."
        )


def _create(
    supervisee: Person,
    supervisor: Person,
    type: str,
    start_date: dt.date,
    end_date: dt.date | None,
) -> SupervisionRelationship:
    """A new relationship, after the checks every one must pass."""
    _check_supervisor(supervisee, supervisor)
    if end_date is not None and end_date < start_date:
        raise ValidationError("The end date is before the start date.")
    _refuse_duplicate(supervisee, supervisor, type, start_date, end_date)
    if type == RelationshipType.PEER_WORK:
        _refuse_second_peer_work_supervisor(supervisee, start_date, end_date)
    try:
        # A savepoint, so that a clash with a relationship saved meanwhile is told as such.
        with transaction.atomic():
            return SupervisionRelationship.objects.create(
                supervisee=supervisee,
                supervisor=supervisor,
                type=type,
                start_date=start_date,
                end_date=end_date,
                supervisor_is_peer=supervisor.is_peer_worker,
            )
    except IntegrityError:
        raise _saved_meanwhile(supervisee) from None


def _saved_meanwhile(supervisee: Person) -> ValidationError:
    return ValidationError(
        f"Someone else has just recorded a relationship for {supervisee.name}. Check the "
        "list and try again."
    )


def _refuse_duplicate(
    supervisee: Person,
    supervisor: Person,
    type: str,
    start_date: dt.date,
    end_date: dt.date | None,
    *,
    besides: SupervisionRelationship | None = None,
) -> None:
    """The same two people in the same kind of relationship at overlapping dates is one
    relationship recorded twice."""
    overlapping = SupervisionRelationship.objects.filter(
        supervisee=supervisee, supervisor=supervisor, type=type
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
    if end_date is not None:
        overlapping = overlapping.filter(start_date__lte=end_date)
    if besides is not None:
        overlapping = overlapping.exclude(pk=besides.pk)
    clash = overlapping.first()
    if clash is not None:
        until = f" to {clash.end_date:%d %b %Y}" if clash.end_date else ""
        raise ValidationError(
            f"This relationship is already recorded: {supervisor.name} supervises "
            f"{supervisee.name} ({clash.get_type_display().lower()}) from "
            f"{clash.start_date:%d %b %Y}{until}."
        )


@transaction.atomic
def end_relationship(
    *, by: User, relationship: SupervisionRelationship, end_date: dt.date
) -> SupervisionRelationship:
    """Set the last day of a relationship (moving it later must not overlap another)."""
    if end_date < relationship.start_date:
        raise ValidationError("The end date is before the start date.")
    if relationship.type == RelationshipType.PEER_WORK:
        _refuse_second_peer_work_supervisor(
            relationship.supervisee, relationship.start_date, end_date, besides=relationship
        )
    before = relationship.end_date
    relationship.end_date = end_date
    relationship.save(update_fields=["end_date"])
    record(
        by=by,
        action="relationship.end",
        target=relationship,
        end_date=str(end_date),
        before=str(before) if before else None,
    )
    return relationship


# Changing a relationship: correcting its kind or first day, or moving the supervisee to a
# new supervisor from a date. The form carries the relationship as it was opened; if it was
# changed since, nothing is written (StaleRelationship).


class StaleRelationship(Exception):
    """The relationship changed since the form was opened; nothing was written."""


def relationship_as_opened(relationship: SupervisionRelationship) -> str:
    """What a change form carries to show what it was opened on."""
    end = relationship.end_date.isoformat() if relationship.end_date else ""
    return (
        f"{relationship.supervisor_id}|{relationship.type}|"
        f"{relationship.start_date.isoformat()}|{end}"
    )


def _lock_relationship(
    relationship: SupervisionRelationship, opened: str
) -> SupervisionRelationship:
    current = (
        SupervisionRelationship.objects.select_for_update(of=("self",))
        .select_related("supervisee", "supervisor")
        .get(pk=relationship.pk)
    )
    if relationship_as_opened(current) != opened:
        raise StaleRelationship
    return current


def _dates(relationship: SupervisionRelationship) -> dict[str, str | None]:
    end = relationship.end_date
    return {
        "type": relationship.type,
        "supervisor": relationship.supervisor.external_id,
        "start": relationship.start_date.isoformat(),
        "end": end.isoformat() if end else None,
    }


@transaction.atomic
def correct_relationship(
    *,
    by: User,
    relationship: SupervisionRelationship,
    opened: str,
    type: str,
    start_date: dt.date,
) -> SupervisionRelationship:
    """Correct the kind or the first day of a relationship recorded wrongly; the checks of a new
    one apply (no duplicate, one peer work supervisor at a time)."""
    current = _lock_relationship(relationship, opened)
    if (type, start_date) == (current.type, current.start_date):
        raise ValidationError("Nothing was changed: give a different kind or first day.")
    if current.end_date is not None and current.end_date < start_date:
        raise ValidationError(
            f"The relationship ends on {current.end_date:%-d %B %Y}: its first day cannot be later."
        )
    _refuse_duplicate(
        current.supervisee, current.supervisor, type, start_date, current.end_date, besides=current
    )
    if type == RelationshipType.PEER_WORK:
        _refuse_second_peer_work_supervisor(
            current.supervisee, start_date, current.end_date, besides=current
        )
    before = _dates(current)
    current.type, current.start_date = type, start_date
    try:
        with transaction.atomic():
            current.save(update_fields=["type", "start_date"])
    except IntegrityError:
        raise _saved_meanwhile(current.supervisee) from None
    record(
        by=by, action="relationship.change", target=current, before=before, after=_dates(current)
    )
    return current


@transaction.atomic
def move_relationship(
    *,
    by: User,
    relationship: SupervisionRelationship,
    opened: str,
    supervisor: Person,
    from_date: dt.date,
) -> SupervisionRelationship:
    """Move the supervisee to a new supervisor from a date: the relationship ends the day
    before and a new one of the same kind starts on it, to the same end (if it had one)."""
    current = _lock_relationship(relationship, opened)
    if supervisor.pk == current.supervisor_id:
        raise ValidationError(f"{supervisor.name} is the supervisor already.")
    if from_date <= current.start_date:
        raise ValidationError(
            f"The relationship started on {current.start_date:%-d %B %Y}: a move must be from a "
            "later day. To record that someone else supervised from the start, end this "
            "relationship and add the right one."
        )
    if current.end_date is not None and from_date > current.end_date:
        raise ValidationError(
            f"The relationship ended on {current.end_date:%-d %B %Y}: add a new relationship "
            "instead."
        )
    _check_supervisor(current.supervisee, supervisor)
    before, until = _dates(current), current.end_date
    current.end_date = from_date - dt.timedelta(days=1)
    current.save(update_fields=["end_date"])
    new = _create(current.supervisee, supervisor, current.type, from_date, until)
    record(
        by=by,
        action="relationship.move",
        target=new,
        ended=current.pk,
        before=before,
        after=_dates(new),
    )
    return new


# Absences, recorded by a line manager or supervisor (issue 10, point 5). The matrix takes
# each at once: compliance results are kept against people's revisions, which the absence
# table's triggers move on (compliance/revisions.py).


class AbsenceRefused(Exception):
    pass


class StaleAbsence(Exception):
    """The absence changed since the form was opened; nothing was written."""


def _overlap(person: Person, start: dt.date, end: dt.date, *, besides: int | None = None) -> None:
    others = Absence.objects.select_for_update().filter(
        person=person, start_date__lte=end, end_date__gte=start
    )
    clash = (others.exclude(pk=besides) if besides is not None else others).first()
    if clash is not None:
        raise AbsenceRefused(
            f"{person.name} already has {clash.get_type_display().lower()} recorded from "
            f"{clash.start_date:%-d %B %Y} to {clash.end_date:%-d %B %Y}, which this overlaps"
        )


def _days(type: str, start: dt.date, end: dt.date) -> dict[str, str]:
    """An absence as the audit log keeps it."""
    return {"type": type, "start": start.isoformat(), "end": end.isoformat()}


def as_opened(absence: Absence) -> str:
    """What the edit form carries to show what it was opened on (a stale edit is refused)."""
    return f"{absence.type}|{absence.start_date.isoformat()}|{absence.end_date.isoformat()}"


@transaction.atomic
def change_absence(
    *,
    by: User,
    absence: Absence,
    opened: str,
    type: str,
    start_date: dt.date,
    end_date: dt.date,
) -> Absence:
    current = Absence.objects.select_for_update().get(pk=absence.pk)
    if as_opened(current) != opened:
        raise StaleAbsence
    _overlap(current.person, start_date, end_date, besides=current.pk)
    before = _days(current.type, current.start_date, current.end_date)
    current.type, current.start_date, current.end_date = type, start_date, end_date
    current.save(update_fields=["type", "start_date", "end_date"])
    record(
        by=by,
        action="absence.change",
        target=current.person,
        absence=current.pk,
        before=before,
        after=_days(type, start_date, end_date),
    )
    return current


@transaction.atomic
def remove_absence(*, by: User, absence: Absence, opened: str) -> None:
    current = Absence.objects.select_for_update().get(pk=absence.pk)
    if as_opened(current) != opened:
        raise StaleAbsence
    record(
        by=by,
        action="absence.remove",
        target=current.person,
        absence=current.pk,
        **_days(current.type, current.start_date, current.end_date),
    )
    current.delete()


@transaction.atomic
def record_absence(
    *, by: User, person: Person, type: str, start_date: dt.date, end_date: dt.date
) -> Absence:
    """Record one absence; refused if it overlaps one already recorded for the person."""
    _overlap(person, start_date, end_date)
    absence = Absence.objects.create(
        person=person, type=type, start_date=start_date, end_date=end_date
    )
    record(
        by=by,
        action="absence.record",
        target=person,
        **_days(type, start_date, end_date),
    )
    return absence
