"""Import the CSV files (docs/import-format.md): check every row, then write everything in
one transaction, or nothing at all.

Each table is read once, the file's rows are compared with it in memory, and only new or
changed rows are written, in batches: a re-import of the same files writes nothing, and a
million rows never mean a million queries. On PostgreSQL new rows go in with COPY and
changed rows through a temporary table, since the ORM's per-object cost alone would take
minutes at national scale; other databases use bulk_create and bulk_update.

Each row written gets its own audit entry (import.row.create, import.row.change or
import.row.end, naming the record, the file and the line, and for a change the values before
and after), written in bulk with the rows of its file, the same way; a row left as it was gets
none. The import as a whole gets one more, with the counts.
"""

import codecs
import datetime as dt
import itertools
import json
import shutil
from array import array
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

from coreflect.audit.actions import name_of, record
from coreflect.audit.models import AuditEvent
from coreflect.imports import rules
from coreflect.imports.models import ImportRun
from coreflect.people.models import (
    PEER_WORK_ROLES,
    PRIVILEGED_ROLES,
    Absence,
    EmploymentPeriod,
    Locality,
    Person,
    Placement,
    Service,
)
from coreflect.signin.invitations import open_accounts
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
    # Accounts opened for people with an email address and none (each sent an invitation).
    accounts: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.more_errors

    def summary(self) -> list[str]:
        lines = [count.line(name) for name, count in self.counts.items()]
        if self.accounts:
            plural = "s" if self.accounts != 1 else ""
            lines.append(f"{self.accounts} account{plural} opened, each invited by email")
        return lines


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
    grant_privileged: bool = False,
) -> Result:
    """Import the import files present in a folder (UTF-8, with or without a BOM). `detail`
    goes into the audit entries (where the import came from); `grant_privileged` as for
    import_files."""
    paths = {name: folder / name for name in rules.FILES if (folder / name).is_file()}
    total = sum(count_rows(path) for path in paths.values())
    return import_files(
        by=by,
        files={name: read_lines(path) for name, path in paths.items()},
        total=total,
        progress=progress,
        detail=detail,
        grant_privileged=grant_privileged,
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
    grant_privileged: bool = False,
) -> Result:
    """Check the files (name → lines), then write them all; nothing if any row is wrong.

    A row giving someone a privileged role (PRIVILEGED_ROLES) they do not hold already is a
    problem unless `grant_privileged`, which only the command line asks for (someone with
    the server's shell); each such grant then gets an import.role_grant entry too."""
    report: Progress = progress or (lambda stage, done, of: None)
    report("validating", 0, total)
    parsed, errors = rules.parse(
        files,
        known_to_database(),
        progress=lambda done: report("validating", done, max(total, done)),
        refused_roles=frozenset() if grant_privileged else PRIVILEGED_ROLES,
    )
    if errors:
        return Result(errors=errors, more_errors=parsed.problems - len(errors))
    writer = _Writer(parsed.total_rows, report)
    report("writing", 0, parsed.total_rows)
    with transaction.atomic():
        audit = _Audit(by, detail or {})
        result = Result(counts=_write(parsed, writer, audit, today=timezone.localdate()))
        # Everyone with an email address and no account gets one, with no password, and an
        # invitation emailed once this commits (coreflect/signin/invitations.py).
        waiting = Person.objects.filter(user__isnull=True).exclude(email="")
        result.accounts = len(open_accounts(waiting, by=by if isinstance(by, User) else None))
        record(
            by=by,
            action="import",
            files={name: vars(count) for name, count in result.counts.items()},
            accounts_opened=result.accounts,
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


Key = Any
Row = tuple[Any, ...]
# An audit entry for a row of a file: the action, the record's model and id, the detail.
Entry = tuple[str, type[Model], int, dict[str, Any]]

AUDIT_FIELDS = [
    "actor_id",
    "actor_username",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "detail",
]


class _Audit:
    """Writes the audit entries of an import's rows in bulk, a file's at a time (as its rows
    are written: COPY on PostgreSQL, bulk_create elsewhere), never a query a row. The detail
    of the import (where it came from) goes into the entries that grant a privileged role."""

    def __init__(self, by: User | AnonymousUser | None, detail: Mapping[str, Any]) -> None:
        actor = by if isinstance(by, User) else None
        self.actor = (
            actor.pk if actor else None,
            actor.get_username() if actor else "",
            name_of(actor) if actor else "",
        )
        self.detail = dict(detail)

    def write(self, entries: Iterable[Entry]) -> None:
        entries = iter(entries)
        first = next(entries, None)
        if first is None:
            return  # nothing changed: not even an empty COPY
        postgresql = connection.vendor == "postgresql"
        rows = (
            # COPY takes the JSON as text.
            (*self.actor, action, model._meta.label_lower, str(pk), json.dumps(detail))
            if postgresql
            else (*self.actor, action, model._meta.label_lower, str(pk), detail)
            for action, model, pk, detail in itertools.chain([first], entries)
        )
        if postgresql:
            _copy_in(AuditEvent, AUDIT_FIELDS, rows, _Writer(0, lambda stage, done, of: None))
            return
        for batch in itertools.batched(rows, BATCH):
            AuditEvent.objects.bulk_create(
                [AuditEvent(**dict(zip(AUDIT_FIELDS, row, strict=True))) for row in batch],
                batch_size=BATCH,
            )


@dataclass(frozen=True)
class _File:
    """A file's rows as the audit entries tell them, in the file's own terms."""

    name: str
    # The rows' keys as the file gives them (rules.Parsed), in the file's order, their lines,
    # and the columns of a key.
    keys: Sequence[Any]
    lines: Sequence[int]
    columns: tuple[str, ...]
    # A row (values for the model's fields, stored or wanted): the values other than the key.
    told: Callable[[Row], dict[str, Any]]


def _text(value: Any) -> Any:
    """A value as the files write it: a date YYYY-MM-DD, a time HH:MM, nothing blank."""
    if value is None:
        return ""
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _entries(
    file: _File, model: type[Model], diff: "_Diff", new_ids: Sequence[int]
) -> Iterator[Entry]:
    """An entry for each row created or changed: the record, the file and line, the row's key
    and, for a change, the values that differ before and after."""
    if len(file.keys) != diff.count.rows:
        raise AssertionError(f"{file.name}: the rows are not in the file's order")

    def where(at: int) -> dict[str, Any]:
        key = file.keys[at]
        values = key if isinstance(key, tuple) else (key,)
        named = zip(file.columns, values, strict=True)
        return {"file": file.name, "line": file.lines[at], **{c: _text(v) for c, v in named}}

    for at, pk in zip(diff.new_at, new_ids, strict=True):
        yield "import.row.create", model, pk, where(at)
    for at, row, stored in zip(diff.changed_at, diff.changed, diff.before, strict=True):
        before, after = file.told(stored), file.told(row[1:])
        differ = [column for column in after if after[column] != before[column]]
        yield (
            rules.row_action(before, after),
            model,
            row[0],
            {
                **where(at),
                "before": {c: before[c] for c in differ},
                "after": {c: after[c] for c in differ},
            },
        )


def _write(
    parsed: rules.Parsed, writer: _Writer, audit: _Audit, *, today: dt.date
) -> dict[str, Count]:
    counts: dict[str, Count] = {}
    if "people.csv" in parsed.rows:
        counts["people.csv"] = _people(parsed, writer, audit, today=today)
    person_pks, roles = {}, {}
    if parsed.rows.keys() - {"people.csv"}:
        for external_id, pk, role in Person.objects.order_by().values_list(
            "external_id", "pk", "role"
        ):
            person_pks[external_id], roles[external_id] = pk, role

    def file(name: str, keys: Iterable[Any], *columns: str, told: Callable[[Row], Any]) -> _File:
        return _File(name, list(keys), parsed.lines[name], columns, told)

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
            audit,
            file(
                "employment.csv",
                parsed.employment,
                "person_id",
                "start_date",
                told=lambda row: {"end_date": _text(row[2])},
            ),
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
            audit,
            file(
                "supervision.csv",
                parsed.supervision,
                "supervisee_id",
                "supervisor_id",
                "type",
                "start_date",
                # Whether the supervisor is a peer follows their role (not a column).
                told=lambda row: {"end_date": _text(row[4]), "supervisor_is_peer": row[5]},
            ),
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
            audit,
            file(
                "absences.csv",
                parsed.absences,
                "person_id",
                "type",
                "start_date",
                told=lambda row: {"end_date": _text(row[3])},
            ),
        )
    # Sessions created or changed by sessions.csv: their version is settled already.
    settled: set[str] = set()
    external = {pk: pid for pid, pk in person_pks.items()}
    if "sessions.csv" in parsed.rows:
        counts["sessions.csv"] = _sessions(
            parsed.sessions,
            person_pks,
            writer,
            settled,
            audit,
            file(
                "sessions.csv",
                parsed.sessions,
                "session_id",
                told=lambda row: {
                    "kind": row[1],
                    "date": _text(row[2]),
                    "start_time": _text(row[3]),
                    "duration_minutes": row[4],
                    "lead_id": external.get(row[5], ""),
                    "modality": row[6],
                    "location": row[7],
                },
            ),
        )
    if "attendance.csv" in parsed.rows:
        counts["attendance.csv"] = _attendance(
            parsed.attendance,
            person_pks,
            writer,
            settled,
            audit,
            file(
                "attendance.csv",
                parsed.attendance,
                "session_id",
                "person_id",
                told=lambda row: {"status": row[2]},
            ),
        )
    return counts


def _sync(
    model: type[Model],
    fields: list[str],
    wanted: Mapping[Key, Row],
    key_of: Callable[[Row], Key],
    writer: _Writer,
    audit: _Audit,
    file: _File,
) -> Count:
    """Make the table hold the wanted rows (values for `fields`, by natural key, in the
    file's order): create the missing ones, update the changed ones, leave the rest; an audit
    entry for each row created or changed. One query reads the table."""
    stored = {
        key_of(row[1:]): (row[0], row[1:])
        for row in model._default_manager.order_by()
        .values_list("pk", *fields)
        .iterator(chunk_size=20000)
    }
    diff = _diff(wanted, stored)
    writer.advance(diff.count.unchanged)
    new_ids = _insert(model, fields, diff.new, writer)
    _update(model, fields, diff.changed, writer)
    audit.write(_entries(file, model, diff, new_ids))
    return diff.count


@dataclass
class _Diff:
    """How the wanted rows differ from the stored ones. Each row to create or change is also
    known by its place in the wanted rows' order (`*_at`), which is the file's, so that its
    audit entry can name its line."""

    new: list[Row] = field(default_factory=list)
    new_at: "array[int]" = field(default_factory=lambda: array("I"))
    # (pk, *row) for each row to update, its place, and its values as stored.
    changed: list[Row] = field(default_factory=list)
    changed_at: "array[int]" = field(default_factory=lambda: array("I"))
    before: list[Row] = field(default_factory=list)
    count: Count = field(default_factory=Count)


def _diff(wanted: Mapping[Key, Row], stored: Mapping[Key, tuple[int, Row]]) -> _Diff:
    diff = _Diff()
    for at, (key, row) in enumerate(wanted.items()):
        before = stored.get(key)
        if before is None:
            diff.new.append(row)
            diff.new_at.append(at)
        elif before[1] != row:
            diff.changed.append((before[0], *row))
            diff.changed_at.append(at)
            diff.before.append(before[1])
        else:
            diff.count.unchanged += 1
    diff.count.created, diff.count.updated = len(diff.new), len(diff.changed)
    return diff


def _people(parsed: rules.Parsed, writer: _Writer, audit: _Audit, *, today: dt.date) -> Count:
    """Create and update people, their services and localities, line managers and the
    role and team history (Placement), with the audit entries of people.csv's rows."""
    people = parsed.people
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
    diff = _diff(wanted, stored)
    count = diff.count
    writer.advance(count.unchanged)
    _insert(Person, fields, diff.new, writer)
    _update(Person, fields, diff.changed, writer)

    # Line managers are people of the same file, so they are linked once all exist.
    pks = dict(Person.objects.order_by().values_list("external_id", "pk"))
    relink: list[Row] = []
    touched = {row[1] for row in diff.changed}
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
    movers = {row[0]: row[4:] for row in diff.changed if stored[row[1]][1][3:] != row[4:]}
    opening = [(pks[row[0]], *row[3:]) for row in diff.new]
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
    audit.write(_people_entries(parsed, wanted, stored, managers, pks, services, localities, audit))
    return count


def _people_entries(
    parsed: rules.Parsed,
    wanted: Mapping[str, Row],
    stored: Mapping[str, tuple[int, Row]],
    managers: Mapping[str, int | None],
    pks: Mapping[str, int],
    services: Mapping[str, int],
    localities: Mapping[tuple[int | None, str], int],
    audit: _Audit,
) -> Iterator[Entry]:
    """people.csv's entries: each person created or changed (their line manager included),
    and each privileged role granted (which only the command line may: import_files)."""
    service_names = {pk: name for name, pk in services.items()}
    locality_names = {pk: name for (_, name), pk in localities.items()}
    external = {pk: pid for pid, pk in pks.items()}

    def told(row: Row, manager: int | None) -> dict[str, Any]:
        _, name, email, role, service, locality = row
        return {
            "name": name,
            "email": email,
            "role": role,
            "service": service_names.get(service, ""),
            "locality": locality_names.get(locality, ""),
            "line_manager_id": external.get(manager, "") if manager is not None else "",
        }

    for (pid, p), line in zip(parsed.people.items(), parsed.lines["people.csv"], strict=True):
        where = {"file": "people.csv", "line": line, "person_id": pid}
        held = stored.get(pid)
        if held is None:
            yield "import.row.create", Person, pks[pid], where
        else:
            before = told(held[1], managers[pid])
            manager = pks[p.line_manager_id] if p.line_manager_id else None
            after = told(wanted[pid], manager)
            if differ := [column for column in after if after[column] != before[column]]:
                yield (
                    rules.row_action(before, after),
                    Person,
                    pks[pid],
                    {
                        **where,
                        "before": {c: before[c] for c in differ},
                        "after": {c: after[c] for c in differ},
                    },
                )
        previous = held[1][3] if held is not None else None
        if rules.is_privileged_grant(p.role, previous, PRIVILEGED_ROLES):
            yield (
                "import.role_grant",
                Person,
                pks[pid],
                {**where, "role": p.role, "previous_role": previous or "", **audit.detail},
            )


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
    audit: _Audit,
    file: _File,
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
    diff = _diff(wanted, stored)
    writer.advance(diff.count.unchanged)
    new_ids = _insert(Session, SESSION_FIELDS, diff.new, writer)
    # A changed session moves to its next version, so that a form opened on it before the
    # import is refused as stale (supervision.actions) rather than overwriting the import.
    _update(Session, SESSION_FIELDS, diff.changed, writer, increment="version")
    settled.update(row[0] for row in diff.new)
    settled.update(row[1] for row in diff.changed)
    audit.write(_entries(file, Session, diff, new_ids))
    return diff.count


def _attendance(
    attendance: Mapping[tuple[str, str], str],
    person_pks: Mapping[str, int],
    writer: _Writer,
    settled: set[str],
    audit: _Audit,
    file: _File,
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
    diff = _diff(wanted, stored)
    writer.advance(diff.count.unchanged)
    new_ids = _insert(Attendance, ["session_id", "person_id", "status"], diff.new, writer)
    _update(Attendance, ["status"], [(row[0], row[3]) for row in diff.changed], writer)
    registers = {row[0] for row in diff.new} | {row[1] for row in diff.changed}
    _update(
        Session,
        [],
        [(pk,) for pk in sorted(registers - versioned)],
        writer.quiet(),
        increment="version",
    )
    audit.write(_entries(file, Attendance, diff, new_ids))
    return diff.count


def _insert(
    model: type[Model], fields: list[str], rows: Sequence[Row], writer: _Writer
) -> list[int]:
    """Create rows of values for `fields` (attribute names); other columns take their
    defaults. Returns the new rows' ids, in order."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        ids = _new_ids(model, len(rows))
        pk = str(model._meta.pk.attname)
        numbered = ((pk_value, *row) for pk_value, row in zip(ids, rows, strict=True))
        _copy_in(model, [pk, *fields], numbered, writer)
        return ids
    manager = model._default_manager
    ids = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        made = manager.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in batch], batch_size=BATCH
        )
        ids += [obj.pk for obj in made]
        writer.advance(len(batch))
    return ids


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


def _new_ids(model: type[Model], count: int) -> list[int]:
    """Ids for `count` new rows, from the table's own sequence as an INSERT would take them:
    COPY gives none back, and each row's audit entry names its record."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(model._meta.db_table), str(model._meta.pk.column), count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy_in(model: type[Model], fields: list[str], rows: Iterable[Row], writer: _Writer) -> None:
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
    number = 0
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
    writer.advance(number % BATCH)


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
