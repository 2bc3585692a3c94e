"""The attendance matrix: a fixed number of queries feeding the pure engine in rules.py.

Whatever the number of people, building the matrix costs five queries: the people, their
employment, their absences, their current peer work supervisor, and one aggregate of their
attendance grouped by person, quarter and kind.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from coreflect.compliance import rules
from coreflect.people.models import Absence, EmploymentPeriod, Locality, Person, Service
from coreflect.supervision.models import Attendance, AttendanceStatus, SupervisionRelationship


@dataclass(frozen=True)
class Row:
    person: Person
    supervisor: Person | None
    result: rules.PersonResult

    @property
    def periods(self) -> tuple[rules.PeriodResult, ...]:
        return (*self.result.quarters, self.result.year)

    def has_status(self, status: str, period: str = "") -> bool:
        if period == "year":
            return self.result.year.status == status
        if period in {"1", "2", "3", "4"}:
            return self.result.quarters[int(period) - 1].status == status
        return any(p.status == status for p in self.periods)


def in_year(people: QuerySet[Person], year: rules.Period) -> QuerySet[Person]:
    """Peer workers whose employment overlaps the recording year."""
    overlapping = EmploymentPeriod.objects.filter(start_date__lte=year.end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=year.start)
    )
    return people.peer_workers().filter(pk__in=overlapping.values("person_id"))  # type: ignore[attr-defined]


def attendance_counts(
    people: QuerySet[Person], year: rules.Period, as_of: dt.date
) -> dict[int, dict[tuple[int, str], rules.Tally]]:
    """Attended and still-scheduled sessions per person, quarter and kind, in one query."""
    q1, q2, q3, _ = rules.quarters(year)
    rows = (
        Attendance.objects.filter(
            person__in=people.values("pk"), session__date__range=(year.start, year.end)
        )
        # A facilitator is not a participant for counting purposes (spec §2).
        .exclude(person=F("session__lead"))
        .annotate(
            quarter=Case(
                When(session__date__lte=q1.end, then=Value(1)),
                When(session__date__lte=q2.end, then=Value(2)),
                When(session__date__lte=q3.end, then=Value(3)),
                default=Value(4),
                output_field=IntegerField(),
            )
        )
        .values_list("person_id", "quarter", "session__kind")
        .annotate(
            attended=Count(
                "pk", filter=Q(status=AttendanceStatus.ATTENDED, session__date__lte=as_of)
            ),
            scheduled=Count(
                "pk",
                filter=Q(session__date__gt=as_of) & ~Q(status__in=list(rules.NOT_COMING)),
            ),
        )
        .order_by()
    )
    counts: dict[int, dict[tuple[int, str], rules.Tally]] = defaultdict(dict)
    for person_id, quarter, kind, attended, scheduled in rows:
        counts[person_id][quarter, kind] = rules.Tally(attended, scheduled)
    return counts


def build(
    people: QuerySet[Person], *, start_year: int, as_of: dt.date, policy: rules.Policy
) -> list[Row]:
    """The matrix rows for these people, in name order."""
    year = rules.recording_year(start_year, policy)
    members = in_year(people, year)
    ids = members.values("pk")
    person_list = list(members.order_by("name", "pk"))
    # Services and localities are few: fetched once each and shared, not joined to every row.
    services: dict[int | None, Service] = {
        s.pk: s for s in Service.objects.filter(pk__in=members.values("service"))
    }
    localities: dict[int | None, Locality] = {
        x.pk: x for x in Locality.objects.filter(pk__in=members.values("locality"))
    }

    employment: dict[int, list[rules.Span]] = defaultdict(list)
    for person_id, start, end in EmploymentPeriod.objects.filter(person__in=ids).values_list(
        "person_id", "start_date", "end_date"
    ):
        employment[person_id].append(rules.Span(start, end))

    # Only sickness and the types the policy pro-rates can change a requirement. A sickness
    # spell is measured whole, so fetch records up to one threshold beyond the year: a chain
    # of back-to-back records reaching further is long-term either way.
    margin = dt.timedelta(days=policy.long_term_sickness_days)
    absences: dict[int, list[rules.Absence]] = defaultdict(list)
    for person_id, kind, start, end in Absence.objects.filter(
        person__in=ids,
        type__in=[rules.SICKNESS, *sorted(policy.prorating_absence_types)],
        start_date__lte=year.end + margin,
        end_date__gte=year.start - margin,
    ).values_list("person_id", "type", "start_date", "end_date"):
        absences[person_id].append(rules.Absence(kind, start, end))

    on = min(max(as_of, year.start), year.end)
    current = SupervisionRelationship.objects.current(on).peer_work().filter(supervisee__in=ids)
    supervisor_of = dict(current.values_list("supervisee_id", "supervisor_id"))
    supervisors = {p.pk: p for p in Person.objects.filter(pk__in=current.values("supervisor"))}

    counts = attendance_counts(members, year, as_of)
    rows = []
    no_counts: rules.Counts = {}
    for person in person_list:
        person.service = services.get(person.service_id)
        person.locality = localities.get(person.locality_id)
        pk = person.pk
        result = rules.evaluate(
            year=year,
            as_of=as_of,
            policy=policy,
            employment=employment[pk],
            absences=absences.get(pk, ()),
            counts=counts.get(pk, no_counts),
        )
        supervisor_id = supervisor_of.get(pk)
        rows.append(Row(person, supervisors.get(supervisor_id) if supervisor_id else None, result))
    return rows


def as_json(rows: list[Row], *, year: rules.Period, as_of: dt.date) -> dict[str, Any]:
    """The matrix in the documented JSON shape (docs/commands.md)."""

    def counts(component: rules.Component) -> dict[str, Any]:
        return {
            "required": component.required,
            "attended": component.attended,
            "scheduled": component.scheduled,
        }

    return {
        "year": year.label,
        "as_of": as_of.isoformat(),
        "people": [
            {
                "person_id": row.person.external_id,
                "name": row.person.name,
                "quarters": [
                    {
                        "quarter": number,
                        "start": q.period.start.isoformat(),
                        "end": q.period.end.isoformat(),
                        "one_to_one": counts(q.component(rules.ONE_TO_ONE)),
                        "co_reflection": counts(q.component(rules.CO_REFLECTION)),
                        "status": q.status.value,
                    }
                    for number, q in enumerate(row.result.quarters, start=1)
                ],
                "year_total": {
                    **counts(row.result.year.component(rules.TOTAL)),
                    "status": row.result.year.status.value,
                },
            }
            for row in rows
        ],
    }


CSV_HEADER = [
    "person_id",
    "name",
    "service",
    "locality",
    "supervisor",
    *[
        f"q{n}_{field}"
        for n in range(1, 5)
        for field in (
            "one_to_one_required",
            "one_to_one_attended",
            "one_to_one_scheduled",
            "co_reflection_required",
            "co_reflection_attended",
            "co_reflection_scheduled",
            "status",
        )
    ],
    "year_required",
    "year_attended",
    "year_scheduled",
    "year_status",
]


def as_table(rows: list[Row]) -> Iterator[list[str | int]]:
    """The matrix as flat rows under CSV_HEADER, for .csv and .xlsx downloads."""
    yield list(CSV_HEADER)
    for row in rows:
        cells: list[str | int] = [
            row.person.external_id,
            row.person.name,
            row.person.service.name if row.person.service else "",
            row.person.locality.name if row.person.locality else "",
            row.supervisor.name if row.supervisor else "",
        ]
        for q in row.result.quarters:
            for name in (rules.ONE_TO_ONE, rules.CO_REFLECTION):
                c = q.component(name)
                cells += [c.required, c.attended, c.scheduled]
            cells.append(q.status.value)
        total = row.result.year.component(rules.TOTAL)
        cells += [total.required, total.attended, total.scheduled, row.result.year.status.value]
        yield cells
