"""Which sessions and people a user may reach, what of each register they may read, and which
sessions they may record or correct. Missing and forbidden both answer 404.

The decisions themselves are pure functions in supervision/rules.py; this module asks the
database the questions those functions take as arguments.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from coreflect.authorization import Permission, has_permission, person_of, role_has
from coreflect.people.models import Absence, Person
from coreflect.supervision import rules
from coreflect.supervision.models import (
    Attendance,
    AttendanceStatus,
    RelationshipType,
    Session,
    SessionKind,
    SessionSeries,
    SupervisionRelationship,
)


def sees_everyone(user: User | AnonymousUser) -> bool:
    """Whether visible_people is everyone (no need to ask the database who is in reach)."""
    return has_permission(user, Permission.VIEW_ALL_PEOPLE)


def visible_people(user: User | AnonymousUser, *, on: dt.date) -> QuerySet[Person]:
    """People whose attendance the user may see: themselves, current supervisees, reports;
    their service for peer leads and co-ordinators; everyone for the head of peer work,
    governance and administrators."""
    if sees_everyone(user):
        return Person.objects.all()
    me = person_of(user)
    if me is None:
        return Person.objects.none()
    supervised = SupervisionRelationship.objects.current(on).filter(
        supervisor=me, type__in=[RelationshipType.PEER_WORK, RelationshipType.LINE_MANAGEMENT]
    )
    reach = Q(pk=me.pk) | Q(line_manager=me) | Q(pk__in=supervised.values("supervisee"))
    if has_permission(user, Permission.VIEW_SERVICE_PEOPLE) and me.service_id is not None:
        reach |= Q(service_id=me.service_id)
    return Person.objects.filter(reach)


def get_person_for(user: User | AnonymousUser, external_id: str, *, on: dt.date) -> Person:
    """The person with this ID if the user may see them, else 404."""
    try:
        return (
            visible_people(user, on=on)
            .select_related("service", "locality")
            .get(external_id=external_id)
        )
    except Person.DoesNotExist:
        raise Http404("No such person") from None


# A session's register with the person on each line, in name order (see with_registers).
REGISTER = Prefetch(
    "attendance",
    queryset=Attendance.objects.select_related("person").order_by("person__name", "person_id"),
)
STATUS_LABELS = dict(AttendanceStatus.choices)


def with_registers(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions ready for registers_for() and right_over(): the lead, and every line of the
    register with its person, in a fixed number of queries however many sessions there are."""
    return sessions.select_related("lead").prefetch_related(REGISTER)


# Reach: which sessions a user may open.


def sessions_for(user: User | AnonymousUser, *, on: dt.date) -> QuerySet[Session]:
    """Sessions the user leads, attends, or whose participants they may see."""
    me = person_of(user)
    reach = Q(attendance__person__in=visible_people(user, on=on))
    if me is not None:
        reach |= Q(lead=me)
    return Session.objects.filter(reach).distinct()


def get_session_for(user: User | AnonymousUser, pk: int, *, on: dt.date | None = None) -> Session:
    """A session the user leads, attends, or whose participants they may see (as of today),
    with its register at hand."""
    reach = sessions_for(user, on=on or timezone.localdate())
    try:
        return with_registers(reach).get(pk=pk)
    except Session.DoesNotExist:
        raise Http404("No such session") from None


# Registers: what of each a user may read (spec §2, "who sees a register").


@dataclass(frozen=True)
class Line:
    """One participant on a register, as one reader may see it: a hidden status is not
    carried at all, so no page can show it by mistake."""

    attendance: Attendance
    status_visible: bool

    @property
    def person(self) -> Person:
        return self.attendance.person

    @property
    def status(self) -> str | None:
        return self.attendance.status if self.status_visible else None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.attendance.status] if self.status_visible else ""


@dataclass(frozen=True)
class Register:
    """A session's register as one reader may see it."""

    session: Session
    lines: tuple[Line, ...]
    today: dt.date

    @property
    def complete(self) -> bool:
        """The reader sees every participant's status."""
        return all(line.status_visible for line in self.lines)

    @property
    def cancellation_visible(self) -> bool:
        """The reason for cancelling and the alternative offered are about everyone on the
        register (for a one-to-one, part of the supervisee's record): shown only to a reader
        who sees every participant's status."""
        return self.session.is_cancelled and self.complete

    @property
    def summary(self) -> str:
        return rules.register_summary(
            [line.status for line in self.lines],
            session_date=self.session.date,
            today=self.today,
            cancelled=self.session.is_cancelled,
            labels=STATUS_LABELS,
        )

    def line_of(self, person: Person) -> Line | None:
        return next((line for line in self.lines if line.attendance.person_id == person.pk), None)

    def others(self, person: Person) -> list[Line]:
        """Everyone on the register but this person (whom they meet there)."""
        return [line for line in self.lines if line.attendance.person_id != person.pk]


def registers_for(
    user: User | AnonymousUser, sessions: Iterable[Session], *, on: dt.date
) -> list[Register]:
    """Each session's register as the user may read it, for the session page and every list:
    a participant's status only for those who may see that person's record
    (visible_people), and for the lead of an open record, who takes the register;
    anyone else who may open the session sees who is on it, nothing more. Sessions come from
    with_registers(); the queries do not grow with their number."""
    sessions = list(sessions)
    participants = {a.person_id for s in sessions for a in s.attendance.all()}
    if sees_everyone(user):
        in_reach = participants
    elif participants:
        in_reach = set(
            visible_people(user, on=on).filter(pk__in=participants).values_list("pk", flat=True)
        )
    else:
        in_reach = set()
    me = person_of(user)
    led = open_records([s for s in sessions if me is not None and s.lead_id == me.pk], on=on)
    return [
        Register(
            session=s,
            lines=tuple(
                Line(a, status_visible=a.person_id in in_reach or s.pk in led)
                for a in s.attendance.all()
            ),
            today=on,
        )
        for s in sessions
    ]


# Recording and correcting.


def supervisees_of(me: Person, *, on: dt.date) -> QuerySet[Person]:
    """The people this person currently supervises in peer work."""
    current = SupervisionRelationship.objects.current(on).peer_work().filter(supervisor=me)
    return Person.objects.filter(pk__in=current.values("supervisee"))


def reports_of(me: Person, *, on: dt.date) -> QuerySet[Person]:
    """The people this person line manages: their recorded line manager, or a line management
    relationship in force on the day."""
    managed = SupervisionRelationship.objects.current(on).filter(
        supervisor=me, type=RelationshipType.LINE_MANAGEMENT
    )
    return Person.objects.filter(Q(line_manager=me) | Q(pk__in=managed.values("supervisee")))


def manages_anyone(me: Person, *, on: dt.date) -> bool:
    """Whether reports_of(me) has anyone: two indexed look-ups (the OR of reports_of's query
    made PostgreSQL read every person)."""
    return (
        Person.objects.filter(line_manager=me).exists()
        or SupervisionRelationship.objects.current(on)
        .filter(supervisor=me, type=RelationshipType.LINE_MANAGEMENT)
        .exists()
    )


def supervises_anyone(person: Person, *, on: dt.date) -> bool:
    """Whether supervisees_of(person) has anyone, asked of the relationships alone."""
    return (
        SupervisionRelationship.objects.current(on).peer_work().filter(supervisor=person).exists()
    )


def may_facilitate(person: Person | None, *, on: dt.date) -> bool:
    """Whether this person may facilitate co-reflections now (rules.may_facilitate)."""
    if person is None:
        return False
    records = role_has(person, Permission.RECORD_SESSIONS)
    # The role answers first; only otherwise ask the database.
    supervises = not records and supervises_anyone(person, on=on)
    return rules.may_facilitate(role_records_sessions=records, supervises_in_peer_work=supervises)


def may_record_sessions(user: User | AnonymousUser, *, on: dt.date | None = None) -> bool:
    """Whether the Sessions pages are for this user: anyone who may facilitate a
    co-reflection, which includes everyone who supervises someone in peer work now."""
    return may_facilitate(person_of(user), on=on or timezone.localdate())


def recorder(user: User | AnonymousUser) -> Person:
    """The person recording sessions, or 404 for users who may not record any."""
    me = person_of(user)
    if me is None or not may_record_sessions(user):
        raise Http404("No such page")
    return me


def open_records(sessions: Sequence[Session], *, on: dt.date) -> set[int]:
    """The ids of the sessions whose lead still holds the relationship they were led through
    (rules.record_is_open). Sessions come from with_registers(): one query for the one-to-ones,
    and at most one for each lead of a co-reflection."""
    one_to_ones = [s for s in sessions if s.kind == SessionKind.ONE_TO_ONE]
    held: set[tuple[int, int]] = set()
    if one_to_ones:
        held = set(
            SupervisionRelationship.objects.current(on)
            .peer_work()
            .filter(
                supervisor_id__in={s.lead_id for s in one_to_ones},
                supervisee_id__in={a.person_id for s in one_to_ones for a in s.attendance.all()},
            )
            .values_list("supervisor_id", "supervisee_id")
        )
    facilitating: dict[int, bool] = {}
    for s in sessions:
        if s.kind != SessionKind.ONE_TO_ONE and s.lead_id not in facilitating:
            facilitating[s.lead_id] = may_facilitate(s.lead, on=on)
    return {
        s.pk
        for s in sessions
        if rules.record_is_open(
            kind=s.kind,
            lead_supervises_participant=any(
                (s.lead_id, a.person_id) in held for a in s.attendance.all()
            ),
            lead_may_facilitate=facilitating.get(s.lead_id, False),
        )
    }


def right_over(user: User | AnonymousUser, session: Session, *, on: dt.date) -> rules.Right | None:
    """What the user may do to this session (from with_registers()): record it as the lead of
    an open record, correct a closed record (the head of peer work, or the peer lead or
    co-ordinator of every participant's service), or nothing."""
    me = person_of(user)
    if me is None:
        return None
    corrects_service = (
        me.service_id if has_permission(user, Permission.CORRECT_SERVICE_SESSIONS) else None
    )
    return rules.right_to_change(
        is_lead=session.lead_id == me.pk,
        record_open=session.pk in open_records([session], on=on),
        may_correct=rules.may_correct(
            corrects_any=has_permission(user, Permission.CORRECT_ANY_SESSION),
            corrects_service=corrects_service,
            participant_services=[a.person.service_id for a in session.attendance.all()],
        ),
    )


def get_session_to_change(
    user: User | AnonymousUser, pk: int, *, on: dt.date | None = None
) -> tuple[Session, rules.Right]:
    """A session the user may change, and how (as its lead, or correcting a closed record);
    404 for everyone else."""
    today = on or timezone.localdate()
    session = get_session_for(user, pk, on=today)
    right = right_over(user, session, on=today)
    if right is None:
        raise Http404("No such session")
    return session, right


def registers_to_complete(me: Person, *, on: dt.date, limit: int = 50) -> list[Session]:
    """Past sessions this person leads, not cancelled, with someone on the register not marked
    yet, that they may still record (an open record): most recent first."""
    candidates = list(
        with_registers(
            Session.objects.filter(
                lead=me,
                date__lt=on,
                cancelled_at__isnull=True,
                attendance__status__in=rules.UNMARKED,
            )
            .distinct()
            .order_by("-date", "-start_time")
        )[:limit]
    )
    still_open = open_records(candidates, on=on)
    return [s for s in candidates if s.pk in still_open]


def co_reflection_candidates(me: Person) -> QuerySet[Person]:
    """Peer workers who may join a group this person facilitates: their service's."""
    people = Person.objects.peer_workers().exclude(pk=me.pk)
    if me.service_id is not None:
        people = people.filter(service_id=me.service_id)
    return people.select_related("locality").order_by("locality__name", "name")


# Relationships.


def may_manage_relationships(user: User | AnonymousUser) -> bool:
    """The head of peer work and administrators keep who-supervises-whom."""
    return has_permission(user, Permission.MANAGE_RELATIONSHIPS)


def get_relationship_to_manage(user: User | AnonymousUser, pk: int) -> SupervisionRelationship:
    if not may_manage_relationships(user):
        raise Http404("No such relationship")
    try:
        return SupervisionRelationship.objects.select_related("supervisee", "supervisor").get(pk=pk)
    except SupervisionRelationship.DoesNotExist:
        raise Http404("No such relationship") from None


# Absences (recorded by a line manager or supervisor).


def recordable_people(me: Person, *, on: dt.date) -> QuerySet[Person]:
    """Whose absences this person records: the people they line manage or supervise."""
    return Person.objects.filter(
        Q(pk__in=supervisees_of(me, on=on).values("pk"))
        | Q(pk__in=reports_of(me, on=on).values("pk"))
    ).order_by("name")


def may_record_absence_of(me: Person | None, person: Person, *, on: dt.date) -> bool:
    return me is not None and recordable_people(me, on=on).filter(pk=person.pk).exists()


def get_absence_to_change(user: User | AnonymousUser, pk: int, *, on: dt.date) -> Absence:
    """An absence of someone this user line manages or supervises on the day, else 404."""
    me = person_of(user)
    if me is None:
        raise Http404("No such absence")
    try:
        return Absence.objects.select_related("person").get(
            pk=pk, person__in=recordable_people(me, on=on)
        )
    except Absence.DoesNotExist:
        raise Http404("No such absence") from None


# Series: their lead (a group's facilitator, the supervisor of one-to-ones) keeps them.


def series_of(me: Person) -> QuerySet[SessionSeries]:
    return SessionSeries.objects.filter(lead=me).order_by("kind", "name", "pk")


def get_series_for(user: User | AnonymousUser, pk: int) -> SessionSeries:
    """A series the user leads and may still record sessions for, else 404."""
    me = recorder(user)
    try:
        return SessionSeries.objects.select_related("lead").get(pk=pk, lead=me)
    except SessionSeries.DoesNotExist:
        raise Http404("No such series") from None
