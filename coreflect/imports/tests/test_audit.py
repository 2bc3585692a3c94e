"""Every row an import creates, changes or ends has its own audit entry, naming the record, the
file and the line, and for a change the values before and after; a row left as it was has
none. Privileged roles come only from the command line, each grant on the log."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import FROZEN_AT
from coreflect.audit.models import AuditEvent
from coreflect.imports.tests.samples import GOOD, varied, write
from coreflect.people.models import Absence, EmploymentPeriod, Person
from coreflect.supervision.models import Attendance, Session, SupervisionRelationship

pytestmark = pytest.mark.django_db

PEOPLE_HEADER = "person_id,name,email,role,service,locality,line_manager_id\n"


def run(folder, capsys) -> None:
    call_command("import", str(folder))
    capsys.readouterr()


def rows(action: str = "import.row.") -> list[tuple[str, str, str, dict]]:
    """The row entries, oldest first: (action, object type, object id, detail)."""
    return [
        (e.action, e.object_type, e.object_id, e.detail)
        for e in AuditEvent.objects.filter(action__startswith=action).order_by("pk")
    ]


def pk(model, **lookup) -> str:
    return str(model.objects.get(**lookup).pk)


def test_each_row_created_has_an_entry_naming_its_record_file_and_line(tmp_path, capsys):
    run(write(tmp_path, GOOD), capsys)
    jo = Person.objects.get(external_id="P01")
    s2 = Session.objects.get(external_id="S2")
    assert rows() == [
        (
            "import.row.create",
            "people.person",
            pk(Person, external_id=p),
            {
                "file": "people.csv",
                "line": line,
                "person_id": p,
            },
        )
        for line, p in enumerate(["P01", "P02", "M01", "G01"], 2)
    ] + [
        (
            "import.row.create",
            "people.employmentperiod",
            pk(EmploymentPeriod, person__external_id=p, start_date=start),
            {
                "file": "employment.csv",
                "line": line,
                "person_id": p,
                "start_date": start,
            },
        )
        for line, (p, start) in enumerate(
            [("P01", "2025-05-15"), ("P02", "2020-01-01"), ("P02", "2025-02-01")], 2
        )
    ] + [
        (
            "import.row.create",
            "supervision.supervisionrelationship",
            pk(SupervisionRelationship, type=kind),
            {
                "file": "supervision.csv",
                "line": line,
                "supervisee_id": "P01",
                "supervisor_id": supervisor,
                "type": kind,
                "start_date": "2025-05-15",
            },
        )
        for line, (supervisor, kind) in enumerate(
            [("P02", "peer_work"), ("M01", "line_management")], 2
        )
    ] + [
        (
            "import.row.create",
            "people.absence",
            pk(Absence, person=jo),
            {
                "file": "absences.csv",
                "line": 2,
                "person_id": "P01",
                "type": "sickness",
                "start_date": "2025-08-01",
            },
        ),
        (
            "import.row.create",
            "supervision.session",
            pk(Session, external_id="S1"),
            {
                "file": "sessions.csv",
                "line": 2,
                "session_id": "S1",
            },
        ),
        (
            "import.row.create",
            "supervision.session",
            str(s2.pk),
            {
                "file": "sessions.csv",
                "line": 3,
                "session_id": "S2",
            },
        ),
        (
            "import.row.create",
            "supervision.attendance",
            pk(Attendance, session__external_id="S1"),
            {
                "file": "attendance.csv",
                "line": 2,
                "session_id": "S1",
                "person_id": "P01",
            },
        ),
        (
            "import.row.create",
            "supervision.attendance",
            pk(Attendance, session=s2),
            {
                "file": "attendance.csv",
                "line": 3,
                "session_id": "S2",
                "person_id": "P01",
            },
        ),
    ]


def test_the_entries_are_the_importers_at_the_time_with_the_summary_last(tmp_path, capsys, ada):
    call_command("import", str(write(tmp_path, GOOD)), "--by", "ada")
    entries = list(AuditEvent.objects.order_by("pk"))
    # 14 rows, Gina's governance role granted, accounts opened for those with an email, the
    # summary.
    assert len(entries) == 17 and entries[-1].action == "import"
    assert entries[-2].action == "account.open"
    assert {(e.actor, e.actor_username, e.actor_name, e.at) for e in entries} == {
        (ada.user, "ada", ada.name, FROZEN_AT)
    }


def test_a_reimport_that_changes_nothing_writes_only_the_summary(tmp_path, capsys):
    folder = write(tmp_path, GOOD)
    run(folder, capsys)
    last = AuditEvent.objects.order_by("pk").last().pk
    run(folder, capsys)
    assert list(AuditEvent.objects.filter(pk__gt=last).values_list("action", flat=True)) == [
        "import"
    ]


def test_a_changed_row_has_the_values_that_differ_before_and_after(tmp_path, capsys):
    run(write(tmp_path / "a", GOOD), capsys)
    first = AuditEvent.objects.order_by("pk").last().pk
    changed = varied(
        people=("Sam Shaw,sam@", "Sam Shaw-Smith,sam@"),
        sessions=("10:00,60,P02,in_person,Room 1", "11:00,90,P02,in_person,Room 2"),
        attendance=("S2,P01,apologies", "S2,P01,attended"),
        absences=("2025-08-01,2025-09-15", "2025-08-01,2025-09-30"),
    )
    changed["attendance.csv"] += "S1,P02,attended\n"
    run(write(tmp_path / "b", changed), capsys)
    assert [
        (e.action, e.object_type, e.object_id, e.detail)
        for e in AuditEvent.objects.filter(pk__gt=first).exclude(action="import").order_by("pk")
    ] == [
        (
            "import.row.change",
            "people.person",
            pk(Person, external_id="P02"),
            {
                "file": "people.csv",
                "line": 3,
                "person_id": "P02",
                "before": {"name": "Sam Shaw"},
                "after": {"name": "Sam Shaw-Smith"},
            },
        ),
        (
            "import.row.change",
            "people.absence",
            pk(Absence, person__external_id="P01"),
            {
                "file": "absences.csv",
                "line": 2,
                "person_id": "P01",
                "type": "sickness",
                "start_date": "2025-08-01",
                "before": {"end_date": "2025-09-15"},
                "after": {"end_date": "2025-09-30"},
            },
        ),
        (
            "import.row.change",
            "supervision.session",
            pk(Session, external_id="S1"),
            {
                "file": "sessions.csv",
                "line": 2,
                "session_id": "S1",
                "before": {"start_time": "10:00", "duration_minutes": 60, "location": "Room 1"},
                "after": {"start_time": "11:00", "duration_minutes": 90, "location": "Room 2"},
            },
        ),
        (
            "import.row.create",
            "supervision.attendance",
            pk(Attendance, session__external_id="S1", person__external_id="P02"),
            {
                "file": "attendance.csv",
                "line": 4,
                "session_id": "S1",
                "person_id": "P02",
            },
        ),
        (
            "import.row.change",
            "supervision.attendance",
            pk(Attendance, session__external_id="S2"),
            {
                "file": "attendance.csv",
                "line": 3,
                "session_id": "S2",
                "person_id": "P01",
                "before": {"status": "apologies"},
                "after": {"status": "attended"},
            },
        ),
    ]


def test_ending_employment_or_supervision_is_an_end(tmp_path, capsys):
    run(write(tmp_path / "a", GOOD), capsys)
    later = {
        "employment.csv": "person_id,start_date,end_date\nP02,2025-02-01,2026-01-31\n",
        "supervision.csv": "supervisee_id,supervisor_id,type,start_date,end_date\n"
        "P01,M01,line_management,2025-05-15,2026-01-31\n",
    }
    run(write(tmp_path / "b", later), capsys)
    assert rows("import.row.end") == [
        (
            "import.row.end",
            "people.employmentperiod",
            pk(EmploymentPeriod, person__external_id="P02", start_date="2025-02-01"),
            {
                "file": "employment.csv",
                "line": 2,
                "person_id": "P02",
                "start_date": "2025-02-01",
                "before": {"end_date": ""},
                "after": {"end_date": "2026-01-31"},
            },
        ),
        (
            "import.row.end",
            "supervision.supervisionrelationship",
            pk(SupervisionRelationship, type="line_management"),
            {
                "file": "supervision.csv",
                "line": 2,
                "supervisee_id": "P01",
                "supervisor_id": "M01",
                "type": "line_management",
                "start_date": "2025-05-15",
                "before": {"end_date": ""},
                "after": {"end_date": "2026-01-31"},
            },
        ),
    ]


def test_a_new_line_manager_a_move_and_a_peer_supervisor_no_longer_peer_are_changes(
    tmp_path, capsys
):
    run(write(tmp_path / "a", GOOD), capsys)
    first = AuditEvent.objects.order_by("pk").last().pk
    later = {
        "people.csv": PEOPLE_HEADER
        + "P01,Jo Bell,jo.bell@example.nhs.uk,peer_worker,Adult,Durham,P02\n"
        + "P02,Sam Shaw,sam@example.nhs.uk,line_manager,Adult,Darlington,M01\n",
        "supervision.csv": GOOD["supervision.csv"],
    }
    run(write(tmp_path / "b", later), capsys)
    changes = AuditEvent.objects.filter(pk__gt=first, action="import.row.change").order_by("pk")
    assert [(e.detail["line"], e.detail["before"], e.detail["after"]) for e in changes] == [
        (2, {"line_manager_id": "M01"}, {"line_manager_id": "P02"}),
        (
            3,
            {"role": "senior_peer_worker", "locality": "Durham"},
            {"role": "line_manager", "locality": "Darlington"},
        ),
        # Sam's role is no longer a peer-work one, so his supervision is not peer supervision.
        (2, {"supervisor_is_peer": True}, {"supervisor_is_peer": False}),
    ]
    assert changes[2].object_type == "supervision.supervisionrelationship"


def test_the_entries_take_the_same_queries_however_many_rows_change(tmp_path, capsys):
    def changing(count: int) -> dict[str, str]:
        return {
            "attendance.csv": "session_id,person_id,status\n"
            + "".join(f"X{n},P01,{'attended' if count > n else 'invited'}\n" for n in range(300))
        }

    sessions = "".join(f"X{n},one_to_one,2025-07-01,10:00,60,P02,video,\n" for n in range(300))
    run(write(tmp_path / "a", {**GOOD, "sessions.csv": GOOD["sessions.csv"] + sessions}), capsys)
    run(write(tmp_path / "b", changing(0)), capsys)

    def queries(count: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            run(write(tmp_path / f"c{count}", changing(count)), capsys)
        return len(captured)

    assert queries(1) == queries(300)
    # X0 attended, then the other 299 too.
    assert AuditEvent.objects.filter(action="import.row.change").count() == 300


def test_a_refused_import_writes_no_entries(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import", str(write(tmp_path, varied(absences=("sickness", "flu")))))
    assert not AuditEvent.objects.exists()


# Privileged roles from the command line.


def test_the_command_line_grants_a_privileged_role_with_the_operating_system_user(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr("getpass.getuser", lambda: "root-on-the-server")
    run(write(tmp_path, GOOD), capsys)  # Gina is governance
    assert Person.objects.get(external_id="G01").role == "governance"
    assert rows("import.role_grant") == [
        (
            "import.role_grant",
            "people.person",
            pk(Person, external_id="G01"),
            {
                "file": "people.csv",
                "line": 5,
                "person_id": "G01",
                "role": "governance",
                "previous_role": "",
                "via": "command",
                "os_user": "root-on-the-server",
            },
        )
    ]


def test_a_role_held_already_is_not_granted_again_and_a_promotion_is(tmp_path, capsys):
    run(write(tmp_path / "a", GOOD), capsys)
    again = varied(
        people=(
            "P01,Jo Bell,jo.bell@example.nhs.uk,peer_worker",
            "P01,Jo Bell,jo.bell@example.nhs.uk,admin",
        )
    )
    run(write(tmp_path / "b", again), capsys)
    grants = rows("import.role_grant")
    assert [(d["person_id"], d["role"], d["previous_role"]) for *_, d in grants] == [
        ("G01", "governance", ""),
        ("P01", "admin", "peer_worker"),
    ]


def test_no_grant_entry_without_a_privileged_role(tmp_path, capsys):
    run(
        write(tmp_path, varied(people=("G01,Gina Gov,,governance", "G01,Gina Gov,,peer_lead"))),
        capsys,
    )
    assert not AuditEvent.objects.filter(action="import.role_grant").exists()
