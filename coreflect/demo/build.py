"""The demo organisation: three services, about 60 people, 15 months of sessions.

Deterministic for a given `today`, so the demo and its tests always show the same people. It
is built so that every status appears on the current year's matrix: people fall behind, start,
leave, come back and go off sick.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction

from coreflect.compliance import matrix, rules
from coreflect.compliance.models import PolicySettings
from coreflect.people.models import (
    Absence,
    AbsenceType,
    EmploymentPeriod,
    Locality,
    Person,
    Placement,
    Role,
    Service,
)
from coreflect.supervision.models import (
    Attendance,
    AttendanceStatus,
    Modality,
    RelationshipType,
    Session,
    SessionKind,
    SupervisionRelationship,
)

PASSWORD = "coreflect-demo"  # noqa: S105 (a published demo password for fictional people)

SERVICES = {
    "Adult Mental Health": ["Durham", "Darlington"],
    "Mental Health Services for Older People": ["Middlesbrough", "Stockton"],
    "Children and Young People's Services": ["Hartlepool", "Redcar"],
}
FIRST = (
    "Jo Sam Alex Priya Tom Aisha Ben Chloe Dev Ella Femi Grace Harry Imran Jade Kit Leah Mo "
    "Nina Owen Pat Quinn Rosa Sunil Tara Uma Vic Will Yara Zac Amir Beth Cal Dana Eli Faye "
    "Gabe Hana Ivy Jon Kara Liam Maya Noor Ola Pete Rae Seb Tess Ugo Vera Wren Xena Yusuf Zoe "
    "Abe Bea Cole Di Ed Flo Gil Hal Iris Jay Kai Lou Max Ned Opal"
).split()
LAST = (
    "Bell Shaw Khan Patel Reed Ahmed Clark Dixon Evans Fox Green Hall Irwin Jones Kerr Lamb "
    "Moss Nash Owens Park Quayle Ross Singh Todd Usher Vance Walsh Young Zhou Ali Brook Carr "
    "Dunn Ellis Ford Gray Hart Iqbal Joyce Kemp Lowe Marsh Noble Oakes Pryce Rhodes Stone "
    "Tate Vine Webb Wood Yates Baird Cole Drake Finch Hunt Knox Lees Mann Nunn Orr Page Rowe Sykes"
).split()
LOCATIONS = ["Peer Hub, room 2", "Community base, quiet room", "Library meeting room"]


@dataclass
class Organisation:
    today: dt.date
    people: list[Person] = field(default_factory=list)
    employment: list[EmploymentPeriod] = field(default_factory=list)
    absences: list[Absence] = field(default_factory=list)
    relationships: list[SupervisionRelationship] = field(default_factory=list)
    examples: dict[str, Person] = field(default_factory=dict)


def clear() -> None:
    """Remove everything the demo makes (it owns its database)."""
    Attendance.objects.all().delete()
    Session.objects.all().delete()
    SupervisionRelationship.objects.all().delete()
    Absence.objects.all().delete()
    EmploymentPeriod.objects.all().delete()
    Placement.objects.all().delete()
    Person.objects.update(line_manager=None)
    Person.objects.all().delete()
    Locality.objects.all().delete()
    Service.objects.all().delete()
    User.objects.filter(is_superuser=False).delete()


def last_wednesday(year: int, month: int) -> dt.date:
    day = rules.add_months(dt.date(year, month, 1), 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() - 2) % 7)


@transaction.atomic
def build(today: dt.date, *, seed: int = 2025) -> Organisation:
    """Replace the database's contents with the demo organisation as of `today`."""
    clear()
    rng = random.Random(seed)
    org = Organisation(today)
    policy_settings = PolicySettings.objects.current()
    policy = policy_settings.values()
    year = rules.recording_year(rules.year_containing(today, policy), policy)
    quarter = next(q for q in rules.quarters(year) if q.contains(today))
    first_month = rules.add_months(today, -14)
    long_ago = dt.date(today.year - 3, 1, 1)
    names = iter(f"{f} {surname}" for f, surname in zip(FIRST, LAST, strict=False))
    password = make_password(PASSWORD)

    def person(role: str, locality: Locality | None = None, **extra: object) -> Person:
        name = next(names)
        number = len(org.people) + 1
        user = User.objects.create(
            username=name.lower().replace(" ", "."),
            password=password,
            email=f"{name.lower().replace(' ', '.')}@example.nhs.uk",
        )
        p = Person.objects.create(
            external_id=f"P{number:04d}",
            name=name,
            email=user.email,
            role=role,
            service=locality.service if locality else None,
            locality=locality,
            user=user,
            **extra,
        )
        org.people.append(p)
        return p

    def employ(p: Person, start: dt.date = long_ago, end: dt.date | None = None) -> None:
        org.employment.append(EmploymentPeriod(person=p, start_date=start, end_date=end))

    def supervise(supervisor: Person, supervisee: Person, start: dt.date = long_ago) -> None:
        org.relationships.append(
            SupervisionRelationship(
                supervisee=supervisee,
                supervisor=supervisor,
                type=RelationshipType.PEER_WORK,
                start_date=start,
                supervisor_is_peer=supervisor.is_peer_worker,
            )
        )

    director = person(Role.EXECUTIVE_DIRECTOR)
    head = person(Role.HEAD_OF_PEER_WORK, line_manager=director)
    employ(head)
    supervise(director, head)
    org.examples["executive_director"] = director
    org.examples["head_of_peer_work"] = head
    org.examples["governance"] = person(Role.GOVERNANCE)
    org.examples["admin"] = person(Role.ADMIN)

    workers: list[Person] = []
    facilitators: dict[int, Person] = {}
    localities: list[Locality] = []
    for service_name, locality_names in SERVICES.items():
        service = Service.objects.create(name=service_name)
        places = [Locality.objects.create(service=service, name=n) for n in locality_names]
        localities += places
        lead = person(Role.PEER_LEAD, places[0], line_manager=head)
        employ(lead)
        supervise(head, lead)
        coordinator = person(Role.PEER_COORDINATOR, places[1], line_manager=lead)
        employ(coordinator)
        supervise(lead, coordinator)
        managers = [person(Role.LINE_MANAGER, place) for place in places]
        for place, manager in zip(places, managers, strict=True):
            senior = person(Role.SENIOR_PEER_WORKER, place, line_manager=manager)
            practitioner = person(Role.PEER_PRACTITIONER, place, line_manager=manager)
            for supervisor in (senior, practitioner):
                employ(supervisor)
                supervise(coordinator, supervisor)
            facilitators[place.pk] = senior
            workers += [senior, practitioner]
            for index in range(6):
                role = Role.PEER_WORKER if index % 2 == 0 else Role.PEER_SUPPORT_WORKER
                worker = person(role, place, line_manager=manager, is_carer_peer=index == 5)
                employ(worker)
                supervise(senior if index < 3 else practitioner, worker)
                workers.append(worker)
        org.examples.setdefault("peer_lead", lead)
        org.examples.setdefault("peer_coordinator", coordinator)
        org.examples.setdefault("line_manager", managers[0])
        if "senior_peer_worker" not in org.examples:
            org.examples["senior_peer_worker"] = facilitators[places[0].pk]
            org.examples["peer_practitioner"] = next(
                w for w in workers if w.role == Role.PEER_PRACTITIONER
            )

    # The characters: each makes a status appear on the matrix.
    peers = [w for w in workers if w.role in {Role.PEER_WORKER, Role.PEER_SUPPORT_WORKER}]
    behind, struggling, rebooked, starter, leaver, rejoiner, sick, unsupervised = peers[:8]
    org.examples["peer_worker"] = behind
    org.examples["peer_support_worker"] = next(
        p for p in peers if p.role == Role.PEER_SUPPORT_WORKER and p not in peers[:8]
    )
    starter_date = quarter.start if quarter.start > year.start else today - dt.timedelta(days=20)
    _restart(org, starter, start=starter_date)
    leaver_end = max(quarter.start, today - dt.timedelta(days=10))
    _restart(org, leaver, start=long_ago, end=leaver_end)
    _restart(org, rejoiner, start=long_ago, end=year.start + dt.timedelta(days=40))
    employ(rejoiner, start=year.start + dt.timedelta(days=100))
    sick_start = max(first_month, today - dt.timedelta(days=150))
    org.absences += [
        Absence(
            person=sick,
            type=AbsenceType.SICKNESS,
            start_date=sick_start,
            end_date=sick_start + dt.timedelta(days=55),
        ),
        Absence(
            person=sick,
            type=AbsenceType.SICKNESS,
            start_date=today - dt.timedelta(days=9),
            end_date=today - dt.timedelta(days=7),
        ),
        Absence(
            person=behind,
            type=AbsenceType.ANNUAL_LEAVE,
            start_date=today - dt.timedelta(days=30),
            end_date=today - dt.timedelta(days=26),
        ),
    ]
    org.relationships = [r for r in org.relationships if r.supervisee is not unsupervised]

    for other in workers[10:14]:  # some clinical and line-management supervision too
        org.relationships.append(
            SupervisionRelationship(
                supervisee=other,
                supervisor=other.line_manager,
                type=RelationshipType.LINE_MANAGEMENT,
                start_date=long_ago,
                supervisor_is_peer=False,
            )
        )
    clinical = person(Role.LINE_MANAGER, localities[0])
    org.relationships.append(
        SupervisionRelationship(
            supervisee=workers[15],
            supervisor=clinical,
            type=RelationshipType.CLINICAL,
            start_date=today - dt.timedelta(days=200),
            supervisor_is_peer=False,
        )
    )
    # A non-peer supervisor (a line manager who also supervises peer work).
    non_peer = workers[20].line_manager
    for rel in org.relationships:
        if rel.supervisee == workers[20] and rel.type == RelationshipType.PEER_WORK and non_peer:
            rel.supervisor = non_peer
            rel.supervisor_is_peer = False

    EmploymentPeriod.objects.bulk_create(org.employment)
    Absence.objects.bulk_create(org.absences)
    SupervisionRelationship.objects.bulk_create(org.relationships)
    Placement.objects.bulk_create(
        Placement(
            person=p, role=p.role, service=p.service, locality=p.locality, start_date=long_ago
        )
        for p in org.people
    )

    _sessions(
        org,
        rng,
        policy_settings,
        first_month,
        quarter,
        behind=behind,
        struggling=struggling,
        rebooked=rebooked,
        localities=localities,
        facilitators=facilitators,
    )
    return org


def _restart(org: Organisation, p: Person, *, start: dt.date, end: dt.date | None = None) -> None:
    org.employment = [e for e in org.employment if e.person is not p]
    org.employment.append(EmploymentPeriod(person=p, start_date=start, end_date=end))


def _employed(org: Organisation, p: Person, day: dt.date) -> bool:
    at_work = any(
        e.person is p and e.start_date <= day and (e.end_date is None or day <= e.end_date)
        for e in org.employment
    )
    away = any(a.person is p and a.start_date <= day <= a.end_date for a in org.absences)
    return at_work and not away


def _sessions(
    org: Organisation,
    rng: random.Random,
    policy: PolicySettings,
    first_month: dt.date,
    quarter: rules.Period,
    *,
    behind: Person,
    struggling: Person,
    rebooked: Person,
    localities: list[Locality],
    facilitators: dict[int, Person],
) -> None:
    today = org.today
    horizon = today + dt.timedelta(days=45)
    sessions: list[Session] = []
    registers: list[list[tuple[Person, str]]] = []

    def past_status(p: Person, kind: str, day: dt.date) -> str:
        if p is behind:
            return rng.choice(
                [
                    AttendanceStatus.DID_NOT_ATTEND,
                    AttendanceStatus.APOLOGIES,
                    AttendanceStatus.ATTENDED,
                ]
            )
        if p is struggling and quarter.contains(day):
            return AttendanceStatus.DID_NOT_ATTEND
        if p is rebooked and quarter.contains(day):
            return AttendanceStatus.APOLOGIES
        roll = rng.random()
        if roll < 0.88:
            return AttendanceStatus.ATTENDED
        if kind == SessionKind.CO_REFLECTION:
            return AttendanceStatus.APOLOGIES
        return AttendanceStatus.DID_NOT_ATTEND

    def future_status(p: Person) -> str:
        if p is struggling:
            return AttendanceStatus.CANCELLED_BY_SUPERVISEE
        return rng.choice(
            [AttendanceStatus.INVITED, AttendanceStatus.INVITED, AttendanceStatus.TENTATIVE]
        )

    def add(
        kind: str, day: dt.date, lead: Person, people: list[Person], minutes: int, hour: int
    ) -> None:
        register = [
            (p, past_status(p, kind, day) if day <= today else future_status(p)) for p in people
        ]
        session = Session(
            external_id=f"S{len(sessions) + 1:05d}",
            kind=kind,
            date=day,
            start_time=dt.time(hour, 0),
            duration_minutes=minutes,
            lead=lead,
            modality=rng.choice([Modality.IN_PERSON, Modality.IN_PERSON, Modality.VIDEO]),
            location=rng.choice(LOCATIONS),
        )
        if kind == SessionKind.ONE_TO_ONE and rng.random() < 0.04:
            by_supervisor = rng.random() < 0.5
            session.cancelled_at = _noon(day - dt.timedelta(days=2))
            session.cancellation_reason = (
                "Supervisor on leave" if by_supervisor else "Supervisee unwell"
            )
            session.alternative_offered = f"{(day + dt.timedelta(days=7)):%A %d %B} at 2pm"
            status = (
                AttendanceStatus.CANCELLED_BY_SUPERVISOR
                if by_supervisor
                else AttendanceStatus.CANCELLED_BY_SUPERVISEE
            )
            register = [(p, status) for p, _ in register]
        sessions.append(session)
        registers.append(register)

    month = first_month
    while month <= horizon:
        for rel in org.relationships:
            if rel.type != RelationshipType.PEER_WORK:
                continue
            day = month + dt.timedelta(days=7 + _number(rel.supervisee) % 14)
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            if day <= horizon and _employed(org, rel.supervisee, day):
                add(
                    SessionKind.ONE_TO_ONE,
                    day,
                    rel.supervisor,
                    [rel.supervisee],
                    policy.one_to_one_minutes,
                    9 + _number(rel.supervisee) % 7,
                )
        wednesday = last_wednesday(month.year, month.month)
        if wednesday <= horizon:
            for place in localities:
                lead = facilitators[place.pk]
                group = [
                    p
                    for p in org.people
                    if p.locality_id == place.pk
                    and p.is_peer_worker
                    and p is not lead
                    and _employed(org, p, wednesday)
                ]
                add(
                    SessionKind.CO_REFLECTION,
                    wednesday,
                    lead,
                    group,
                    policy.co_reflection_minutes,
                    10,
                )
        month = rules.add_months(month, 1)

    # Someone who missed this quarter's sessions so far but has extra ones booked: on track.
    supervisor = next(r.supervisor for r in org.relationships if r.supervisee is rebooked)
    for offset in (1, 2):
        day = min(today + dt.timedelta(days=offset), quarter.end)
        if day > today:
            add(
                SessionKind.ONE_TO_ONE,
                day,
                supervisor,
                [rebooked],
                policy.one_to_one_minutes,
                15 + offset,
            )
    if today < quarter.end:
        add(
            SessionKind.CO_REFLECTION,
            min(today + dt.timedelta(days=3), quarter.end),
            facilitators[rebooked.locality_id or 0],
            [rebooked],
            policy.co_reflection_minutes,
            13,
        )

    Session.objects.bulk_create(sessions, batch_size=1000)
    Attendance.objects.bulk_create(
        (
            Attendance(session=session, person=p, status=status)
            for session, register in zip(sessions, registers, strict=True)
            for p, status in register
        ),
        batch_size=2000,
    )


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def statuses_shown(today: dt.date) -> set[str]:
    """Every status on the current year's matrix as of `today`."""
    policy = PolicySettings.objects.current().values()
    rows = matrix.build(
        Person.objects.all(),
        start_year=rules.year_containing(today, policy),
        as_of=today,
        policy=policy,
    )
    return {period.status.value for row in rows for period in row.periods}


def statuses_possible(today: dt.date) -> set[str]:
    """Statuses the current year can show as of `today`: nothing has ended in the first
    quarter, nothing is still to start in the last, nothing is met on the year's first day and
    nothing can still be on track on its last."""
    policy = PolicySettings.objects.current().values()
    year = rules.recording_year(rules.year_containing(today, policy), policy)
    quarters = rules.quarters(year)
    possible = {s.value for s in rules.Status}
    if quarters[0].contains(today):
        possible.discard(rules.Status.NOT_MET)
    if quarters[-1].contains(today):
        possible.discard(rules.Status.NOT_STARTED)
    if today == year.start:
        possible.discard(rules.Status.MET)
    if today == year.end:
        possible.discard(rules.Status.ON_TRACK)
    return possible


def _number(p: Person) -> int:
    """A stable number per person (database ids change from one build to the next)."""
    return int(p.external_id[1:])
