"""Import the CSV files: check everything, then write everything in one transaction, or
nothing at all. Writes are batched and compared against what is stored, so a re-import of
the same files changes nothing and a large import does not issue a query per row."""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from coreflect.audit.actions import record
from coreflect.imports import rules
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

Progress = Callable[[str, int, int], None]


@dataclass
class Count:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class Result:
    errors: list[str] = field(default_factory=list)
    counts: dict[str, Count] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> list[str]:
        return [
            f"{name}: {c.rows} rows ({c.created} created, {c.updated} updated, "
            f"{c.unchanged} unchanged)"
            for name, c in self.counts.items()
        ]


def read_folder(folder: Path) -> dict[str, Iterator[str]]:
    """The import files present in a folder, as line iterators (UTF-8, BOM allowed)."""
    return {name: _lines(folder / name) for name in rules.FILES if (folder / name).is_file()}


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from handle


def known_to_database() -> rules.Known:
    peer_work: dict[str, list[tuple[str, dt.date, dt.date | None]]] = {}
    for (
        supervisee,
        supervisor,
        start,
        end,
    ) in SupervisionRelationship.objects.peer_work().values_list(
        "supervisee__external_id", "supervisor__external_id", "start_date", "end_date"
    ):
        peer_work.setdefault(supervisee, []).append((supervisor, start, end))
    return rules.Known(
        person_ids=frozenset(Person.objects.values_list("external_id", flat=True)),
        session_ids=frozenset(
            str(sid)
            for sid in Session.objects.exclude(external_id=None).values_list(
                "external_id", flat=True
            )
        ),
        peer_work=peer_work,
    )


def import_files(
    *,
    by: User | AnonymousUser | None,
    files: Mapping[str, Iterable[str]],
    progress: Progress | None = None,
) -> Result:
    """Check then write the files (name → lines); nothing is written if any row is wrong."""
    report = progress or (lambda stage, done, total: None)
    report("validating", 0, 0)
    parsed, errors = rules.parse(
        files, known_to_database(), progress=lambda n: report("validating", n, 0)
    )
    if errors:
        return Result(errors=errors)
    with transaction.atomic():
        result = _write(parsed, report)
        record(
            by=by,
            action="import",
            files={name: vars(count) for name, count in result.counts.items()},
        )
    return result


def _write(parsed: rules.Parsed, report: Progress) -> Result:
    today = timezone.localdate()
    total = parsed.total_rows
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        report("writing", done, total)

    result = Result()
    if "people.csv" in parsed.rows:
        result.counts["people.csv"] = _people(parsed, today)
        advance(parsed.rows["people.csv"])
    ids = dict(Person.objects.values_list("external_id", "pk"))
    roles = dict(Person.objects.values_list("external_id", "role"))

    if "employment.csv" in parsed.rows:
        stored: dict[Any, tuple[int, Any]] = {
            (p, start): (pk, end)
            for pk, p, start, end in EmploymentPeriod.objects.values_list(
                "pk", "person__external_id", "start_date", "end_date"
            )
        }
        result.counts["employment.csv"] = _upsert(
            EmploymentPeriod,
            parsed.employment,
            stored,
            lambda key, end: EmploymentPeriod(
                person_id=ids[key[0]], start_date=key[1], end_date=end
            ),
            ["end_date"],
        )
        advance(parsed.rows["employment.csv"])

    if "supervision.csv" in parsed.rows:
        stored = {
            (a, b, kind, start): (pk, end)
            for pk, a, b, kind, start, end in SupervisionRelationship.objects.values_list(
                "pk",
                "supervisee__external_id",
                "supervisor__external_id",
                "type",
                "start_date",
                "end_date",
            )
        }
        result.counts["supervision.csv"] = _upsert(
            SupervisionRelationship,
            parsed.supervision,
            stored,
            lambda key, end: SupervisionRelationship(
                supervisee_id=ids[key[0]],
                supervisor_id=ids[key[1]],
                type=key[2],
                start_date=key[3],
                end_date=end,
                supervisor_is_peer=roles[key[1]] in PEER_WORK_ROLES,
            ),
            ["end_date"],
        )
        advance(parsed.rows["supervision.csv"])

    if "absences.csv" in parsed.rows:
        stored = {
            (p, kind, start): (pk, end)
            for pk, p, kind, start, end in Absence.objects.values_list(
                "pk", "person__external_id", "type", "start_date", "end_date"
            )
        }
        result.counts["absences.csv"] = _upsert(
            Absence,
            parsed.absences,
            stored,
            lambda key, end: Absence(
                person_id=ids[key[0]], type=key[1], start_date=key[2], end_date=end
            ),
            ["end_date"],
        )
        advance(parsed.rows["absences.csv"])

    if "sessions.csv" in parsed.rows:
        fields = [
            "kind",
            "date",
            "start_time",
            "duration_minutes",
            "lead_id",
            "modality",
            "location",
        ]
        stored_sessions = {
            row[0]: (row[1], tuple(row[2:]))
            for row in Session.objects.exclude(external_id=None).values_list(
                "external_id", "pk", *fields
            )
        }
        wanted = {
            sid: (
                s.kind,
                s.date,
                s.start_time,
                s.duration_minutes,
                ids[s.lead_id],
                s.modality,
                s.location,
            )
            for sid, s in parsed.sessions.items()
        }
        result.counts["sessions.csv"] = _upsert(
            Session,
            wanted,
            stored_sessions,
            lambda sid, values: Session(external_id=sid, **dict(zip(fields, values, strict=True))),
            fields,
        )
        advance(parsed.rows["sessions.csv"])

    if "attendance.csv" in parsed.rows:
        session_ids = dict(
            Session.objects.exclude(external_id=None).values_list("external_id", "pk")
        )
        wanted_attendance = {
            (session_ids[s], ids[p]): status for (s, p), status in parsed.attendance.items()
        }
        sessions_in_file = {session_ids[s] for s, _ in parsed.attendance}
        # A short list of sessions is looked up directly; a long one would exceed the
        # database's parameter limit, so then every imported session's register is read once.
        existing = Attendance.objects.filter(session__external_id__isnull=False)
        if len(sessions_in_file) <= 5000:
            existing = existing.filter(session_id__in=list(sessions_in_file))
        stored = {
            (s, p): (pk, status)
            for pk, s, p, status in existing.values_list("pk", "session_id", "person_id", "status")
            if s in sessions_in_file
        }
        result.counts["attendance.csv"] = _upsert(
            Attendance,
            wanted_attendance,
            stored,
            lambda key, status: Attendance(session_id=key[0], person_id=key[1], status=status),
            ["status"],
            progress=lambda n: report("writing", done + n, total),
        )
        advance(parsed.rows["attendance.csv"])
    return result


def _upsert(
    model: type[Model],
    wanted: Mapping[Any, Any],
    stored: Mapping[Any, tuple[int, Any]],
    make: Callable[[Any, Any], Model],
    fields: list[str],
    *,
    progress: Callable[[int], None] | None = None,
) -> Count:
    """Create missing rows and update changed ones, in batches; report what happened."""
    count = Count()
    new: list[Model] = []
    changed: list[Model] = []
    for key, value in wanted.items():
        if key not in stored:
            new.append(make(key, value))
            count.created += 1
        elif stored[key][1] != value:
            obj = make(key, value)
            obj.pk = stored[key][0]
            changed.append(obj)
            count.updated += 1
        else:
            count.unchanged += 1
    if changed:
        model._default_manager.bulk_update(changed, fields, batch_size=BATCH)
    for start in range(0, len(new), BATCH):
        model._default_manager.bulk_create(new[start : start + BATCH])
        if progress is not None:
            progress(start + BATCH)
    return count


def _people(parsed: rules.Parsed, today: dt.date) -> Count:
    services = {s.name: s for s in Service.objects.all()}
    for name in {p.service for p in parsed.people.values() if p.service} - services.keys():
        services[name] = Service.objects.create(name=name)
    localities = {(loc.service_id, loc.name): loc for loc in Locality.objects.all()}
    for row in parsed.people.values():
        if row.locality:
            key = (services[row.service].pk, row.locality)
            if key not in localities:
                localities[key] = Locality.objects.create(
                    service=services[row.service], name=row.locality
                )

    def place(row: rules.PersonRow) -> tuple[int | None, int | None]:
        service = services[row.service].pk if row.service else None
        locality = localities[service, row.locality].pk if row.locality and service else None
        return service, locality

    stored = {
        p.external_id: p
        for p in Person.objects.only(
            "pk",
            "external_id",
            "name",
            "email",
            "role",
            "service_id",
            "locality_id",
            "line_manager_id",
        )
    }
    count = Count()
    new, changed, moved = [], [], []
    for row in parsed.people.values():
        service, locality = place(row)
        person = stored.get(row.person_id)
        if person is None:
            new.append(
                Person(
                    external_id=row.person_id,
                    name=row.name,
                    email=row.email,
                    role=row.role,
                    service_id=service,
                    locality_id=locality,
                )
            )
            count.created += 1
            continue
        before = (person.name, person.email, person.role, person.service_id, person.locality_id)
        after = (row.name, row.email, row.role, service, locality)
        if before != after:
            if before[2:] != after[2:]:
                moved.append(person)
            person.name, person.email, person.role = row.name, row.email, row.role
            person.service_id, person.locality_id = service, locality
            changed.append(person)
    Person.objects.bulk_create(new, batch_size=BATCH)
    Person.objects.bulk_update(
        changed, ["name", "email", "role", "service_id", "locality_id"], batch_size=BATCH
    )

    # Role and team history: close the open placement of anyone who moved and open a new
    # one; a placement opened earlier today is simply replaced.
    Placement.objects.filter(person__in=moved, end_date__isnull=True, start_date=today).delete()
    Placement.objects.filter(person__in=moved, end_date__isnull=True).update(
        end_date=today - dt.timedelta(days=1)
    )
    Placement.objects.bulk_create(
        [
            Placement(
                person=p,
                role=p.role,
                service_id=p.service_id,
                locality_id=p.locality_id,
                start_date=today,
            )
            for p in [*new, *moved]
        ],
        batch_size=BATCH,
    )

    # Line managers refer to people of the same file, so they are set once all exist.
    ids = dict(Person.objects.values_list("external_id", "pk"))
    managers = dict(Person.objects.values_list("external_id", "line_manager_id"))
    relink = []
    updated = {p.external_id for p in changed}
    for row in parsed.people.values():
        wanted = ids[row.line_manager_id] if row.line_manager_id else None
        if managers[row.person_id] != wanted:
            relink.append(Person(pk=ids[row.person_id], line_manager_id=wanted))
            if row.person_id in stored:
                updated.add(row.person_id)
    Person.objects.bulk_update(relink, ["line_manager_id"], batch_size=BATCH)
    count.updated = len(updated)
    count.unchanged = len(parsed.people) - count.created - count.updated
    return count
