"""The import at national scale, on its own: a first import into an empty database, the same
files again, then the files with one row in CHANGE_EVERY of each changed (a night's changes,
say), each timed with its peak memory and the audit entries it wrote; then the audit log's
searches on the log those imports leave.

    python -m bench.imports [--workers 20000] [--seed 1]
                            [--database-url postgres://postgres@127.0.0.1:5432/coreflect_bench_imports]

Builds its own database (dropped and made again; its name must say bench) and its own files
under build/bench-imports/, and prints the figures (docs/performance.md, "Imports"). Much
shorter than `make bench`, which loads pages for minutes after its import.
"""

import argparse
import csv
import datetime as dt
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from bench import generate
from bench.run import BIN, ROOT, analyze, log, recreate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/coreflect_bench_imports"
BUILD = ROOT / "build" / "bench-imports"
CHANGE_EVERY = 50

# Runs `coreflect import DIR` in a child of its own and prints its peak resident memory.
CHILD = """
import sys
import django
django.setup()
from django.core.management import call_command
call_command("import", sys.argv[1])
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(f"PEAK_KB {peak}")
"""


def timed_import(folder: Path, env: dict[str, str], output: Path) -> dict[str, Any]:
    started = time.perf_counter()
    with output.open("w") as out:
        child = subprocess.Popen(
            [str(BIN / "python"), "-c", CHILD, str(folder)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        # wait4 gives the child's own CPU time: on a shared machine the wall time moves with
        # the neighbours, the Python process's CPU seconds much less (PostgreSQL's are apart).
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    text = output.read_text()
    if child.returncode != 0:
        raise SystemExit(f"the import of {folder} failed; see {output}:\n{text[-2000:]}")
    peak = next(int(line.split()[1]) for line in text.splitlines() if line.startswith("PEAK_KB"))
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_mb": peak / 1024,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "summary": text.splitlines()[:-1],
    }


def changed_copy(source: Path, target: Path, today: dt.date) -> dict[str, int]:
    """The files of `source` with every CHANGE_EVERY-th row changed: a person renamed, an
    ongoing employment or supervision ended today (or on its start, if later), an absence a
    day longer, a session moved to another room, an attendance status turned round. Returns
    the rows changed in each file."""
    day = today.isoformat()

    def ended(row: dict[str, str]) -> bool:
        if row["end_date"]:
            return False
        row["end_date"] = max(day, row["start_date"])
        return True

    def longer(row: dict[str, str]) -> bool:
        row["end_date"] = (dt.date.fromisoformat(row["end_date"]) + dt.timedelta(1)).isoformat()
        return True

    change = {
        "people.csv": lambda row: bool(row.update(name=row["name"] + " Changed")) or True,
        "employment.csv": ended,
        "supervision.csv": ended,
        "absences.csv": longer,
        "sessions.csv": lambda row: bool(row.update(location="Room 50")) or True,
        "attendance.csv": lambda row: (
            bool(row.update(status="did_not_attend" if row["status"] == "attended" else "attended"))
            or True
        ),
    }
    target.mkdir(parents=True, exist_ok=True)
    changed = {}
    for name, how in change.items():
        count = 0
        with (source / name).open(newline="") as inp, (target / name).open("w", newline="") as out:
            reader = csv.DictReader(inp)
            writer = csv.DictWriter(out, reader.fieldnames or [])
            writer.writeheader()
            for number, row in enumerate(reader, 1):
                if number % CHANGE_EVERY == 0 and how(row):
                    count += 1
                writer.writerow(row)
        changed[name] = count
    return changed


def audit_entries(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT action, count(*) FROM audit_auditevent GROUP BY action ORDER BY action"
        ).fetchall()
    return {action: count for action, count in rows}


def searches() -> dict[str, float]:
    """Milliseconds for the first page of the audit log's searches, the best of three."""
    import django

    django.setup()
    from coreflect.auditlog import search
    from coreflect.people.models import Person

    person = Person.objects.filter(role="peer_worker").order_by("pk").values_list("name").first()
    supervisor = (
        Person.objects.filter(role="senior_peer_worker").order_by("pk").values_list("name").first()
    )
    asked = {
        "person (a peer worker, by name)": search.Filters(person=person[0] if person else "x"),
        "person (a supervisor, by name)": search.Filters(
            person=supervisor[0] if supervisor else "x"
        ),
        "action import.row.change": search.Filters(action="import.row.change"),
        "action import.role_grant (rare)": search.Filters(action="import.role_grant"),
        "dates (one day)": search.Filters(
            date_from=dt.date.today(),  # noqa: DTZ011 (the day the imports ran)
            date_to=dt.date.today(),  # noqa: DTZ011
        ),
    }
    times = {}
    for label, filters in asked.items():
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            search.page(filters, None)
            best = min(best, time.perf_counter() - started)
        times[label] = best * 1000
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.imports", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--workers", type=int, default=20000, help="peer-work staff")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep-files", action="store_true", help="reuse files already made")
    args = parser.parse_args(argv)
    env = {
        **os.environ,
        "COREFLECT_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "NOTES_KEYS": Fernet.generate_key().decode(),
        "IMPORT_MAX_UPLOAD_BYTES": str(1024**3),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "coreflect.settings",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    BUILD.mkdir(parents=True, exist_ok=True)
    today = dt.date.today()  # noqa: DTZ011 (the server's local date, as the import reads dates)
    first, changed = BUILD / "data", BUILD / "changed"
    if not (args.keep_files and first.is_dir()):
        log(f"generating {args.workers} peer-work staff into {first}")
        shutil.rmtree(first, ignore_errors=True)
        generate.generate(first, workers=args.workers, years=2, seed=args.seed, today=today)
    shutil.rmtree(changed, ignore_errors=True)
    log(f"rows changed for the last step: {changed_copy(first, changed, today)}")

    recreate_database(args.database_url)
    subprocess.run(
        [str(BIN / "coreflect"), "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=600,
    )
    results: dict[str, Any] = {}
    steps = [
        ("first import, empty database", first),
        ("the same files again", first),
        (f"one row in {CHANGE_EVERY} changed", changed),
    ]
    before: dict[str, int] = {}
    for number, (label, folder) in enumerate(steps):
        log(f"timing {label}")
        result = timed_import(folder, env, BUILD / f"import-{number}.log")
        after = audit_entries(args.database_url)
        result["audit_entries"] = {
            action: count - before.get(action, 0)
            for action, count in after.items()
            if count != before.get(action, 0)
        }
        before = after
        results[label] = result
        log(
            f"  {result['seconds']:.1f} s ({result['cpu_seconds']:.1f} s CPU), "
            f"peak {result['peak_mb']:.0f} MB, load {result['load']}"
        )
        if number == 0:
            # As `make bench` does after its import: a bulk load has no statistics yet.
            log(f"  VACUUM (ANALYZE): {analyze(args.database_url):.1f} s")
    analyze(args.database_url)
    results["search_ms"] = searches()
    (BUILD / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    sys.exit(main())
