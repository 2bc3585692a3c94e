"""Profile one page against the benchmark database, signed in as the bench user.

    python -m bench.profile PATH [--database-url URL] [--top 30] [--sort cumulative|tottime]
                                 [--queries]

Run after `python -m bench.run` (which leaves the database and the user in place). Prints the
page's SQL query count and time, then cProfile's top functions.
"""

import argparse
import cProfile
import os
import pstats
import secrets
import time

from cryptography.fernet import Fernet

from bench.run import DEFAULT_DATABASE_URL, signed_in_client


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("path", help="e.g. /matrix/?service=1")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--queries", action="store_true", help="print each query and its time")
    args = parser.parse_args(argv)
    os.environ.update(
        {
            "COREFLECT_ENV": "production",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(32),
            # The benchmark writes no note content, so a new key each run reads everything it made.
            "NOTES_KEYS": Fernet.generate_key().decode(),
            "DATABASE_URL": args.database_url,
            "DJANGO_SETTINGS_MODULE": "coreflect.settings",
            "ALLOWED_HOSTS": "127.0.0.1",
        }
    )
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Requests as if over HTTPS: production settings redirect plain HTTP.
    client = signed_in_client()
    client.get(args.path, secure=True)  # warm up
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(args.path, secure=True)
        elapsed = time.perf_counter() - started
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    print(
        f"GET {args.path}: {response.status_code} in {elapsed * 1000:.0f} ms; "
        f"{len(queries)} queries taking {sql_ms:.0f} ms"
    )
    if args.queries:
        for query in queries.captured_queries:
            print(f"{float(query['time']) * 1000:6.1f} ms  {query['sql'][:300]}")
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(args.path, secure=True)
    profiler.disable()
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
