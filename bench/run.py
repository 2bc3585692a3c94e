"""The national-scale benchmark (`make bench`); docs/performance.md explains the figures.

    python -m bench.run [--workers 20000] [--duration 30] [--clients 16]
                        [--database-url postgres://postgres@127.0.0.1:5432/coreflect_bench]

Drops and recreates the benchmark database, generates the organisation into
build/bench/data/, times `coreflect import`, times the whole-organisation compliance
computation against a hand-written SQL floor (and checks they agree), times storing and
checking everyone's results, load-tests the matrix page, the overview and a trivial page under
gunicorn with wrk, measures the whole-organisation .xlsx export, then writes the figures into
docs/performance.md and prints them. Every step has a time limit and the server is stopped at
the end, whatever happens.
"""

import argparse
import base64
import datetime as dt
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from bench import generate

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BUILD = ROOT / "build" / "bench"
DATA = BUILD / "data"
DOC = ROOT / "docs" / "performance.md"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coreflect_bench"
BENCH_USERNAME = "bench-head-of-peer-work"
# The bench user's authenticator app (production requires a second factor), new each run.
BENCH_TOTP_SECRET = base64.b32encode(secrets.token_bytes(20)).decode()
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"

TARGETS = {
    "import_seconds": 120.0,
    "compliance_ratio": 3.0,
    "matrix_p95_ms": 300.0,
    "matrix_share": 0.25,
    "overview_p95_ms": 300.0,
    "overview_share": 0.25,
    "errors": 0,
    "xlsx_peak_mb": 300.0,
    "notes_ratio": 2.0,
}

# wrk's own latency histogram gives exact percentiles; response() counts non-2xx answers
# (wrk on its own counts only 4xx/5xx, and a 302 to the login page must count as an error).
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "non2xx": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"timeout": %d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max, bad, e.connect, e.read,
    e.write, e.timeout))
end
"""

# Run in a child process so that its peak memory is the export's alone.
XLSX_CHILD = """
import json, sys, time
import django
django.setup()
from django.contrib.auth.models import User
from django.test import Client

def high_water_kb():
    # This process's own peak resident memory. Not getrusage's ru_maxrss: Linux carries that
    # over exec, so it would report the benchmark's own memory at the fork.
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username=sys.argv[1]))
session = client.session
session["signin_second_factor_at"] = time.time()  # coreflect.signin.state.SECOND_FACTOR_AT
session.save()
before = high_water_kb()
started = time.perf_counter()
response = client.get("/matrix.xlsx", secure=True)  # production settings redirect http
size = 0
with open(sys.argv[2], "wb") as out:
    for chunk in response.streaming_content:
        size += len(chunk)
        out.write(chunk)
elapsed = time.perf_counter() - started
peak = high_water_kb()
print("XLSX_JSON " + json.dumps({"status": response.status_code, "seconds": elapsed,
      "bytes": size, "rss_before_kb": before, "peak_rss_kb": peak}))
"""


@dataclass
class Load:
    label: str
    path: str
    requests: int
    seconds: float
    rps: float
    # None when no request finished within the run.
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    non2xx: int
    socket_errors: int

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(cmd: list[str], *, env: dict[str, str], timeout: float, output: Path) -> float:
    """Run a command to completion, its output to a file; returns wall seconds."""
    started = time.perf_counter()
    with output.open("w") as out:
        done = subprocess.run(
            cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, timeout=timeout
        )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        tail = "\n".join(output.read_text().splitlines()[-20:])
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}); see {output}:\n{tail}")
    return elapsed


# --- the database --------------------------------------------------------------------------


def analyze(url: str) -> float:
    """Refresh the planner's statistics and the visibility map, as autovacuum would soon
    after a bulk load (index-only scans need the map)."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


# PostgreSQL's default (4) models spinning disks; 1.1 is the usual value for SSD storage.
RANDOM_PAGE_COST = 1.1


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop {name!r}: the benchmark database's name must say bench")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        # The planner setting docs/deployment.md recommends for a database on SSD storage.
        conn.execute(
            sql.SQL("ALTER DATABASE {} SET random_page_cost = {}").format(
                sql.Identifier(name), sql.Literal(RANDOM_PAGE_COST)
            )
        )


# --- compliance against the SQL floor ------------------------------------------------------


def floor_sql() -> str:
    """Attended and still-scheduled sessions per person, quarter and kind, for the peer workers
    employed in the year: the least any implementation of the counting must do."""
    from coreflect.people.models import EmploymentPeriod, Person
    from coreflect.supervision.models import Attendance, Session

    return f"""
        SELECT a.person_id,
               CASE WHEN s.date <= %(q1)s THEN 1 WHEN s.date <= %(q2)s THEN 2
                    WHEN s.date <= %(q3)s THEN 3 ELSE 4 END AS quarter,
               s.kind,
               COUNT(*) FILTER (WHERE a.status = 'attended' AND s.date <= %(as_of)s),
               COUNT(*) FILTER (WHERE s.date > %(as_of)s AND a.status <> ALL(%(not_coming)s))
          FROM {Attendance._meta.db_table} a
          JOIN {Session._meta.db_table} s ON s.id = a.session_id
          JOIN {Person._meta.db_table} p ON p.id = a.person_id
         WHERE s.date BETWEEN %(start)s AND %(end)s
           AND a.person_id <> s.lead_id
           AND s.cancelled_at IS NULL
           AND p.role = ANY(%(roles)s)
           AND EXISTS (SELECT 1 FROM {EmploymentPeriod._meta.db_table} e
                        WHERE e.person_id = p.id AND e.start_date <= %(end)s
                          AND (e.end_date IS NULL OR e.end_date >= %(start)s))
         GROUP BY 1, 2, 3
    """


def median_seconds(fn: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    fn()  # warm the caches once, untimed
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def compliance(repeat: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from coreflect.compliance import matrix, rules
    from coreflect.compliance.models import StoredResult, current_policy
    from coreflect.people.models import PEER_WORK_ROLES, Person

    policy = current_policy()
    today = timezone.localdate()
    start_year = rules.year_containing(today, policy)
    year = rules.recording_year(start_year, policy)
    q1, q2, q3, _ = rules.quarters(year)
    params: dict[str, Any] = {
        "q1": q1.end,
        "q2": q2.end,
        "q3": q3.end,
        "as_of": today,
        "start": year.start,
        "end": year.end,
        "roles": sorted(PEER_WORK_ROLES),
        "not_coming": sorted(rules.NOT_COMING),
    }
    sql = floor_sql()

    def floor() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    context = matrix.Context(start_year, today, policy)
    everyone = list(Person.objects.values_list("pk", flat=True))

    def whole_organisation() -> int:
        """The computation itself: the engine for everyone, nothing read from or stored in
        the stored results."""
        return len(matrix.compute(everyone, context, within=Person.objects.all()))

    def store_organisation() -> int:
        """A new day's first overview: no result current, so everyone's is computed and
        stored (then the statistics refreshed)."""
        StoredResult.objects.all().delete()
        return matrix.refresh(None, context)

    def check_organisation() -> int:
        """Any later overview while nothing changed: the checksum says nothing is stale."""
        return matrix.refresh(None, context)

    def read_organisation() -> int:
        """The whole-organisation download's rows, read from current stored results."""
        return len(
            matrix.build(Person.objects.all(), start_year=start_year, as_of=today, policy=policy)
        )

    def query_layer() -> int:
        members = matrix.in_year(Person.objects.all(), year)
        return len(matrix.attendance_counts(members, year, today))

    log(
        f"compliance for {year.label} as of {today}: matrix.compute vs the SQL floor, {repeat} runs"
    )
    people = whole_organisation()
    engine, engine_runs = median_seconds(whole_organisation, repeat)
    sql_floor, floor_runs = median_seconds(floor, repeat)
    counts, counts_runs = median_seconds(query_layer, repeat)
    stored, stored_runs = median_seconds(store_organisation, repeat)
    checked, checked_runs = median_seconds(check_organisation, repeat)
    read, read_runs = median_seconds(read_organisation, repeat)
    in_matrix = read_organisation()

    # One more run with the queries captured, to split the time between SQL and Python.
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        whole_organisation()
        traced = time.perf_counter() - started
    engine_sql = sum(float(q["time"]) for q in captured.captured_queries)

    # Where a person had sessions but attended none and has none to come, the floor has a
    # row of zeros and the engine has zeros in place: compare the counts that are not zero.
    expected = {(p, q, k): (a, s) for p, q, k, a, s in floor() if a or s}
    members = matrix.in_year(Person.objects.all(), year)
    got = {
        (person, quarter, kind): pair
        for person, counted in matrix.attendance_counts(members, year, today).items()
        for (quarter, kind), pair in zip(
            rules.COUNT_KEYS, zip(counted[::2], counted[1::2], strict=True), strict=True
        )
        if any(pair)
    }
    differences = sorted(set(expected.items()) ^ set(got.items()))[:5]
    agree = not differences
    print(
        f"  correctness: the SQL floor and matrix.attendance_counts agree on "
        f"{len(expected)} (person, quarter, kind) counts: {'yes' if agree else 'NO'}"
    )
    if not agree:
        print(f"  first differences: {differences}")
    return {
        "year": year.label,
        "as_of": today.isoformat(),
        "people": people,
        "members": in_matrix,
        "cells": len(expected),
        "agree": agree,
        "engine_seconds": engine,
        "engine_runs": engine_runs,
        "floor_seconds": sql_floor,
        "floor_runs": floor_runs,
        "counts_seconds": counts,
        "counts_runs": counts_runs,
        "stored_seconds": stored,
        "stored_runs": stored_runs,
        "checked_seconds": checked,
        "checked_runs": checked_runs,
        "read_seconds": read,
        "read_runs": read_runs,
        "ratio": engine / sql_floor,
        "engine_queries": len(captured),
        "engine_sql_share": engine_sql / traced,
    }


# --- the notes register against its SQL floor ----------------------------------------------


def load_notes(seed: int, today: dt.date) -> dict[str, Any]:
    """Notes for every held one-to-one the import stored, in a spread of states
    (generate.notes_events), written with COPY: a Notes row for each set that was started and
    a NotesEvent for each change of state. Nothing is written if the database has notes."""
    from django.db import connection

    from coreflect.notes import register
    from coreflect.notes.models import Notes, NotesEvent

    if Notes.objects.exists():
        return {"notes": Notes.objects.count(), "events": NotesEvent.objects.count()}
    started = time.perf_counter()
    held = list(register.held_one_to_ones(today).order_by("pk").values_list("pk", "date"))
    notes_rows: list[tuple[int, int, str, int, dt.datetime]] = []
    event_rows: list[tuple[int, str, dt.date, dt.datetime, str]] = []
    for session, events in generate.notes_events(held, today=today, seed=seed):
        if not events:
            continue
        notes_id = len(notes_rows) + 1
        for step, (state, day) in enumerate(events):
            # Mid-morning in London (the same day in UTC), a minute apart on one day.
            at = dt.datetime.combine(day, dt.time(10, step), tzinfo=dt.UTC)
            event_rows.append((notes_id, state, day, at, "Bench supervisor"))
        first_at = event_rows[-len(events)][3]
        notes_rows.append((notes_id, session, events[-1][0], len(events), first_at))
    notes_table, events_table = Notes._meta.db_table, NotesEvent._meta.db_table
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(
            f"COPY {notes_table} (id, session_id, state, version, created_at) FROM STDIN"
        ) as copy:
            for row in notes_rows:
                copy.write_row(row)
        with raw.copy(
            f'COPY {events_table} (notes_id, state, "on", at, by_name) FROM STDIN'
        ) as copy:
            for row in event_rows:
                copy.write_row(row)
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{notes_table}', 'id'), "
            f"(SELECT MAX(id) FROM {notes_table}))"
        )
    return {
        "held": len(held),
        "notes": len(notes_rows),
        "events": len(event_rows),
        "load_seconds": time.perf_counter() - started,
    }


def notes_floor_sql() -> str:
    """The register of every held one-to-one in one hand-written query: the same ids, states
    and dates as `coreflect notes-register`, working days from a calendar of the days between
    %(first)s and %(last)s less the weekends and the bank holidays passed in."""
    from coreflect.notes.models import Notes, NotesEvent
    from coreflect.people.models import Person
    from coreflect.supervision.models import Attendance, Session

    answers = ", ".join(f"'{state}'" for state in sorted(_answers()))
    return f"""
        WITH calendar AS (
            SELECT day, working,
                   COUNT(*) FILTER (WHERE working) OVER (ORDER BY day) AS n
              FROM (SELECT d::date AS day,
                           EXTRACT(ISODOW FROM d) < 6 AND d::date <> ALL(%(holidays)s) AS working
                      FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
                   ) days
        ),
        due AS (
            SELECT c.day, s.day AS share_due, r.day AS response_due
              FROM calendar c
              JOIN calendar s ON s.working AND s.n = c.n + %(share_days)s
              JOIN calendar r ON r.working AND r.n = c.n + %(response_days)s
        ),
        events AS (
            SELECT e.notes_id,
                   (ARRAY_AGG(e.state ORDER BY e.at DESC, e.id DESC))[1] AS state,
                   MIN(e.on) FILTER (WHERE e.state = 'shared') AS first_shared,
                   MAX(e.on) FILTER (WHERE e.state = 'shared') AS last_shared,
                   MAX(e.on) FILTER (WHERE e.state IN ({answers})) AS last_answer,
                   MAX(e.on) FILTER (WHERE e.state = 'accepted') AS accepted
              FROM {NotesEvent._meta.db_table} e
             WHERE e.on <= %(as_of)s
             GROUP BY e.notes_id
        )
        SELECT COALESCE(s.external_id, '#' || s.id), s.date, lead.external_id,
               supervisee.external_id, COALESCE(ev.state, 'not_written'), sd.share_due,
               ev.first_shared, rd.response_due,
               CASE WHEN ev.state = 'accepted' THEN ev.accepted END,
               COALESCE((ev.first_shared IS NULL AND %(as_of)s > sd.share_due)
                        OR (ev.state = 'shared' AND %(as_of)s > rd.response_due), false)
          FROM {Session._meta.db_table} s
          JOIN {Attendance._meta.db_table} a ON a.session_id = s.id AND a.status = 'attended'
          JOIN {Person._meta.db_table} lead ON lead.id = s.lead_id
          JOIN {Person._meta.db_table} supervisee ON supervisee.id = a.person_id
          JOIN due sd ON sd.day = s.date
          LEFT JOIN {Notes._meta.db_table} n ON n.session_id = s.id
          LEFT JOIN events ev ON ev.notes_id = n.id
          LEFT JOIN due rd ON rd.day = ev.last_shared
         WHERE s.kind = 'one_to_one' AND s.cancelled_at IS NULL AND s.date <= %(as_of)s
           AND a.person_id <> s.lead_id
         ORDER BY s.date, s.external_id NULLS LAST, s.id
    """


def _answers() -> frozenset[str]:
    from coreflect.notes import rules

    return rules.ANSWERS


def notes_register(repeat: int, seed: int) -> dict[str, Any]:
    """The whole organisation's notes register as the command makes its rows
    (register.lines, before they are written out) beside notes_floor_sql(); then the
    command's whole JSON output, the page's counts and the page itself, once each."""
    from django.db import connection
    from django.utils import timezone

    from coreflect.notes import register, workdays
    from coreflect.policy.models import PolicySettings

    today = timezone.localdate()
    loaded = load_notes(seed, today)
    log(f"  notes: {loaded}")
    analyze(os.environ["DATABASE_URL"])
    policy = PolicySettings.objects.current()
    deadlines = register.Deadlines.of(policy)

    def command_rows() -> list[register.Line]:
        held = register.held_one_to_ones(today)
        return list(register.lines(held, as_of=today, deadlines=deadlines))

    first = register.held_one_to_ones(today).order_by("date").values_list("date", flat=True)[:1]
    start = (first[0] if first else today) - dt.timedelta(days=1)
    # Far enough past the day for the longest deadline, bank holidays and all.
    last = today + dt.timedelta(days=2 * max(deadlines.share_days, deadlines.response_days) + 30)
    params = {
        "first": start,
        "last": last,
        "holidays": sorted(
            day
            for year in range(start.year, last.year + 1)
            for day in workdays.bank_holidays(deadlines.region, year)
        ),
        "share_days": deadlines.share_days,
        "response_days": deadlines.response_days,
        "as_of": today,
    }
    sql = notes_floor_sql()

    def floor() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def command_output() -> int:
        rows = register.lines(register.held_one_to_ones(today), as_of=today, deadlines=deadlines)
        return sum(len(chunk) for chunk in register.json_chunks(rows, as_of=today))

    def page_counts() -> int:
        held = register.held_one_to_ones(today)
        return len(register.tallies(held, as_of=today, deadlines=deadlines))

    log(f"the notes register as of {today}: register.lines vs the SQL floor, {repeat} runs")
    ours, ours_runs = median_seconds(command_rows, repeat)
    sql_floor, floor_runs = median_seconds(floor, repeat)
    rows, expected = command_rows(), floor()
    agree = rows == [tuple(row) for row in expected]
    differences = [(a, b) for a, b in zip(rows, expected, strict=False) if a != tuple(b)][:3]
    print(
        f"  correctness: the SQL floor and register.lines agree on all {len(expected):,} "
        f"sessions: {'yes' if agree and len(rows) == len(expected) else 'NO'}"
    )
    if differences or len(rows) != len(expected):
        print(f"  {len(rows)} rows against {len(expected)}; first differences: {differences}")
    started = time.perf_counter()
    output_bytes = command_output()
    output_seconds = time.perf_counter() - started
    started = time.perf_counter()
    supervisors = page_counts()
    counts_seconds = time.perf_counter() - started
    client = signed_in_client()
    from django.test.utils import CaptureQueriesContext

    client.get("/notes/register/", secure=True)  # untimed: the first builds the policy row
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        page = client.get("/notes/register/", secure=True)
        page_seconds = time.perf_counter() - started
    if page.status_code != 200:
        raise SystemExit(f"GET /notes/register/ answered {page.status_code}, not 200")
    states: dict[str, int] = {}
    for row in rows:
        states[row[4]] = states.get(row[4], 0) + 1
    return {
        "as_of": today.isoformat(),
        **loaded,
        "sessions": len(rows),
        "states": states,
        "overdue": sum(1 for row in rows if row[-1]),
        "agree": agree and len(rows) == len(expected),
        "register_seconds": ours,
        "register_runs": ours_runs,
        "floor_seconds": sql_floor,
        "floor_runs": floor_runs,
        "ratio": ours / sql_floor,
        "output_seconds": output_seconds,
        "output_mb": output_bytes / 1024 / 1024,
        "counts_seconds": counts_seconds,
        "supervisors": supervisors,
        "page_seconds": page_seconds,
        "page_queries": len(captured),
    }


# --- the server and the load ---------------------------------------------------------------


def ensure_tools() -> None:
    if shutil.which("gunicorn", path=str(BIN)) is None:
        # Not a project dependency yet; it belongs in pyproject's dev extras.
        log("installing gunicorn into the venv")
        subprocess.run(
            [str(BIN / "pip"), "install", "--quiet", "gunicorn"], check=True, timeout=300
        )
    if shutil.which("wrk") is None:
        if os.geteuid() != 0:
            raise SystemExit("wrk is missing: sudo apt-get install -y wrk")
        log("installing wrk from Debian")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, timeout=600)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# What a TLS-ending proxy adds to each request it passes on (COREFLECT_TLS_PROXY=1).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def request(
    port: int, method: str, path: str, *, headers: dict[str, str] | None = None, body: str = ""
) -> tuple[HTTPResponse, bytes]:
    conn = HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        # TLS is ended by a proxy in front of the app in production; the benchmark plays it.
        conn.request(method, path, body=body or None, headers={**PROXY_HEADERS, **(headers or {})})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def cookies(response: HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def wait_until_serving(port: int, server: subprocess.Popen[bytes], limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}); see {BUILD / 'server.log'}")
        try:
            response, _ = request(port, "GET", "/accounts/login/")
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer within {limit:.0f} s")


def log_in(port: int, password: str) -> str:
    """Sign in through the login form, as a browser would; returns the Cookie header."""
    response, body = request(port, "GET", "/accounts/login/")
    jar = cookies(response)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if token is None or "csrftoken" not in jar:
        raise SystemExit("the login page gave no CSRF token")
    form = urllib.parse.urlencode(
        {
            "login": BENCH_USERNAME,
            "password": password,
            "csrfmiddlewaretoken": token.group(1).decode(),
        }
    )
    response, _ = request(
        port,
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken']}",
            # A secure request's CSRF check wants a same-origin Referer, as browsers send.
            "Referer": f"https://127.0.0.1:{port}/accounts/login/",
        },
    )
    jar |= cookies(response)
    if response.status != 302 or response.headers["Location"] != "/accounts/2fa/authenticate/":
        raise SystemExit(f"signing in failed: {response.status}")
    # Production asks for the second factor: the code the bench user's authenticator app
    # would show now.
    from allauth.mfa.totp.internal import auth as totp

    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    response, body = request(port, "GET", "/accounts/2fa/authenticate/", headers={"Cookie": cookie})
    jar |= cookies(response)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if token is None:
        raise SystemExit(f"the second-factor page gave no CSRF token: {response.status}")
    counter = next(totp.yield_hotp_counters_from_time())
    code = totp.format_hotp_value(totp.hotp_value(BENCH_TOTP_SECRET, counter))
    response, _ = request(
        port,
        "POST",
        "/accounts/2fa/authenticate/",
        body=urllib.parse.urlencode({"code": code, "csrfmiddlewaretoken": token.group(1).decode()}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Referer": f"https://127.0.0.1:{port}/accounts/2fa/authenticate/",
        },
    )
    jar |= cookies(response)
    if response.status != 302 or "sessionid" not in jar:
        raise SystemExit(f"the second factor failed: {response.status}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def wrk(port: int, path: str, *, cookie: str, clients: int, seconds: int, label: str) -> Load:
    script = BUILD / "wrk.lua"
    script.write_text(WRK_SCRIPT)
    cmd = [
        "wrk",
        f"-t{min(clients, len(os.sched_getaffinity(0)))}",
        f"-c{clients}",
        f"-d{seconds}s",
        "--timeout",
        "60s",
        "-H",
        f"Cookie: {cookie}",
        *[f"-H{name}: {value}" for name, value in PROXY_HEADERS.items()],
        "-s",
        str(script),
        f"http://127.0.0.1:{port}{path}",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    found = re.search(r"^WRK_JSON (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"wrk failed: {done.stdout}\n{done.stderr}")
    (BUILD / f"wrk-{label}.txt").write_text(done.stdout)
    r = json.loads(found.group(1))
    elapsed = r["duration_us"] / 1e6

    def ms(key: str) -> float | None:
        return r[key] / 1000 if r["requests"] else None

    return Load(
        label=label,
        path=path,
        requests=r["requests"],
        seconds=elapsed,
        rps=r["requests"] / elapsed,
        p50_ms=ms("p50_us"),
        p95_ms=ms("p95_us"),
        p99_ms=ms("p99_us"),
        max_ms=ms("max_us"),
        non2xx=r["non2xx"],
        socket_errors=r["connect"] + r["read"] + r["write"] + r["timeout"],
    )


def signed_in_client() -> Any:
    """A test client signed in as the bench user, with a second factor used (as production
    requires before any page), sending requests as if over HTTPS's proxy."""
    from django.contrib.auth.models import User
    from django.test import Client

    from coreflect.signin.state import SECOND_FACTOR_AT

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=BENCH_USERNAME))
    session = client.session
    session[SECOND_FACTOR_AT] = time.time()
    session.save()
    return client


def bench_user() -> str:
    """A signed-in head of peer work (sees the whole organisation); returns the password."""
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import User

    from coreflect.people.models import Person, Role

    password = secrets.token_urlsafe(16)
    user = User.objects.create_user(BENCH_USERNAME, password=password)
    TOTP.activate(user, BENCH_TOTP_SECRET)
    Person.objects.create(
        external_id="BENCH-HEAD",
        name="Bench Head of Peer Work",
        role=Role.HEAD_OF_PEER_WORK,
        user=user,
    )
    return password


def one_service() -> tuple[int, str, int]:
    """The first service by name, with its number of peer-work staff."""
    from django.db.models import Count, Q

    from coreflect.people.models import PEER_WORK_ROLES, Service

    service = (
        Service.objects.annotate(n=Count("people", filter=Q(people__role__in=PEER_WORK_ROLES)))
        .order_by("name")
        .first()
    )
    if service is None:
        raise SystemExit("no service was imported")
    return service.pk, service.name, service.n


def serve_and_load(
    env: dict[str, str], args: argparse.Namespace, password: str, service_pk: int
) -> dict[str, Any]:
    port = free_port()
    workers = args.server_workers or 2 * len(os.sched_getaffinity(0)) + 1
    server_log = (BUILD / "server.log").open("w")
    cmd = [
        str(BIN / "gunicorn"),
        "coreflect.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--timeout=120",
        "--graceful-timeout=5",
        "--log-level=warning",
    ]
    log(f"serving with gunicorn ({workers} sync workers) on 127.0.0.1:{port}")
    server = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        wait_until_serving(port, server)
        cookie = log_in(port, password)
        pages = [
            ("trivial", "/sessions/"),
            ("matrix", f"/matrix/?service={service_pk}"),
            ("matrix-status", f"/matrix/?service={service_pk}&status=at_risk"),
            ("overview", "/"),
        ]
        single: dict[str, dict[str, float]] = {}
        for label, path in pages:
            started = time.perf_counter()
            response, body = request(port, "GET", path, headers={"Cookie": cookie})
            if response.status != 200:
                raise SystemExit(f"GET {path} answered {response.status}, not 200")
            single[label] = {"ms": (time.perf_counter() - started) * 1000, "bytes": len(body)}
            log(f"GET {path}: 200, {len(body) / 1024:.0f} KiB in {single[label]['ms']:.0f} ms")
        # Everyone's results are stored by now (timing them above stored them last): vacuum
        # them, as autovacuum would soon after (it is off on this server), so that they are
        # read by index-only scans.
        log(f"  VACUUM (ANALYZE) after the first requests: {analyze(args.database_url):.1f} s")
        # Wake every worker before measuring.
        wrk(port, "/sessions/", cookie=cookie, clients=args.clients, seconds=5, label="warm-up")
        loads = []
        # The overview goes last (it was once slow: a slow page leaves requests running).
        for label, path in pages:
            wait_until_idle(server)
            log(f"load: {args.clients} clients for {args.duration} s on {path}")
            load = wrk(
                port, path, cookie=cookie, clients=args.clients, seconds=args.duration, label=label
            )
            log(
                f"  {load.requests} requests, {load.rps:.1f} req/s, p50 {show_ms(load.p50_ms)}, "
                f"p95 {show_ms(load.p95_ms)}, {load.errors} errors"
            )
            loads.append(load)
        return {"server_workers": workers, "single": single, "loads": [asdict(x) for x in loads]}
    finally:
        stop(server)
        server_log.close()


def cpu_ticks(pid: int) -> int:
    """CPU time (clock ticks) used so far by a process and its children."""
    total = 0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for each in [pid, *map(int, children)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def wait_until_idle(server: subprocess.Popen[bytes], limit: float = 300) -> None:
    """wrk stops on time, but requests it left queued still run: wait for them to finish."""
    deadline = time.monotonic() + limit
    before = cpu_ticks(server.pid)
    while time.monotonic() < deadline:
        time.sleep(1)
        now = cpu_ticks(server.pid)
        if now - before < os.sysconf("SC_CLK_TCK") // 20:  # under 5% of a core
            return
        before = now
    log(f"  the server was still busy {limit:.0f} s after the load stopped")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=15)


# --- the .xlsx export ----------------------------------------------------------------------


def xlsx(env: dict[str, str], people: int) -> dict[str, Any]:
    target = BUILD / "whole-organisation.xlsx"
    log("the whole organisation's .xlsx export (GET /matrix.xlsx in a child process)")
    done = subprocess.run(
        [sys.executable, "-c", XLSX_CHILD, BENCH_USERNAME, str(target)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    found = re.search(r"^XLSX_JSON (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"the export failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    result = json.loads(found.group(1))
    from openpyxl import load_workbook

    sheet = load_workbook(target, read_only=True).active
    rows = sum(1 for _ in sheet.iter_rows(values_only=True))
    result["rows"] = rows
    # A title row and a header row above one row a person.
    result["complete"] = result["status"] == 200 and rows == people + 2
    return result


# --- the machine and the report ------------------------------------------------------------


def machine() -> dict[str, Any]:
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    if changed:  # the figures are for the work tree, not for the commit
        commit = f"uncommitted, after {commit}"
    return {
        "cpus": len(os.sched_getaffinity(0)),  # what nproc says
        "memory_gib": round(total_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "postgres": postgres,
        "autovacuum": autovacuum,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "loop_before": cpu_speed(),
    }


def cpu_speed() -> float:
    """Seconds for a 10-million-step Python loop, the best of three: this machine's speed at
    the moment, to compare runs by (the same machine has taken from 0.35 s to 1.7 s)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for n in range(10_000_000):
            total += n
        best = min(best, time.perf_counter() - started)
    return best


def show_ms(value: float | None) -> str:
    return "none finished" if value is None else f"{value:.0f} ms"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(results: dict[str, Any], args: argparse.Namespace) -> str:
    m, c, x = results["machine"], results["compliance"], results["xlsx"]
    n = results["notes"]
    loads = {load["label"]: load for load in results["server"]["loads"]}
    matrix, overview, trivial = loads["matrix"], loads["overview"], loads["trivial"]
    errors = sum(load["non2xx"] + load["socket_errors"] for load in loads.values())
    share = matrix["rps"] / trivial["rps"]
    overview_share = overview["rps"] / trivial["rps"]
    peak_mb = x["peak_rss_kb"] / 1024
    rows = results["rows"]
    service = results["service"]
    t = TARGETS
    p95 = matrix["p95_ms"]
    summary: list[tuple[str, str, str, bool | None]] = [
        (
            "`coreflect import` of the whole dataset (wall time)",
            f"{results['import_seconds']:.1f} s",
            f"≤ {t['import_seconds']:.0f} s",
            results["import_seconds"] <= t["import_seconds"],
        ),
        (
            f"whole-organisation compliance, the engine (`matrix.compute`, {c['people']:,} "
            f"people, median of {len(c['engine_runs'])})",
            f"{c['engine_seconds']:.2f} s",
            "",
            None,
        ),
        (
            f"the SQL floor: one hand-written counting query (median of {len(c['floor_runs'])})",
            f"{c['floor_seconds']:.2f} s",
            "",
            None,
        ),
        (
            "computing and storing everyone's results, none current (a new day's first "
            "overview; `matrix.refresh`)",
            f"{c['stored_seconds']:.2f} s",
            "",
            None,
        ),
        (
            "checking everyone's results are current, none stale (`matrix.refresh`)",
            f"{c['checked_seconds'] * 1000:.1f} ms",
            "",
            None,
        ),
        (
            f"reading everyone's current results as rows ({c['members']:,}, `matrix.build`)",
            f"{c['read_seconds']:.2f} s",
            "",
            None,
        ),
        (
            "compliance ÷ SQL floor",
            f"{c['ratio']:.1f}×",
            f"≤ {t['compliance_ratio']:.0f}×",
            c["ratio"] <= t["compliance_ratio"],
        ),
        (
            f"matrix page for one service, p95 under {args.clients} clients",
            show_ms(p95),
            f"≤ {t['matrix_p95_ms']:.0f} ms",
            p95 is not None and p95 <= t["matrix_p95_ms"],
        ),
        (
            "matrix throughput ÷ trivial page throughput",
            f"{share:.0%}",
            f"≥ {t['matrix_share']:.0%}",
            share >= t["matrix_share"],
        ),
        (
            f"overview for the whole organisation, p95 under {args.clients} clients",
            show_ms(overview["p95_ms"]),
            f"≤ {t['overview_p95_ms']:.0f} ms",
            overview["p95_ms"] is not None and overview["p95_ms"] <= t["overview_p95_ms"],
        ),
        (
            "overview throughput ÷ trivial page throughput",
            f"{overview_share:.0%}",
            f"≥ {t['overview_share']:.0%}",
            overview_share >= t["overview_share"],
        ),
        (
            f"the notes register for the whole organisation (`register.lines`, "
            f"{n['sessions']:,} held one-to-ones, median of {len(n['register_runs'])})",
            f"{n['register_seconds']:.2f} s",
            "",
            None,
        ),
        (
            f"its SQL floor: one hand-written query giving the same states and dates (median "
            f"of {len(n['floor_runs'])})",
            f"{n['floor_seconds']:.2f} s",
            "",
            None,
        ),
        (
            "notes register ÷ SQL floor",
            f"{n['ratio']:.1f}×",
            f"≤ {t['notes_ratio']:.0f}×",
            n["ratio"] <= t["notes_ratio"],
        ),
        ("errors (non-2xx and socket errors, every page)", str(errors), "0", errors == 0),
        (
            "whole-organisation `.xlsx` export, peak memory of the process",
            f"{peak_mb:.0f} MB",
            f"≤ {t['xlsx_peak_mb']:.0f} MB",
            peak_mb <= t["xlsx_peak_mb"],
        ),
    ]
    lines = [
        f"Measured {m['date']} on commit {m['commit']}: {m['cpus']} CPUs ({m['cpu']}), "
        f"{m['memory_gib']} GiB memory, Python {m['python']}, PostgreSQL {m['postgres']}; "
        f"load average {m['load_before']} before the run and {m['load_after']} after it "
        f"(1, 5 and 15 minutes); a 10-million-step Python loop took {m['loop_before']:.2f} s "
        f"before and {m['loop_after']:.2f} s after (the best of three each time). "
        f"Dataset: `--workers {args.workers} "
        f"--years 2 --seed {args.seed}`, {rows['people.csv']:,} people, "
        f"{rows['sessions.csv']:,} sessions, {rows['attendance.csv']:,} attendance rows "
        f"({sum(rows.values()):,} rows in all).",
        "",
        "| measure | result | target | |",
        "|---|---|---|---|",
        *(
            f"| {measure} | {result} | {target} | {'' if ok is None else verdict(ok)} |"
            for measure, result, target, ok in summary
        ),
        "",
        f"Correctness: the SQL floor and `matrix.attendance_counts` "
        f"{'agree' if c['agree'] else '**disagree**'} on all {c['cells']:,} "
        f"(person, quarter, kind) counts for {c['year']} as of {c['as_of']}. `matrix.compute` "
        f"makes {c['engine_queries']} queries, which take {c['engine_sql_share']:.0%} of its time; "
        f"its counting query alone (`matrix.attendance_counts`) takes "
        f"{c['counts_seconds']:.2f} s.",
        "",
        f"Notes register: {n['notes']:,} sets of notes and {n['events']:,} state changes for "
        f"the {n['sessions']:,} one-to-ones held by {n['as_of']} "
        f"({', '.join(f'{state} {count:,}' for state, count in sorted(n['states'].items()))}; "
        f"{n['overdue']:,} overdue). The SQL floor and `register.lines` "
        f"{'agree' if n['agree'] else '**disagree**'} on every session's state, dates and "
        f"overdue flag. The command's whole JSON output ({n['output_mb']:.1f} MB) took "
        f"{n['output_seconds']:.2f} s; the page's counts per supervisor ({n['supervisors']:,} "
        f"supervisors) {n['counts_seconds']:.2f} s; the register page for a head of peer work "
        f"{n['page_seconds']:.2f} s in {n['page_queries']} queries.",
        "",
        f"Load: gunicorn with {results['server']['server_workers']} sync workers, DEBUG off, "
        f"PostgreSQL on the same machine; wrk with {args.clients} connections for "
        f"{args.duration} s a page, signed in as a head of peer work (who sees everyone). "
        f"The matrix page shows {service['name']} ({service['people']} peer-work staff).",
        "",
        "| page | requests | req/s | p50 | p95 | p99 | max | non-2xx | socket errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    names = {
        "matrix": "matrix, one service (first page of 50)",
        "matrix-status": "matrix, one service filtered by a status (in SQL)",
        "overview": "overview, whole organisation",
        "trivial": "trivial (own sessions)",
    }
    for label in ("matrix", "matrix-status", "overview", "trivial"):
        load = loads[label]
        lines.append(
            f"| {names[label]} `{load['path']}` | {load['requests']} | {load['rps']:.1f} "
            f"| {show_ms(load['p50_ms'])} | {show_ms(load['p95_ms'])} "
            f"| {show_ms(load['p99_ms'])} | {show_ms(load['max_ms'])} | {load['non2xx']} "
            f"| {load['socket_errors']} |"
        )
    lines += [
        "",
        f"Export: `/matrix.xlsx` for the whole organisation took {x['seconds']:.1f} s, "
        f"{x['bytes'] / 1024 / 1024:.1f} MB, {x['rows']:,} rows "
        f"({'complete' if x['complete'] else '**incomplete**'}); the process's resident memory "
        f"was {x['rss_before_kb'] / 1024:.0f} MB before the request and peaked at "
        f"{peak_mb:.0f} MB. The import's peak memory was {results['import_peak_mb']:.0f} MB; "
        f"the `VACUUM (ANALYZE)` run after it took {results['analyze_seconds']:.1f} s "
        f"(autovacuum is {m['autovacuum']} on this server); generating the dataset took "
        f"{results['generate_seconds']:.1f} s.",
    ]
    return "\n".join(lines)


def write_doc(section: str) -> None:
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        text += f"\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(f"{before}{START}\n{section}\n{END}{after}")


# --- the whole run -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--workers", type=int, default=20000, help="peer-work staff")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=int, default=30, help="seconds of load a page")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of the computation")
    parser.add_argument("--server-workers", type=int, default=0, help="default 2 × CPUs + 1")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--no-doc", action="store_true", help="print the figures without writing the docs"
    )
    args = parser.parse_args(argv)

    env = {
        **os.environ,
        "COREFLECT_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        # The benchmark writes no note content, so a new key each run reads everything it made.
        "NOTES_KEYS": Fernet.generate_key().decode(),
        # Served over plain HTTP on loopback as if behind a TLS-ending proxy (PROXY_HEADERS).
        "COREFLECT_TLS_PROXY": "1",
        # The national files come to about 70 MB, over the upload limit's default.
        "IMPORT_MAX_UPLOAD_BYTES": str(1024**3),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Production wants an SMTP server; the benchmark sends nothing (no worker runs).
        "EMAIL_HOST": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "coreflect.settings",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    BUILD.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    begun = time.perf_counter()

    ensure_tools()
    log(f"recreating the database {urllib.parse.urlsplit(args.database_url).path.lstrip('/')}")
    recreate_database(args.database_url)
    run(
        [str(BIN / "coreflect"), "migrate", "--no-input", "-v", "0"],
        env=env,
        timeout=600,
        output=BUILD / "migrate.log",
    )

    log(f"generating {args.workers} peer-work staff into {DATA.relative_to(ROOT)}")
    shutil.rmtree(DATA, ignore_errors=True)
    started = time.perf_counter()
    today = dt.date.today()  # noqa: DTZ011 (the server's local date, as the import reads dates)
    results["rows"] = generate.generate(
        DATA, workers=args.workers, years=2, seed=args.seed, today=today
    )
    results["generate_seconds"] = time.perf_counter() - started
    log(f"  {sum(results['rows'].values()):,} rows in {results['generate_seconds']:.1f} s")

    log("timing coreflect import")
    results["import_seconds"] = run(
        [str(BIN / "coreflect"), "import", str(DATA)],
        env=env,
        timeout=3600,
        output=BUILD / "import.log",
    )
    results["import_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    log(f"  {results['import_seconds']:.1f} s, peak {results['import_peak_mb']:.0f} MB")
    # This machine's PostgreSQL runs without autovacuum, and even with it a bulk load has no
    # statistics for up to a minute: without them the planner picks nested loops and the
    # one-service matrix query takes tens of seconds (docs/performance.md).
    results["analyze_seconds"] = analyze(args.database_url)
    log(f"  VACUUM (ANALYZE) after the import: {results['analyze_seconds']:.1f} s")

    import django

    django.setup()
    results["machine"] = machine()
    results["compliance"] = compliance(args.repeat)
    c = results["compliance"]
    log(
        f"  matrix.compute {c['engine_seconds']:.2f} s, floor {c['floor_seconds']:.2f} s, "
        f"storing {c['stored_seconds']:.2f} s, checking {c['checked_seconds'] * 1000:.1f} ms, "
        f"ratio {c['ratio']:.1f}×"
    )

    password = bench_user()
    results["notes"] = notes_register(args.repeat, args.seed)
    n = results["notes"]
    log(
        f"  register.lines {n['register_seconds']:.2f} s, floor {n['floor_seconds']:.2f} s, "
        f"ratio {n['ratio']:.1f}×, page {n['page_seconds']:.2f} s in {n['page_queries']} queries"
    )
    pk, name, size = one_service()
    results["service"] = {"pk": pk, "name": name, "people": size}
    from django.db import connections

    connections.close_all()
    results["server"] = serve_and_load(env, args, password, pk)
    results["xlsx"] = xlsx(env, c["members"])
    log(
        f"  {results['xlsx']['seconds']:.1f} s, peak {results['xlsx']['peak_rss_kb'] / 1024:.0f} MB"
    )

    results["machine"]["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results["machine"]["loop_after"] = cpu_speed()
    (BUILD / "results.json").write_text(json.dumps(results, indent=2, default=str))
    section = report(results, args)
    if not args.no_doc:
        write_doc(section)
    print()
    print(section)
    print()
    log(
        f"done in {time.perf_counter() - begun:.0f} s; figures in "
        f"{'build/bench/results.json' if args.no_doc else 'docs/performance.md'}"
    )


if __name__ == "__main__":
    main()
