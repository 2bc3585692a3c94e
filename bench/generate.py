"""A synthetic organisation at national scale, written in the import format.

    python -m bench.generate OUTDIR [--workers 20000] [--years 2] [--seed 1] [--today YYYY-MM-DD]

Services of about 500 peer-work staff, each with a peer lead, co-ordinators, supervisors (about
one for every eight workers, themselves supervised) and line managers; monthly one-to-ones with
the current supervisor and monthly co-reflection groups of about ten on the last Wednesday of
the month, over `--years` recording years ending around today plus next month's sessions still
to come. Starters, leavers (some rejoin), changes of supervisor, annual leave, short and
long-term sickness and parental leave are mixed in.

The same seed and today give byte-identical files. People are held in memory (a few tens of
thousands); sessions and attendance, the million-row part, are streamed to the files.

Notes are not part of the import format: `notes_events` makes, for the one-to-ones the import
stored, the state changes of their notes in a spread of states, and bench/run.py loads them.
"""

import argparse
import csv
import datetime as dt
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coreflect.imports.rules import COLUMNS

ONE_DAY = dt.timedelta(days=1)

SERVICE_SIZE = 500  # peer-work staff in a service
LOCALITIES_PER_SERVICE = 4
SUPERVISEES_PER_SUPERVISOR = 8
REPORTS_PER_LINE_MANAGER = 20
GROUP_SIZE = 10  # co-reflection participants

# Shares of the front-line workers (peer workers and peer support workers).
STARTERS = 0.12
LEAVERS = 0.08
REJOINERS = 0.15  # of the leavers
SUPERVISOR_CHANGES = 0.10
CLINICAL_SUPERVISION = 0.05
# Shares of all peer-work staff.
LONG_TERM_SICK = 0.05
SHORT_SICK = 0.25
PARENTAL = 0.005
DISENGAGED = 0.06  # attend about half their sessions

# The import format's columns, file by file (docs/import-format.md).
HEADERS = COLUMNS

AREAS = (
    "North East",
    "North West",
    "Yorkshire",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London North",
    "London South",
    "South East",
    "South West",
    "Cumbria",
    "Humber",
)
SPECIALTIES = (
    "Adult Community",
    "Older People",
    "Children and Young People",
    "Crisis and Home Treatment",
    "Early Intervention in Psychosis",
    "Inpatient",
)
TOWNS = (
    "Ashford Bexley Carlisle Durham Exeter Frome Gateshead Halifax Ipswich Jarrow Kendal Leeds "
    "Morpeth Newark Oldham Preston Redcar Stockton Telford Ulverston Wakefield Yeovil Barnsley "
    "Crewe Derby Ely Goole Hexham Ilkley Keswick Luton Malton Norwich Penrith Ripon Selby "
    "Thirsk Whitby Wigan York"
).split()
FIRST = (
    "Jo Sam Alex Priya Tom Aisha Ben Chloe Dev Ella Femi Grace Harry Imran Jade Kit Leah Mo "
    "Nina Owen Pat Quinn Rosa Sunil Tara Uma Vic Will Yara Zac Amir Beth Cal Dana Eli Faye "
    "Gabe Hana Ivy Jon Kara Liam Maya Noor Ola Pete Rae Seb Tess Ugo Vera Wren Xena Yusuf Zoe"
).split()
LAST = (
    "Bell Shaw Khan Patel Reed Ahmed Clark Dixon Evans Fox Green Hall Irwin Jones Kerr Lamb "
    "Moss Nash Owens Park Quayle Ross Singh Todd Usher Vance Walsh Young Zhou Ali Brook Carr "
    "Dunn Ellis Ford Gray Hart Iqbal Joyce Kemp Lowe Marsh Noble Oakes Pryce Rhodes Stone"
).split()
ONE_TO_ONE_TIMES = ("09:00", "10:00", "11:00", "13:30", "14:30", "15:30")


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after the first of day's month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def last_wednesday(month: dt.date) -> dt.date:
    day = add_months(month, 1) - ONE_DAY
    return day - dt.timedelta(days=(day.weekday() - 2) % 7)


@dataclass(frozen=True)
class Window:
    """The months the sessions cover: `years` × 12 months up to this one, plus next month."""

    start: dt.date
    end: dt.date
    today: dt.date

    @classmethod
    def ending(cls, today: dt.date, years: int) -> "Window":
        this_month = today.replace(day=1)
        return cls(
            start=add_months(this_month, -(12 * years - 1)),
            end=add_months(this_month, 2) - ONE_DAY,
            today=today,
        )

    def months(self) -> Iterator[dt.date]:
        month = self.start
        while month <= self.end:
            yield month
            month = add_months(month, 1)


@dataclass(slots=True)
class Member:
    pid: str
    name: str
    email: str
    role: str
    service: str
    locality: str
    line_manager: str
    # (start, end) periods in a peer-work role; end None while ongoing.
    employment: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)
    # (start, end, supervisor id) of peer work supervision, never overlapping.
    peer_work: list[tuple[dt.date, dt.date | None, str]] = field(default_factory=list)
    # (supervisor id, type, start, end) of line management and clinical supervision.
    other_supervision: list[tuple[str, str, dt.date, dt.date | None]] = field(default_factory=list)
    # (type, start, end)
    absences: list[tuple[str, dt.date, dt.date]] = field(default_factory=list)
    attend: float = 0.9

    def employed_on(self, day: dt.date) -> bool:
        return any(s <= day and (e is None or day <= e) for s, e in self.employment)

    def supervisor_on(self, day: dt.date) -> str | None:
        for start, end, supervisor in self.peer_work:
            if start <= day and (end is None or day <= end):
                return supervisor
        return None

    def away_on(self, day: dt.date) -> bool:
        return any(s <= day <= e for _, s, e in self.absences)


@dataclass
class Group:
    facilitator: Member
    members: list[Member]
    modality: str
    location: str


@dataclass
class Organisation:
    window: Window
    rng: random.Random
    people: list[Member] = field(default_factory=list)
    peer: list[Member] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def add(
        self, prefix: str, role: str, service: str = "", locality: str = "", **kw: Any
    ) -> Member:
        number = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = number
        pid = f"{prefix}{number:06d}"
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        member = Member(
            pid=pid,
            name=f"{first} {last}",
            email=f"{first}.{last}.{pid}@bench.example.nhs.uk".lower(),
            role=role,
            service=service,
            locality=locality,
            line_manager=kw.get("line_manager", ""),
        )
        self.people.append(member)
        return member

    def add_peer(self, role: str, service: str, locality: str, line_manager: str) -> Member:
        member = self.add("P", role, service, locality, line_manager=line_manager)
        # Long-serving by default: started some time in the eight years before the window.
        member.employment.append(
            (self.window.start - dt.timedelta(self.rng.randrange(1, 2920)), None)
        )
        if self.rng.random() < DISENGAGED:
            member.attend = 0.5
        self.peer.append(member)
        return member

    def day_between(self, low: dt.date, high: dt.date) -> dt.date:
        return low + dt.timedelta(days=self.rng.randrange((high - low).days + 1))


def service_name(index: int) -> str:
    combos = len(AREAS) * len(SPECIALTIES)
    name = f"{AREAS[index % len(AREAS)]} {SPECIALTIES[index // len(AREAS) % len(SPECIALTIES)]}"
    return name if index < combos else f"{name} {index // combos + 1}"


def build(workers: int, years: int, seed: int, today: dt.date) -> Organisation:
    """The organisation in memory: people, their periods, supervision, absences, groups."""
    if workers < 50:
        raise ValueError("--workers must be at least 50")
    rng = random.Random(seed)
    org = Organisation(Window.ending(today, years), rng)
    director = org.add("X", "executive_director")
    org.add("X", "governance")
    org.add("X", "admin")
    head = org.add_peer("head_of_peer_work", "", "", director.pid)

    count = max(1, round(workers / SERVICE_SIZE))
    sizes = [(workers - 1) // count + (1 if i < (workers - 1) % count else 0) for i in range(count)]
    for index, size in enumerate(sizes):
        _service(org, index, size, head)
    for member in org.peer:
        _absences(org, member)
    return org


def _service(org: Organisation, index: int, size: int, head: Member) -> None:
    rng, window = org.rng, org.window
    name = service_name(index)
    places = [
        TOWNS[(LOCALITIES_PER_SERVICE * index + i) % len(TOWNS)]
        for i in range(LOCALITIES_PER_SERVICE)
    ]
    local: dict[str, list[Member]] = {place: [] for place in places}

    def supervise(supervisee: Member, supervisor: Member) -> None:
        supervisee.peer_work.append((supervisee.employment[0][0], None, supervisor.pid))

    lead = org.add_peer("peer_lead", name, places[0], head.pid)
    supervise(lead, head)
    local[places[0]].append(lead)
    coordinators = []
    for i in range(2 if size >= 60 else 1):
        coordinator = org.add_peer("peer_coordinator", name, places[i % len(places)], lead.pid)
        supervise(coordinator, lead)
        coordinators.append(coordinator)
        local[coordinator.locality].append(coordinator)

    managers: dict[str, list[Member]] = {place: [] for place in places}
    for i in range(max(len(places), round(size / REPORTS_PER_LINE_MANAGER))):
        place = places[i % len(places)]
        managers[place].append(org.add("L", "line_manager", name, place))

    rest = size - 1 - len(coordinators)
    supervisors: dict[str, list[Member]] = {place: [] for place in places}
    for i in range(max(1, round(rest / (SUPERVISEES_PER_SUPERVISOR + 1)))):
        place = places[i % len(places)]
        role = "senior_peer_worker" if i % 2 == 0 else "peer_practitioner"
        manager = managers[place][i // len(places) % len(managers[place])]
        supervisor = org.add_peer(role, name, place, manager.pid)
        supervise(supervisor, coordinators[i % len(coordinators)])
        supervisors[place].append(supervisor)
        local[place].append(supervisor)
    rest -= sum(len(s) for s in supervisors.values())

    start_low, start_high = window.start, window.today - dt.timedelta(days=14)
    leave_low, leave_high = window.start + dt.timedelta(days=30), window.today - ONE_DAY
    for i in range(rest):
        place = places[i % len(places)]
        own = supervisors[place] or [s for group in supervisors.values() for s in group]
        role = "peer_worker" if rng.random() < 0.6 else "peer_support_worker"
        manager = managers[place][i // len(places) % len(managers[place])]
        worker = org.add_peer(role, name, place, manager.pid)
        local[place].append(worker)
        supervisor = own[i // len(places) % len(own)]
        others = [s for s in own if s is not supervisor]
        event = rng.random()
        start = worker.employment[0][0]
        if event < STARTERS:
            start = org.day_between(start_low, start_high)
            worker.employment = [(start, None)]
            worker.peer_work = [(start, None, supervisor.pid)]
        elif event < STARTERS + LEAVERS:
            end = org.day_between(leave_low, leave_high)
            worker.employment = [(start, end)]
            worker.peer_work = [(start, end, supervisor.pid)]
            back = end + dt.timedelta(days=rng.randrange(30, 200))
            if rng.random() < REJOINERS and back <= window.today - dt.timedelta(days=7):
                again = rng.choice(others) if others else supervisor
                worker.employment.append((back, None))
                worker.peer_work.append((back, None, again.pid))
        elif event < STARTERS + LEAVERS + SUPERVISOR_CHANGES and others:
            change = org.day_between(leave_low, window.today - dt.timedelta(days=30))
            worker.peer_work = [
                (start, change - ONE_DAY, supervisor.pid),
                (change, None, rng.choice(others).pid),
            ]
        else:
            worker.peer_work = [(start, None, supervisor.pid)]
        first, last = worker.employment[0][0], worker.employment[-1][1]
        worker.other_supervision.append((manager.pid, "line_management", first, last))
        if rng.random() < CLINICAL_SUPERVISION:
            clinician = rng.choice(managers[place])
            worker.other_supervision.append((clinician.pid, "clinical", first, last))

    for place, members in local.items():
        _groups(org, name, place, members, supervisors[place] + coordinators + [lead])


def _groups(
    org: Organisation, service: str, place: str, members: list[Member], facilitators: list[Member]
) -> None:
    """Co-reflection groups of about ten, each facilitated by someone not in it."""
    count = max(1, round(len(members) / GROUP_SIZE))
    for index in range(count):
        group = members[index::count]
        inside = {m.pid for m in group}
        candidates = [f for f in facilitators if f.pid not in inside]
        if not candidates:
            continue
        in_person = org.rng.random() < 0.7
        org.groups.append(
            Group(
                facilitator=candidates[index % len(candidates)],
                members=group,
                modality="in_person" if in_person else "video",
                location=f"{place} peer hub, group room" if in_person else "",
            )
        )


def _absences(org: Organisation, member: Member) -> None:
    rng, window = org.rng, org.window
    seen: set[tuple[str, dt.date]] = set()

    def add(kind: str, start: dt.date | None, days: int) -> None:
        if start is None or (kind, start) in seen:
            return
        end = start + dt.timedelta(days=days - 1)
        # Not beyond the employment period it starts in.
        for s, e in member.employment:
            if s <= start and (e is None or start <= e):
                if e is not None:
                    end = min(end, e)
                break
        seen.add((kind, start))
        member.absences.append((kind, start, end))

    def employed_day(low: dt.date, high: dt.date) -> dt.date | None:
        for _ in range(3):
            day = org.day_between(low, high)
            if member.employed_on(day):
                return day
        return None

    if rng.random() < LONG_TERM_SICK:
        start = employed_day(window.start, window.today)
        if start is not None:
            length = rng.randrange(28, 150)
            if rng.random() < 0.4:
                # Fit notes renewed back to back: several records, one spell.
                first = length // 2
                add("sickness", start, first)
                add("sickness", start + dt.timedelta(days=first), length - first)
            else:
                add("sickness", start, length)
    if rng.random() < SHORT_SICK:
        for _ in range(rng.randrange(1, 3)):
            add("sickness", employed_day(window.start, window.end), rng.randrange(1, 11))
    if rng.random() < PARENTAL:
        add("parental", employed_day(window.start, window.today), rng.randrange(120, 300))
    half_year = window.start
    while half_year <= window.end:
        high = min(add_months(half_year, 6) - ONE_DAY, window.end)
        add("annual_leave", employed_day(half_year, high), rng.randrange(5, 11))
        half_year = add_months(half_year, 6)


def _status(member: Member, day: dt.date, today: dt.date, co: bool, r: float) -> str:
    away = member.away_on(day)
    if day > today:
        if away:
            return "apologies" if co else "cancelled_by_supervisee"
        if co:
            return "invited" if r < 0.6 else "tentative" if r < 0.85 else "apologies"
        if r < 0.75:
            return "invited"
        return "tentative" if r < 0.92 else "cancelled_by_supervisor"
    if away:
        return "apologies" if co else "cancelled_by_supervisee"
    if r < member.attend:
        return "attended"
    r = (r - member.attend) / (1 - member.attend)
    if co:
        return (
            "apologies" if r < 0.6 else "did_not_attend" if r < 0.85 else "cancelled_by_supervisee"
        )
    if r < 0.35:
        return "cancelled_by_supervisee"
    return "cancelled_by_supervisor" if r < 0.7 else "did_not_attend"


def write(org: Organisation, outdir: Path) -> dict[str, int]:
    """Write the six files into outdir; returns rows written per file."""
    outdir.mkdir(parents=True, exist_ok=True)
    rows = dict.fromkeys(HEADERS, 0)
    handles = {name: (outdir / name).open("w", encoding="utf-8", newline="") for name in HEADERS}
    try:
        out = {name: csv.writer(handle, lineterminator="\n") for name, handle in handles.items()}
        for name, writer in out.items():
            writer.writerow(HEADERS[name])

        def iso(day: dt.date | None) -> str:
            return "" if day is None else day.isoformat()

        for m in org.people:
            out["people.csv"].writerow(
                [m.pid, m.name, m.email, m.role, m.service, m.locality, m.line_manager]
            )
            for start, end in m.employment:
                out["employment.csv"].writerow([m.pid, iso(start), iso(end)])
            for start, end, supervisor in m.peer_work:
                out["supervision.csv"].writerow(
                    [m.pid, supervisor, "peer_work", iso(start), iso(end)]
                )
            for supervisor, kind, start, end in m.other_supervision:
                out["supervision.csv"].writerow([m.pid, supervisor, kind, iso(start), iso(end)])
            for kind, start, end in m.absences:
                out["absences.csv"].writerow([m.pid, kind, iso(start), iso(end)])
            rows["people.csv"] += 1
            rows["employment.csv"] += len(m.employment)
            rows["supervision.csv"] += len(m.peer_work) + len(m.other_supervision)
            rows["absences.csv"] += len(m.absences)
        rows["sessions.csv"], rows["attendance.csv"] = _sessions(
            org, out["sessions.csv"], out["attendance.csv"]
        )
    finally:
        for handle in handles.values():
            handle.close()
    return rows


def _sessions(org: Organisation, sessions: Any, attendance: Any) -> tuple[int, int]:
    """Stream each month's one-to-ones and co-reflections with their registers."""
    rng, today = org.rng, org.window.today
    number = registers = 0
    supervised = [m for m in org.peer if m.peer_work]
    for month in org.window.months():
        end = add_months(month, 1) - ONE_DAY
        weekdays = [
            month + dt.timedelta(days=d)
            for d in range((end - month).days + 1)
            if (month + dt.timedelta(days=d)).weekday() < 5
        ]
        for member in supervised:
            day = rng.choice(weekdays)
            r = rng.random()
            if not member.employed_on(day):
                continue
            supervisor = member.supervisor_on(day)
            if supervisor is None:
                continue
            number += 1
            sid = f"S{number:08d}"
            if r < 0.5:
                modality, location = "in_person", f"{member.locality or 'Trust HQ'} peer hub"
            else:
                modality, location = ("video", "") if r < 0.9 else ("phone", "")
            sessions.writerow(
                [
                    sid,
                    "one_to_one",
                    day,
                    ONE_TO_ONE_TIMES[number % 6],
                    60,
                    supervisor,
                    modality,
                    location,
                ]
            )
            attendance.writerow([sid, member.pid, _status(member, day, today, False, rng.random())])
            registers += 1
        wednesday = last_wednesday(month)
        for group in org.groups:
            # The facilitator sometimes moves the date a week earlier.
            day = wednesday - dt.timedelta(days=7) if rng.random() < 0.05 else wednesday
            present = [m for m in group.members if m.employed_on(day)]
            if not present or not group.facilitator.employed_on(day):
                continue
            number += 1
            sid = f"S{number:08d}"
            sessions.writerow(
                [
                    sid,
                    "co_reflection",
                    day,
                    "13:00",
                    180,
                    group.facilitator.pid,
                    group.modality,
                    group.location,
                ]
            )
            for member in present:
                attendance.writerow(
                    [sid, member.pid, _status(member, day, today, True, rng.random())]
                )
            registers += len(present)
    return number, registers


# The notes of the held one-to-ones (the register's benchmark): how their state changes run,
# with each one's share of the sessions. Answers come after sharing; "revised" notes were
# answered with changes, shared again and accepted.
NOTES_SPREAD = (
    ("not_written", 0.06, ()),
    ("draft", 0.06, ("draft",)),
    ("shared", 0.12, ("draft", "shared")),
    ("changes_requested", 0.05, ("draft", "shared", "changes_requested")),
    ("review_together", 0.03, ("draft", "shared", "review_together")),
    ("revised", 0.08, ("draft", "shared", "changes_requested", "draft", "shared", "accepted")),
    ("accepted", 0.60, ("draft", "shared", "accepted")),
)


def _delay(rng: random.Random, usual: int, late_share: float) -> int:
    """Calendar days to the next step: usually within `usual`, sometimes well after."""
    days = rng.randrange(usual)
    if rng.random() < late_share:
        days += rng.randrange(5, 20)
    return days


def notes_events(
    held: Iterator[tuple[int, dt.date]] | list[tuple[int, dt.date]], *, today: dt.date, seed: int
) -> Iterator[tuple[int, list[tuple[str, dt.date]]]]:
    """For each held one-to-one (session id, date), in the order given, the state changes of
    its notes as (state, day), oldest first; none for notes not written. A step that would
    come after today has not happened yet, nor have those after it."""
    rng = random.Random(seed)
    paths = [path for _, _, path in NOTES_SPREAD]
    weights = [share for _, share, _ in NOTES_SPREAD]
    for session, date in held:
        path = rng.choices(paths, weights)[0]
        day, events = date, []
        for state in path:
            if state == "draft":
                day += dt.timedelta(days=rng.randrange(2))
            elif state == "shared":
                day += dt.timedelta(days=_delay(rng, 9, 0.15))
            else:
                day += dt.timedelta(days=_delay(rng, 8, 0.15))
            if day > today:
                break
            events.append((state, day))
        yield session, events


def generate(
    outdir: Path, *, workers: int, years: int, seed: int, today: dt.date
) -> dict[str, int]:
    """Build the organisation and write it; returns rows per file."""
    return write(build(workers, years, seed, today), outdir)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("outdir", type=Path)
    parser.add_argument(
        "--workers", type=int, default=20000, help="peer-work staff (default 20000)"
    )
    parser.add_argument(
        "--years", type=int, default=2, help="recording years of sessions (default 2)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--today", type=dt.date.fromisoformat, default=None, help="default: the real today"
    )
    args = parser.parse_args(argv)
    today = args.today or dt.date.today()  # noqa: DTZ011 (a calendar date, as the import reads it)
    started = time.perf_counter()
    rows = generate(
        args.outdir, workers=args.workers, years=args.years, seed=args.seed, today=today
    )
    for name, count in rows.items():
        print(f"{name}: {count} rows")
    print(f"written to {args.outdir} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
