"""Writes to sessions, registers and relationships: one transaction and one audit entry each.

Every change to an existing session carries the version the editor saw; if someone saved in
between, the change is refused with StaleEdit rather than overwriting theirs. A change made as
a correction of a closed record (access.right_over) says so in its audit entry.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from coreflect.audit.actions import record
from coreflect.people.models import Absence, Person
from coreflect.policy import recurrence
from coreflect.policy.models import PolicySettings
from coreflect.supervision import rules
from coreflect.supervision.models import (
    Attendance,
    AttendanceStatus,
    RelationshipType,
    SeriesMember,
    Session,
    SessionKind,
    SessionSeries,
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
    if session.series_id is not None and changes and not session.detached:
        # Moved or changed on its own: later changes to its series leave it be.
        session.detached = True
        update.append("detached")
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


# Series (issue 11): a co-reflection group, or a supervisor's one-to-ones, recurring by a rule.
# Their occurrences are real sessions, made from the later of the series' start and today up
# to the policy's horizon, and topped up as time passes (top_up_series, idempotent). "Future"
# is today and later: today's occurrence still follows a change to its series.

SERIES_FIELDS = (
    "name",
    "recurrence",
    "start_date",
    "end_date",
    "start_time",
    "duration_minutes",
    "modality",
    "location",
)
# What an occurrence takes from its series (its date comes from the rule).
OCCURRENCE_FIELDS = ("start_time", "duration_minutes", "modality", "location")
SERIES_CHANGED = "The series was changed and no longer meets on this day."


class StaleSeries(Exception):
    """The series changed since the form was opened; nothing was saved."""


def _claim_series(series: SessionSeries, version: int) -> None:
    claimed = SessionSeries.objects.filter(pk=series.pk, version=version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise StaleSeries
    series.version = version + 1


def _check_series(recurrence_rule: str, start_date: dt.date, end_date: dt.date | None) -> str:
    problem = recurrence.recurrence_problem(recurrence_rule)
    if problem is not None:
        raise ValidationError(problem[0].upper() + problem[1:] + ".")
    if end_date is not None and end_date < start_date:
        raise ValidationError("The end date is before the start date.")
    return recurrence.normalise(recurrence_rule)


def _series_values(series: SessionSeries) -> dict[str, str]:
    """A series as the audit log keeps it."""
    return {name: str(getattr(series, name) or "") for name in SERIES_FIELDS}


@transaction.atomic
def create_series(
    *,
    by: User | None,
    kind: str,
    lead: Person,
    recurrence_rule: str,
    start_date: dt.date,
    start_time: dt.time,
    duration_minutes: int,
    modality: str,
    location: str = "",
    name: str = "",
    end_date: dt.date | None = None,
    members: Iterable[Person] = (),
    service: Any = None,
    locality: Any = None,
    external_id: str | None = None,
) -> SessionSeries:
    """A series and its members (each from the series' start), then its occurrences up to the
    horizon. A one-to-one series has exactly one member, the supervisee; the lead is never a
    member of their own series."""
    rule = _check_series(recurrence_rule, start_date, end_date)
    people = [p for p in members if p.pk != lead.pk]
    if kind == SessionKind.ONE_TO_ONE and len(people) != 1:
        raise ValidationError("A one-to-one series is with one supervisee.")
    series = SessionSeries.objects.create(
        external_id=external_id,
        kind=kind,
        name=name,
        lead=lead,
        service=service,
        locality=locality,
        recurrence=rule,
        start_date=start_date,
        end_date=end_date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        modality=modality,
        location=location,
    )
    SeriesMember.objects.bulk_create(
        SeriesMember(series=series, person=p, start_date=start_date, end_date=end_date)
        for p in people
    )
    record(
        by=by,
        action="series.create",
        target=series,
        kind=kind,
        lead=lead.external_id,
        members=sorted(p.external_id for p in people),
        **_series_values(series),
    )
    top_up_series(today=timezone.localdate(), series_pks=[series.pk])
    return series


def top_up_series(*, today: dt.date, series_pks: Iterable[int] | None = None) -> int:
    """Make the occurrences still missing up to the policy's horizon, with their invitations
    (the members on each day), for every series or the given ones: one query for the series,
    one for the occurrences they have, bulk inserts. Idempotent: a day that has an occurrence,
    even a cancelled one, is never made again. Returns how many sessions were made."""
    until = recurrence.horizon(today, PolicySettings.objects.current().series_horizon_months)
    with transaction.atomic():
        due = SessionSeries.objects.select_for_update().filter(
            Q(generated_until__isnull=True) | Q(generated_until__lt=until)
        )
        if series_pks is not None:
            due = due.filter(pk__in=list(series_pks))
        windows: dict[int, tuple[SessionSeries, dt.date, dt.date]] = {}
        for series in due.order_by("pk"):
            window = recurrence.top_up_window(
                series_start=series.start_date,
                series_end=series.end_date,
                generated_until=series.generated_until,
                today=today,
                horizon_end=until,
            )
            if window is not None:
                windows[series.pk] = (series, *window)
            series.generated_until = until
        if not windows:
            due.update(generated_until=until)
            return 0
        earliest = min(start for _, start, _ in windows.values())
        existing = set(
            Session.objects.filter(series_id__in=windows, occurrence_date__gte=earliest)
            .order_by()
            .values_list("series_id", "occurrence_date")
        )
        now = timezone.now()
        new: list[Session] = []
        for series, start, end in windows.values():
            for day in recurrence.occurrence_dates(
                series.recurrence,
                series_start=series.start_date,
                series_end=series.end_date,
                window_start=start,
                window_end=end,
            ):
                if (series.pk, day) in existing:
                    continue
                new.append(
                    Session(
                        kind=series.kind,
                        series_id=series.pk,
                        occurrence_date=day,
                        date=day,
                        start_time=series.start_time,
                        duration_minutes=series.duration_minutes,
                        lead_id=series.lead_id,
                        modality=series.modality,
                        location=series.location,
                        location_set_at=now if series.location else None,
                    )
                )
        made = Session.objects.bulk_create(new, batch_size=2000)
        _invite(made, windows)
        due.update(generated_until=until)
    return len(made)


def _invite(
    sessions: Sequence[Session], windows: Mapping[int, tuple[SessionSeries, dt.date, dt.date]]
) -> None:
    """Invite to new occurrences the members of their series on their day."""
    if not sessions:
        return
    members: dict[int, list[SeriesMember]] = {}
    for member in SeriesMember.objects.filter(series_id__in={s.series_id for s in sessions}):
        members.setdefault(member.series_id, []).append(member)
    Attendance.objects.bulk_create(
        (
            Attendance(session_id=s.pk, person_id=m.person_id, status=AttendanceStatus.INVITED)
            for s in sessions
            for m in members.get(s.series_id or 0, ())
            if m.covers(s.date) and m.person_id != s.lead_id
        ),
        batch_size=5000,
    )


def reconcile_invitations(*, series_pks: Iterable[int], today: dt.date) -> int:
    """Make the registers of the series' future occurrences (not cancelled) follow their
    members: someone a member on the day is invited; someone who no longer is comes off it,
    unless they have been marked already. Past occurrences are left as they were. A session
    whose register changed moves to its next version (its calendar SEQUENCE). Returns how
    many lines were added or removed."""
    pks = list(series_pks)
    sessions = {
        pk: (series, day, lead)
        for pk, series, day, lead in Session.objects.filter(
            series_id__in=pks, date__gte=today, cancelled_at__isnull=True
        )
        .order_by()
        .values_list("pk", "series_id", "date", "lead_id")
    }
    if not sessions:
        return 0
    members: dict[int, list[SeriesMember]] = {}
    for member in SeriesMember.objects.filter(series_id__in=pks):
        members.setdefault(member.series_id, []).append(member)
    wanted = {
        (pk, m.person_id)
        for pk, (series, day, lead) in sessions.items()
        for m in members.get(series, ())
        if m.covers(day) and m.person_id != lead
    }
    current = {
        (session, person): (pk, status)
        for pk, session, person, status in Attendance.objects.filter(session_id__in=sessions)
        .order_by()
        .values_list("pk", "session_id", "person_id", "status")
    }
    add = wanted - current.keys()
    remove = [
        (key, pk)
        for key, (pk, status) in current.items()
        if key not in wanted and status in rules.UNMARKED
    ]
    Attendance.objects.bulk_create(
        (Attendance(session_id=s, person_id=p, status=AttendanceStatus.INVITED) for s, p in add),
        batch_size=5000,
    )
    Attendance.objects.filter(pk__in=[pk for _, pk in remove]).delete()
    touched = {s for s, _ in add} | {key[0] for key, _ in remove}
    Session.objects.filter(pk__in=touched).update(version=F("version") + 1)
    return len(add) + len(remove)


def follow_series(*, by: User | None, series: SessionSeries, today: dt.date) -> dict[str, int]:
    """After a change to a series: its future occurrences not moved or changed on their own
    take its time, length, modality and location if its rule still gives their day, and are
    cancelled if not (they stay in calendars as cancelled); days the rule now gives get new
    occurrences. Returns what was done, for the audit entry."""
    until = recurrence.horizon(today, PolicySettings.objects.current().series_horizon_months)
    days = set(
        recurrence.occurrence_dates(
            series.recurrence,
            series_start=series.start_date,
            series_end=series.end_date,
            window_start=today,
            window_end=max(until, series.generated_until or until),
        )
    )
    now = timezone.now()
    follow = list(
        Session.objects.select_for_update(of=("self",)).filter(
            series=series,
            date__gte=today,
            cancelled_at__isnull=True,
            detached=False,
            occurrence_date__isnull=False,
        )
    )
    changed: list[Session] = []
    cancelled: list[Session] = []
    for session in follow:
        if session.occurrence_date in days:
            before = [getattr(session, name) for name in OCCURRENCE_FIELDS]
            after = [getattr(series, name) for name in OCCURRENCE_FIELDS]
            if before != after or session.date != session.occurrence_date:
                if session.location != series.location:
                    session.location_set_at = now
                for name in OCCURRENCE_FIELDS:
                    setattr(session, name, getattr(series, name))
                changed.append(session)
        else:
            session.cancelled_at = now
            session.cancelled_by = by
            session.cancellation_reason = SERIES_CHANGED
            session.occurrence_date = None
            cancelled.append(session)
    for session in changed + cancelled:
        session.version = F("version") + 1
    Session.objects.bulk_update(changed, [*OCCURRENCE_FIELDS, "location_set_at", "version"])
    Session.objects.bulk_update(
        cancelled,
        ["cancelled_at", "cancelled_by", "cancellation_reason", "occurrence_date", "version"],
    )
    Attendance.objects.filter(session__in=cancelled).update(
        status=AttendanceStatus.CANCELLED_BY_SUPERVISOR
    )
    # Days up to where occurrences were made are looked at again from today.
    SessionSeries.objects.filter(pk=series.pk).update(generated_until=today - dt.timedelta(days=1))
    made = top_up_series(today=today, series_pks=[series.pk])
    invitations = reconcile_invitations(series_pks=[series.pk], today=today)
    series.refresh_from_db()
    return {
        "changed": len(changed),
        "cancelled": len(cancelled),
        "made": made,
        "invitations": invitations,
    }


@transaction.atomic
def change_series(*, by: User, series: SessionSeries, version: int, **fields: Any) -> SessionSeries:
    """Change a series' rule, dates, time, length, modality, location or name: its future
    occurrences follow (follow_series); past ones, and those moved or changed on their own,
    stay as they are."""
    unknown = set(fields) - set(SERIES_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "recurrence" in fields or "start_date" in fields or "end_date" in fields:
        fields["recurrence"] = _check_series(
            fields.get("recurrence", series.recurrence),
            fields.get("start_date", series.start_date),
            fields.get("end_date", series.end_date),
        )
    _claim_series(series, version)
    before = _series_values(series)
    changes = {name: value for name, value in fields.items() if getattr(series, name) != value}
    for name, value in changes.items():
        setattr(series, name, value)
    series.save(update_fields=list(changes))
    # Open-ended memberships of a one-to-one series end with it.
    if series.kind == SessionKind.ONE_TO_ONE and "end_date" in changes:
        series.members.update(end_date=series.end_date)
    done = follow_series(by=by, series=series, today=timezone.localdate())
    record(
        by=by,
        action="series.change",
        target=series,
        before={name: before[name] for name in changes},
        after={name: _series_values(series)[name] for name in changes},
        **done,
    )
    return series


@transaction.atomic
def add_member(
    *,
    by: User,
    series: SessionSeries,
    person: Person,
    start_date: dt.date,
    version: int,
    end_date: dt.date | None = None,
) -> SeriesMember:
    """Someone joins a group from a day: they are invited to its occurrences from then (future
    ones only)."""
    if person.pk == series.lead_id:
        raise ValidationError(f"{person.name} leads this series, so is not one of its members.")
    if end_date is not None and end_date < start_date:
        raise ValidationError("The end date is before the start date.")
    clash = series.members.filter(person=person).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start_date)
    )
    if end_date is not None:
        clash = clash.filter(start_date__lte=end_date)
    if clash.exists():
        raise ValidationError(f"{person.name} is a member already at those dates.")
    _claim_series(series, version)
    member = SeriesMember.objects.create(
        series=series, person=person, start_date=start_date, end_date=end_date
    )
    invited = reconcile_invitations(series_pks=[series.pk], today=timezone.localdate())
    record(
        by=by,
        action="series.member_add",
        target=series,
        person=person.external_id,
        start=start_date.isoformat(),
        end=end_date.isoformat() if end_date else None,
        invitations=invited,
    )
    return member


@transaction.atomic
def end_membership(
    *, by: User, member: SeriesMember, end_date: dt.date, version: int
) -> SeriesMember:
    """Someone leaves a group after a day: they come off its future occurrences after it (any
    they have been marked on already stay)."""
    if end_date < member.start_date:
        raise ValidationError(
            f"{member.person.name} joined on {member.start_date:%-d %B %Y}: they cannot leave "
            "before that."
        )
    _claim_series(member.series, version)
    before = member.end_date
    member.end_date = end_date
    member.save(update_fields=["end_date"])
    removed = reconcile_invitations(series_pks=[member.series_id], today=timezone.localdate())
    record(
        by=by,
        action="series.member_end",
        target=member.series,
        person=member.person.external_id,
        end=end_date.isoformat(),
        before=before.isoformat() if before else None,
        invitations=removed,
    )
    return member
