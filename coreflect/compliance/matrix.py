"""The attendance matrix: each person's result computed by the engine in rules.py, stored in
the database, and read back a page, a list or a count at a time.

A stored result (models.StoredResult) is keyed by person, recording year, as-of date and a
fingerprint of the policy, and stamped with the revision token the person had before it was
computed; database triggers replace a person's token on every write their result is computed
from (revisions.py). Before anything is read, `refresh` finds the people whose result is
missing or stamped with an old token and recomputes only those (five queries however many they
are), upserting them. So a write shows the next time anyone reads, in every server process
alike, and nothing is kept in a process between requests.

Everyone with a token has a stored result, with whether they are in the year's matrix at all
(`member`), so reading the whole organisation's results touches that one table. What a row
only shows (names, service, locality, the supervisor's name) is never stored: it is read with
the row.
"""

import datetime as dt
import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import astuple, dataclass
from typing import Any, NamedTuple

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q, QuerySet
from django.utils import timezone

from coreflect.compliance import rules
from coreflect.compliance.models import STATUS_FIELDS, PersonRevision, StoredResult
from coreflect.people.models import (
    PEER_WORK_ROLES,
    Absence,
    EmploymentPeriod,
    Locality,
    Person,
    Role,
    Service,
)
from coreflect.supervision.models import (
    Attendance,
    AttendanceStatus,
    Session,
    SupervisionRelationship,
)

ONE_DAY = dt.timedelta(days=1)
PEOPLE = Person._meta.db_table
SERVICES = Service._meta.db_table
LOCALITIES = Locality._meta.db_table
REVISIONS = PersonRevision._meta.db_table
STORED = StoredResult._meta.db_table
# After writing this many results at once (a new day, say), refresh the planner's statistics
# of the stored results: otherwise PostgreSQL plans the day's reads for a date it has not seen.
ANALYZE_AFTER = 1000


class Supervisor(NamedTuple):
    """A row's current peer work supervisor: all the matrix shows of them."""

    pk: int
    name: str


class Place(NamedTuple):
    """A service or locality: all a row shows of it."""

    pk: int
    name: str


@dataclass(frozen=True)
class Shown:
    """What a row shows of its person: plain values read with the row, not a model instance."""

    pk: int
    external_id: str
    name: str
    role: str
    service: Place | None
    locality: Place | None

    def __str__(self) -> str:
        return self.name

    def get_role_display(self) -> str:
        """The role in words (spelt as the model's method, so templates read either)."""
        return str(dict(Role.choices).get(self.role, self.role))


@dataclass(frozen=True)
class Row:
    person: Shown
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


@functools.lru_cache(maxsize=64)
def fingerprint(policy: rules.Policy) -> str:
    """16 hex digits that change when any of the policy's numbers does."""
    values = [sorted(v) if isinstance(v, frozenset) else v for v in astuple(policy)]
    return hashlib.sha256(json.dumps(values, default=str).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Context:
    """What a result is computed for, besides the person."""

    start_year: int
    as_of: dt.date
    policy: rules.Policy

    @property
    def year(self) -> rules.Period:
        return rules.recording_year(self.start_year, self.policy)

    def key(self) -> list[Any]:
        """The values of a stored result's key but the person: start_year, as_of, policy."""
        return [self.start_year, self.as_of, fingerprint(self.policy)]


# A stored result `s` of a context: three parameters, Context.key().
OF_CONTEXT = "s.start_year = %s AND s.as_of = %s AND s.policy = %s"


def in_year(people: QuerySet[Person], year: rules.Period) -> QuerySet[Person]:
    """Peer workers whose employment overlaps the recording year (as `is_member` says, in SQL)."""
    overlapping = EmploymentPeriod.objects.filter(start_date__lte=year.end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=year.start)
    )
    return people.peer_workers().filter(pk__in=overlapping.values("person_id"))  # type: ignore[attr-defined]


def is_member(role: str | None, employment: Sequence[rules.Span], year: rules.Period) -> bool:
    """Whether a person is in the year's matrix: a peer-work role and employment overlapping
    the year."""
    return role in PEER_WORK_ROLES and any(span.clip(year) is not None for span in employment)


def attendance_counts(
    people: QuerySet[Person] | Sequence[int], year: rules.Period, as_of: dt.date
) -> dict[int, rules.Counted]:
    """Attended and still-scheduled sessions per person, quarter and kind, in one query: a
    row per person holding the 16 numbers `rules.evaluate_counted` takes (people with no
    sessions in the year have no row). `people` is a query, or the ids where the caller
    already knows them.

    Written in SQL: the ORM took longer to compose its sixteen conditional counts than the
    database took to answer them.
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
                   AND a.person_id <> s.lead_id
                   -- A cancelled session neither took place nor is still to come, whatever
                   -- its register says (one written by an import or by hand).
                   AND s.cancelled_at IS NULL) AS counted
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


# Up to this many people, the engine's queries name them by id (each then reads only their rows
# through an index); beyond it they repeat the conditions that select them instead.
LISTED_IDS = 1000


class Computed(NamedTuple):
    name: str
    member: bool
    result: rules.PersonResult
    supervisor_id: int | None
    counted: rules.Counted


def compute(
    ids: Sequence[int], context: Context, *, within: QuerySet[Person] | None = None
) -> dict[int, Computed]:
    """Names and roles, employment, absences, supervisors and counts of these people, through
    the engine: five queries however many they are. `within` selects them (and maybe others),
    for when they are too many to name by id."""
    year, as_of, policy = context.year, context.as_of, context.policy
    selector: Any = within if within is not None and len(ids) > LISTED_IDS else list(ids)
    person = {
        pk: (name, role)
        for pk, name, role in Person.objects.filter(pk__in=selector).values_list(
            "pk", "name", "role"
        )
    }
    employment: dict[int, list[rules.Span]] = defaultdict(list)
    for person_id, start, end in EmploymentPeriod.objects.filter(person__in=selector).values_list(
        "person_id", "start_date", "end_date"
    ):
        employment[person_id].append(rules.Span(start, end))

    # Only sickness and the types the policy pro-rates can change a requirement. A sickness
    # spell is measured whole, so fetch records up to one threshold beyond the year: a chain
    # of back-to-back records reaching further is long-term either way.
    margin = dt.timedelta(days=policy.long_term_sickness_days)
    absences: dict[int, list[rules.Absence]] = defaultdict(list)
    for person_id, kind, start, end in Absence.objects.filter(
        person__in=selector,
        type__in=[rules.SICKNESS, *sorted(policy.prorating_absence_types)],
        start_date__lte=year.end + margin,
        end_date__gte=year.start - margin,
    ).values_list("person_id", "type", "start_date", "end_date"):
        absences[person_id].append(rules.Absence(kind, start, end))

    on = rules.day_within(year, as_of)
    supervisor_of = dict(
        SupervisionRelationship.objects.current(on)
        .peer_work()
        .filter(supervisee__in=selector)
        .values_list("supervisee_id", "supervisor_id")
    )

    counts = attendance_counts(selector, year, as_of)
    no_counts = rules.flatten({})
    computed = {}
    for pk in ids:
        counted = counts.get(pk, no_counts)
        result = rules.evaluate_counted(
            year=year,
            as_of=as_of,
            policy=policy,
            employment=employment[pk],
            absences=absences.get(pk, ()),
            counted=counted,
        )
        # A token can outlive its person (deleted): their result says they are not in the year.
        name, role = person.get(pk, ("", None))
        member = is_member(role, employment[pk], year)
        computed[pk] = Computed(name, member, result, supervisor_of.get(pk), counted)
    return computed


# --- keeping the stored results current ----------------------------------------------------


def _members_sql(people: QuerySet[Person]) -> tuple[str, tuple[Any, ...]]:
    """A subquery selecting these people's ids, and its parameters."""
    try:
        sql, params = people.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # Person.objects.none(): no one
        return "SELECT 0 WHERE 1 = 0", ()
    return sql, tuple(params)


def _only(people: QuerySet[Person] | None, column: str) -> tuple[str, tuple[Any, ...]]:
    """SQL narrowing `column` to these people (nothing when they are everyone), to follow a
    WHERE condition, and its parameters."""
    if people is None or not (people.query.has_filters() or people.query.is_empty()):
        return "", ()
    sql, params = _members_sql(people)
    return f" AND {column} IN ({sql})", params


class _BitXor:
    """PostgreSQL's bit_xor aggregate, for SQLite."""

    def __init__(self) -> None:
        self.value: int | None = None

    def step(self, value: int | None) -> None:
        if value is not None:
            self.value = value if self.value is None else self.value ^ value

    def finalize(self) -> int | None:
        return self.value


def _cursor() -> Any:
    connection: BaseDatabaseWrapper = connections[router.db_for_write(StoredResult)]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        connection.connection.create_aggregate("bit_xor", 1, _BitXor)
    return connection.cursor()


def refresh(people: QuerySet[Person] | None, context: Context) -> int:
    """Recompute and store the results of these people (everyone if None) that are missing or
    stale; returns how many (see _refresh)."""
    return _refresh(people, context)[0]


class Checksum(NamedTuple):
    """How many of some people have a token, and their tokens XORed together: while it stays
    the same, so does every record their results are computed from."""

    tokens: int
    xor: int


def _refresh(people: QuerySet[Person] | None, context: Context) -> tuple[int, Checksum | None]:
    """Recompute and store the results of these people (everyone if None) that are missing or
    stale; returns how many, and the checksum of their tokens when none was.

    First a checksum: how many of them have a token, and all their tokens XORed together,
    against the same of their current stored results (stamped with a token, and computed no
    earlier than yesterday, as older ones may be pruned while being read). Equal, and nothing
    is stale: two index-only scans. Only otherwise does the anti-join find which results are
    stale. A stale result that still matched would need a fresh random token to cancel out
    the others exactly: as unlikely as a new token equal to the old one, which the tokens
    already rely on."""
    only_r, params = _only(people, "r.person_id")
    only_s, _ = _only(people, "s.person_id")
    yesterday = timezone.localdate() - ONE_DAY
    with _cursor() as cursor:
        cursor.execute(
            f"""
            SELECT t.n, t.x, c.n, c.x
              FROM (SELECT COUNT(*) AS n, BIT_XOR(r.token) AS x
                      FROM {REVISIONS} r WHERE 1 = 1 {only_r}) t,
                   (SELECT COUNT(*) AS n, BIT_XOR(s.token) AS x
                      FROM {STORED} s WHERE {OF_CONTEXT} AND s.computed_on >= %s {only_s}) c
            """,  # noqa: S608 (table names and fixed SQL)
            [*params, *context.key(), yesterday, *params],
        )
        tokens, token_xor, results, result_xor = cursor.fetchone()
        if (tokens, token_xor) == (results, result_xor):
            return 0, Checksum(tokens, token_xor or 0)
        cursor.execute(
            f"""
            SELECT r.person_id, r.token
              FROM {REVISIONS} r LEFT JOIN {STORED} s
                ON s.person_id = r.person_id AND {OF_CONTEXT}
             WHERE (s.id IS NULL OR s.token <> r.token OR s.computed_on < %s) {only_r}
            """,  # noqa: S608 (table names and fixed SQL)
            [*context.key(), yesterday, *params],
        )
        stale = dict(cursor.fetchall())
    if stale:
        store(stale, context, within=people if people is not None else Person.objects.all())
    return len(stale), None


def store(
    tokens: dict[int, int], context: Context, *, within: QuerySet[Person] | None = None
) -> None:
    """Compute these people's results and store them, each stamped with the token given for
    them: read BEFORE computing, so a write that lands meanwhile leaves the result stale
    rather than lost. Then prune the results not computed since yesterday."""
    ids = sorted(tokens)  # upserts in one order everywhere, so concurrent ones cannot deadlock
    computed = compute(ids, context, within=within)
    today = timezone.localdate()
    start_year, as_of, policy = context.key()
    stored = []
    for pk in ids:
        name, member, result, supervisor_id, counted = computed[pk]
        periods = (*result.quarters, result.year)
        stored.append(
            StoredResult(
                start_year=start_year,
                as_of=as_of,
                policy=policy,
                person_id=pk,
                token=tokens[pk],
                computed_on=today,
                name=name,
                member=member,
                supervisor_id=supervisor_id,
                counts=list(counted),
                eligible_days=[p.components[0].requirement.eligible_days for p in periods],
                **{field: p.status.value for field, p in zip(STATUS_FIELDS, periods, strict=True)},
            )
        )
    StoredResult.objects.bulk_create(
        stored,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["start_year", "as_of", "policy", "person_id"],
        update_fields=[
            "token",
            "computed_on",
            "name",
            "member",
            "supervisor_id",
            "counts",
            "eligible_days",
            *STATUS_FIELDS,
        ],
    )
    # Rows another request is writing are skipped (it is making them current): waiting for
    # them while that request waited for rows this one had locked would deadlock.
    with transaction.atomic(using=router.db_for_write(StoredResult)):
        old = StoredResult.objects.select_for_update(skip_locked=True).filter(
            computed_on__lt=today - ONE_DAY
        )
        StoredResult.objects.filter(pk__in=old.values("pk")).delete()
    if len(stored) >= ANALYZE_AFTER:
        with _cursor() as cursor:
            cursor.execute(f"ANALYZE {STORED}")


@functools.lru_cache(maxsize=4_000)
def _requirements(
    year: rules.Period, policy: rules.Policy, eligible: tuple[int, ...]
) -> rules.Requirements:
    """A person's requirements from their eligible days (each quarter's, then the year's)."""
    by_quarter = tuple(
        (
            rules.requirement(policy.quarter_one_to_one, days, q.calendar_days, policy.rounding),
            rules.requirement(policy.quarter_co_reflection, days, q.calendar_days, policy.rounding),
        )
        for q, days in zip(rules.quarters(year), eligible[:4], strict=True)
    )
    total = rules.requirement(policy.year_total, eligible[4], year.calendar_days, policy.rounding)
    return rules.Requirements(by_quarter, total)


def restore(
    context: Context, eligible: Sequence[int], counted: Sequence[int]
) -> rules.PersonResult:
    """The result a stored row holds, from its eligible days and counts."""
    need = _requirements(context.year, context.policy, tuple(eligible))
    # The engine's own last step (cached), so a stored result reads back as it was computed.
    return rules._result(context.year, context.as_of, need, tuple(counted))


# --- reading rows --------------------------------------------------------------------------


class Selection(NamedTuple):
    """The current stored results `s` of some people in the year's matrix: SQL to follow FROM
    (`results`, or `with_people` to have the people as `p` as well), with its parameters; a
    WHERE condition, with its parameters (which follow the FROM's); and their order by name."""

    results: str
    with_people: str
    source_params: tuple[Any, ...]
    where: str
    where_params: tuple[Any, ...]
    order: str


def select(people: QuerySet[Person] | None, context: Context) -> Selection:
    """The selection of these people's results (everyone's if None).

    Everyone's are read from the stored results in name order (an index gives it), the people
    joined only where needed. Some people's are read starting from them and sorted: in the
    stored name order, PostgreSQL would walk everyone's results looking for them, expecting to
    stop early."""
    only, params = _only(people, "p.id")
    if not only:
        return Selection(
            f"{STORED} s",
            f"{STORED} s JOIN {PEOPLE} p ON p.id = s.person_id",
            (),
            f"{OF_CONTEXT} AND s.member",
            tuple(context.key()),
            "s.name, s.person_id",
        )
    source = f"{PEOPLE} p JOIN {STORED} s ON s.person_id = p.id AND {OF_CONTEXT}"
    return Selection(
        source, source, tuple(context.key()), f"s.member {only}", params, "p.name, p.id"
    )


def _rows_sql(source: str, where: str, order: str, extra: str = "") -> str:
    """Rows of the results `s` of the people `p` that `source` names: the person and what is
    shown of them, then the result."""
    return f"""
        SELECT p.id, p.external_id, p.name, p.role, sv.id, sv.name, lo.id, lo.name,
               s.supervisor_id, sup.name, s.counts, s.eligible_days {extra}
          FROM {source}
          LEFT JOIN {SERVICES} sv ON sv.id = p.service_id
          LEFT JOIN {LOCALITIES} lo ON lo.id = p.locality_id
          LEFT JOIN {PEOPLE} sup ON sup.id = s.supervisor_id
         WHERE {where}
         ORDER BY {order}
    """  # noqa: S608 (table names and fixed SQL)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _row(raw: Sequence[Any], context: Context) -> Row:
    pk, external_id, name, role, service_pk, service, locality_pk, locality = raw[:8]
    supervisor_pk, supervisor, counted, eligible = raw[8:12]
    person = Shown(
        pk,
        external_id,
        name,
        role,
        None if service_pk is None else Place(service_pk, service),
        None if locality_pk is None else Place(locality_pk, locality),
    )
    return Row(
        person,
        None if supervisor_pk is None else Supervisor(supervisor_pk, supervisor),
        restore(context, _json(eligible), _json(counted)),
    )


def build(
    people: QuerySet[Person], *, start_year: int, as_of: dt.date, policy: rules.Policy
) -> list[Row]:
    """The matrix rows of these people (those in the year's matrix), in name order."""
    context = Context(start_year, as_of, policy)
    refresh(people, context)
    chosen = select(people, context)
    with _cursor() as cursor:
        cursor.execute(
            _rows_sql(chosen.with_people, chosen.where, chosen.order),
            [*chosen.source_params, *chosen.where_params],
        )
        return [_row(raw, context) for raw in cursor.fetchall()]


def status_condition(status: str, period: str = "") -> tuple[str, list[str]]:
    """SQL for a stored result `s` having this status in this period (`1`-`4`, `year`, or any
    when empty), and its parameters."""
    if period == "year":
        fields: Sequence[str] = STATUS_FIELDS[4:]
    elif period in {"1", "2", "3", "4"}:
        fields = [STATUS_FIELDS[int(period) - 1]]
    else:
        fields = STATUS_FIELDS
    return "(" + " OR ".join(f"s.{f} = %s" for f in fields) + ")", [status] * len(fields)


# More pages than any organisation has: a larger number shows the last page.
MAX_PAGE = 10**9


def page(
    people: QuerySet[Person],
    context: Context,
    *,
    number: str | int | None,
    size: int,
    status: str = "",
    period: str = "",
) -> Page:
    """One page of the rows of these people (those in the year's matrix), in name order, and
    only those with this status in this period if one is given (filtered in SQL). An
    out-of-range page gives the last."""
    refresh(people, context)
    chosen = select(people, context)
    where, params = chosen.where, (*chosen.source_params, *chosen.where_params)
    if status:
        condition, condition_params = status_condition(status, period)
        where += f" AND {condition}"
        params = (*params, *condition_params)

    def fetch(offset: int) -> list[tuple[Any, ...]]:
        # The page's people and how many there are in all, then their rows.
        source = f"""
            (SELECT s.person_id AS id, COUNT(*) OVER () AS total
               FROM {chosen.results}
              WHERE {where}
              ORDER BY {chosen.order}
              LIMIT %s OFFSET %s) pg
            JOIN {STORED} s ON s.person_id = pg.id
            JOIN {PEOPLE} p ON p.id = s.person_id
        """  # noqa: S608 (table names and fixed SQL)
        with _cursor() as cursor:
            cursor.execute(
                _rows_sql(source, OF_CONTEXT, chosen.order, ", pg.total"),
                [*params, size, offset, *context.key()],
            )
            return list(cursor.fetchall())

    number = str(number or 1)
    # Only a plain page number is fetched as asked ("²" is a digit to Python, and an offset
    # past the database's integers is an error); anything else shows the page it falls to.
    asked = int(number) if number.isascii() and number.isdigit() else 0
    found = fetch((asked - 1) * size) if 1 <= asked <= MAX_PAGE else []
    if found:
        count = found[0][-1]
    else:  # out of range, not a number, or no one: count them, then show the last page
        with _cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {chosen.results} WHERE {where}", params)  # noqa: S608
            count = cursor.fetchone()[0]
    paginator = Paginator(range(count), size)
    chosen_page = paginator.get_page(number)
    if not found and count:
        found = fetch((chosen_page.number - 1) * size)
    return Page([_row(raw, context) for raw in found], chosen_page.number, paginator)


# --- the overview --------------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """A person on one of the overview's lists, with their statuses."""

    external_id: str
    name: str
    quarters: tuple[rules.Status, ...]
    year: rules.Status
    # The status in the quarter the overview is for.
    this_quarter: rules.Status

    @property
    def not_met(self) -> list[int]:
        """The numbers of the quarters whose requirement was not met."""
        return [n for n, status in enumerate(self.quarters, 1) if status == rules.Status.NOT_MET]


@dataclass(frozen=True)
class Overview:
    """How the people in the year's matrix are doing as of a day in the year: how many are at
    each status in its quarter and in the year, and the first few by name who are at risk
    (in the quarter or the year), who did not meet a requirement in a quarter that has ended,
    or who have no peer work supervisor, with how many there are on each list. Frozen all
    through: the whole organisation's is shared between requests (see _last_overview)."""

    people: int
    quarter: int
    ended: tuple[int, ...]
    summary: tuple[tuple[rules.Status, int, int], ...]
    at_risk: tuple[Listed, ...]
    at_risk_count: int
    missed: tuple[Listed, ...]
    missed_count: int
    unsupervised: tuple[Listed, ...]
    unsupervised_count: int


# The whole organisation's last overview in this process, with what it was counted from (the
# context, the length of its lists and everyone's checksum): the head of peer work's landing
# page, whose counts read every stored result. Each process keeps its own, and one counted
# from anything but the current checksum is never shown, so every process answers the same.
_last_overview: tuple[tuple[Any, ...], "Overview"] | None = None


def overview(people: QuerySet[Person], context: Context, *, listed: int) -> Overview:
    """The overview of these people (those in the year's matrix; `context.as_of` must be in the
    year), counted and listed in SQL from their stored results: three queries once those are
    current, and for the whole organisation only the first of them (the checksum) while
    nothing has changed since this process last counted it."""
    global _last_overview
    only, _ = _only(people, "s.person_id")
    _, checksum = _refresh(people, context)
    key = None if only or checksum is None else (context.key(), listed, checksum)
    if key is not None and _last_overview is not None and _last_overview[0] == key:
        return _last_overview[1]
    counted = _overview(people, context, listed=listed)
    if key is not None:
        _last_overview = (key, counted)
    return counted


def _overview(people: QuerySet[Person], context: Context, *, listed: int) -> Overview:
    """The overview, counted and listed afresh from the stored results (current by now)."""
    quarters = rules.quarters(context.year)
    quarter = next(n for n, q in enumerate(quarters, 1) if q.contains(context.as_of))
    ended = tuple(n for n, q in enumerate(quarters, 1) if q.end < context.as_of)
    only, params = _only(people, "s.person_id")
    where = f"{OF_CONTEXT} AND s.member {only}"
    field = STATUS_FIELDS[quarter - 1]
    lists = [
        (f"(s.{field} = %s OR s.year_status = %s)", [rules.Status.AT_RISK.value] * 2),
        (
            "(" + (" OR ".join(f"s.{STATUS_FIELDS[n - 1]} = %s" for n in ended) or "1 = 0") + ")",
            [rules.Status.NOT_MET.value] * len(ended),
        ),
        ("(s.supervisor_id IS NULL)", []),
    ]
    with _cursor() as cursor:
        # How many at each status in the quarter and in the year, grouped also by whether on
        # the second and third lists (the first follows from the statuses).
        cursor.execute(
            f"""
            SELECT s.{field}, s.year_status, {lists[1][0]}, {lists[2][0]}, COUNT(*)
              FROM {STORED} s WHERE {where}
             GROUP BY 1, 2, 3, 4
            """,  # noqa: S608 (table names and fixed SQL)
            [*lists[1][1], *context.key(), *params],
        )
        groups = cursor.fetchall()
        # The first few on each list, in one query.
        chosen = select(people, context)
        statuses = ", ".join(f"s.{f}" for f in STATUS_FIELDS)
        first_few = [
            f"""
            SELECT * FROM (SELECT {n} AS list, p.name, p.external_id, {statuses}
                             FROM {chosen.with_people}
                            WHERE {chosen.where} AND {condition}
                            ORDER BY {chosen.order} LIMIT %s) list{n}
            """  # noqa: S608 (table names and fixed SQL)
            for n, (condition, _) in enumerate(lists)
        ]
        cursor.execute(
            " UNION ALL ".join(first_few),
            [
                value
                for _, condition_params in lists
                for value in (
                    *chosen.source_params,
                    *chosen.where_params,
                    *condition_params,
                    listed,
                )
            ],
        )
        found = cursor.fetchall()
    on_list: list[list[Listed]] = [[], [], []]
    for n, name, external_id, *values in found:
        shown = [rules.Status(value) for value in values]
        on_list[n].append(Listed(external_id, name, tuple(shown[:4]), shown[4], shown[quarter - 1]))
    in_quarter: dict[str, int] = defaultdict(int)
    in_the_year: dict[str, int] = defaultdict(int)
    counts = [0, 0, 0]
    for quarter_status, year_status, missed, unsupervised, count in groups:
        in_quarter[quarter_status] += count
        in_the_year[year_status] += count
        counts[0] += count if rules.Status.AT_RISK in (quarter_status, year_status) else 0
        counts[1] += count if missed else 0
        counts[2] += count if unsupervised else 0
    return Overview(
        people=sum(in_the_year.values()),
        quarter=quarter,
        ended=ended,
        summary=tuple((s, in_quarter[s], in_the_year[s]) for s in rules.Status),
        at_risk=tuple(on_list[0]),
        at_risk_count=counts[0],
        missed=tuple(on_list[1]),
        missed_count=counts[1],
        unsupervised=tuple(on_list[2]),
        unsupervised_count=counts[2],
    )


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
