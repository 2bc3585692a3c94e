"""Reading and checking the import files (docs/import-format.md), on plain values.

Every row of every file is checked before anything is written. Each problem is reported as
`file:line: message`, where line is the physical line in the file (the header is line 1, so
the first data row is line 2). Pure: no Django; what the database already holds comes in as
`Known`. Built for a million rows: plain dicts and sets, one pass over each file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import heapq
import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from coreflect.supervision.rules import may_supervise

# The vocabularies, as in the models (a test keeps them equal).
ROLES = (
    "head_of_peer_work",
    "peer_lead",
    "peer_coordinator",
    "senior_peer_worker",
    "peer_practitioner",
    "peer_worker",
    "peer_support_worker",
    "line_manager",
    "executive_director",
    "governance",
    "admin",
)
RELATIONSHIP_TYPES = ("peer_work", "line_management", "clinical")
ABSENCE_TYPES = ("sickness", "annual_leave", "parental", "other")
SESSION_KINDS = ("one_to_one", "co_reflection")
MODALITIES = ("in_person", "video", "phone")
ATTENDANCE_STATUSES = (
    "attended",
    "cancelled_by_supervisee",
    "cancelled_by_supervisor",
    "did_not_attend",
    "apologies",
    "tentative",
    "invited",
)
# A cancelled session's register keeps the status it was cancelled with: nobody attended.
CANCELLATION_STATUSES = ("cancelled_by_supervisee", "cancelled_by_supervisor")
# The roles in words, for the problems that name the roles an upload may not give.
ROLE_NAMES = {
    "admin": "administrator",
    "governance": "governance",
    "head_of_peer_work": "head of peer work",
}

COLUMNS: dict[str, tuple[str, ...]] = {
    "people.csv": ("person_id", "name", "email", "role", "service", "locality", "line_manager_id"),
    "employment.csv": ("person_id", "start_date", "end_date"),
    "supervision.csv": ("supervisee_id", "supervisor_id", "type", "start_date", "end_date"),
    "absences.csv": ("person_id", "type", "start_date", "end_date"),
    "sessions.csv": (
        "session_id",
        "kind",
        "date",
        "start_time",
        "duration_minutes",
        "lead_id",
        "modality",
        "location",
    ),
    "attendance.csv": ("session_id", "person_id", "status"),
}
# The files in the order they are checked and written: later ones refer to earlier ones.
FILES = tuple(COLUMNS)

# The longest text each column may hold, as in the models (a test keeps them equal).
MAX_LENGTH = {
    "person_id": 64,
    "name": 200,
    "email": 254,
    "service": 200,
    "locality": 200,
    "session_id": 64,
    "location": 200,
}
LONGEST_SESSION_MINUTES = 24 * 60

PROGRESS_EVERY = 5000
# At most this many problems are kept, the first in file then line order; the rest are only
# counted, so a large file full of mistakes cannot fill the memory or the database.
PROBLEMS_KEPT = 1000
# Values quoted in a message are cut to this many characters.
QUOTED_UP_TO = 60

# Ids become parts of addresses (/people/<person_id>/): only characters that need no escaping.
_ID = re.compile(r"[A-Za-z0-9._-]+")
# C0 control characters and DEL. Line breaks are allowed: a quoted value may span lines.
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
_MINUTES = re.compile(r"[0-9]{1,9}")


class PersonRow(NamedTuple):
    name: str
    email: str
    role: str
    service: str
    locality: str
    line_manager_id: str


class SessionRow(NamedTuple):
    kind: str
    date: dt.date
    start_time: dt.time
    duration_minutes: int
    lead_id: str
    modality: str
    location: str


# A stored peer work relationship: supervisor id, start, end (None while ongoing).
StoredPeriod = tuple[str, dt.date, dt.date | None]


@dataclass(frozen=True)
class Known:
    """What the database already holds, for references and overlaps."""

    person_ids: frozenset[str] = frozenset()
    session_ids: frozenset[str] = frozenset()
    # supervisee id → peer work supervision already stored.
    peer_work: Mapping[str, Sequence[StoredPeriod]] = field(default_factory=dict)
    # person id → their line manager's id, for the people who have one.
    line_managers: Mapping[str, str] = field(default_factory=dict)
    # person id → role.
    roles: Mapping[str, str] = field(default_factory=dict)
    # id of a cancelled session → the statuses its register may hold (the cancellation).
    cancelled: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # supervisor id → their relationships (supervisee id, type, start) still in force today.
    supervising: Mapping[str, Sequence[tuple[str, str, dt.date]]] = field(default_factory=dict)


@dataclass
class Parsed:
    """The rows of the files, keyed as they are matched against stored rows."""

    # file name → data rows read (blank lines aside)
    rows: dict[str, int] = field(default_factory=dict)
    people: dict[str, PersonRow] = field(default_factory=dict)
    # (person_id, start) → end
    employment: dict[tuple[str, dt.date], dt.date | None] = field(default_factory=dict)
    # (supervisee_id, supervisor_id, type, start) → end
    supervision: dict[tuple[str, str, str, dt.date], dt.date | None] = field(default_factory=dict)
    # (person_id, type, start) → end
    absences: dict[tuple[str, str, dt.date], dt.date] = field(default_factory=dict)
    sessions: dict[str, SessionRow] = field(default_factory=dict)
    # (session_id, person_id) → status
    attendance: dict[tuple[str, str], str] = field(default_factory=dict)
    # file name → the line of each row of its dict above, in the dict's order (a row and its
    # line are added together), for the audit entry of each row written. An array of the
    # lines rather than a dict of the keys: a million rows take 4 MB, not a hundred.
    lines: dict[str, array[int]] = field(default_factory=lambda: {n: array("I") for n in FILES})
    # Problems found in all; parse() returns at most PROBLEMS_KEPT of them.
    problems: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class WrongEncoding(ValueError):
    """A file that is text in another encoding than UTF-8, found before it is read."""

    def __init__(self, encoding: str) -> None:
        super().__init__(encoding)
        self.encoding = encoding


def parse(
    files: Mapping[str, Iterable[str]],
    known: Known,
    progress: Callable[[int], None] | None = None,
    *,
    keep: int = PROBLEMS_KEPT,
    refused_roles: Collection[str] = frozenset(),
) -> tuple[Parsed, list[str]]:
    """Check the files (name → text lines, header first); return their rows and the first
    `keep` problems as `file:line: message`, in file then line order (Parsed.problems counts
    them all). Absent files are fine. A file's lines may raise WrongEncoding. A row that
    would give someone one of `refused_roles` is a problem, unless they hold it already."""
    ctx = _Context(progress, keep)
    parsed = Parsed()
    for name in files:
        if name not in COLUMNS:
            ctx.problem(name, 1, f"not one of the import files ({', '.join(FILES)})")

    # Ids a file defines count as known even where their row has a problem, so that one
    # bad row gives one error, not another in every row that refers to it. When a file's
    # header is unusable its ids are unknown, and references to it are not checked (None).
    # id → the same id: lookups return one shared string, so a million rows hold a few
    # thousand strings rather than a million copies.
    known_people = {p: p for p in known.person_ids}
    people: dict[str, str] | None = known_people
    person_lines: dict[str, int] = {}
    if "people.csv" in files:
        table = _Table("people.csv", files["people.csv"], ctx)
        people = (
            _people(table, ctx, parsed, known, known_people, person_lines, refused_roles)
            if table.usable
            else None
        )

    if "employment.csv" in files:
        _employment(_Table("employment.csv", files["employment.csv"], ctx), ctx, parsed, people)
    if "supervision.csv" in files:
        table = _Table("supervision.csv", files["supervision.csv"], ctx)
        lines = _supervision(table, ctx, parsed, people, known.roles, known.supervising)
        _overlaps(parsed, known, lines, ctx)
    _supervisors_who_may_not(parsed, known, person_lines, ctx)
    if "absences.csv" in files:
        _absences(_Table("absences.csv", files["absences.csv"], ctx), ctx, parsed, people)

    known_sessions = {s: s for s in known.session_ids}
    sessions: dict[str, str] | None = known_sessions
    if "sessions.csv" in files:
        table = _Table("sessions.csv", files["sessions.csv"], ctx)
        sessions = _sessions(table, ctx, parsed, people, known_sessions) if table.usable else None
    if "attendance.csv" in files:
        table = _Table("attendance.csv", files["attendance.csv"], ctx)
        _attendance(table, ctx, parsed, people, sessions, known.cancelled)
    parsed.rows = dict(ctx.rows)
    parsed.problems = ctx.count
    return parsed, ctx.errors()


def is_privileged_grant(role: str, held: str | None, privileged: Collection[str]) -> bool:
    """Whether a row giving someone `role` grants them a privileged role: one of `privileged`
    that they do not hold already (`held` is their stored role, None for someone new)."""
    return role in privileged and role != held


def privileged_grants(
    people: Mapping[str, PersonRow], held: Mapping[str, str], privileged: Collection[str]
) -> Iterator[tuple[str, str]]:
    """(person id, role) for each of the rows that grants a privileged role
    (is_privileged_grant), `held` giving the stored roles."""
    for pid, row in people.items():
        if is_privileged_grant(row.role, held.get(pid), privileged):
            yield pid, row.role


def row_action(before: Mapping[str, object], after: Mapping[str, object]) -> str:
    """The audit action for a stored row that an import changes (its values before and after,
    as the file gives them): "import.row.end" when it sets the end date of something that
    was ongoing (employment, supervision), else "import.row.change"."""
    if before.get("end_date") == "" and after.get("end_date", "") != "":
        return "import.row.end"
    return "import.row.change"


def refused_grant(role: str) -> str:
    """The problem with a row that would give a role an upload may not give."""
    return (
        f"the {ROLE_NAMES.get(role, role)} role cannot be given by an upload; an administrator "
        "grants it on the person's page"
    )


def more_problems(count: int) -> str:
    """The line that stands for the problems left off a list."""
    return f"… and {count:,} more problem{'' if count == 1 else 's'}"


def looks_like_utf16(head: bytes) -> bool:
    """Whether a file starting with these bytes (its first line, say) is UTF-16 text: it has a
    UTF-16 byte order mark, or most of its characters come with a zero byte (ASCII in UTF-16).
    UTF-8 text has no zero bytes but the NUL character, which the checks refuse anyway."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    head = head[:256]
    pairs = len(head) // 2
    if pairs == 0:
        return False
    return max(head[0::2].count(0), head[1::2].count(0)) * 2 > pairs


def file_size(size: int) -> str:
    """A size in bytes for people: "20 MB", "25.3 MB", "1.5 kB", "300 bytes" (a kilobyte
    being 1024 bytes, as file managers count)."""
    if size < 1024:
        return f"{size} byte{'' if size == 1 else 's'}"
    value, unit = (size / 1024, "kB") if size < 1024 * 1024 else (size / 1024 / 1024, "MB")
    return f"{value:.0f} {unit}" if value == round(value) else f"{value:.1f} {unit}"


def too_big(sizes: Mapping[str, int], limit: int) -> str | None:
    """Why files (name → size in bytes) are too big to import at once, or None."""
    total = sum(sizes.values())
    return None if total <= limit else over_the_limit(total, limit)


def over_the_limit(total: int, limit: int) -> str:
    """What to do about files that come to more than one import takes."""
    return (
        f"The files come to {file_size(total)}; one import takes at most {file_size(limit)}. "
        "Import them in parts: any of the files may be left out, and later files may refer "
        "to people and sessions imported earlier."
    )


def circles(manager_of: Mapping[str, str], starts: Iterable[str]) -> Iterator[list[str]]:
    """Every loop of line management that the people in `starts` lead into (person → their
    line manager), once each, as the people in it in order from where the walk met it."""
    walked: set[str] = set()
    for start in starts:
        path: dict[str, int] = {}  # person → place on this walk
        person: str | None = start
        while person is not None and person not in walked and person not in path:
            path[person] = len(path)
            person = manager_of.get(person)
        if person is not None and person in path:
            yield list(path)[path[person] :]
        walked.update(path)


def overlapping(
    periods: Sequence[tuple[dt.date, dt.date | None]],
) -> Iterator[tuple[int, int]]:
    """Pairs (i, j) where period j starts on or before the last day of an earlier period i.

    Periods must be sorted by start; an end of None is ongoing. Each later period is paired
    with the earlier one that reaches furthest, so every overlapping period is reported once.
    """
    furthest: int | None = None
    for j, (start, end) in enumerate(periods):
        if furthest is not None:
            reach = periods[furthest][1]
            if reach is None or start <= reach:
                yield furthest, j
        if furthest is None or _later(end, periods[furthest][1]):
            furthest = j


def _later(end: dt.date | None, than: dt.date | None) -> bool:
    return than is not None and (end is None or end > than)


def _short(value: str) -> str:
    """A value for a message, cut short if long (a field may hold 128 kB)."""
    return value if len(value) <= QUOTED_UP_TO else value[:QUOTED_UP_TO] + "…"


def _q(value: str) -> str:
    return f'"{_short(value)}"'


# Reading.


class _Context:
    """Problems found so far, and the shared counters and caches of one parse."""

    def __init__(self, progress: Callable[[int], None] | None, keep: int) -> None:
        # The first `keep` problems in report order, as a heap whose top is the last of
        # them: (-file order, -line, -number found, text).
        self.kept: list[tuple[int, int, int, str]] = []
        self.keep = keep
        self.count = 0
        self.progress = progress
        self.seen = 0
        self.rows: dict[str, int] = {}
        self.dates: dict[str, dt.date | None] = {}

    def problem(self, name: str, line: int, message: str) -> None:
        self.count += 1
        order = FILES.index(name) if name in COLUMNS else -1
        # Problems on one line keep the order they were found in.
        entry = (-order, -line, -self.count, f"{name}:{line}: {message}")
        if len(self.kept) < self.keep:
            heapq.heappush(self.kept, entry)
        elif self.kept and entry > self.kept[0]:
            heapq.heapreplace(self.kept, entry)

    def errors(self) -> list[str]:
        return [text for *_, text in sorted(self.kept, reverse=True)]

    def tick(self) -> None:
        self.seen += 1
        if self.progress is not None and self.seen % PROGRESS_EVERY == 0:
            self.progress(self.seen)

    def date(
        self, name: str, line: int, column: str, value: str, *, required: bool = True
    ) -> tuple[bool, dt.date | None]:
        """(ok, date); a blank optional value is ok and None."""
        if not value:
            if required:
                self.problem(name, line, f"{column} is blank")
            return not required, None
        try:
            day = self.dates[value]
        except KeyError:
            day = None
            if _DATE.fullmatch(value):
                try:
                    day = dt.date.fromisoformat(value)
                except ValueError:
                    pass
            self.dates[value] = day
        if day is None:
            self.problem(name, line, f"{column} {_q(value)} is not a date (YYYY-MM-DD)")
            return False, None
        return True, day

    def choice(
        self, name: str, line: int, column: str, value: str, options: tuple[str, ...]
    ) -> bool:
        if value in options:
            return True
        if value:
            self.problem(name, line, f"{column} {_q(value)} is not one of: {', '.join(options)}")
        else:
            self.problem(name, line, f"{column} is blank")
        return False

    def text(self, name: str, line: int, column: str, value: str, *, required: bool = True) -> bool:
        if not value:
            if required:
                self.problem(name, line, f"{column} is blank")
            return not required
        if len(value) > MAX_LENGTH[column]:
            self.problem(name, line, f"{column} is longer than {MAX_LENGTH[column]} characters")
            return False
        return True

    def identifier(self, name: str, line: int, column: str, value: str) -> bool:
        """A key that is not blank, not too long, and safe in an address."""
        if not self.text(name, line, column, value):
            return False
        if not _ID.fullmatch(value):
            self.problem(
                name,
                line,
                f'{column} {_q(value)} may only contain letters (A–Z, a–z), digits, "-", "_" '
                'and "."',
            )
            return False
        if value in {".", ".."}:
            self.problem(name, line, f'{column} cannot be "." or ".."')
            return False
        return True

    def period(self, name: str, line: int, start: dt.date | None, end: dt.date | None) -> bool:
        if start is not None and end is not None and end < start:
            self.problem(name, line, f"end_date {end} is before start_date {start}")
            return False
        return True

    def reference(
        self,
        name: str,
        line: int,
        column: str,
        value: str,
        ids: dict[str, str] | None,
        what: str,
        file: str,
    ) -> str | None:
        """The canonical id, or None after reporting a blank or unknown one."""
        if not value:
            self.problem(name, line, f"{column} is blank")
            return None
        if ids is None:
            return value
        canonical = ids.get(value)
        if canonical is None:
            self.problem(
                name,
                line,
                f"{column} {_q(value)} is not a known {what} (not in {file} nor imported before)",
            )
        return canonical


class _Table:
    """One file: its header checked, then its data rows with their line numbers."""

    def __init__(self, name: str, lines: Iterable[str], ctx: _Context) -> None:
        self.name, self.ctx = name, ctx
        self.columns = COLUMNS[name]
        self.records = self._read(iter(lines))
        self.usable = False
        self.width = 0
        self.order: list[int] | None = None
        self.unreadable = False
        self.names: list[str] = []
        header = next(self.records, None)
        if header is None:
            if not self.unreadable:
                ctx.problem(
                    name, 1, f"the file is empty: it needs the header row {','.join(self.columns)}"
                )
            return
        raw = header[1]
        if found := _CONTROL.search("".join(raw)):
            ctx.problem(name, 1, f"the header contains {_control(found[0])}")
            raw = [_CONTROL.sub("", h) for h in raw]
        names = [h.strip().lstrip("\ufeff").strip() for h in raw]
        missing = [c for c in self.columns if c not in names]
        for column in missing:
            ctx.problem(name, 1, f"missing column {_q(column)}")
        for column in names:
            if column not in self.columns:
                ctx.problem(
                    name,
                    1,
                    f"unknown column {_q(column)} (the columns are: {', '.join(self.columns)})",
                )
        for column in sorted({c for c in names if names.count(c) > 1}):
            ctx.problem(name, 1, f"column {_q(column)} appears more than once")
        self.usable = not missing and len(set(names)) == len(names)
        self.width = len(names)
        self.names = names
        if self.usable and tuple(names) != self.columns:
            self.order = [names.index(c) for c in self.columns]

    def _read(self, lines: Iterator[str]) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(lines)
        line = 1
        try:
            for fields in reader:
                yield line, fields
                line = reader.line_num + 1
        except WrongEncoding as wrong:
            self.unreadable = True
            self.ctx.problem(
                self.name,
                1,
                f'the file is not UTF-8 (it looks like {wrong.encoding}); save it as "CSV UTF-8"',
            )
        except UnicodeDecodeError:
            self.unreadable = True
            self.ctx.problem(self.name, line, 'is not UTF-8 text (save the file as "CSV UTF-8")')
        except csv.Error as error:
            self.unreadable = True
            self.ctx.problem(self.name, line, f"cannot be read as CSV ({error})")

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, values in the order of COLUMNS), stripped; blank lines skipped."""
        name, ctx, width, order = self.name, self.ctx, self.width, self.order
        count = 0
        for line, fields in self.records:
            if len(fields) != width:
                if not any(f.strip() for f in fields):
                    continue
                ctx.problem(name, line, f"has {len(fields)} fields but the header has {width}")
                count += 1
                continue
            if _CONTROL.search("".join(fields)):
                fields = self._without_controls(line, fields)
            values = [f.strip() for f in fields]
            if not any(values):
                continue
            count += 1
            ctx.tick()
            yield line, values if order is None else [values[i] for i in order]
        ctx.rows[name] = count

    def _without_controls(self, line: int, fields: list[str]) -> list[str]:
        """Report each value holding a control character, then drop those characters, so
        that the row's other checks go on and no message carries one (PostgreSQL cannot
        store NUL)."""
        for column, value in zip(self.names, fields, strict=True):
            if found := _CONTROL.search(value):
                self.ctx.problem(self.name, line, f"{column} contains {_control(found[0])}")
        return [_CONTROL.sub("", value) for value in fields]


def _control(character: str) -> str:
    """A control character named for a message."""
    names = {"\x00": " (NUL)", "\t": " (a tab)", "\x7f": " (DEL)"}
    return f"a control character, U+{ord(character):04X}{names.get(character, '')}"


def _unique[K](seen: dict[K, int], key: K, line: int) -> int | None:
    """The line a key was first seen on, if not this one."""
    first = seen.setdefault(key, line)
    return None if first == line else first


# The files.


def _people(
    table: _Table,
    ctx: _Context,
    parsed: Parsed,
    stored: Known,
    known: dict[str, str],
    seen: dict[str, int],
    refused_roles: Collection[str],
) -> dict[str, str]:
    """Check the rows; returns every person id known after them, and fills `seen` with the
    line of each id in the file."""
    name = table.name
    managers: list[tuple[int, str]] = []
    # person → line manager as the file would leave them: the file's rows over the stored.
    manager_of = dict(stored.line_managers)
    roles = frozenset(ROLES)
    lines = parsed.lines[name]
    for line, (pid, full_name, email, role, service, locality, manager) in table.rows():
        ok = ctx.identifier(name, line, "person_id", pid)
        ok &= ctx.text(name, line, "name", full_name)
        if email and not _EMAIL.fullmatch(email):
            ctx.problem(name, line, f"email {_q(email)} is not an email address")
            ok = False
        elif email:
            ok &= ctx.text(name, line, "email", email)
        if role not in roles:
            ok &= ctx.choice(name, line, "role", role, ROLES)
        elif is_privileged_grant(role, stored.roles.get(pid), refused_roles):
            ctx.problem(name, line, refused_grant(role))
            ok = False
        ok &= ctx.text(name, line, "service", service, required=False)
        ok &= ctx.text(name, line, "locality", locality, required=False)
        if locality and not service:
            ctx.problem(name, line, f"locality {_q(locality)} is given without a service")
            ok = False
        if manager and manager == pid:
            ctx.problem(name, line, "a person cannot be their own line manager")
            ok = False
        elif manager:
            managers.append((line, manager))
        if pid and (first := _unique(seen, pid, line)) is not None:
            ctx.problem(name, line, f"person_id {_q(pid)} appears again (first on line {first})")
            ok = False
        elif pid and manager and manager != pid:
            manager_of[pid] = manager
        elif pid:
            manager_of.pop(pid, None)
        if ok:
            parsed.people[pid] = PersonRow(full_name, email, role, service, locality, manager)
            lines.append(line)
    ids = known | {str(pid): str(pid) for pid in seen}
    for line, manager in managers:
        ctx.reference(name, line, "line_manager_id", manager, ids, "person", "people.csv")
    _line_management_circles(ctx, seen, manager_of)
    return ids


def _line_management_circles(
    ctx: _Context, lines: Mapping[str, int], manager_of: Mapping[str, str]
) -> None:
    """Nobody may be, however indirectly, their own line manager. Each loop through the
    file's people is reported once, on the first of their lines; loops among people the file
    does not mention are not this file's problem."""
    for circle in circles(manager_of, lines):
        ours = [person for person in circle if person in lines]
        if not ours:
            continue
        first = min(ours, key=lines.__getitem__)
        at = circle.index(first)
        circle = circle[at:] + circle[:at]
        chain = " → ".join(
            _short(p) if p in lines else f"{_short(p)} (imported before)" for p in [*circle, first]
        )
        ctx.problem("people.csv", lines[first], f"line management goes round in a circle: {chain}")


def _employment(
    table: _Table, ctx: _Context, parsed: Parsed, people: dict[str, str] | None
) -> None:
    name = table.name
    if not table.usable:
        return
    seen: dict[object, int] = {}
    for line, (pid, start_text, end_text) in table.rows():
        person = ctx.reference(name, line, "person_id", pid, people, "person", "people.csv")
        ok, start = ctx.date(name, line, "start_date", start_text)
        ok_end, end = ctx.date(name, line, "end_date", end_text, required=False)
        ok &= ok_end & ctx.period(name, line, start, end)
        if ok and person is not None and start is not None:
            key = (person, start)
            if (first := _unique(seen, key, line)) is not None:
                ctx.problem(
                    name,
                    line,
                    f"employment of {_q(pid)} from {start} appears again (first on line {first})",
                )
            else:
                parsed.employment[key] = end
                parsed.lines[name].append(line)


def _supervision(
    table: _Table,
    ctx: _Context,
    parsed: Parsed,
    people: dict[str, str] | None,
    stored_roles: Mapping[str, str],
    supervising: Mapping[str, Sequence[tuple[str, str, dt.date]]],
) -> dict[tuple[str, str, str, dt.date], int]:
    """Check the rows; returns the line of each relationship, for the overlap check."""
    name = table.name
    lines: dict[tuple[str, str, str, dt.date], int] = {}
    if not table.usable:
        return lines
    for line, (supervisee_id, supervisor_id, kind, start_text, end_text) in table.rows():
        supervisee = ctx.reference(
            name, line, "supervisee_id", supervisee_id, people, "person", "people.csv"
        )
        supervisor = ctx.reference(
            name, line, "supervisor_id", supervisor_id, people, "person", "people.csv"
        )
        ok = supervisee is not None and supervisor is not None
        ok &= ctx.choice(name, line, "type", kind, RELATIONSHIP_TYPES)
        ok_start, start = ctx.date(name, line, "start_date", start_text)
        ok_end, end = ctx.date(name, line, "end_date", end_text, required=False)
        ok &= ok_start & ok_end & ctx.period(name, line, start, end)
        if supervisee_id and supervisee_id == supervisor_id:
            ctx.problem(name, line, "a person cannot supervise themselves")
            ok = False
        # The role the import leaves the supervisor with: the file's, else the stored one.
        # Ending a relationship already in force is always allowed (it is how a supervisor
        # moving to governance stops supervising).
        row = parsed.people.get(supervisor) if supervisor is not None else None
        role = row.role if row is not None else stored_roles.get(supervisor or "")
        ending = end is not None and (supervisee, kind, start) in supervising.get(
            supervisor or "", ()
        )
        if role is not None and not may_supervise(role) and not ending:
            ctx.problem(
                name,
                line,
                f"supervisor_id {_q(supervisor_id)} has the role {role}: governance and "
                "administrator accounts supervise no one",
            )
            ok = False
        if ok and supervisee is not None and supervisor is not None and start is not None:
            key = (supervisee, supervisor, kind, start)
            first = lines.setdefault(key, line)
            if first != line:
                ctx.problem(
                    name,
                    line,
                    f"{kind} supervision of {supervisee} by {supervisor} from {start} appears "
                    f"again (first on line {first})",
                )
            else:
                parsed.supervision[key] = end
                parsed.lines[name].append(line)
    return lines


def _supervisors_who_may_not(
    parsed: Parsed, known: Known, person_lines: Mapping[str, int], ctx: _Context
) -> None:
    """A person people.csv gives a governance or administrator role must not be left
    supervising anyone: each of their stored relationships still in force must be ended in
    supervision.csv (an end date given there), as the relationships page would be used to."""
    for pid, row in parsed.people.items():
        if may_supervise(row.role):
            continue
        still = [
            (supervisee, kind, start)
            for supervisee, kind, start in known.supervising.get(pid, ())
            if parsed.supervision.get((supervisee, pid, kind, start)) is None
        ]
        if still:
            supervisee, kind, start = still[0]
            others = f" and {len(still) - 1} more" if len(still) > 1 else ""
            ctx.problem(
                "people.csv",
                person_lines[pid],
                f"role {row.role}: {_q(pid)} still supervises {_q(supervisee)} ({kind} from "
                f"{start}){others}, and governance and administrator accounts supervise no "
                "one; end that supervision in supervision.csv (end_date) first",
            )


def _overlaps(
    parsed: Parsed,
    known: Known,
    lines: Mapping[tuple[str, str, str, dt.date], int],
    ctx: _Context,
) -> None:
    """At most one peer work supervisor at a time (spec §1): the file's periods must not
    overlap each other nor the stored ones that the file does not restate."""
    # supervisee → [(start, end, supervisor, line in the file or None if stored)]
    periods: dict[str, list[tuple[dt.date, dt.date | None, str, int | None]]] = defaultdict(list)
    for (supervisee, supervisor, kind, start), end in parsed.supervision.items():
        if kind == "peer_work":
            line = lines[supervisee, supervisor, kind, start]
            periods[supervisee].append((start, end, supervisor, line))
    for supervisee in periods:
        for supervisor, stored_start, stored_end in known.peer_work.get(supervisee, ()):
            if (supervisee, supervisor, "peer_work", stored_start) not in parsed.supervision:
                periods[supervisee].append((stored_start, stored_end, supervisor, None))
    for supervisee, spans in periods.items():
        if len(spans) < 2:
            continue
        spans.sort(key=lambda s: (s[0], s[3] or 0))
        for i, j in overlapping([(s[0], s[1]) for s in spans]):
            earlier, later = spans[i], spans[j]
            here, there = (later, earlier) if later[3] is not None else (earlier, later)
            at = here[3]
            if at is None:
                continue  # both stored already: not this file's problem
            other = (
                f"line {there[3]}"
                if there[3] is not None
                else f"the peer work supervision by {there[2]} from {there[0]}, "
                f"{'ongoing' if there[1] is None else f'to {there[1]}'}, already imported"
            )
            ctx.problem(
                "supervision.csv",
                at,
                f"{supervisee} would have two peer work supervisors at once: this period "
                f"overlaps {other}",
            )


def _absences(table: _Table, ctx: _Context, parsed: Parsed, people: dict[str, str] | None) -> None:
    name = table.name
    if not table.usable:
        return
    seen: dict[object, int] = {}
    for line, (pid, kind, start_text, end_text) in table.rows():
        person = ctx.reference(name, line, "person_id", pid, people, "person", "people.csv")
        ok = ctx.choice(name, line, "type", kind, ABSENCE_TYPES)
        ok_start, start = ctx.date(name, line, "start_date", start_text)
        ok_end, end = ctx.date(name, line, "end_date", end_text)
        ok &= ok_start & ok_end & ctx.period(name, line, start, end)
        if ok and person is not None and start is not None and end is not None:
            key = (person, kind, start)
            if (first := _unique(seen, key, line)) is not None:
                ctx.problem(
                    name,
                    line,
                    f"{kind} absence of {_q(pid)} from {start} appears again "
                    f"(first on line {first})",
                )
            else:
                parsed.absences[key] = end
                parsed.lines[name].append(line)


def _sessions(
    table: _Table,
    ctx: _Context,
    parsed: Parsed,
    people: dict[str, str] | None,
    known: dict[str, str],
) -> dict[str, str]:
    name = table.name
    seen: dict[object, int] = {}
    times: dict[str, dt.time | None] = {}
    minutes_of: dict[str, int | None] = {}
    kinds, modalities = frozenset(SESSION_KINDS), frozenset(MODALITIES)
    for line, (
        sid,
        kind,
        date,
        start_text,
        minutes_text,
        lead_id,
        modality,
        location,
    ) in table.rows():
        ok = ctx.identifier(name, line, "session_id", sid)
        if kind not in kinds:
            ok &= ctx.choice(name, line, "kind", kind, SESSION_KINDS)
        ok_day, day = ctx.date(name, line, "date", date)
        ok &= ok_day
        if start_text not in times:
            times[start_text] = (
                dt.time.fromisoformat(start_text) if _TIME.fullmatch(start_text) else None
            )
        start_time = times[start_text]
        if start_time is None:
            if start_text:
                ctx.problem(name, line, f"start_time {_q(start_text)} is not a time (HH:MM)")
            else:
                ctx.problem(name, line, "start_time is blank")
            ok = False
        if minutes_text not in minutes_of:
            minutes_of[minutes_text] = (
                int(minutes_text) if _MINUTES.fullmatch(minutes_text) else None
            )
        minutes = minutes_of[minutes_text]
        if not minutes_text:
            ctx.problem(name, line, "duration_minutes is blank")
            ok = False
        elif minutes is None or minutes <= 0:
            ctx.problem(
                name, line, f"duration_minutes {_q(minutes_text)} is not a whole number above 0"
            )
            ok = False
        elif minutes > LONGEST_SESSION_MINUTES:
            ctx.problem(
                name,
                line,
                f"duration_minutes {_q(minutes_text)} is more than a day "
                f"({LONGEST_SESSION_MINUTES} minutes)",
            )
            ok = False
        lead = ctx.reference(name, line, "lead_id", lead_id, people, "person", "people.csv")
        if modality not in modalities:
            ok &= ctx.choice(name, line, "modality", modality, MODALITIES)
        ok &= ctx.text(name, line, "location", location, required=False)
        if sid and (first := _unique(seen, sid, line)) is not None:
            ctx.problem(name, line, f"session_id {_q(sid)} appears again (first on line {first})")
            ok = False
        if ok and lead is not None and day is not None and start_time is not None:
            parsed.sessions[sid] = SessionRow(
                kind, day, start_time, minutes or 0, lead, modality, location
            )
            parsed.lines[name].append(line)
    known.update((str(s), str(s)) for s in seen)
    return known


def _attendance(
    table: _Table,
    ctx: _Context,
    parsed: Parsed,
    people: dict[str, str] | None,
    sessions: dict[str, str] | None,
    cancelled: Mapping[str, frozenset[str]],
) -> None:
    name = table.name
    if not table.usable:
        return
    seen: dict[object, int] = {}
    statuses = frozenset(ATTENDANCE_STATUSES)
    attendance = parsed.attendance
    lines = parsed.lines[name]
    for line, (sid, pid, status) in table.rows():
        # The common case, a good row, takes two lookups and a set test.
        session = sessions.get(sid) if sessions is not None else sid or None
        person = people.get(pid) if people is not None else pid or None
        ok = status in statuses
        if session is None:
            ctx.reference(name, line, "session_id", sid, sessions, "session", "sessions.csv")
        if person is None:
            ctx.reference(name, line, "person_id", pid, people, "person", "people.csv")
        if not ok:
            ctx.choice(name, line, "status", status, ATTENDANCE_STATUSES)
        if session is None or person is None:
            continue
        key = (session, person)
        first = seen.setdefault(key, line)
        if first != line:
            ctx.problem(
                name,
                line,
                f"{_q(pid)} in session {_q(sid)} appears again (first on line {first})",
            )
        elif ok and (allowed := cancelled.get(session)) is not None and status not in allowed:
            ctx.problem(
                name,
                line,
                f"session {_q(sid)} is cancelled, so nobody attended it: its register keeps "
                f"the cancellation status ({' or '.join(sorted(allowed))}), not {_q(status)}",
            )
        elif ok:
            attendance[key] = status
            lines.append(line)
