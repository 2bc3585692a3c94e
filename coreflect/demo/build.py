"""The demo organisation: three services, about 60 people, 15 months of sessions.

Deterministic for a given `today` (a seeded random generator, ids restarted from 1), so the
demo and its tests always show the same people. It is built so that every status appears on
the current year's matrix: people fall behind, start, leave, come back and go off sick. The
demo owns its database: building it first deletes every person, session and relationship.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from coreflect.agreements.models import Agreement, AgreementVersion, ReviewRequest, Signature
from coreflect.compliance import matrix, rules
from coreflect.compliance.models import current_policy
from coreflect.demo import agreements as demo_agreements
from coreflect.demo import concerns as demo_concerns
from coreflect.demo import disclosures as demo_disclosures
from coreflect.demo import notes as demo_notes
from coreflect.disclosures.models import Disclosure
from coreflect.governance.models import Concern
from coreflect.notes import register as notes_register
from coreflect.notes.models import (
    Action,
    AgendaItem,
    CaseloadEntry,
    Comment,
    ModelRequest,
    Notes,
    NotesEvent,
    NotesShare,
    NotesState,
    NotesVersion,
    ReflectiveModel,
    Topic,
)
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
from coreflect.policy.models import PolicySettings
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
SEED = 2025

SERVICES = {
    "Adult Mental Health": ["Durham", "Darlington"],
    "Mental Health Services for Older People": ["Middlesbrough", "Stockton-on-Tees"],
    "Children and Young People's Services": ["Hartlepool", "Redcar"],
}
FIRST = (
    "Jo Sam Alex Priya Tom Aisha Ben Chloe Dev Ella Femi Grace Harry Imran Jade Kit Leah Mo "
    "Nina Owen Pat Quinn Rosa Sunil Tara Uma Vic Will Yara Zac Amir Beth Cal Dana Eli Faye "
    "Gabe Hana Ivy Jon Kara Liam Maya Noor Ola Pete Rae Seb Tess Ugo Vera Wren Xena Yusuf Zoe "
    "Abe Bea Cole Di Ed Flo Gil Hal Iris Jay Kai Lou Max Ned Opal Ruth"
).split()
LAST = (
    "Bell Shaw Khan Patel Reed Ahmed Clark Dixon Evans Fox Green Hall Irwin Jones Kerr Lamb "
    "Moss Nash Owens Park Quayle Ross Singh Todd Usher Vance Walsh Young Zhou Ali Brook Carr "
    "Dunn Ellis Ford Gray Hart Iqbal Joyce Kemp Lowe Marsh Noble Oakes Pryce Rhodes Stone "
    "Tate Vine Webb Wood Yates Baird Cole Drake Finch Hunt Knox Lees Mann Nunn Orr Page Rowe Sykes "
    "Frost"
).split()
ROOMS = ["Peer Hub, room 2", "Recovery College, quiet room", "Community base, meeting room 1"]
CANCELLATIONS: dict[str, list[str]] = {
    AttendanceStatus.CANCELLED_BY_SUPERVISEE: [
        "Supervisee unwell",
        "Clashes with a visit to a person the supervisee supports",
        "Supervisee on a training day",
    ],
    AttendanceStatus.CANCELLED_BY_SUPERVISOR: [
        "Supervisor on annual leave",
        "Supervisor covering a colleague's caseload",
        "Supervisor unwell",
    ],
}
RED = frozenset({rules.Status.NOT_MET, rules.Status.AT_RISK})
# Roles whose printed example must have people to supervise, or reports to manage.
SUPERVISING = frozenset(
    {
        Role.HEAD_OF_PEER_WORK,
        Role.PEER_LEAD,
        Role.PEER_COORDINATOR,
        Role.SENIOR_PEER_WORKER,
        Role.PEER_PRACTITIONER,
    }
)
MANAGING = frozenset({Role.LINE_MANAGER, Role.EXECUTIVE_DIRECTOR})


class DemoIncomplete(Exception):
    """The demo built as of this date would not show what it is for; nothing was saved."""


@dataclass
class Organisation:
    today: dt.date
    people: list[Person] = field(default_factory=list)
    employment: list[EmploymentPeriod] = field(default_factory=list)
    absences: list[Absence] = field(default_factory=list)
    relationships: list[SupervisionRelationship] = field(default_factory=list)
    sessions: int = 0
    attendance: int = 0
    # One person per role, in Role order: the sign-ins the command prints.
    examples: dict[str, Person] = field(default_factory=dict)
    # How many one-to-ones' notes are in each state (not_written included).
    notes: dict[str, int] = field(default_factory=dict)


# Every table the demo fills, children first so deletes never meet a protected reference.
TABLES: tuple[type[models.Model], ...] = (
    Concern,
    Signature,
    ReviewRequest,
    AgreementVersion,
    Agreement,
    Disclosure,
    Comment,
    Action,
    Topic,
    NotesShare,
    NotesEvent,
    NotesVersion,
    Notes,
    CaseloadEntry,
    ModelRequest,
    AgendaItem,
    ReflectiveModel,
    Attendance,
    Session,
    SupervisionRelationship,
    Absence,
    EmploymentPeriod,
    Placement,
    Person,
    Locality,
    Service,
)


def clear() -> None:
    """Remove the demo's people, sessions, structure and every sign-in but superusers."""
    for model in TABLES:
        rows = model._default_manager.all()
        if model is Person:
            Person.objects.update(line_manager=None)
        elif model is NotesVersion:
            rows.update(based_on=None)  # each version protects the one it was based on
        elif model is ReflectiveModel:
            rows = rows.filter(is_default=False)  # the migration's, which every build keeps
        rows.delete()
    User.objects.filter(is_superuser=False).delete()
    _restart_ids([*TABLES, User])


def _restart_ids(tables: list[type[models.Model]]) -> None:
    """Number new rows from just after the highest remaining id, so every build is identical
    (and a bookmarked /people/P0012/ or session page survives a rebuild)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for model in tables:
                table = model._meta.db_table
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = "  # noqa: S608 (table names from models)
                    f'(SELECT COALESCE(MAX(id), 0) FROM "{table}") WHERE name = %s',
                    [table],
                )
        else:
            for sql in connection.ops.sequence_reset_sql(no_style(), tables):
                cursor.execute(sql)


def last_wednesday(year: int, month: int) -> dt.date:
    day = rules.add_months(dt.date(year, month, 1), 1) - rules.ONE_DAY
    return day - dt.timedelta(days=(day.weekday() - 2) % 7)


@transaction.atomic
def build(today: dt.date, *, seed: int = SEED) -> Organisation:
    """Replace the database's contents with the demo organisation as of `today`.

    Raises DemoIncomplete, leaving the database as it was, if the result would not show
    every status the date allows or a printed example would have nothing to show.
    """
    clear()
    org = _Builder(today, random.Random(seed)).run()
    problems = check(org)
    if problems:
        raise DemoIncomplete("; ".join(problems))
    return org


class _Builder:
    def __init__(self, today: dt.date, rng: random.Random) -> None:
        self.today = today
        self.rng = rng
        self.org = Organisation(today)
        self.settings = PolicySettings.objects.current()
        policy = rules.requirements_of(self.settings)
        self.year = rules.recording_year(rules.year_containing(today, policy), policy)
        self.quarter = next(q for q in rules.quarters(self.year) if q.contains(today))
        self.first_month = rules.add_months(today, -14)  # 15 months with this one
        self.horizon = today + dt.timedelta(days=42)
        self.long_ago = dt.date(today.year - 4, 9, 1)
        self.names = iter(f"{f} {s}" for f, s in zip(FIRST, LAST, strict=False))
        self.password = make_password(PASSWORD)  # hashed once: it is the slow part
        self.localities: list[Locality] = []
        self.sessions: list[Session] = []
        self.registers: list[list[tuple[Person, str]]] = []

    # People and structure ---------------------------------------------------------------

    def person(self, role: str, locality: Locality | None = None, **extra: object) -> Person:
        name = next(self.names)
        handle = name.lower().replace(" ", ".")
        user = User.objects.create(
            username=handle, password=self.password, email=f"{handle}@example.nhs.uk"
        )
        p = Person.objects.create(
            external_id=f"P{len(self.org.people) + 1:04d}",
            name=name,
            email=user.email,
            role=role,
            service=locality.service if locality else None,
            locality=locality,
            user=user,
            **extra,
        )
        self.org.people.append(p)
        self.org.examples.setdefault(role, p)
        return p

    def employ(self, p: Person, start: dt.date | None = None, end: dt.date | None = None) -> None:
        self.org.employment.append(
            EmploymentPeriod(person=p, start_date=start or self.long_ago, end_date=end)
        )

    def relate(
        self,
        supervisor: Person,
        supervisee: Person,
        kind: str = RelationshipType.PEER_WORK,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> None:
        self.org.relationships.append(
            SupervisionRelationship(
                supervisee=supervisee,
                supervisor=supervisor,
                type=kind,
                start_date=start or self.long_ago,
                end_date=end,
                supervisor_is_peer=supervisor.is_peer_worker,
            )
        )

    def run(self) -> Organisation:
        org = self.org
        director = self.person(Role.EXECUTIVE_DIRECTOR)
        head = self.person(Role.HEAD_OF_PEER_WORK, line_manager=director)
        # Here long before the rest: they supervised the demo's former peer worker (former()).
        self.employ(head, dt.date(self.today.year - 12, 9, 1))
        self.relate(director, head)  # a non-peer supervisor: top of the escalation route
        self.person(Role.GOVERNANCE)
        self.person(Role.ADMIN)

        peers: list[Person] = []  # peer workers and peer support workers, in order
        self.facilitators: dict[int, tuple[Person, Person]] = {}
        self.second: dict[int, Person] = {}  # each worker's other possible supervisor
        for service_name, locality_names in SERVICES.items():
            service = Service.objects.create(name=service_name)
            places = [Locality.objects.create(service=service, name=n) for n in locality_names]
            self.localities += places
            lead = self.person(Role.PEER_LEAD, places[0], line_manager=head)
            self.employ(lead)
            self.relate(head, lead)
            coordinator = self.person(Role.PEER_COORDINATOR, places[1], line_manager=lead)
            self.employ(coordinator)
            self.relate(lead, coordinator)
            for place in places:
                manager = self.person(Role.LINE_MANAGER, place)
                senior = self.person(Role.SENIOR_PEER_WORKER, place, line_manager=manager)
                practitioner = self.person(Role.PEER_PRACTITIONER, place, line_manager=manager)
                for supervisor in (senior, practitioner):
                    self.employ(supervisor)
                    self.relate(coordinator, supervisor)
                self.facilitators[place.pk] = (senior, coordinator)
                for index in range(6):
                    role = Role.PEER_WORKER if index % 2 == 0 else Role.PEER_SUPPORT_WORKER
                    worker = self.person(
                        role, place, line_manager=manager, is_carer_peer=index == 5
                    )
                    mine, other = (senior, practitioner) if index < 3 else (practitioner, senior)
                    self.second[worker.pk] = other
                    self.employ(worker)
                    self.relate(mine, worker)
                    peers.append(worker)
        clinical = self.person(Role.LINE_MANAGER, self.localities[0])  # a clinical psychologist

        self.characters(peers)
        self.former(head)
        for other in peers[15:19]:  # line management recorded as supervision too
            if other.line_manager is not None:
                self.relate(other.line_manager, other, RelationshipType.LINE_MANAGEMENT)
        for other in peers[20:22]:
            start = self.today - dt.timedelta(days=200)
            self.relate(clinical, other, RelationshipType.CLINICAL, start=start)

        EmploymentPeriod.objects.bulk_create(org.employment)
        Absence.objects.bulk_create(org.absences)
        SupervisionRelationship.objects.bulk_create(org.relationships)
        Placement.objects.bulk_create(self.placement(p) for p in org.people)
        self.schedule(head)
        org.examples = {role: org.examples[role] for role in Role.values if role in org.examples}
        org.notes = demo_notes.notes(self.today, head, org.examples)
        demo_disclosures.disclosures(self.today, org.examples)
        demo_concerns.concerns(self.today, org.examples)
        demo_agreements.agreements(self.today)
        return org

    def placement(self, p: Person) -> Placement:
        """The person's current role and team, from their first day to their last."""
        periods = [e for e in self.org.employment if e.person is p]
        start = min((e.start_date for e in periods), default=self.long_ago)
        ends = [e.end_date for e in periods]
        end = None if not ends or None in ends else max(e for e in ends if e is not None)
        return Placement(
            person=p,
            role=p.role,
            service=p.service,
            locality=p.locality,
            start_date=start,
            end_date=end,
        )

    def characters(self, peers: list[Person]) -> None:
        """The people who make sure each status appears on the current year's matrix.

        At risk: `behind` sends apologies to every co-reflection this quarter, `struggling`
        misses or cancels every one-to-one. On track: `rebooked` lost this quarter's sessions
        so far and has make-up ones booked. Not met: `unsupervised` has had no supervisor
        since before the last quarter. Not applicable: the starter's earlier quarters, the
        leaver's later ones. Met early in the year: the leaver's pro-rata quarter, settled
        by the exit one-to-one on its first working day.
        """
        today, year, quarter = self.today, self.year, self.quarter
        (
            self.behind,
            self.struggling,
            self.rebooked,
            starter,
            self.leaver,
            rejoiner,
            sick,
            unsupervised,
            poorly,
        ) = peers[:9]
        self.org.examples[Role.PEER_WORKER] = self.behind
        self.org.examples[Role.PEER_SUPPORT_WORKER] = next(
            p for p in peers[9:] if p.role == Role.PEER_SUPPORT_WORKER
        )

        # A starter this quarter (earlier quarters not applicable); in the year's first
        # quarter, three weeks ago.
        start = quarter.start if quarter.start > year.start else today - dt.timedelta(days=20)
        self.restart(starter, [(start, None)])
        # A leaver: left ten days ago, or is leaving four weeks into this quarter (so its
        # requirement is one one-to-one). Their supervision is left open: the matrix flags
        # anyone without a current supervisor, and only one should show.
        last_day = max(quarter.start + dt.timedelta(days=27), today - dt.timedelta(days=10))
        self.restart(self.leaver, [(self.long_ago, last_day)])
        # A re-joiner: left, came back two months later with the other supervisor.
        left, back = today - dt.timedelta(days=120), today - dt.timedelta(days=60)
        self.restart(rejoiner, [(self.long_ago, left), (back, None)])
        self.relate(self.second[rejoiner.pk], rejoiner, start=back)
        for rel in self.org.relationships:
            if rel.supervisee is rejoiner and rel.start_date == self.long_ago:
                rel.end_date = left
        # The one peer worker without a peer work supervisor (the flag on the matrix): their
        # supervisor moved on before the last quarter began and nobody has taken over.
        before_last_quarter = rules.add_months(quarter.start, -3) - rules.ONE_DAY
        for rel in self.org.relationships:
            if rel.supervisee is unsupervised:
                rel.end_date = min(today - dt.timedelta(days=100), before_last_quarter)
        # A non-peer supervisor: a line manager who supervises one worker's peer work.
        for rel in self.org.relationships:
            if rel.supervisee is peers[14] and peers[14].line_manager is not None:
                rel.supervisor = peers[14].line_manager
                rel.supervisor_is_peer = False

        # Long-term sickness (eight weeks, reduces requirements pro rata) this year where it
        # can be; a short spell (does not); annual leave for a few.
        sick_start = max(year.start, today - dt.timedelta(days=120))
        away = [
            (sick, AbsenceType.SICKNESS, sick_start, sick_start + dt.timedelta(days=55)),
            (poorly, AbsenceType.SICKNESS, today - dt.timedelta(40), today - dt.timedelta(38)),
            (
                self.behind,
                AbsenceType.ANNUAL_LEAVE,
                today - dt.timedelta(30),
                today - dt.timedelta(26),
            ),
        ]
        for index in (9, 12, 20, 30, 33):
            begin = today + dt.timedelta(days=(index * 11) % 90 - 60)
            away.append((peers[index], AbsenceType.ANNUAL_LEAVE, begin, begin + dt.timedelta(11)))
        self.org.absences += [
            Absence(person=p, type=kind, start_date=begin, end_date=end)
            for p, kind, begin, end in away
        ]

    def former(self, head: Person) -> None:
        """A peer worker who left years ago, supervised then by the head of peer work: their
        two last one-to-ones' notes are past the retention date, so the head of peer work has
        notes to review (/retention/). Their sign-in is switched off."""
        left = dt.date(self.today.year - self.settings.retention_years - 1, 3, 31)
        start = dt.date(left.year - 3, 9, 1)
        worker = self.person(Role.PEER_WORKER, self.localities[0], line_manager=head)
        if worker.user is not None:
            worker.user.is_active = False
            worker.user.save(update_fields=["is_active"])
        self.employ(worker, start, left)
        self.relate(head, worker, start=start, end=left)
        for weeks in (10, 3):
            day = left - dt.timedelta(weeks=weeks)
            while day.weekday() >= 5:
                day -= rules.ONE_DAY
            self.one_to_one(head, worker, day, dt.time(10), status=AttendanceStatus.ATTENDED)

    def restart(self, p: Person, periods: list[tuple[dt.date, dt.date | None]]) -> None:
        self.org.employment = [e for e in self.org.employment if e.person is not p]
        for start, end in periods:
            self.employ(p, start, end)
        for rel in self.org.relationships:
            if rel.supervisee is p and rel.type == RelationshipType.PEER_WORK:
                rel.start_date = periods[0][0]

    def available(self, p: Person, day: dt.date) -> bool:
        """Employed on the day and not away."""
        at_work = any(
            e.person is p and e.start_date <= day and (e.end_date is None or day <= e.end_date)
            for e in self.org.employment
        )
        away = any(a.person is p and a.start_date <= day <= a.end_date for a in self.org.absences)
        return at_work and not away

    # Sessions ---------------------------------------------------------------------------

    def schedule(self, head: Person) -> None:
        """Monthly one-to-ones and locality co-reflections from 14 months ago to six weeks on."""
        one_to_ones = [r for r in self.org.relationships if r.type == RelationshipType.PEER_WORK]
        month, number = self.first_month, 0
        while month <= self.horizon:
            for rel in one_to_ones:
                n = _number(rel.supervisee)
                day = self.one_to_one_day(rel.supervisee, month)
                in_force = rel.start_date <= day and (rel.end_date is None or day <= rel.end_date)
                if day <= self.horizon and in_force and self.available(rel.supervisee, day):
                    self.one_to_one(rel.supervisor, rel.supervisee, day, dt.time(9 + n % 7))
            wednesday = last_wednesday(month.year, month.month)
            if wednesday <= self.horizon:
                for index, place in enumerate(self.localities):
                    # The senior peer worker and the service's co-ordinator take turns, so
                    # each of them joins a group as a participant some months.
                    lead = self.facilitators[place.pk][number % 2]
                    group = [
                        p
                        for p in self.org.people
                        if (p.locality_id == place.pk or (index == 0 and p is head))
                        and p.is_peer_worker
                        and p is not lead
                        and self.available(p, wednesday)
                    ]
                    start = dt.time(10 if index % 2 == 0 else 14)
                    self.co_reflection(lead, group, wednesday, start)
            month, number = rules.add_months(month, 1), number + 1
        self.extra_sessions()
        self.save()

    def one_to_one_day(self, p: Person, month: dt.date) -> dt.date:
        """The person's one-to-one in the month: a working day in its second or third week,
        but the leaver's is on the first working day."""
        offset = 0 if p is self.leaver else 7 + _number(p) % 14
        day = month + dt.timedelta(days=offset)
        return day if day.weekday() < 5 else next_working_day(day)

    def last_one_to_one(self, p: Person) -> dt.date | None:
        """The person's latest regular one-to-one this quarter up to today, if any."""
        month = dt.date(self.today.year, self.today.month, 1)
        for months_back in range(3):
            day = self.one_to_one_day(p, rules.add_months(month, -months_back))
            if self.quarter.start <= day <= self.today:
                return day
        return None

    def extra_sessions(self) -> None:
        """The rebooked worker's make-up one-to-one and co-reflection, booked at short notice
        for the next working day (if the quarter has one left)."""
        day = next_working_day(self.today)
        if day > self.quarter.end:
            return
        supervisor = next(
            r.supervisor for r in self.org.relationships if r.supervisee is self.rebooked
        )
        invited = AttendanceStatus.INVITED
        self.one_to_one(supervisor, self.rebooked, day, dt.time(10), late=True, status=invited)
        lead = self.facilitators[self.rebooked.locality_id or 0][0]
        self.co_reflection(lead, [self.rebooked], day, dt.time(13), late=True, status=invited)

    def one_to_one(
        self,
        lead: Person,
        p: Person,
        day: dt.date,
        start: dt.time,
        *,
        late: bool = False,
        status: str = "",
    ) -> None:
        session = self.session(SessionKind.ONE_TO_ONE, lead, day, start, late=late)
        status = status or self.one_to_one_status(p, day)
        if status in CANCELLATIONS:
            by = p if status == AttendanceStatus.CANCELLED_BY_SUPERVISEE else lead
            reason = self.rng.choice(CANCELLATIONS[status])
            when = min(day - dt.timedelta(days=self.rng.randint(1, 5)), self.today - rules.ONE_DAY)
            session.cancelled_at = _at(when, dt.time(16, 30))
            session.cancelled_by = by.user
            session.cancellation_reason = reason
            offered = max(day, self.today) + dt.timedelta(days=self.rng.randint(2, 9))
            while offered.weekday() >= 5:
                offered += rules.ONE_DAY
            session.alternative_offered = (
                f"{offered:%A} {offered.day} {offered:%B} at 2pm, same place"
            )
        self.add(session, [(p, status)])

    def co_reflection(
        self,
        lead: Person,
        group: list[Person],
        day: dt.date,
        start: dt.time,
        *,
        late: bool = False,
        status: str = "",
    ) -> None:
        session = self.session(SessionKind.CO_REFLECTION, lead, day, start, late=late)
        self.add(session, [(p, status or self.co_reflection_status(p, day)) for p in group])

    def session(
        self, kind: str, lead: Person, day: dt.date, start: dt.time, *, late: bool
    ) -> Session:
        modality = self.rng.choice([Modality.IN_PERSON] * 3 + [Modality.VIDEO, Modality.PHONE])
        if kind == SessionKind.CO_REFLECTION and modality == Modality.PHONE:
            modality = Modality.VIDEO
        place = lead.locality.name if lead.locality else "Trust HQ, Darlington"
        location = {
            Modality.IN_PERSON: f"{place}: {self.rng.choice(ROOMS)}",
            Modality.VIDEO: "Video call: link in the calendar invitation",
            Modality.PHONE: "Phone: the supervisor calls",
        }[modality]
        # Locations are normally sent weeks ahead; a few are late, and the flag shows.
        notice = self.settings.location_notice_days
        days_ahead = self.rng.randint(notice + 3, notice + 21)
        if late or self.rng.random() < 0.02:
            days_ahead = self.rng.randint(1, max(1, notice - 1))
        set_on = min(day - dt.timedelta(days=days_ahead), self.today - rules.ONE_DAY)
        minutes = (
            self.settings.one_to_one_minutes
            if kind == SessionKind.ONE_TO_ONE
            else self.settings.co_reflection_minutes
        )
        return Session(
            external_id=f"S{len(self.sessions) + 1:05d}",
            kind=kind,
            date=day,
            start_time=start,
            duration_minutes=minutes,
            lead=lead,
            modality=modality,
            location=location,
            location_set_at=_at(set_on, dt.time(11)),
        )

    def add(self, session: Session, register: list[tuple[Person, str]]) -> None:
        self.sessions.append(session)
        self.registers.append(register)

    def one_to_one_status(self, p: Person, day: dt.date) -> str:
        past, now = day <= self.today, self.quarter.contains(day)
        if p is self.struggling and now:
            return (
                AttendanceStatus.DID_NOT_ATTEND
                if past
                else AttendanceStatus.CANCELLED_BY_SUPERVISEE
            )
        if p is self.rebooked and now and past:
            # The latest one-to-one fell through; the earlier ones this quarter went ahead.
            latest = day == self.last_one_to_one(p)
            return AttendanceStatus.CANCELLED_BY_SUPERVISOR if latest else AttendanceStatus.ATTENDED
        if p is self.leaver and now and past:
            return AttendanceStatus.ATTENDED
        if p is self.behind and past and not now:
            return self.rng.choice([AttendanceStatus.ATTENDED, AttendanceStatus.DID_NOT_ATTEND])
        roll = self.rng.random()
        if roll < 0.04:
            return self.rng.choice(
                [AttendanceStatus.CANCELLED_BY_SUPERVISEE, AttendanceStatus.CANCELLED_BY_SUPERVISOR]
            )
        if not past:
            return AttendanceStatus.TENTATIVE if roll < 0.2 else AttendanceStatus.INVITED
        return AttendanceStatus.DID_NOT_ATTEND if roll < 0.09 else AttendanceStatus.ATTENDED

    def co_reflection_status(self, p: Person, day: dt.date) -> str:
        past, now = day <= self.today, self.quarter.contains(day)
        if p is self.behind and now:
            return AttendanceStatus.APOLOGIES  # a clinic clashes with the group all quarter
        if p is self.rebooked and now and past:
            return AttendanceStatus.APOLOGIES
        if p is self.behind and past:
            return self.rng.choice([AttendanceStatus.ATTENDED, AttendanceStatus.APOLOGIES])
        roll = self.rng.random()
        if not past:
            if roll < 0.03:
                return AttendanceStatus.APOLOGIES
            return AttendanceStatus.TENTATIVE if roll < 0.25 else AttendanceStatus.INVITED
        if roll < 0.08:
            return AttendanceStatus.APOLOGIES
        return AttendanceStatus.DID_NOT_ATTEND if roll < 0.11 else AttendanceStatus.ATTENDED

    def save(self) -> None:
        Session.objects.bulk_create(self.sessions, batch_size=1000)
        rows = [
            Attendance(session=session, person=p, status=status)
            for session, register in zip(self.sessions, self.registers, strict=True)
            for p, status in register
        ]
        Attendance.objects.bulk_create(rows, batch_size=2000)
        self.org.sessions, self.org.attendance = len(self.sessions), len(rows)


def next_working_day(day: dt.date) -> dt.date:
    """The first Monday-to-Friday after `day`."""
    day += rules.ONE_DAY
    while day.weekday() >= 5:
        day += rules.ONE_DAY
    return day


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _number(p: Person) -> int:
    """A stable number per person (the person ID, not the database id)."""
    return int(p.external_id[1:])


# Checks -----------------------------------------------------------------------------------


def rows(today: dt.date) -> list[matrix.Row]:
    """The current recording year's matrix as of `today`."""
    policy = current_policy()
    return matrix.build(
        Person.objects.all(),
        start_year=rules.year_containing(today, policy),
        as_of=today,
        policy=policy,
    )


def statuses_shown(today: dt.date) -> set[str]:
    """Every status on the current year's matrix as of `today`."""
    return {period.status.value for row in rows(today) for period in row.periods}


def statuses_possible(today: dt.date) -> set[str]:
    """Statuses the current year can show as of `today`, sessions being on working days:
    nothing has ended in the first quarter, nothing is still to start in the last, nothing is
    met before the year's first working day, and once the quarter has no working day left
    nothing in it can be on track (the year may be, but nobody can promise it)."""
    policy = current_policy()
    year = rules.recording_year(rules.year_containing(today, policy), policy)
    quarters = rules.quarters(year)
    possible = {s.value for s in rules.Status}
    if quarters[0].contains(today):
        possible.discard(rules.Status.NOT_MET)
    if quarters[-1].contains(today):
        possible.discard(rules.Status.NOT_STARTED)
    if today < next_working_day(year.start - rules.ONE_DAY):
        possible.discard(rules.Status.MET)
    quarter = next(q for q in quarters if q.contains(today))
    if next_working_day(today) > quarter.end:
        possible.discard(rules.Status.ON_TRACK)
    return possible


def check(org: Organisation) -> list[str]:
    """What would make the demo fall short, in words; empty when all is well."""
    today = org.today
    problems = []
    matrix_rows = rows(today)
    shown = {period.status.value for row in matrix_rows for period in row.periods}
    missing = statuses_possible(today) - shown
    if missing:
        problems.append(f"no {', '.join(sorted(missing))} on the matrix as of {today}")
    missing_roles = set(Role.values) - set(org.examples)
    if missing_roles:
        problems.append(f"nobody in the role {', '.join(sorted(missing_roles))}")
    unsupervised = [row.person.name for row in matrix_rows if row.supervisor is None]
    if len(unsupervised) != 1:
        problems.append(f"{len(unsupervised)} people without a supervisor, not 1")
    example = org.examples.get(Role.PEER_WORKER)
    red = [
        row
        for row in matrix_rows
        if example is not None
        and row.person.pk == example.pk
        and any(p.status in RED for p in row.periods)
    ]
    if example is not None and not red:
        problems.append(f"the example peer worker {example.name} has no red cell to explain")
    missing_states = set(NotesState.values) - {s for s, n in org.notes.items() if n}
    if missing_states:
        problems.append(f"no notes {', '.join(sorted(missing_states))} as of {today}")
    if not notes_overdue(today):
        problems.append(f"no notes overdue to share and to answer as of {today}")
    for role, person in org.examples.items():
        if role in SUPERVISING and not supervisees(person, today):
            problems.append(f"the example {role} {person.name} supervises nobody")
        if role in MANAGING and not person.reports.exists():
            problems.append(f"the example {role} {person.name} manages nobody")
    return problems


def notes_overdue(today: dt.date) -> bool:
    """Whether some notes are overdue to share and some overdue to answer."""
    deadlines = notes_register.Deadlines.of(PolicySettings.objects.current())
    held = notes_register.held_one_to_ones(today)
    late = {
        clock.state
        for clock in (
            entry.clock for entry in notes_register.entries(held, as_of=today, deadlines=deadlines)
        )
        if clock.overdue
    }
    return NotesState.NOT_WRITTEN in late and NotesState.SHARED in late


def supervisees(person: Person, on: dt.date) -> list[Person]:
    return [
        rel.supervisee
        for rel in SupervisionRelationship.objects.current(on)
        .peer_work()
        .filter(supervisor=person)
        .select_related("supervisee")
    ]


def describe(person: Person, on: dt.date) -> str:
    """Who the person is to others, e.g. 'supervised by Dev Evans; line manages 8'."""
    parts = []
    supervisor = (
        SupervisionRelationship.objects.current(on)
        .peer_work()
        .filter(supervisee=person)
        .select_related("supervisor")
        .first()
    )
    if supervisor is not None:
        parts.append(f"supervised by {supervisor.supervisor.name}")
    count = len(supervisees(person, on))
    if count:
        parts.append(f"supervises {count}")
    reports = person.reports.count()
    if reports:
        parts.append(f"line manages {reports}")
    return "; ".join(parts)
