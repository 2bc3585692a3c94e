"""Import the CSV files (docs/import-format.md): check every row, then write everything in
one transaction, or nothing at all.

Each table is read once, the file's rows are compared with it in memory, and only new or
changed rows are written, in batches: a re-import of the same files writes nothing, and a
million rows never mean a million queries. On PostgreSQL new rows go in with COPY and
changed rows through a temporary table, since the ORM's per-object cost alone would take
minutes at national scale; other databases use bulk_create and bulk_update.
"""

import codecs
import datetime as dt
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F, Field, Model
from django.utils import timezone

from coreflect.audit.actions import record
from coreflect.imports import rules
from coreflect.imports.models import ImportRun
from coreflect.people.models import (
    PEER_WORK_ROLES,
    Absence,
    EmploymentPeriod,
    Locality,
    Person,
    Placement,
    Service,
)
from coreflect.supervision.models import Attendance, Session, SupervisionRelationship

BATCH = 5000

# progress(stage, rows done, rows in all); stage is "validating" or "writing".
Progress = Callable[[str, int, int], None]


@dataclass
class Count:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged

    def line(self, name: str) -> str:
        return (
            f"{name}: {self.rows} rows ({self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged)"
        )


@dataclass
class Result:
    # The first rules.PROBLEMS_KEPT problems, and how many more there were.
    errors: list[str] = field(default_factory=list)
    more_errors: int = 0
    counts: dict[str, Count] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.more_errors

    def summary(self) -> list[str]:
        return [count.line(name) for name, count in self.counts.items()]


def upload_folder(run_id: int) -> Path:
    """Where an upload's files are kept while it runs: MEDIA_ROOT/imports/<run id>/."""
    return Path(settings.MEDIA_ROOT) / "imports" / str(run_id)


def start_upload(*, by: User, files: Sequence[UploadedFile[Any]]) -> ImportRun:
    """Save uploaded import files and queue their import in the background; the run's page
    follows it. The files are deleted when the run ends."""
    # tasks runs this module's imports, so it is imported here rather than at the top.
    from coreflect.imports import tasks

    with transaction.atomic():
        run = ImportRun.objects.create(created_by=by, file_names=sorted(str(f.name) for f in files))
        folder = upload_folder(run.pk)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for uploaded in files:
                with (folder / str(uploaded.name)).open("wb") as target:
                    for chunk in uploaded.chunks():
                        target.write(chunk)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        record(
            by=by,
            action="import.upload",
            target=run,
            files={str(f.name): f.size for f in files},
        )
        transaction.on_commit(lambda: tasks.run_import.enqueue(run.pk))
    return run


def folder_sizes(folder: Path) -> dict[str, int]:
    """The size in bytes of each import file present in a folder."""
    return {
        name: (folder / name).stat().st_size for name in rules.FILES if (folder / name).is_file()
    }


def import_folder(
    *,
    by: User | AnonymousUser | None,
    folder: Path,
    progress: Progress | None = None,
    detail: Mapping[str, Any] | None = None,
) -> Result:
    """Import the import files present in a folder (UTF-8, with or without a BOM). `detail`
    goes into the audit entry (where the import came from)."""
    paths = {name: folder / name for name in rules.FILES if (folder / name).is_file()}
    total = sum(count_rows(path) for path in paths.values())
    return import_files(
        by=by,
        files={name: read_lines(path) for name, path in paths.items()},
        total=total,
        progress=progress,
        detail=detail,
    )


def count_rows(path: Path) -> int:
    """Data rows in a file, about (a quoted field may span lines): for the progress bar."""
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return max(0, lines + (last != b"\n") - 1)


def read_lines(path: Path) -> Iterator[str]:
    """A file's lines as text. Decoded line by line, so that a byte that is not UTF-8 is
    reported on its own line; a UTF-16 file (Excel's "Unicode Text") is refused as a whole."""
    with path.open("rb") as handle:
        first = handle.readline()
        if rules.looks_like_utf16(first):
            raise rules.WrongEncoding("UTF-16")
        first = first.removeprefix(codecs.BOM_UTF8)
        if first:
            yield first.decode("utf-8")
        for line in handle:
            yield line.decode("utf-8")


def import_files(
    *,
    by: User | AnonymousUser | None,
    files: Mapping[str, Iterable[str]],
    total: int = 0,
    progress: Progress | None = None,
    detail: Mapping[str, Any] | None = None,
) -> Result:
    """Check the files (name → lines), then write them all; nothing if any row is wrong."""
    report: Progress = progress or (lambda stage, done, of: None)
    report("validating", 0, total)
    parsed, errors = rules.parse(
        files,
        known_to_database(),
        progress=lambda done: report("validating", done, max(total, done)),
    )
    if errors:
        return Result(errors=errors, more_errors=parsed.problems - len(errors))
    writer = _Writer(parsed.total_rows, report)
    report("writing", 0, parsed.total_rows)
    with transaction.atomic():
        result = Result(counts=_write(parsed, writer, today=timezone.localdate()))
        record(
            by=by,
            action="import",
            files={name: vars(count) for name, count in result.counts.items()},
            **(detail or {}),
        )
    report("writing", parsed.total_rows, parsed.total_rows)
    return result


def known_to_database() -> rules.Known:
    """What the checks need from the database: one query a table."""
    peer_work: dict[str, list[rules.StoredPeriod]] = {}
    for supervisee, supervisor, start, end in (
        SupervisionRelationship.objects.peer_work()
        .order_by()
        .values_list("supervisee__external_id", "supervisor__external_id", "start_date", "end_date")
    ):
        peer_work.setdefault(supervisee, []).append((supervisor, start, end))
    person_ids: set[str] = set()
    line_managers: dict[str, str] = {}
    roles: dict[str, str] = {}
    for person, manager, role in Person.objects.order_by().values_list(
        "external_id", "line_manager__external_id", "role"
    ):
        person_ids.add(person)
        roles[person] = role
        if manager is not None:
            line_managers[person] = manager
    # A cancelled session's register keeps the status it was cancelled with; one cancelled
    # with nobody on its register may take either.
    held: dict[str, set[str]] = {}
    for sid, status in (
        Session.objects.filter(cancelled_at__isnull=False, external_id__isnull=False)
        .order_by()
        .values_list("external_id", "attendance__status")
        .distinct()
    ):
        statuses = held.setdefault(str(sid), set())
        if status in rules.CANCELLATION_STATUSES:
            statuses.add(status)
    supervising: dict[str, list[tuple[str, str, dt.date]]] = {}
    for supervisor, supervisee, kind, start in (
        SupervisionRelationship.objects.current(timezone.localdate())
        .order_by()
        .values_list("supervisor__external_id", "supervisee__external_id", "type", "start_date")
    ):
        supervising.setdefault(supervisor, []).append((supervisee, kind, start))
    return rules.Known(
        supervising=supervising,
        person_ids=frozenset(person_ids),
        line_managers=line_managers,
        roles=roles,
        cancelled={
            sid: frozenset(statuses or rules.CANCELLATION_STATUSES)
            for sid, statuses in held.items()
        },
        session_ids=frozenset(
            sid
            for sid in Session.objects.filter(external_id__isnull=False)
            .order_by()
            .values_list("external_id", flat=True)
            .iterator(chunk_size=20000)
            if sid is not None
        ),
        peer_work=peer_work,
    )


# Writing.


class _Writer:
    """Counts the rows written and reports progress every BATCH rows."""

    def __init__(self, total: int, report: Progress) -> None:
        self.total, self.report = total, report
        self.done = self.reported = 0

    def quiet(self) -> "_Writer":
        """A writer for rows that the files do not count (history, links)."""
        return _Writer(0, lambda stage, done, of: None)

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.done - self.reported >= BATCH:
            self.reported = self.done
            self.report("writing", min(self.done, self.total), self.total)


def _write(parsed: rules.Parsed, writer: _Writer, *, today: dt.date) -> dict[str, Count]:
    counts: dict[str, Count] = {}
    if "people.csv" in parsed.rows:
        counts["people.csv"] = _people(parsed.people, writer, today=today)
    person_pks, roles = {}, {}
    if parsed.rows.keys() - {"people.csv"}:
        for external_id, pk, role in Person.objects.order_by().values_list(
            "external_id", "pk", "role"
        ):
            person_pks[external_id], roles[external_id] = pk, role

    if "employment.csv" in parsed.rows:
        counts["employment.csv"] = _sync(
            EmploymentPeriod,
            ["person_id", "start_date", "end_date"],
            {
                (person_pks[p], start): (person_pks[p], start, end)
                for (p, start), end in parsed.employment.items()
            },
            lambda row: (row[0], row[1]),
            writer,
        )
    if "supervision.csv" in parsed.rows:
        counts["supervision.csv"] = _sync(
            SupervisionRelationship,
            [
                "supervisee_id",
                "supervisor_id",
                "type",
                "start_date",
                "end_date",
                "supervisor_is_peer",
            ],
            {
                (person_pks[a], person_pks[b], kind, start): (
                    person_pks[a],
                    person_pks[b],
                    kind,
                    start,
                    end,
                    roles[b] in PEER_WORK_ROLES,
                )
                for (a, b, kind, start), end in parsed.supervision.items()
            },
            lambda row: row[:4],
            writer,
        )
    if "absences.csv" in parsed.rows:
        counts["absences.csv"] = _sync(
            Absence,
            ["person_id", "type", "start_date", "end_date"],
            {
                (person_pks[p], kind, start): (person_pks[p], kind, start, end)
                for (p, kind, start), end in parsed.absences.items()
            },
            lambda row: row[:3],
            writer,
        )
    # Sessions created or changed by sessions.csv: their version is settled already.
    settled: set[str] = set()
    if "sessions.csv" in parsed.rows:
        counts["sessions.csv"] = _sessions(parsed.sessions, person_pks, writer, settled)
    if "attendance.csv" in parsed.rows:
        counts["attendance.csv"] = _attendance(parsed.attendance, person_pks, writer, settled)
    return counts


Key = Any
Row = tuple[Any, ...]


def _sync(
    model: type[Model],
    fields: list[str],
    wanted: Mapping[Key, Row],
    key_of: Callable[[Row], Key],
    writer: _Writer,
) -> Count:
    """Make the table hold the wanted rows (values for `fields`, by natural key): create the
    missing ones, update the changed ones, leave the rest. One query reads the table."""
    stored = {
        key_of(row[1:]): (row[0], row[1:])
        for row in model._default_manager.order_by()
        .values_list("pk", *fields)
        .iterator(chunk_size=20000)
    }
    new, changed, count = _diff(wanted, stored)
    writer.advance(count.unchanged)
    _insert(model, fields, new, writer)
    _update(model, fields, changed, writer)
    return count


def _diff(
    wanted: Mapping[Key, Row], stored: Mapping[Key, tuple[int, Row]]
) -> tuple[list[Row], list[Row], Count]:
    """(rows to create, (pk, *row) to update, counts)."""
    new: list[Row] = []
    changed: list[Row] = []
    unchanged = 0
    for key, row in wanted.items():
        before = stored.get(key)
        if before is None:
            new.append(row)
        elif before[1] != row:
            changed.append((before[0], *row))
        else:
            unchanged += 1
    return new, changed, Count(created=len(new), updated=len(changed), unchanged=unchanged)


def _people(people: Mapping[str, rules.PersonRow], writer: _Writer, *, today: dt.date) -> Count:
    """Create and update people, their services and localities, line managers and the
    role and team history (Placement)."""
    services = dict(Service.objects.order_by().values_list("name", "pk"))
    missing = sorted({p.service for p in people.values() if p.service} - services.keys())
    for new_service in Service.objects.bulk_create([Service(name=name) for name in missing]):
        services[new_service.name] = new_service.pk
    localities: dict[tuple[int | None, str], int] = {
        (service, name): pk
        for pk, service, name in Locality.objects.order_by().values_list("pk", "service_id", "name")
    }
    places = sorted(
        {(services[p.service], p.locality) for p in people.values() if p.locality}
        - localities.keys()
    )
    made = Locality.objects.bulk_create([Locality(service_id=s, name=n) for s, n in places])
    localities.update(zip(places, (place.pk for place in made), strict=True))

    fields = ["external_id", "name", "email", "role", "service_id", "locality_id"]
    wanted: dict[str, Row] = {}
    for pid, p in people.items():
        service = services[p.service] if p.service else None
        locality = localities[service, p.locality] if p.locality else None
        wanted[pid] = (pid, p.name, p.email, p.role, service, locality)
    stored: dict[str, tuple[int, Row]] = {}
    managers: dict[str, int | None] = {}
    for pk, *row, manager in Person.objects.order_by().values_list("pk", *fields, "line_manager"):
        stored[row[0]] = (pk, tuple(row))
        managers[row[0]] = manager
    new, changed, count = _diff(wanted, stored)
    writer.advance(count.unchanged)
    _insert(Person, fields, new, writer)
    _update(Person, fields, changed, writer)

    # Line managers are people of the same file, so they are linked once all exist.
    pks = dict(Person.objects.order_by().values_list("external_id", "pk"))
    relink: list[Row] = []
    touched = {row[1] for row in changed}
    for pid, p in people.items():
        manager = pks[p.line_manager_id] if p.line_manager_id else None
        if managers.get(pid) != manager:
            relink.append((pks[pid], manager))
            if pid in stored and pid not in touched:
                touched.add(pid)
                count.updated += 1
                count.unchanged -= 1
    _update(Person, ["line_manager_id"], relink, writer.quiet())

    # Role and team history: a new person opens a placement today; one whose role or team
    # changed has their open placement closed today and a new one opened. A placement that
    # opened today (or is dated later) is corrected instead, so no empty period is recorded.
    # changed rows are (pk, external_id, name, email, role, service, locality).
    movers = {row[0]: row[4:] for row in changed if stored[row[1]][1][3:] != row[4:]}
    opening = [(pks[row[0]], *row[3:]) for row in new]
    if movers:
        close: list[Row] = []
        correct: list[Row] = []
        corrected: set[int] = set()
        for pk, person, start in (
            Placement.objects.filter(end_date__isnull=True)
            .order_by()
            .values_list("pk", "person_id", "start_date")
        ):
            if person in movers:
                if start >= today:
                    correct.append((pk, *movers[person]))
                    corrected.add(person)
                else:
                    close.append((pk, today))
        _update(Placement, ["end_date"], close, writer.quiet())
        _update(Placement, ["role", "service_id", "locality_id"], correct, writer.quiet())
        opening += [(person, *place) for person, place in movers.items() if person not in corrected]
    _insert(
        Placement,
        ["person_id", "role", "service_id", "locality_id", "start_date"],
        [(*row, today) for row in opening],
        writer.quiet(),
    )
    return count


SESSION_FIELDS = [
    "external_id",
    "kind",
    "date",
    "start_time",
    "duration_minutes",
    "lead_id",
    "modality",
    "location",
]


def _sessions(
    sessions: Mapping[str, rules.SessionRow],
    person_pks: Mapping[str, int],
    writer: _Writer,
    settled: set[str],
) -> Count:
    """Create and update sessions; adds the ids of those created or changed to `settled`."""
    wanted = {
        sid: (sid, s.kind, s.date, s.start_time, s.duration_minutes, person_pks[s.lead_id])
        + (s.modality, s.location)
        for sid, s in sessions.items()
    }
    stored: dict[str, tuple[int, Row]] = {}
    for pk, *row in (
        Session.objects.filter(external_id__isnull=False)
        .order_by()
        .values_list("pk", *SESSION_FIELDS)
        .iterator(chunk_size=20000)
    ):
        stored[row[0]] = (pk, tuple(row))
    new, changed, count = _diff(wanted, stored)
    writer.advance(count.unchanged)
    _insert(Session, SESSION_FIELDS, new, writer)
    # A changed session moves to its next version, so that a form opened on it before the
    # import is refused as stale (supervision.actions) rather than overwriting the import.
    _update(Session, SESSION_FIELDS, changed, writer, increment="version")
    settled.update(row[0] for row in new)
    settled.update(row[1] for row in changed)
    return count


def _attendance(
    attendance: Mapping[tuple[str, str], str],
    person_pks: Mapping[str, int],
    writer: _Writer,
    settled: set[str],
) -> Count:
    """Create and update attendance; a session whose register changes moves to its next
    version, unless `settled` says this import created or changed it already."""
    session_pks = dict(
        Session.objects.filter(external_id__isnull=False)
        .order_by()
        .values_list("external_id", "pk")
        .iterator(chunk_size=20000)
    )
    wanted: dict[Key, Row] = {}
    for (sid, pid), status in attendance.items():
        session, person = session_pks[sid], person_pks[pid]
        wanted[session, person] = (session, person, status)
    versioned = {session_pks[sid] for sid in settled}
    del session_pks
    stored: dict[Key, tuple[int, Row]] = {}
    for pk, *row in (
        Attendance.objects.filter(session__external_id__isnull=False)
        .order_by()
        .values_list("pk", "session_id", "person_id", "status")
        .iterator(chunk_size=20000)
    ):
        key = (row[0], row[1])
        if key in wanted:
            stored[key] = (pk, tuple(row))
    new, changed, count = _diff(wanted, stored)
    writer.advance(count.unchanged)
    _insert(Attendance, ["session_id", "person_id", "status"], new, writer)
    _update(Attendance, ["status"], [(row[0], row[3]) for row in changed], writer)
    registers = {row[0] for row in new} | {row[1] for row in changed}
    _update(
        Session,
        [],
        [(pk,) for pk in sorted(registers - versioned)],
        writer.quiet(),
        increment="version",
    )
    return count


def _insert(model: type[Model], fields: list[str], rows: Sequence[Row], writer: _Writer) -> None:
    """Create rows of values for `fields` (attribute names); other columns take their
    defaults."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy_in(model, fields, rows, writer)
        return
    manager = model._default_manager
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        manager.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in batch], batch_size=BATCH
        )
        writer.advance(len(batch))


def _update(
    model: type[Model],
    fields: list[str],
    rows: Sequence[Row],
    writer: _Writer,
    *,
    increment: str | None = None,
) -> None:
    """Set `fields` of existing rows, given as (pk, *values), and add one to the integer
    field `increment` of each, in the same statement (so no concurrent change is lost)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy_update(model, fields, rows, writer, increment)
        return
    manager = model._default_manager
    bumped = {increment: F(increment) + 1} if increment else {}
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        manager.bulk_update(
            [
                model(pk=row[0], **dict(zip(fields, row[1:], strict=True)), **bumped)
                for row in batch
            ],
            [*fields, *bumped],
            batch_size=BATCH,
        )
        writer.advance(len(batch))


# PostgreSQL. Table and column names come from the models' metadata, quoted; values always
# travel separately from the SQL, through COPY.


def _columns(model: type[Model], fields: Iterable[str]) -> list[Field[Any, Any]]:
    return [model._meta.get_field(name) for name in fields]  # type: ignore[misc]


def _copy_in(model: type[Model], fields: list[str], rows: Sequence[Row], writer: _Writer) -> None:
    quote = connection.ops.quote_name
    given = _columns(model, fields)
    now = timezone.now()
    defaults = [
        f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in fields
    ]
    extra = tuple(
        now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in defaults
    )
    # A callable default (a session's calendar UID) is called for each row, not once.
    fresh = [i for i, f in enumerate(defaults) if f.has_default() and callable(f.default)]
    columns = ", ".join(quote(str(f.column)) for f in [*given, *defaults])
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for number, row in enumerate(rows, 1):
            if fresh:
                values = list(extra)
                for i in fresh:
                    values[i] = defaults[i].get_default()
                copy.write_row(row + tuple(values))
            else:
                copy.write_row(row + extra)
            if number % BATCH == 0:
                writer.advance(BATCH)
    writer.advance(len(rows) % BATCH)


def _copy_update(
    model: type[Model],
    fields: list[str],
    rows: Sequence[Row],
    writer: _Writer,
    increment: str | None,
) -> None:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    temporary = quote(f"import_{model._meta.db_table}")
    pk = quote(str(model._meta.pk.column))
    columns = [quote(str(f.column)) for f in _columns(model, fields)]
    listed = ", ".join([pk, *columns])
    assignments = [f"{c} = changed.{c}" for c in columns]
    if increment is not None:
        counter = quote(str(_columns(model, [increment])[0].column))
        assignments.append(f"{counter} = {table}.{counter} + 1")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temporary} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {listed} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {temporary} ({listed}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"UPDATE {table} SET {', '.join(assignments)} FROM {temporary} AS changed "  # noqa: S608
            f"WHERE {table}.{pk} = changed.{pk}"
        )
        cursor.execute(f"DROP TABLE {temporary}")
    writer.advance(len(rows))
