"""The retention review at national scale: how fast the head of peer work's list of notes past
their retention date answers when years of notes are due, and how long one review's deletion
takes.

    python -m bench.retention [--supervisions 30000] [--per 12] [--reads 3]
                              [--database-url postgres://postgres@127.0.0.1:5432/coreflect_bench_retention]

Builds its own database (dropped and made again; its name must say bench), migrates it, and
loads with SQL: `--supervisions` supervisions that ended seven to twelve years ago, each with
`--per` one-to-ones whose notes (one version each) were read `--reads` times, plus as many
current supervisions with notes of their own (not due). Then, signed in as the head of peer
work, it times the first and last page of /retention/ and one deletion of a page of notes, and
prints the figures (docs/performance.md, "Retention review").
"""

import argparse
import os
import secrets
import statistics
import time

from cryptography.fernet import Fernet

from bench.run import analyze, recreate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/coreflect_bench_retention"
RUNS = 5

LOAD = [
    # Supervisors (1 in 10 of the supervisees), supervisees who left and supervisees now.
    """INSERT INTO people_person (external_id, name, email, role, is_carer_peer)
       SELECT 'R' || n, 'Supervisor ' || n, '', 'senior_peer_worker', false
       FROM generate_series(1, %(supervisors)s) n""",
    """INSERT INTO people_person (external_id, name, email, role, is_carer_peer)
       SELECT 'F' || n, 'Former worker ' || n, '', 'peer_worker', false
       FROM generate_series(1, %(supervisions)s) n""",
    """INSERT INTO people_person (external_id, name, email, role, is_carer_peer)
       SELECT 'C' || n, 'Current worker ' || n, '', 'peer_worker', false
       FROM generate_series(1, %(supervisions)s) n""",
    # Each former worker's supervision ended 7 to 12 years before today, after three years.
    """INSERT INTO supervision_supervisionrelationship
           (supervisee_id, supervisor_id, type, start_date, end_date, supervisor_is_peer)
       SELECT w.id, s.id, 'peer_work', e.ended - 1095, e.ended, true
       FROM people_person w
       JOIN LATERAL (SELECT (current_date - 2557 - (w.id %% 1826)::int) AS ended) e ON true
       JOIN people_person s ON s.external_id = 'R' || (1 + w.id %% %(supervisors)s)
       WHERE w.external_id LIKE 'F%%'""",
    """INSERT INTO supervision_supervisionrelationship
           (supervisee_id, supervisor_id, type, start_date, end_date, supervisor_is_peer)
       SELECT w.id, s.id, 'peer_work', current_date - 1095, NULL, true
       FROM people_person w
       JOIN people_person s ON s.external_id = 'R' || (1 + w.id %% %(supervisors)s)
       WHERE w.external_id LIKE 'C%%'""",
    # `per` one-to-ones a month apart inside each supervision, the last a month before its end
    # (or before today).
    # (The session ID names its supervision for the attendance below, then is cleared.)
    """INSERT INTO supervision_session
           (external_id, kind, date, start_time, duration_minutes, lead_id, modality,
            location, cancellation_reason, alternative_offered, version, created_at)
       SELECT r.id || '-' || k, 'one_to_one', COALESCE(r.end_date, current_date) - 30 * k,
              '10:00', 60, r.supervisor_id, 'in_person', '', '', '', 1, now()
       FROM supervision_supervisionrelationship r, generate_series(1, %(per)s) k
       ORDER BY r.id, k""",
    """INSERT INTO supervision_attendance (session_id, person_id, status)
       SELECT s.id, r.supervisee_id, 'attended'
       FROM supervision_session s
       JOIN supervision_supervisionrelationship r
         ON r.id = split_part(s.external_id, '-', 1)::bigint""",
    "UPDATE supervision_session SET external_id = NULL",
    """INSERT INTO notes_notes (session_id, state, version, created_at)
       SELECT id, 'accepted', 3, now() FROM supervision_session""",
    """INSERT INTO notes_notesversion
           (notes_id, number, kind, author_id, created_at, updated_at, wellbeing,
            actions_review, last_notes_agreed, challenging, gone_well, caseload_examples,
            topics_to_return, reflection, "values")
       SELECT n.id, 1, 'shared', s.lead_id, now(), now(), '', '', '', '', '', '', '', '',
              '[]'::jsonb
       FROM notes_notes n JOIN supervision_session s ON s.id = n.session_id""",
    """INSERT INTO audit_notesaccess
           (at, reader_username, reader_name, person_pk, notes_pk, session_pk, version, how)
       SELECT now(), 'reader', 'A reader', NULL, n.id, n.session_id, 1, 'page'
       FROM notes_notes n, generate_series(1, %(reads)s)""",
]


def setup_django(url: str) -> None:
    os.environ.update(
        {
            "COREFLECT_ENV": "production",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "NOTES_KEYS": Fernet.generate_key().decode(),
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "coreflect.settings",
            "ALLOWED_HOSTS": "testserver",
        }
    )
    import django

    django.setup()


def timed_get(client, path: str) -> tuple[float, int, str]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path, secure=True)
        elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return elapsed, len(queries), response.content.decode()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.retention")
    parser.add_argument("--supervisions", type=int, default=30_000)
    parser.add_argument("--per", type=int, default=12)
    parser.add_argument("--reads", type=int, default=3)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    recreate_database(args.database_url)
    setup_django(args.database_url)

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from coreflect.people.models import Person, Role

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    params = {
        "supervisions": args.supervisions,
        "supervisors": max(1, args.supervisions // 10),
        "per": args.per,
        "reads": args.reads,
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in LOAD:
            cursor.execute(statement, params)
    print(f"loaded in {time.perf_counter() - started:.1f} s")
    print(f"  vacuum analyze {analyze(args.database_url):.1f} s")
    user = User.objects.create_user("bench-retention-head")
    Person.objects.create(
        external_id="HEAD", name="Head of peer work", role=Role.HEAD_OF_PEER_WORK, user=user
    )
    with connection.cursor() as cursor:
        for table in ("notes_notes", "audit_notesaccess", "supervision_session"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our own names)
            print(f"  {table}: {cursor.fetchone()[0]:,} rows")
    client = Client()
    client.force_login(user)
    timed_get(client, "/retention/")  # untimed: the first builds the policy row
    from coreflect.notes.retention import past_retention
    from coreflect.policy.models import PolicySettings

    years = PolicySettings.objects.current().retention_years
    due = past_retention(timezone.localdate(), years).count()
    last = max(1, -(-due // 100))
    print(f"  {due:,} sets of notes past their retention date, {last:,} pages")
    for path in ("/retention/", f"/retention/?page={last}"):
        runs = [timed_get(client, path) for _ in range(RUNS)]
        times = sorted(t for t, _, _ in runs)
        print(
            f"GET {path}: median {statistics.median(times) * 1000:.0f} ms, "
            f"max {times[-1] * 1000:.0f} ms over {RUNS} runs, {runs[0][1]} queries"
        )
    from coreflect.notes.models import Notes
    from coreflect.retention.actions import delete_after_review

    page = list(past_retention(timezone.localdate(), years).values_list("pk", flat=True)[:100])
    started = time.perf_counter()
    gone = delete_after_review(by=user, notes_pks=page, reason="Bench")
    elapsed = time.perf_counter() - started
    print(
        f"deleting a page of {len(gone)} sets of notes with "
        f"{sum(t.access_records for t in gone)} access records: {elapsed * 1000:.0f} ms; "
        f"{Notes.objects.count():,} notes left"
    )


if __name__ == "__main__":
    main()
