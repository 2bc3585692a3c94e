"""Two real server processes over one database: what one stores and counts, the other reads,
and a write made in either shows in both at once. PostgreSQL only: another process cannot
reach SQLite's in-memory test database, and CI runs the suite on PostgreSQL too."""

import datetime as dt
import json
import os
import subprocess
import sys
import urllib.parse

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from coreflect.compliance import matrix
from coreflect.compliance.tests.test_overview import session
from coreflect.supervision.models import Attendance

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

# Run in the other process: at the test's frozen instant, the overview the way the head of peer
# work's request counts it, then optionally a write, then the overview again.
OTHER_PROCESS = """
import datetime as dt, json, sys
import time_machine
with time_machine.travel(dt.datetime.fromisoformat(sys.argv[1]), tick=False):
    import django
    django.setup()
    from coreflect.compliance import matrix, rules
    from coreflect.compliance.models import current_policy
    from coreflect.people.models import Person
    from coreflect.supervision.models import Attendance
    from django.utils import timezone

    today = timezone.localdate()
    policy = current_policy()
    context = matrix.Context(rules.year_containing(today, policy), today, policy)

    def numbers():
        o = matrix.overview(Person.objects.all(), context, listed=20)
        return {"people": o.people, "quarter": {s.value: n for s, n, _ in o.summary if n},
                "at_risk": o.at_risk_count, "missed": o.missed_count}

    seen = {"recomputed": matrix.refresh(None, context), "before": numbers()}
    if sys.argv[2] == "write":
        Attendance.objects.filter(person__external_id="ALICE").update(status="attended")
    seen["after"] = numbers()
    print(json.dumps(seen))
"""


def other_process(write: bool) -> dict:
    """Runs OTHER_PROCESS in a new Python process on the same (test) database."""
    db = connection.settings_dict
    url = urllib.parse.urlunsplit(
        (
            "postgres",
            f"{urllib.parse.quote(db['USER'] or '')}"
            + (f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
            + f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}",
            f"/{db['NAME']}",
            "",
            "",
        )
    )
    done = subprocess.run(  # noqa: S603 (this interpreter, this module's own code)
        [sys.executable, "-c", OTHER_PROCESS, timezone.now().isoformat(), "write" if write else ""],
        env={**os.environ, "DATABASE_URL": url, "COREFLECT_ENV": "development"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def numbers(response) -> dict:
    o = response.context["overview"]
    return {
        "people": o.people,
        "quarter": {s.value: n for s, n, _ in o.summary if n},
        "at_risk": o.at_risk_count,
        "missed": o.missed_count,
    }


@pytest.fixture
def booked(everyone):
    """Alice has this quarter's sessions on her register (the clock is frozen on 23 November
    2026), not yet marked attended."""
    alice, sam = everyone["alice"], everyone["sam"]
    for day in (6, 20):
        session(sam, [alice], dt.date(2026, 10, day), status="invited")
    session(sam, [alice], dt.date(2026, 11, 4), "co_reflection", status="invited")


def test_a_second_process_reads_what_the_first_stored_and_sees_its_writes(everyone, booked):
    hana = Client()
    hana.force_login(everyone["hana"].user)
    first = numbers(hana.get("/"))  # stores everyone's results
    assert numbers(hana.get("/")) == first  # and now keeps this process's count of them

    seen = other_process(write=True)
    assert seen["recomputed"] == 0, "the other process found the stored results stale"
    assert seen["before"] == first
    assert seen["after"] != first
    assert seen["after"]["quarter"].get("met") == 1  # Alice met quarter 3

    # The first process's kept overview was counted before the write: it must not be shown.
    assert matrix._last_overview is not None
    assert numbers(hana.get("/")) == seen["after"]


def test_a_write_in_the_first_process_shows_in_the_second(everyone, booked):
    hana = Client()
    hana.force_login(everyone["hana"].user)
    numbers(hana.get("/"))
    before = other_process(write=False)["after"]
    Attendance.objects.filter(person=everyone["alice"]).update(status="attended")
    assert other_process(write=False)["after"] == numbers(hana.get("/")) != before
