"""`coreflect escalation`: everyone's route on a date, from the structure as it was then."""

import datetime as dt
import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from coreflect.people.models import EmploymentPeriod, Placement, Role
from coreflect.supervision.models import SupervisionRelationship
from coreflect.testing import make_person, supervise

DAY = "2026-01-10"


def escalation(*args: str) -> dict:
    out = StringIO()
    call_command("escalation", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def route(person_id: str, as_of: str = DAY) -> list[tuple[int, str, list[str]]]:
    found = escalation("--as-of", as_of, "--person", person_id)
    assert [r["person_id"] for r in found["routes"]] == [person_id]
    return [(s["step"], s["role"], s["people"]) for s in found["routes"][0]["steps"]]


def test_everyone_in_peer_work_has_a_route_sorted_by_person_id(everyone, eve):
    found = escalation("--as-of", DAY)
    assert found["as_of"] == DAY
    # Lena (line manager), Gus (governance), Ada (admin) and Eve (the director) are not in peer
    # work.
    assert [r["person_id"] for r in found["routes"]] == [
        "ALICE", "HANA", "OLLY", "PAT", "SAM", "SUE",
    ]  # fmt: skip


def test_the_whole_organisation_reads_a_fixed_number_of_queries(
    everyone, eve, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        escalation("--as-of", DAY)


def test_a_peer_workers_route_names_each_step(everyone, eve):
    assert route("ALICE") == [
        (1, "supervisor", ["SAM"]),
        (4, "peer_lead", ["PAT"]),
        (5, "head_of_peer_work", ["HANA"]),
    ]


def test_the_head_escalates_to_the_executive_director(everyone, eve):
    assert route("HANA") == [(1, "supervisor", ["EVE"]), (5, "executive_director", ["EVE"])]


def test_people_on_a_step_are_sorted_by_person_id(everyone, eve, north):
    for pid in ("ZED", "BOB"):
        sup = make_person(pid, pid.title(), Role.PEER_PRACTITIONER, locality=north)
        supervise(sup, make_person(f"{pid}-W", "Worker", Role.PEER_WORKER, locality=north))
    assert (2, "another_peer_supervisor", ["BOB", "ZED"]) in route("ALICE")


def test_the_route_follows_a_move_on_the_day(everyone, eve, north, south):
    alice = everyone["alice"]
    Placement.objects.create(
        person=alice, role=Role.PEER_WORKER, service=north.service, locality=north,
        start_date=dt.date(2024, 1, 1), end_date=dt.date(2025, 12, 31),
    )  # fmt: skip
    Placement.objects.create(
        person=alice, role=Role.PEER_WORKER, service=south.service, locality=south,
        start_date=dt.date(2026, 1, 1),
    )  # fmt: skip
    assert (4, "peer_lead", ["PAT"]) in route("ALICE", "2025-12-31")
    # In the south: Sue supervises Olly there, so is another peer supervisor; Pat is not theirs.
    after = route("ALICE", "2026-01-01")
    assert (2, "another_peer_supervisor", ["SUE"]) in after
    assert not any(role == "peer_lead" for _, role, _ in after)


def test_the_route_follows_a_leaver(everyone, eve):
    EmploymentPeriod.objects.filter(person=everyone["pat"]).update(end_date=dt.date(2025, 6, 30))
    assert (4, "peer_lead", ["PAT"]) in route("ALICE", "2025-06-30")
    assert not any(role == "peer_lead" for _, role, _ in route("ALICE", "2025-07-01"))


def test_the_route_follows_a_change_of_supervisor(everyone, eve, north):
    alice = everyone["alice"]
    new = make_person("NED", "Ned New", Role.SENIOR_PEER_WORKER, locality=north)
    SupervisionRelationship.objects.filter(supervisee=alice).update(end_date=dt.date(2025, 9, 30))
    supervise(new, alice, start=dt.date(2025, 10, 1))
    assert route("ALICE", "2025-09-30")[0] == (1, "supervisor", ["SAM"])
    # Sam supervises no one from then: not another peer supervisor either.
    assert route("ALICE", "2025-10-01") == [
        (1, "supervisor", ["NED"]),
        (4, "peer_lead", ["PAT"]),
        (5, "head_of_peer_work", ["HANA"]),
    ]


def test_an_unknown_person_is_an_error(everyone):
    with pytest.raises(CommandError, match="No person has the ID 'NOBODY'") as raised:
        escalation("--as-of", DAY, "--person", "NOBODY")
    assert raised.value.returncode == 1


def test_someone_not_in_peer_work_on_the_day_is_an_error(everyone):
    with pytest.raises(CommandError, match="LENA is not employed in a peer-work role"):
        escalation("--as-of", DAY, "--person", "LENA")
    with pytest.raises(CommandError, match="ALICE is not employed in a peer-work role on 2023"):
        escalation("--as-of", "2023-12-31", "--person", "ALICE")


@pytest.mark.parametrize("bad", ["2026-13-01", "10/01/2026", "tomorrow"])
def test_an_invalid_date_is_an_error(db, bad):
    with pytest.raises(CommandError, match="--as-of must be a date as YYYY-MM-DD"):
        escalation("--as-of", bad)


def test_errors_go_to_stderr_with_exit_status_one(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "coreflect",
            "escalation",
            "--as-of",
            "nonsense",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={
            "COREFLECT_ENV": "development",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert done.returncode == 1
    assert "--as-of must be a date" in done.stderr and done.stdout == ""
