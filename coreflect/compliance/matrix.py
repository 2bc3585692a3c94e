"""The attendance matrix: a fixed number of queries feeding the pure engine in rules.py.

Whatever the number of people, building the matrix costs seven queries: the people, their
services and localities, their employment, their absences, their current peer work
supervisors, and one count of their attendance (a row per person). A page of people already
known (`build_named`) costs five. Rows are kept between requests (`KEPT`) while nothing they
show has changed, and a kept row costs no query at all.
"""

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connections, router
from django.db.models import OuterRef, Q, QuerySet, Subquery

from coreflect.compliance import rules
from coreflect.compliance.models import PersonRevision
from coreflect.people.models import Absence, EmploymentPeriod, Locality, Person, Service
from coreflect.supervision.models import (
    Attendance,
    AttendanceStatus,
    Session,
    SupervisionRelationship,
)


class Supervisor(NamedTuple):
    """A row's current peer work supervisor: all the matrix shows of them."""

    pk: int
    name: str


@dataclass(frozen=True)
class Row:
    person: Person
    supervisor: Supervisor | None
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
    people: QuerySet[Person] | Sequence[int], year: rules.Period, as_of: dt.date
) -> dict[int, rules.Counted]:
    """Attended and still-scheduled sessions per person, quarter and kind, in one query: a
    row per person holding the 16 numbers `rules.evaluate_counted` takes (people with no
    sessions in the year have no row). `people` is a query, or the ids where the caller
    already knows them.

    Written in SQL: the matrix page runs it on every request, and the ORM took longer to
    compose its sixteen conditional counts than the database took to answer them.
    """
    member_params: Sequence[Any]
    if isinstance(people, QuerySet):
        members, member_params = people.values("pk").query.sql_with_params()
    else:
        members, member_params = ", ".join(["%s"] * len(people)) or "NULL", people
    not_coming = sorted(rules.NOT_COMING)
    q1, q2, q3, _ = rules.quarters(year)
    # Each row once: its quarter, whether it is a one-to-one, attended by as_of, or still to
    # come and not called off. Then sixteen counts of those, in COUNT_KEYS order (the
    # quarter numbers and column names formatted in are this function's own constants).
    counts = []
    for number, kind in rules.COUNT_KEYS:
        one = "one" if kind == rules.ONE_TO_ONE else "NOT one"
        counts.append(f"COUNT(CASE WHEN q = {number:d} AND {one} AND attended THEN 1 END)")
        counts.append(f"COUNT(CASE WHEN q = {number:d} AND {one} AND booked THEN 1 END)")
    sql = f"""
        SELECT person_id, {", ".join(counts)}
          FROM (SELECT a.person_id,
                       CASE WHEN s.date <= %s THEN 1 WHEN s.date <= %s THEN 2
                            WHEN s.date <= %s THEN 3 ELSE 4 END AS q,
                       s.kind = %s AS one,
                       s.date <= %s AND a.status = %s AS attended,
                       s.date > %s AND a.status NOT IN ({", ".join(["%s"] * len(not_coming))})
                           AS booked
                  FROM {Attendance._meta.db_table} a
                  JOIN {Session._meta.db_table} s ON s.id = a.session_id
                 WHERE a.person_id IN ({members})
                   AND s.date BETWEEN %s AND %s
                   -- A facilitator is not a participant for counting purposes (spec §2).
                   AND a.person_id <> s.lead_id) AS counted
         GROUP BY person_id
    """  # noqa: S608
    params = [
        q1.end,
        q2.end,
        q3.end,
        rules.ONE_TO_ONE,
        as_of,
        AttendanceStatus.ATTENDED,
        as_of,
        *not_coming,
        *member_params,
        year.start,
        year.end,
    ]
    with connections[router.db_for_read(Attendance)].cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


# Up to this many people, the queries after the first name them by id (each then reads only
# their rows through an index); beyond it they repeat the first query's conditions instead.
LISTED_IDS = 1000


class Kept:
    """Matrix rows kept between requests, in this process: a row stays valid while its
    person's revision token (kept by database triggers, see revisions.py) is unchanged, for the
    same year, as-of date and policy. The least recently used rows go first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._rows: OrderedDict[tuple[Any, ...], Row] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> "Row | None":
        with self._lock:
            row = self._rows.get(key)
            if row is not None:
                self._rows.move_to_end(key)
            return row

    def put(self, key: tuple[Any, ...], row: "Row") -> None:
        with self._lock:
            self._rows[key] = row
            self._rows.move_to_end(key)
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


# Room for a national organisation's rows (about 20,000 people; some 2 KB a row).
KEPT = Kept(size=25_000)

# What a row shows of its person (the rest is not read: a national organisation has tens of
# thousands of rows).
ROW_FIELDS = ("external_id", "name", "role", "service", "locality")

# A person's revision token, read with the person.
REVISION = Subquery(PersonRevision.objects.filter(person_id=OuterRef("pk")).values("token")[:1])


def build(
    people: QuerySet[Person], *, start_year: int, as_of: dt.date, policy: rules.Policy
) -> list[Row]:
    """The matrix rows for these people, in name order."""
    year = rules.recording_year(start_year, policy)
    members = in_year(people, year)
    person_list = list(members.only(*ROW_FIELDS).annotate(revision=REVISION).order_by("name", "pk"))
    return _kept_rows(person_list, members.values("pk"), year=year, as_of=as_of, policy=policy)


def build_named(
    named: Sequence[tuple[int, int | None]],
    *,
    start_year: int,
    as_of: dt.date,
    policy: rules.Policy,
) -> list[Row]:
    """The rows for people already known to be in the year's matrix (a page of it), given
    as (id, revision token) in name order: rows kept for those tokens answer at once, and
    only the rest are read and computed."""
    year = rules.recording_year(start_year, policy)
    context = (year, as_of, policy)
    found = {pk: KEPT.get((pk, token, context)) for pk, token in named}
    missing = [pk for pk, row in found.items() if row is None]
    if missing:
        person_list = list(
            Person.objects.filter(pk__in=missing)
            .select_related("service", "locality")
            .only(*ROW_FIELDS, "service__name", "locality__name")
            .annotate(revision=REVISION)
        )
        for row in _kept_rows(person_list, None, year=year, as_of=as_of, policy=policy):
            found[row.person.pk] = row
    return [kept for pk, _ in named if (kept := found[pk]) is not None]


def _kept_rows(
    person_list: Sequence[Person],
    everyone: QuerySet[Any] | None,
    *,
    year: rules.Period,
    as_of: dt.date,
    policy: rules.Policy,
) -> list[Row]:
    """The rows of these people (read with their revision token): kept ones where still
    valid, the rest computed and kept. `everyone` selects all of them, for when too many
    are missing to name them by id."""
    context = (year, as_of, policy)
    found: dict[int, Row] = {}
    missing = []
    for person in person_list:
        row = KEPT.get((person.pk, person.revision, context))  # type: ignore[attr-defined]
        if row is None:
            missing.append(person)
        else:
            found[person.pk] = row
    if missing:
        ids: Any = [p.pk for p in missing]
        if len(ids) > LISTED_IDS and everyone is not None:
            ids = everyone
        _share_places(missing)
        for row in _rows(missing, ids, year=year, as_of=as_of, policy=policy):
            KEPT.put((row.person.pk, row.person.revision, context), row)  # type: ignore[attr-defined]
            found[row.person.pk] = row
    return [found[person.pk] for person in person_list]


def _share_places(people: list[Person]) -> None:
    """Each person's service and locality (unless read with them), fetched once each and
    shared, not joined to every row (they are few)."""
    service_field = Person._meta.get_field("service")
    locality_field = Person._meta.get_field("locality")
    person_list = [p for p in people if not service_field.is_cached(p)]
    if not person_list:
        return
    services: dict[int | None, Service] = {
        s.pk: s for s in Service.objects.filter(pk__in={p.service_id for p in person_list})
    }
    localities: dict[int | None, Locality] = {
        x.pk: x for x in Locality.objects.filter(pk__in={p.locality_id for p in person_list})
    }
    for person in person_list:
        # Cached on the person as select_related would, without the descriptors' checks.
        service_field.set_cached_value(person, services.get(person.service_id))
        locality_field.set_cached_value(person, localities.get(person.locality_id))


def _rows(
    person_list: list[Person],
    ids: Any,
    *,
    year: rules.Period,
    as_of: dt.date,
    policy: rules.Policy,
) -> list[Row]:
    """Employment, absences, supervisors and counts for these people (`ids` names them, as a
    list or a subquery), through the engine."""
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
    supervisor_of = {
        supervisee: Supervisor(pk, name)
        for supervisee, pk, name in SupervisionRelationship.objects.current(on)
        .peer_work()
        .filter(supervisee__in=ids)
        .values_list("supervisee_id", "supervisor_id", "supervisor__name")
    }

    counts = attendance_counts(ids, year, as_of)
    rows = []
    no_counts = rules.flatten({})
    for person in person_list:
        pk = person.pk
        result = rules.evaluate_counted(
            year=year,
            as_of=as_of,
            policy=policy,
            employment=employment[pk],
            absences=absences.get(pk, ()),
            counted=counts.get(pk, no_counts),
        )
        rows.append(Row(person, supervisor_of.get(pk), result))
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
